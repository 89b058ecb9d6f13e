//! The generated BitLinear accelerator under Verilator on the `tiny` preset, bit for bit against
//! the golden model: random shapes and seeds, both overlap modes, the hardware's counters
//! against the memory model's, a waveform read back, and every bad input a clear error.

use std::path::Path;
use std::process::{Command, Output};
use tellme::flow::LinearRig;
use tellme_model::synthetic::{random_activations, random_linear};

fn tellme(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tellme"))
        .args(args)
        .output()
        .expect("run tellme")
}

/// Run `tellme`, which must succeed.
fn tellme_ok(args: &[&str]) -> Output {
    let out = tellme(args);
    assert!(
        out.status.success(),
        "tellme {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A traced tiny run of `tokens` tokens into `path`.
fn traced_run(path: &Path, tokens: &str) {
    tellme_ok(&[
        "sim",
        "linear",
        "--preset",
        "tiny",
        "--in",
        "24",
        "--out",
        "8",
        "--tokens",
        tokens,
        "--trace",
        path.to_str().unwrap(),
    ]);
}

fn one_line_error(out: &Output, expect: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line, got: {stderr}");
    assert!(
        lines[0].starts_with("error: ") && lines[0].contains(expect),
        "expected '{expect}' in: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn random_shapes_and_seeds_are_bit_exact_in_both_overlap_modes() {
    let cfg = tellme_config::preset("tiny").unwrap();
    let mut rig = LinearRig::new(&cfg, None, &mut |_| {}).expect("simulator builds");
    let mut rng = tellme_model::rng::Rng::new(2026);
    // The real shapes of the tiny model, then ragged random ones (K not a multiple of 3 or of
    // a block, N not a multiple of the lanes, more tokens than the activation buffer holds).
    let mut cases: Vec<(usize, usize, usize)> = cfg
        .layer_linears()
        .iter()
        .map(|s| (s.k_in, s.n_out, 3))
        .collect();
    for _ in 0..6 {
        cases.push((
            1 + rng.below(520) as usize,
            1 + rng.below(200) as usize,
            1 + rng.below(20) as usize,
        ));
    }
    for (i, &(k, n, t)) in cases.iter().enumerate() {
        let seed = 100 + i as u64;
        let w = random_linear(n, k, seed);
        let x = random_activations(t, k, seed);
        for overlap in [true, false] {
            let r = rig.run(&w, &x, overlap).unwrap();
            assert_eq!(
                r.mismatches, 0,
                "{k}→{n} × {t}, overlap {overlap}: first {:?}",
                r.first_mismatch
            );
            // The hardware's own counters agree with the memory model's.
            assert_eq!(
                r.counters.rd_bytes + r.counters.wr_bytes,
                r.ddr_bytes,
                "{k}→{n} × {t}"
            );
            let ops = r.counters.lookups / (cfg.accel.tables * cfg.accel.lanes) as u64;
            let blocks = cfg.tiling(k, n).blocks as u64;
            let rgs = cfg.tiling(k, n).row_groups as u64;
            assert_eq!(
                ops,
                t as u64 * blocks * rgs,
                "every (token, block, row group) looked up once"
            );
            assert!(r.cycles > 0 && r.macs_per_cycle <= cfg.peak_macs_per_cycle() as f64);
        }
    }
}

#[test]
fn overlap_off_costs_load_plus_compute() {
    let cfg = tellme_config::preset("tiny").unwrap();
    let mut rig = LinearRig::new(&cfg, None, &mut |_| {}).unwrap();
    let w = random_linear(512, 192, 5);
    let x = random_activations(1, 192, 5);
    let on = rig.run(&w, &x, true).unwrap();
    let off = rig.run(&w, &x, false).unwrap();
    assert_eq!((on.mismatches, off.mismatches), (0, 0));
    assert!(
        off.cycles > on.cycles,
        "overlap off {} vs on {}",
        off.cycles,
        on.cycles
    );
    assert!(off.stall_cycles > on.stall_cycles);
}

fn vcd_signals(path: &Path) -> Vec<String> {
    let mut p = vcd::Parser::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let header = p.parse_header().unwrap();
    let mut names = Vec::new();
    fn walk(items: &[vcd::ScopeItem], out: &mut Vec<String>) {
        for i in items {
            match i {
                vcd::ScopeItem::Var(v) => out.push(v.reference.clone()),
                vcd::ScopeItem::Scope(s) => walk(&s.children, out),
            }
        }
    }
    walk(&header.items, &mut names);
    names
}

#[test]
fn waveforms_are_written_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let vcd_path = dir.path().join("run.vcd");
    traced_run(&vcd_path, "2");
    let names = vcd_signals(&vcd_path);
    for want in ["irq", "dbg_state", "m_w0_arvalid", "s_axil_awaddr"] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} not in the VCD ({} signals)",
            names.len()
        );
    }
    // irq rises in the dump: the run is in it.
    let mut p = vcd::Parser::new(std::io::BufReader::new(
        std::fs::File::open(&vcd_path).unwrap(),
    ));
    let header = p.parse_header().unwrap();
    let irq = header.find_var(&["TOP", "irq"]).map(|v| v.code);
    let mut rose = false;
    for cmd in p {
        if let (Some(code), Ok(vcd::Command::ChangeScalar(c, vcd::Value::V1))) = (irq, cmd) {
            rose |= c == code;
        }
    }
    assert!(rose, "irq never rose in the waveform");

    let fst_path = dir.path().join("run.fst");
    traced_run(&fst_path, "1");
    let fst = std::fs::read(&fst_path).unwrap();
    assert!(
        fst.len() > 100 && fst[0] == 0,
        "not an FST file (header block tag 0)"
    );
}

#[test]
fn json_report_has_the_issue_fields() {
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("r.json");
    tellme_ok(&[
        "sim",
        "linear",
        "--preset",
        "tiny",
        "--in",
        "192",
        "--out",
        "512",
        "--tokens",
        "4",
        "--overlap",
        "off",
        "--json",
        j.to_str().unwrap(),
    ]);
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&j).unwrap()).unwrap();
    for f in [
        "mismatches",
        "cycles",
        "ddr_bytes",
        "macs",
        "macs_per_cycle",
        "peak_macs_per_cycle",
        "ddr_bytes_per_cycle",
        "ddr_sustained_bytes_per_cycle",
        "sim_cycles_per_s",
        "build_s",
    ] {
        assert!(v.get(f).is_some_and(|x| x.is_number()), "missing {f}");
    }
    assert_eq!(v["mismatches"], 0);
    assert_eq!(v["macs"], 192 * 512 * 4);
}

#[test]
fn generate_writes_a_complete_deterministic_design() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    for d in [&a, &b] {
        tellme_ok(&["generate", "--preset", "tiny", "--out", d.to_str().unwrap()]);
    }
    for f in [
        "rtl/top.v",
        "rtl/leaf.v",
        "rtl/tellme_top.v",
        "regmap.json",
        "tellme_regs.h",
        "manifest.json",
        "constraints/kv260.xdc",
        "constraints/vivado_ooc.tcl",
        "lint/waivers.vlt",
    ] {
        assert!(a.join(f).is_file(), "{f} missing");
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs between runs"
        );
    }
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["top"], "tellme_top");
    assert_eq!(m["config"]["preset"], "tiny");
    assert_eq!(m["content_hash"].as_str().unwrap().len(), 64);
    // Regenerating over an existing folder replaces it and leaves no temporary folder.
    tellme_ok(&["generate", "--preset", "tiny", "--out", a.to_str().unwrap()]);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
    // The regmap the driver uses is the one in the folder.
    let map: tellme_hdl::regmap::RegMap =
        serde_json::from_str(&std::fs::read_to_string(a.join("regmap.json")).unwrap()).unwrap();
    assert_eq!(
        map,
        tellme_hdl::regmap::RegMap::linear(&tellme_config::preset("tiny").unwrap())
    );
}

#[test]
fn lint_is_clean() {
    let out = tellme_ok(&["lint", "--preset", "tiny"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("is clean"));
}

#[test]
fn bad_inputs_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("r.json");
    let js = j.to_str().unwrap();
    // A shape the configuration cannot hold.
    one_line_error(
        &tellme(&[
            "sim", "linear", "--preset", "tiny", "--in", "100000", "--out", "4", "--json", js,
        ]),
        "activation-buffer rows",
    );
    one_line_error(
        &tellme(&[
            "sim", "linear", "--preset", "tiny", "--in", "8", "--out", "4", "--tokens", "0",
            "--json", js,
        ]),
        "--tokens must be at least 1",
    );
    one_line_error(
        &tellme(&["sim", "linear", "--preset", "tiny", "--json", js]),
        "give the shape with --in K --out N",
    );
    assert!(!j.exists(), "no partial JSON");
    // An unwritable --out.
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let out = file.join("design");
    one_line_error(
        &tellme(&[
            "generate",
            "--preset",
            "tiny",
            "--out",
            out.to_str().unwrap(),
        ]),
        "cannot write",
    );
    // A hung simulation: a watchdog shorter than the DDR latency fires while the design waits
    // for its first token, and names that state and the bus it waits on.
    one_line_error(
        &tellme(&[
            "sim",
            "linear",
            "--preset",
            "tiny",
            "--in",
            "24",
            "--out",
            "8",
            "--watchdog",
            "20",
            "--json",
            js,
        ]),
        "simulation stuck in state waiting for the quantiser",
    );
    assert!(!j.exists(), "no partial JSON");
}

#[test]
fn a_missing_verilator_gives_the_install_hint() {
    let empty = tempfile::tempdir().unwrap();
    for args in [
        &["lint", "--preset", "tiny"][..],
        &[
            "sim", "linear", "--preset", "tiny", "--in", "8", "--out", "4",
        ][..],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_tellme"))
            .args(args)
            .env("PATH", empty.path())
            .env("TELLME_CACHE", empty.path().join("cache"))
            .output()
            .unwrap();
        one_line_error(&out, "sudo apt-get install -y verilator");
    }
}

/// Configurations nobody wrote a preset for: every count comes from the configuration at run
/// time, so any valid one must generate, lint clean and compute bit-exactly.
#[test]
fn random_configurations_generate_lint_and_compute_bit_exactly() {
    let mut rng = tellme_model::rng::Rng::new(77);
    let mut tried = 0;
    while tried < 3 {
        let mut cfg = tellme_config::preset("tiny").unwrap();
        let a = &mut cfg.accel;
        a.axi_data_bits = [64, 128][rng.below(2) as usize];
        a.axi_ports = 1 + rng.below(3) as usize;
        a.tables = 2 + rng.below(12) as usize;
        a.lanes = (a.axi_data_bits / 32) * (1 + rng.below(2) as usize);
        a.max_tokens = 1 + rng.below(8) as usize;
        a.acc_depth = 2 + rng.below(30) as usize;
        a.weight_buffer_depth = 2 * (64 + rng.below(400) as usize);
        a.double_buffer = rng.below(3) != 0;
        if cfg.validate().is_err() {
            continue;
        }
        tried += 1;
        let label = format!("{:?}", cfg.accel);
        let design =
            tellme_hdl::generate::generate(&cfg).unwrap_or_else(|e| panic!("{label}: {e}"));
        let dir = tempfile::tempdir().unwrap();
        tellme_hdl::generate::write_design(&design, &dir.path().join("d")).unwrap();
        tellme_hdl::tools::lint(&dir.path().join("d")).unwrap_or_else(|e| panic!("{label}: {e}"));
        let mut rig = LinearRig::new(&cfg, None, &mut |_| {}).unwrap();
        for (k, n, t) in [
            (cfg.model.hidden, cfg.kv_dim(), 2),
            (
                1 + rng.below(300) as usize,
                1 + rng.below(90) as usize,
                1 + rng.below(12) as usize,
            ),
        ] {
            let w = random_linear(n, k, tried as u64);
            let x = random_activations(t, k, tried as u64);
            let r = rig
                .run(&w, &x, cfg.accel.double_buffer)
                .unwrap_or_else(|e| panic!("{label} {k}→{n}×{t}: {e}"));
            assert_eq!(
                r.mismatches, 0,
                "{label} {k}→{n} × {t}: {:?}",
                r.first_mismatch
            );
        }
    }
}

/// One real Yosys run (about a minute on 2 cores): the tiny design synthesised against a board
/// with too few LUTs must map its weight buffer to URAM288, report every resource, and fail
/// naming the resource that does not fit.
#[test]
fn synth_maps_buffers_to_uram_and_names_what_does_not_fit() {
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("small.toml");
    std::fs::write(&toml, "preset = \"tiny\"\n[board]\nluts = 5000\n").unwrap();
    let j = dir.path().join("synth.json");
    let out = tellme(&[
        "synth",
        "--config",
        toml.to_str().unwrap(),
        "--json",
        j.to_str().unwrap(),
    ]);
    one_line_error(&out, "does not fit xck26-sfvc784-2LV-c: LUT");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&j).unwrap()).unwrap();
    assert_eq!(v["fits"], false);
    let r = &v["resources"];
    assert!(
        r["uram"].as_u64().unwrap() > 0,
        "weight/activation buffers not in URAM288: {r}"
    );
    assert!(
        r["lut"].as_u64().unwrap() > 5000
            && r["ff"].as_u64().unwrap() > 0
            && r["dsp"].as_u64().unwrap() > 0
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("URAM288") && stdout.contains("DSP48E2"),
        "{stdout}"
    );
}
