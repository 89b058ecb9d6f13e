//! The TLMM engine's generated Verilog under Verilator: `--lint-only -Wall` with the shared
//! waivers, and a cycle-by-cycle bit-exact check against the golden model (`tlmm::stim`),
//! through a small C++ testbench that replays a stimulus file. Verilated builds are cached by
//! content hash under the test target directory. Each test prints a notice and passes when
//! `verilator` is not installed.
//!
//! The full-size (28 × 16, kv260-0.7b) engine verilates in ~10–30 s on our 2-core machines.
//! `cargo test -p tellme-hdl --test tlmm_verilator -- --ignored --nocapture` prints its
//! free-running speed.
mod common;

use common::{build_testbench, port_ptrs, require, Testbench};
use rust_hdl::prelude::*;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use tellme_config::Config;
use tellme_hdl::testing::lint_in;
use tellme_hdl::tlmm::stim::{check_rules, compare, stimulus, Output, Plan, Problem, Stimulus};
use tellme_hdl::tlmm::{self, Engine};
use tellme_model::rng::Rng;

fn engine_verilog(cfg: &Config) -> String {
    generate_verilog(&Engine::new_top(cfg))
}

fn tiny() -> Config {
    tellme_config::preset("tiny").unwrap()
}

fn kv260() -> Config {
    tellme_config::preset("kv260-0.7b").unwrap()
}

/// A fresh (emptied) directory under the test target directory.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn lint(cfg: &Config, name: &str) {
    let t = Instant::now();
    let top = engine_verilog(cfg);
    let gen_s = t.elapsed().as_secs_f64();
    let dir = fresh_dir(&format!("tlmm-lint-{name}"));
    let lint = lint_in(&dir, &top).unwrap();
    let log = &lint.log;
    assert!(
        lint.clean && !log.contains("%Warning") && !log.contains("%Error"),
        "verilator --lint-only -Wall on the {name} engine ({}):\n{}",
        dir.display(),
        log.lines().take(40).collect::<Vec<_>>().join("\n")
    );
    println!(
        "{name}: {} bytes of Verilog generated in {gen_s:.1}s, lint clean",
        top.len()
    );
}

#[test]
fn tlmm_engine_verilog_lints_clean() {
    if !require("verilator", "tlmm_engine_verilog_lints_clean") {
        return;
    }
    lint(&tiny(), "tiny");
    lint(&kv260(), "kv260-0.7b");
}

// ----- a Verilated testbench that replays a stimulus file -----

/// The C++ testbench: `tb STIM OUT` replays a stimulus file (format in [`stim_bytes`]) and
/// writes one line per `out_valid` cycle (`cycle rg tag acc0 acc1 …`); `tb bench N` free-runs
/// `N` cycles of a legal random schedule and prints the rate.
fn testbench_cpp(cfg: &Config) -> String {
    let (tb, l, c) = (cfg.accel.tables, cfg.accel.lanes, cfg.weight_word_u64s());
    let mut s = String::new();
    writeln!(
        s,
        r#"// generated: replay testbench for the TLMM engine (TB={tb}, L={l}, C={c})
#include "Vtop.h"
#include "verilated.h"
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
static const int NA = {na}, NL = {l}, NC = {c}, BUILD = {build};
static inline uint64_t xs(uint64_t& x) {{ x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x; }}
int main(int argc, char** argv) {{
    VerilatedContext ctx;
    Vtop* t = new Vtop(&ctx, "top");
    CData* act[NA] = {{{acts}}};
    QData* ww[NC] = {{{words}}};
    IData* acc[NL] = {{{accs}}};
    t->clock = 0;
    t->eval();
    if (argc == 3 && !strcmp(argv[1], "bench")) {{
        uint64_t n = strtoull(argv[2], 0, 10), x = 88172645463325252ull;
        auto t0 = std::chrono::steady_clock::now();
        for (uint64_t cy = 0; cy < n; cy++) {{
            uint64_t ph = cy % BUILD;
            t->tb_start = ph == 0;
            if (ph == 0) {{
                t->tb_bank = (cy / BUILD) & 1;
                for (int k = 0; k < NA; k++) *act[k] = (CData)xs(x);
            }}
            t->op_valid = 1;
            t->op_bank = !((cy / BUILD) & 1);
            t->op_rg = ph;
            t->op_clear = (cy / BUILD) % 4 == 0;
            t->op_last = (cy / BUILD) % 4 == 3;
            t->op_tag = cy / BUILD;
            for (int k = 0; k < NC; k++) *ww[k] = xs(x);
            t->clock = 0; t->eval();
            t->clock = 1; t->eval();
        }}
        double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        printf("cycles=%llu seconds=%.3f rate=%.0f acc0=%d\n", (unsigned long long)n, sec, n / sec,
               (int)(*acc[0] << 8) >> 8);
        delete t;
        return 0;
    }}
    if (argc != 3) {{ fprintf(stderr, "usage: tb STIM OUT | tb bench N\n"); return 2; }}
    FILE* in = fopen(argv[1], "rb");
    FILE* out = fopen(argv[2], "w");
    if (!in || !out) {{ fprintf(stderr, "cannot open files\n"); return 2; }}
    uint32_t n;
    if (fread(&n, 4, 1, in) != 1) return 3;
    const int rec = 5 + NA + 8 * NC;
    unsigned char* r = (unsigned char*)malloc(rec);
    for (uint32_t cy = 0; cy < n; cy++) {{
        if (fread(r, rec, 1, in) != 1) return 3;
        unsigned f = r[0];
        t->reset = f & 1; t->tb_start = (f >> 1) & 1; t->tb_bank = (f >> 2) & 1;
        t->op_valid = (f >> 3) & 1; t->op_bank = (f >> 4) & 1;
        t->op_clear = (f >> 5) & 1; t->op_last = (f >> 6) & 1;
        t->op_rg = r[1] | (r[2] << 8);
        t->op_tag = r[3] | (r[4] << 8);
        for (int k = 0; k < NA; k++) *act[k] = r[5 + k];
        for (int k = 0; k < NC; k++) {{ uint64_t w; memcpy(&w, r + 5 + NA + 8 * k, 8); *ww[k] = w; }}
        t->clock = 0; t->eval();
        if (t->out_valid) {{
            fprintf(out, "%u %u %u", cy, (unsigned)t->out_rg, (unsigned)t->out_tag);
            for (int k = 0; k < NL; k++) fprintf(out, " %d", (int)(*acc[k] << 8) >> 8);
            fputc('\n', out);
        }}
        t->clock = 1; t->eval();
    }}
    fclose(out);
    delete t;
    return 0;
}}"#,
        na = 3 * tb,
        build = tlmm::BUILD_CYCLES,
        acts = port_ptrs("tb_act", 3 * tb),
        words = port_ptrs("w_word", c),
        accs = port_ptrs("out_acc", l),
    )
    .unwrap();
    s
}

/// The stimulus file: `u32` cycle count, then per cycle a flags byte (reset, tb_start,
/// tb_bank, op_valid, op_bank, op_clear, op_last from bit 0), `u16` op_rg, `u16` op_tag,
/// `3·TB` activation bytes, `C` little-endian `u64` words.
fn stim_bytes(stim: &Stimulus) -> Vec<u8> {
    let mut b = (stim.cycles.len() as u32).to_le_bytes().to_vec();
    for x in &stim.cycles {
        let flags = [
            x.reset, x.tb_start, x.tb_bank, x.op_valid, x.op_bank, x.op_clear, x.op_last,
        ]
        .iter()
        .enumerate()
        .fold(0u8, |f, (i, &v)| f | (v as u8) << i);
        b.push(flags);
        b.extend(x.op_rg.to_le_bytes());
        b.extend(x.op_tag.to_le_bytes());
        b.extend(x.tb_act.iter().map(|&a| a as u8));
        for w in &x.w_word {
            b.extend(w.to_le_bytes());
        }
    }
    b
}

const VFLAGS: &[&str] = &[
    "-O3",
    "--x-assign",
    "fast",
    "--x-initial",
    "fast",
    "--noassert",
    "-Wall",
];
const MAKEFLAGS: &str = "OPT_FAST=-O2 OPT_GLOBAL=-O2 -j2";

/// Build (or find in the cache) the Verilated testbench for `cfg`'s engine.
fn build_tb(cfg: &Config) -> PathBuf {
    build_testbench(&Testbench {
        cache: "tlmm-verilator",
        what: &format!("the {}x{} engine", cfg.accel.tables, cfg.accel.lanes),
        top_v: &engine_verilog(cfg),
        tb_cpp: &testbench_cpp(cfg),
        vflags: VFLAGS,
        makeflags: MAKEFLAGS,
    })
}

/// Replay `stim` on the Verilated engine.
fn run_tb(exe: &Path, stim: &Stimulus, name: &str) -> Vec<Output> {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, Ordering::Relaxed);
    let dir = fresh_dir(&format!("tlmm-run-{name}-{}-{run}", std::process::id()));
    let (si, so) = (dir.join("stim.bin"), dir.join("out.txt"));
    std::fs::write(&si, stim_bytes(stim)).unwrap();
    let st = Command::new(exe).arg(&si).arg(&so).status().unwrap();
    assert!(st.success(), "testbench failed: {st}");
    let text = std::fs::read_to_string(&so).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    text.lines()
        .map(|line| {
            let v: Vec<i64> = line.split(' ').map(|x| x.parse().unwrap()).collect();
            Output {
                cycle: v[0] as usize,
                rg: v[1] as u16,
                tag: v[2] as u16,
                acc: v[3..].iter().map(|&a| a as i32).collect(),
            }
        })
        .collect()
}

/// Random problems on `cfg` under a few schedules, each replayed and compared bit-exactly
/// (sums, rows, tags and cycles). Returns the ops checked.
fn verilator_vs_golden(cfg: &Config, name: &str, cases: usize, seed: u64) -> usize {
    let exe = build_tb(cfg);
    let (tb, l, depth) = (cfg.accel.tables, cfg.accel.lanes, cfg.accel.acc_depth);
    let mut rng = Rng::new(seed);
    let mut ops = 0;
    for case in 0..cases {
        let blocks = 1 + rng.below(3) as usize;
        let rgs = 1 + rng.below(depth as u64 + 4) as usize;
        let k_in = 3 * tb * blocks - rng.below(3 * tb as u64) as usize;
        let n_out = l * rgs - rng.below(l as u64) as usize;
        let tokens = 1 + rng.below(3) as usize;
        let prob = Problem::random(&mut rng, tokens, k_in, n_out);
        let trg = 1 + rng.below(depth as u64) as usize;
        let plan = if case % 2 == 0 {
            Plan::tight(trg)
        } else {
            Plan {
                trg,
                period: trg.max(tlmm::BUILD_CYCLES) + rng.below(3) as usize,
                max_gap: 2,
                spread: true,
                garbage: true,
                tag_base: rng.below(4000) as u16,
            }
        };
        let stim = stimulus(cfg, &prob, &plan, &mut rng);
        check_rules(cfg, &stim.cycles).unwrap();
        let got = run_tb(&exe, &stim, name);
        if let Err(e) = compare(&stim.expected, &got) {
            panic!("{name} case {case} ({k_in}x{n_out}, {plan:?}): {e}");
        }
        ops += stim.ops;
    }
    println!("{name}: {ops} ops in {cases} random BitLinears match the golden model bit-exactly");
    ops
}

#[test]
fn tlmm_verilated_tiny_engine_matches_golden() {
    if !require("verilator", "tlmm_verilated_tiny_engine_matches_golden") {
        return;
    }
    assert!(verilator_vs_golden(&tiny(), "tiny", 10, 1) > 100);
}

#[test]
fn tlmm_verilated_kv260_engine_matches_golden() {
    if !require("verilator", "tlmm_verilated_kv260_engine_matches_golden") {
        return;
    }
    assert!(verilator_vs_golden(&kv260(), "kv260", 10, 2) > 300);
}

#[test]
#[ignore = "a measurement, not a check: run with --ignored --nocapture"]
fn tlmm_verilated_kv260_engine_speed() {
    if !require("verilator", "tlmm_verilated_kv260_engine_speed") {
        return;
    }
    let exe = build_tb(&kv260());
    for _ in 0..2 {
        let out = Command::new(&exe)
            .args(["bench", "300000"])
            .output()
            .unwrap();
        println!(
            "kv260 engine (28x16), free-running: {}",
            String::from_utf8_lossy(&out.stdout).trim()
        );
    }
}
