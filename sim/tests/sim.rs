//! End-to-end tests of tellme-sim on the hand-written test design in `tests/rtl/`.
//!
//! Builds are shared between tests (one per trace kind) and serialised by `TOOLS`, so at most
//! one Verilator/g++ build runs at a time. Tests that need a different environment (an empty
//! `PATH`, a fresh cache) re-run this test binary as a child process.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Instant;
use tellme_sim::{build, Build, DdrParams, MasterSpec, Sim, SimError, SimSpec, TraceKind};

// Register map of sim_test_top.v.
const CTRL: u32 = 0x00;
const STATUS: u32 = 0x04;
const SRC_LO: u32 = 0x08;
const SRC_HI: u32 = 0x0C;
const COUNT: u32 = 0x10;
const DST_LO: u32 = 0x14;
const DST_HI: u32 = 0x18;
const BURST_LEN: u32 = 0x1C;
const SUM_LO: u32 = 0x20;
const SUM_HI: u32 = 0x24;
const T_AR: u32 = 0x28;
const T_R0: u32 = 0x2C;
const T_RN: u32 = 0x30;
const SCRATCH: u32 = 0x34;
const ID: u32 = 0x38;
const CYCLE: u32 = 0x3C;
const SIM: u32 = 0x40;

const STATE_DONE: u32 = 4;
const STATE_ERROR: u32 = 5;

fn rtl_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("rtl")
}

fn spec() -> SimSpec {
    SimSpec {
        rtl: vec![rtl_dir().join("sim_test_top.v")],
        top: "sim_test_top".into(),
        axil_addr_bits: 16,
        masters: vec![
            MasterSpec::new("m_rd_", 128, false),
            MasterSpec::new("m_wr_", 64, true),
        ],
        state_names: ["IDLE", "READ", "WRITE", "WAIT_B", "DONE", "ERROR"]
            .map(String::from)
            .to_vec(),
        verilator_args: vec![],
    }
}

/// Held around every build (and child process that builds): one build at a time.
static TOOLS: Mutex<()> = Mutex::new(());

fn tools() -> MutexGuard<'static, ()> {
    TOOLS.lock().unwrap_or_else(|e| e.into_inner())
}

/// The shared build for a trace kind (built once per test run, from the cache when possible).
fn model(trace: Option<TraceKind>) -> &'static Build {
    static PLAIN: OnceLock<Build> = OnceLock::new();
    static VCD: OnceLock<Build> = OnceLock::new();
    static FST: OnceLock<Build> = OnceLock::new();
    let cell = match trace {
        None => &PLAIN,
        Some(TraceKind::Vcd) => &VCD,
        Some(TraceKind::Fst) => &FST,
    };
    if let Some(b) = cell.get() {
        return b;
    }
    let _g = tools();
    cell.get_or_init(|| {
        let b = build(&spec(), trace, &mut |line| {
            eprintln!("[build {trace:?}] {line}")
        })
        .unwrap_or_else(|e| panic!("build failed: {e}"));
        eprintln!(
            "[build {trace:?}] cached={} build_s={:.1}",
            b.cached, b.build_s
        );
        b
    })
}

fn new_sim() -> Sim {
    let mut sim = Sim::new(model(None), None).expect("load model");
    sim.reset(4).expect("reset");
    sim
}

/// Deterministic pseudo-random bytes (xorshift64*).
fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut s = seed | 1;
    let mut out = Vec::with_capacity(n + 8);
    while out.len() < n {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        out.extend_from_slice(&s.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(n);
    out
}

/// What the design computes over 16-byte words: (sum of all 32-bit lanes, xor of 64-bit halves).
fn expected(data: &[u8]) -> (u64, u64) {
    let mut sum = 0u64;
    let mut xr = 0u64;
    for w in data.chunks_exact(16) {
        for lane in w.chunks_exact(4) {
            sum = sum.wrapping_add(u32::from_le_bytes(lane.try_into().unwrap()) as u64);
        }
        xr ^= u64::from_le_bytes(w[..8].try_into().unwrap())
            ^ u64::from_le_bytes(w[8..].try_into().unwrap());
    }
    (sum, xr)
}

fn program_job(sim: &mut Sim, src: u64, count: u32, dst: u64, burst: u32) {
    sim.reg_write(SRC_LO, src as u32).unwrap();
    sim.reg_write(SRC_HI, (src >> 32) as u32).unwrap();
    sim.reg_write(COUNT, count).unwrap();
    sim.reg_write(DST_LO, dst as u32).unwrap();
    sim.reg_write(DST_HI, (dst >> 32) as u32).unwrap();
    sim.reg_write(BURST_LEN, burst).unwrap();
}

fn read64(sim: &mut Sim, lo: u32, hi: u32) -> u64 {
    sim.reg_read(lo).unwrap() as u64 | (sim.reg_read(hi).unwrap() as u64) << 32
}

/// Re-runs this test binary for one ignored test, with extra environment.
fn child(test: &str, env: &[(&str, &std::ffi::OsStr)]) -> (bool, String) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            test,
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("TELLME_SIM_CHILD", "1")
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .output()
        .expect("spawn child test");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn in_child() -> bool {
    std::env::var_os("TELLME_SIM_CHILD").is_some()
}

// ------------------------------------------------------------------------------ build / cache

#[test]
fn second_build_is_a_cache_hit() {
    let first = model(None);
    assert!(first.lib_path.is_file());
    let again = {
        let _g = tools();
        build(&spec(), None, &mut |l| {
            panic!("a cache hit printed progress: {l}")
        })
        .unwrap()
    };
    assert!(again.cached);
    assert_eq!(again.build_s, 0.0);
    assert_eq!(again.lib_path, first.lib_path);
    assert_eq!(again.key, first.key);
    assert!(again.dir.join("build.log").is_file());
    assert!(again.dir.join("meta.json").is_file());
    assert!(again.dir.join("shim.cpp").is_file());
}

#[test]
fn fresh_cache_builds_then_hits() {
    let tmp = tempfile::tempdir().unwrap();
    let _g = tools();
    let (ok, out) = child(
        "child_fresh_cache",
        &[("TELLME_CACHE", tmp.path().as_os_str())],
    );
    assert!(ok, "child failed:\n{out}");
    assert!(out.contains("CHILD-OK"), "{out}");
    let entries: Vec<String> = std::fs::read_dir(tmp.path().join("sim"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        entries.len(),
        1,
        "one cache entry, no leftover temp folders: {entries:?}"
    );
    assert!(entries[0].starts_with("sim_test_top-"));
    for line in out.lines().filter_map(|l| l.split_once("FIGURE")) {
        eprintln!("FIGURE{}", line.1);
    }
}

#[test]
#[ignore = "run by fresh_cache_builds_then_hits in a child process"]
fn child_fresh_cache() {
    if !in_child() {
        return;
    }
    let mut lines = Vec::new();
    let first = build(&spec(), None, &mut |l| lines.push(l.to_string())).unwrap();
    assert!(!first.cached);
    assert!(first.build_s > 0.0);
    assert!(
        lines.iter().any(|l| l.contains("compiling")),
        "progress lines: {lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("linking")),
        "progress lines: {lines:?}"
    );
    let second = build(&spec(), None, &mut |_| {}).unwrap();
    assert!(second.cached);
    assert_eq!(second.build_s, 0.0);
    assert_eq!(second.lib_path, first.lib_path);
    // The fresh build loads and works.
    let mut sim = Sim::new(&second, None).unwrap();
    sim.reset(2).unwrap();
    assert_eq!(sim.reg_read(ID).unwrap(), 0x7E11_5173);
    println!(
        "FIGURE build_s (plain model, from scratch) = {:.2}",
        first.build_s
    );
    println!("CHILD-OK");
}

#[test]
fn missing_verilator_gives_install_hint() {
    let empty = tempfile::tempdir().unwrap();
    let (ok, out) = child(
        "child_missing_verilator",
        &[("PATH", empty.path().as_os_str())],
    );
    assert!(ok, "child failed:\n{out}");
    let line = out
        .lines()
        .find_map(|l| l.split_once("ERROR-LINE: "))
        .map(|(_, e)| e)
        .expect("error line");
    assert!(line.contains("sudo apt-get install -y verilator"), "{line}");
}

#[test]
#[ignore = "run by missing_verilator_gives_install_hint in a child process"]
fn child_missing_verilator() {
    if !in_child() {
        return;
    }
    let err = build(&spec(), None, &mut |_| {}).unwrap_err();
    println!("ERROR-LINE: {err}");
    assert!(matches!(err, SimError::VerilatorMissing));
}

#[test]
fn verilog_error_is_one_line_naming_the_log() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("broken_top.v");
    std::fs::write(
        &bad,
        "module broken_top(input wire clk);\n  assign = ;\nendmodule\n",
    )
    .unwrap();
    let spec = SimSpec {
        rtl: vec![bad],
        top: "broken_top".into(),
        axil_addr_bits: 8,
        ..SimSpec::default()
    };
    let err = {
        let _g = tools();
        build(&spec, None, &mut |_| {}).unwrap_err()
    };
    let msg = err.to_string();
    assert!(!msg.contains('\n'), "{msg}");
    let SimError::BuildFailed { stage, log, .. } = &err else {
        panic!("{msg}")
    };
    assert_eq!(*stage, "verilator");
    assert!(log.is_file(), "log kept: {}", log.display());
    assert!(msg.contains(&log.display().to_string()));
    assert!(msg.contains("%Error"), "{msg}");
}

#[test]
fn port_width_mismatch_fails_in_cpp_with_a_clear_line() {
    let mut s = spec();
    s.masters[0].data_bits = 256; // the design's m_rd_ is 128 bits wide
    let err = {
        let _g = tools();
        build(&s, None, &mut |_| {}).unwrap_err()
    };
    let msg = err.to_string();
    assert!(!msg.contains('\n'), "{msg}");
    assert!(
        matches!(
            err,
            SimError::BuildFailed {
                stage: "C++ compilation",
                ..
            }
        ),
        "{msg}"
    );
    assert!(
        msg.contains("m_rd_rdata") && msg.contains("256 bits"),
        "{msg}"
    );
}

// ------------------------------------------------------------------------------ registers

#[test]
fn register_read_write() {
    let mut sim = new_sim();
    assert_eq!(sim.reg_read(ID).unwrap(), 0x7E11_5173);
    sim.reg_write(SCRATCH, 0xDEAD_BEEF).unwrap();
    assert_eq!(sim.reg_read(SCRATCH).unwrap(), 0xDEAD_BEEF);
    sim.reg_write(SCRATCH, 0x1234_5678).unwrap();
    assert_eq!(sim.reg_read(SCRATCH).unwrap(), 0x1234_5678);
    program_job(&mut sim, 0xAB_1234_5670, 77, 0x12_0000_0008, 300);
    assert_eq!(sim.reg_read(SRC_LO).unwrap(), 0x1234_5670);
    assert_eq!(sim.reg_read(SRC_HI).unwrap(), 0xAB);
    assert_eq!(sim.reg_read(COUNT).unwrap(), 77);
    assert_eq!(sim.reg_read(DST_LO).unwrap(), 8);
    assert_eq!(sim.reg_read(DST_HI).unwrap(), 0x12);
    assert_eq!(
        sim.reg_read(BURST_LEN).unwrap(),
        256,
        "the design clamps the burst length"
    );
    assert_eq!(sim.reg_read(STATUS).unwrap(), 0, "idle");
    // The cycle counter register advances with the AXI4-Lite traffic.
    let c0 = sim.reg_read(CYCLE).unwrap();
    let c1 = sim.reg_read(CYCLE).unwrap();
    assert!(c1 > c0);
    // Unmapped addresses answer SLVERR, reported as one-line errors.
    let e = sim.reg_read(0x100).unwrap_err();
    assert!(
        matches!(
            e,
            SimError::AxilResponse {
                write: false,
                addr: 0x100,
                resp: 2
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("SLVERR"));
    let e = sim.reg_write(0x44, 1).unwrap_err();
    assert!(
        matches!(
            e,
            SimError::AxilResponse {
                write: true,
                addr: 0x44,
                resp: 2
            }
        ),
        "{e}"
    );
    let st = sim.stats();
    assert!(st.axil_reads >= 10 && st.axil_writes >= 9, "{st:?}");
    assert!(st.axil_cycles > 0);
}

// ------------------------------------------------------------------------------ jobs

#[test]
fn dma_job_matches_the_data() {
    let mut sim = new_sim();
    // KV260-like memory at 250 MHz: 57.6 bytes/cycle, 75 cycles.
    sim.set_ddr(DdrParams::from_board(19.2, 0.75, 250.0, 300.0));
    assert_eq!(sim.ddr().latency_cycles, 75);
    let words = 1000usize;
    let src = 0x1_0F40u64; // not 4 KB aligned: the design must split bursts at the boundary
    let dst = 0x8_0000u64;
    let data = random_bytes(words * 16, 7);
    sim.mem_write(src, &data).unwrap();
    sim.set_mem_size(0x10_0000).unwrap();
    assert_eq!(sim.mem_size(), 0x10_0000);
    program_job(&mut sim, src, words as u32, dst, 16);
    sim.reset_stats();
    sim.reg_write(CTRL, 1).unwrap();
    let out = sim.run(1_000_000, 10_000).unwrap();
    assert_eq!(out.state, STATE_DONE, "{out:?}");
    assert_eq!(out.state_name, "DONE");
    assert!(out.cycles > words as u64, "{out:?}");
    let (sum, xr) = expected(&data);
    assert_eq!(read64(&mut sim, SUM_LO, SUM_HI), sum);
    let back = sim.mem_read(dst, 32).unwrap();
    let beat = |i: usize| u64::from_le_bytes(back[8 * i..8 * i + 8].try_into().unwrap());
    assert_eq!(beat(0), sum);
    assert_eq!(beat(1), xr);
    assert_eq!(beat(2), words as u64);
    assert_eq!(beat(3), 0xC0FF_EE00_7E11_5173);
    assert_eq!(sim.reg_read(STATUS).unwrap(), 0b10, "done, no error");
    let st = sim.stats();
    let rd = st.master("m_rd_").unwrap();
    assert_eq!(rd.bytes_read, words as u64 * 16);
    assert_eq!(rd.read_beats, words as u64);
    assert_eq!(rd.protocol_errors, 0);
    assert_eq!(rd.read_errors, 0);
    assert!(rd.read_bursts >= (words as u64).div_ceil(16));
    let wr = st.master("m_wr_").unwrap();
    assert_eq!(
        (
            wr.bytes_written,
            wr.write_beats,
            wr.write_bursts,
            wr.write_errors
        ),
        (32, 4, 1, 0)
    );
    assert_eq!(st.run_cycles, out.cycles);
    // A second job on the same model (irq is cleared by the new start).
    let data2 = random_bytes(64 * 16, 99);
    sim.mem_write(0x4_0000, &data2).unwrap();
    program_job(&mut sim, 0x4_0000, 64, dst + 64, 8);
    sim.reg_write(CTRL, 1).unwrap();
    sim.run(100_000, 10_000).unwrap();
    let back = sim.mem_read(dst + 64, 8).unwrap();
    assert_eq!(
        u64::from_le_bytes(back.try_into().unwrap()),
        expected(&data2).0
    );
}

#[test]
fn reads_outside_memory_answer_slverr() {
    let mut sim = new_sim();
    sim.set_mem_size(0x2000).unwrap();
    program_job(&mut sim, 0x1F00, 64, 0x0, 16); // runs past the end of the 8 KB memory
    sim.reg_write(CTRL, 1).unwrap();
    let out = sim.run(100_000, 10_000).unwrap();
    assert_eq!(out.state, STATE_ERROR);
    assert_eq!(sim.reg_read(STATUS).unwrap() & 0b100, 0b100, "error bit");
    assert!(sim.stats().master("m_rd_").unwrap().read_errors >= 1);
    let e = sim.mem_read(0x1FFF, 2).unwrap_err();
    assert!(e.to_string().contains("outside the memory"), "{e}");
    let e = sim.mem_write(1 << 40, &[1]).unwrap_err();
    assert!(
        matches!(e, SimError::Memory(_)) && e.to_string().contains("40-bit"),
        "{e}"
    );
    assert_eq!(sim.mem_size(), 0x2000);
}

#[test]
fn bandwidth_and_latency_follow_the_ddr_parameters() {
    let mut sim = new_sim();
    let words = 4096u32; // 64 KiB
    sim.mem_write(0, &random_bytes(words as usize * 16, 3))
        .unwrap();
    sim.set_mem_size(0x20_0000).unwrap();
    let mut report = Vec::new();
    // (bytes per cycle, latency): fractional budget, integer budget, above one 16-byte beat
    // per cycle (the per-master limit), unlimited.
    for (bpc, lat) in [(6.4, 40u64), (8.0, 23), (40.0, 10), (0.0, 1)] {
        sim.set_ddr(DdrParams {
            bytes_per_cycle: bpc,
            latency_cycles: lat,
            max_outstanding: 16,
        });
        program_job(&mut sim, 0, words, 0x10_0000, 64);
        sim.reset_stats();
        sim.reg_write(CTRL, 1).unwrap();
        sim.run(1_000_000, 10_000).unwrap();
        let t_ar = sim.reg_read(T_AR).unwrap();
        let t_r0 = sim.reg_read(T_R0).unwrap();
        let t_rn = sim.reg_read(T_RN).unwrap();
        // Latency, as the design saw it, and as the memory model counted it.
        assert_eq!((t_r0 - t_ar) as u64, lat, "latency at {bpc} B/cycle");
        assert_eq!(sim.stats().master("m_rd_").unwrap().first_read_latency, lat);
        // Steady-state bandwidth between the first and the last beat.
        let measured = (words as f64 - 1.0) * 16.0 / (t_rn - t_r0) as f64;
        let want = if bpc <= 0.0 { 16.0 } else { bpc.min(16.0) };
        let err = (measured - want).abs() / want;
        report.push(format!(
            "FIGURE bandwidth {bpc} B/cycle configured -> {measured:.4} measured ({:.3} %)",
            err * 100.0
        ));
        assert!(err < 0.005, "{bpc} B/cycle configured, {measured} measured");
        if bpc > 0.0 && bpc < 16.0 {
            assert!(sim.stats().master("m_rd_").unwrap().read_bw_stalls > 0);
        }
    }
    for r in report {
        eprintln!("{r}");
    }
}

// ------------------------------------------------------------------------------ failures

#[test]
fn watchdog_names_the_stuck_state() {
    let mut sim = new_sim();
    sim.mem_write(0, &random_bytes(256 * 16, 5)).unwrap();
    program_job(&mut sim, 0, 256, 0x8000, 16);
    sim.reg_write(CTRL, 0b11).unwrap(); // start + hang: R beats are never accepted
    let err = sim.run(1_000_000, 500).unwrap_err();
    let msg = err.to_string();
    eprintln!("watchdog error: {msg}");
    assert!(!msg.contains('\n'), "{msg}");
    let SimError::Watchdog {
        cycle,
        idle_cycles,
        state,
        ref state_name,
        ref waiting,
    } = err
    else {
        panic!("{msg}")
    };
    assert_eq!((state, state_name.as_str()), (1, "READ"));
    assert_eq!(idle_cycles, 500);
    assert!(cycle < 2_000, "caught early: cycle {cycle}");
    assert!(
        waiting.contains("m_rd R beat offered") && waiting.contains("rready low"),
        "{waiting}"
    );
    assert!(
        msg.contains("state READ (1)") && msg.contains(&format!("cycle {cycle}")),
        "{msg}"
    );
}

#[test]
fn max_cycles_timeout_then_resume() {
    let mut sim = new_sim();
    let words = 20_000u32;
    sim.mem_write(0, &random_bytes(words as usize * 16, 11))
        .unwrap();
    program_job(&mut sim, 0, words, 0x40_0000, 32);
    sim.set_mem_size(0x40_0020).unwrap();
    sim.set_ddr(DdrParams {
        bytes_per_cycle: 8.0,
        latency_cycles: 20,
        max_outstanding: 16,
    });
    sim.reg_write(CTRL, 1).unwrap();
    let err = sim.run(1_000, 0).unwrap_err();
    let msg = err.to_string();
    assert!(!msg.contains('\n'), "{msg}");
    assert!(
        matches!(
            err,
            SimError::Timeout {
                max_cycles: 1_000,
                state: 1,
                ..
            }
        ),
        "{msg}"
    );
    assert!(msg.contains("READ") && msg.contains("1000 cycles"), "{msg}");
    // The simulation is still usable: let the job finish.
    let out = sim.run(10_000_000, 10_000).unwrap();
    assert_eq!(out.state, STATE_DONE);
    assert_eq!(sim.stats().run_cycles, 1_000 + out.cycles);
}

#[test]
fn axil_timeout_is_an_error_and_reset_recovers() {
    let mut sim = new_sim();
    sim.set_axil_timeout(1); // a read needs at least two cycles
    let e = sim.reg_read(ID).unwrap_err();
    assert!(
        matches!(
            e,
            SimError::AxilTimeout {
                write: false,
                addr: ID,
                cycles: 1,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("no response within 1 cycles"), "{e}");
    sim.set_axil_timeout(100);
    sim.reset(2).unwrap();
    assert_eq!(sim.reg_read(ID).unwrap(), 0x7E11_5173);
}

#[test]
fn finish_and_stop_become_errors_not_aborts() {
    let mut sim = new_sim();
    let e = sim.reg_write(SIM, 0b01).unwrap_err();
    assert!(matches!(e, SimError::Finished { .. }), "{e}");
    assert!(e.to_string().contains("$finish"), "{e}");

    let mut sim = new_sim();
    let e = sim.reg_write(SIM, 0b10).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, SimError::Fatal(_)), "{msg}");
    eprintln!("$stop error: {msg}");
    assert!(
        msg.contains("$stop") && msg.contains("sim_test_top.v"),
        "{msg}"
    );
    assert!(!msg.contains('\n'), "{msg}");
    // The model is unusable afterwards, and says so; dropping it is safe.
    let e = sim.run(10, 0).unwrap_err();
    assert!(e.to_string().contains("earlier fatal error"), "{e}");
    drop(sim);
    // Other models in the process are unaffected.
    let mut other = new_sim();
    assert_eq!(other.reg_read(ID).unwrap(), 0x7E11_5173);
}

#[test]
fn trace_requires_a_tracing_build() {
    let tmp = tempfile::tempdir().unwrap();
    let e = Sim::new(model(None), Some(&tmp.path().join("x.vcd"))).unwrap_err();
    assert!(matches!(e, SimError::NoTrace), "{e}");
}

// ------------------------------------------------------------------------------ traces

fn short_job(sim: &mut Sim) -> u64 {
    sim.reset(2).unwrap();
    sim.set_ddr(DdrParams {
        bytes_per_cycle: 8.0,
        latency_cycles: 5,
        max_outstanding: 16,
    });
    sim.mem_write(0, &random_bytes(32 * 16, 1)).unwrap();
    sim.set_mem_size(0x2000).unwrap();
    program_job(sim, 0, 32, 0x1000, 8);
    sim.reg_write(CTRL, 1).unwrap();
    sim.run(100_000, 1_000).unwrap();
    sim.cycles()
}

#[test]
fn vcd_trace_is_written_and_parses() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("waves").join("job.vcd");
    let cycles = {
        let mut sim = Sim::new(model(Some(TraceKind::Vcd)), Some(&path)).unwrap();
        short_job(&mut sim)
    }; // dropped: file closed
    let mut p = vcd::Parser::new(std::io::BufReader::new(std::fs::File::open(&path).unwrap()));
    let header = p.parse_header().unwrap();
    assert!(header.timescale.is_some());
    let var = header
        .find_var(&["TOP", "sim_test_top", "dbg_state"])
        .expect("dbg_state in the VCD header");
    assert_eq!(var.size, 8);
    assert!(header.find_var(&["TOP", "m_rd_rvalid"]).is_some());
    let code = var.code;
    let (mut last_t, mut states) = (0u64, Vec::new());
    for cmd in p {
        match cmd.unwrap() {
            vcd::Command::Timestamp(t) => last_t = t,
            vcd::Command::ChangeVector(c, v) if c == code => states.push(
                v.iter()
                    .fold(0u32, |acc, b| acc << 1 | (*b == vcd::Value::V1) as u32),
            ),
            _ => {}
        }
    }
    assert_eq!(last_t, 10 * cycles + 5, "the whole run is in the trace");
    for s in [1, 2, 3, 4] {
        assert!(states.contains(&s), "state {s} in {states:?}");
    }
}

#[test]
fn fst_trace_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("job.fst");
    let cycles = {
        let mut sim = Sim::new(model(Some(TraceKind::Fst)), Some(&path)).unwrap();
        short_job(&mut sim)
    };
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 329, "{} bytes", bytes.len());
    let be64 = |o: usize| u64::from_be_bytes(bytes[o..o + 8].try_into().unwrap());
    assert_eq!(bytes[0], 0, "FST header block tag");
    assert_eq!(be64(1), 329, "FST header section length");
    assert_eq!(
        f64::from_ne_bytes(bytes[25..33].try_into().unwrap()),
        std::f64::consts::E,
        "endian test"
    );
    assert_eq!(
        be64(17),
        10 * cycles + 5,
        "end time: the whole run is in the trace"
    );
    assert!(be64(49) > 50, "variables: {}", be64(49));
    assert!(bytes[74..83].starts_with(b"fstWriter"));
}

// ------------------------------------------------------------------------------ threads, speed

#[test]
fn sims_run_on_other_threads() {
    let handles: Vec<_> = (0..2u64)
        .map(|i| {
            let mut sim = new_sim(); // created here, used on another thread
            std::thread::spawn(move || {
                let data = random_bytes(512 * 16, 100 + i);
                sim.mem_write(0x1000, &data).unwrap();
                sim.set_mem_size(0x1_0000).unwrap();
                program_job(&mut sim, 0x1000, 512, 0x8000, 32);
                sim.reg_write(CTRL, 1).unwrap();
                sim.run(1_000_000, 10_000).unwrap();
                assert_eq!(read64(&mut sim, SUM_LO, SUM_HI), expected(&data).0);
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

#[test]
fn driven_speed_close_to_free_running() {
    let mut sim = new_sim();
    let words = 200_000u32;
    sim.mem_write(0, &random_bytes(words as usize * 16, 42))
        .unwrap();
    sim.set_mem_size(words as u64 * 16 + 0x100).unwrap();
    program_job(&mut sim, 0, words, words as u64 * 16, 64);
    sim.reg_write(CTRL, 1).unwrap();
    let t = Instant::now();
    let out = sim.run(10_000_000, 10_000).unwrap();
    let driven = out.cycles as f64 / t.elapsed().as_secs_f64();
    let free = sim.freerun_cycles_per_s(out.cycles).unwrap();
    eprintln!(
        "FIGURE speed: {:.0} cycles/s driven (DDR model + job, {} cycles), {:.0} cycles/s free-running",
        driven, out.cycles, free
    );
    assert!(
        driven > 0.25 * free,
        "driven {driven:.0} vs free-running {free:.0} cycles/s"
    );
}
