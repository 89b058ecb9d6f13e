//! Harness code shared by the integration tests (each test file has `mod common;`): skipping
//! when a tool is missing, building a Verilated C++ testbench (cached by content hash under the
//! test target directory), and checking a quant block's Verilog replay. Linting a block is in
//! the library (`tellme_hdl::testing`), which `quant::tb` shares.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Instant;
use tellme_hdl::mem::LEAF_VERILOG;
use tellme_hdl::quant::tb::{replay, Recorder};
use tellme_hdl::testing::{have, waivers};

/// Whether `tool` is installed; prints `NOTICE: {tool} not found; {what} skipped` when not
/// (the caller then returns, passing).
pub fn require(tool: &str, what: &str) -> bool {
    let ok = have(tool);
    if !ok {
        eprintln!("NOTICE: {tool} not found; {what} skipped");
    }
    ok
}

/// `verilator --version`, trimmed; None when verilator is missing.
pub fn verilator_version() -> Option<String> {
    let out = Command::new("verilator").arg("--version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// FNV-1a over `parts`, each followed by a 0xff separator.
pub fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in p.iter().chain([0xffu8].iter()) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Verilator's C++ name for a rust-hdl port (`tb_act$3` → `tb_act__0243`).
pub fn vname(port: &str) -> String {
    port.replace('$', "__024")
}

/// The C++ pointers to the elements `port$0 … port$(n-1)` of a `Vec` port of the Verilated top
/// `t`: `&t->port__0240, &t->port__0241, …`, for an array initialiser.
pub fn port_ptrs(port: &str, n: usize) -> String {
    (0..n)
        .map(|k| format!("&t->{}", vname(&format!("{port}${k}"))))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A Verilated C++ testbench for a block: `top.v` (its `generate_verilog`), the leaf memories,
/// the lint waivers and `tb.cpp`, built by [`build_testbench`].
pub struct Testbench<'a> {
    /// Folder under the test target directory that holds the builds (one per content hash).
    pub cache: &'a str,
    /// What is built, for messages.
    pub what: &'a str,
    pub top_v: &'a str,
    pub tb_cpp: &'a str,
    /// Verilator options besides `--cc --exe --build --top-module top -Mdir obj`.
    pub vflags: &'a [&'a str],
    /// The `-MAKEFLAGS` value (C++ optimisation, make jobs).
    pub makeflags: &'a str,
}

/// One Verilator / g++ build at a time (the machines have two cores).
static BUILD: Mutex<()> = Mutex::new(());

/// Build `tb` with `verilator --cc --exe --build` (or find it built already); returns the
/// executable. Builds are cached under `CARGO_TARGET_TMPDIR/{cache}/{hash}`, the hash covering
/// the Verilator version, the flags and every input file. The build log goes to `build.log`
/// beside the executable; a failed build panics naming it.
pub fn build_testbench(tb: &Testbench) -> PathBuf {
    let waivers = waivers();
    let files = [
        ("waivers.vlt", waivers.as_str()),
        ("top.v", tb.top_v),
        ("leaf.v", LEAF_VERILOG),
        ("tb.cpp", tb.tb_cpp),
    ];
    let ver = verilator_version().expect("verilator is not installed");
    let mut parts: Vec<&[u8]> = vec![ver.as_bytes(), tb.makeflags.as_bytes()];
    parts.extend(tb.vflags.iter().map(|f| f.as_bytes()));
    for (n, c) in &files {
        parts.push(n.as_bytes());
        parts.push(c.as_bytes());
    }
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(tb.cache);
    let dir = root.join(format!("{:016x}", fnv1a(&parts)));
    let exe = dir.join("tb");
    if exe.exists() {
        return exe;
    }
    let _one = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    if exe.exists() {
        return exe; // built by another test while this one waited
    }
    let tmp = root.join(format!("build-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    for (n, c) in &files {
        std::fs::write(tmp.join(n), c).unwrap();
    }
    let t0 = Instant::now();
    let out = Command::new("verilator")
        .current_dir(&tmp)
        .args([
            "--cc",
            "--exe",
            "--build",
            "--top-module",
            "top",
            "-Mdir",
            "obj",
        ])
        .args(tb.vflags)
        .args(["-MAKEFLAGS", tb.makeflags, "-o", "../tb"])
        .args(files.map(|(n, _)| n))
        .output()
        .unwrap();
    let log = tmp.join("build.log");
    std::fs::write(&log, [&out.stdout[..], &out.stderr[..]].concat()).unwrap();
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(40).collect();
        panic!(
            "verilator build of {} failed, log in {} (last lines:)\n{}",
            tb.what,
            log.display(),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    eprintln!(
        "verilated {} in {:.1} s",
        tb.what,
        t0.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(tmp.join("obj"));
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = std::fs::rename(&tmp, &dir) {
        assert!(exe.exists(), "{} → {}: {e}", tmp.display(), dir.display());
        let _ = std::fs::remove_dir_all(&tmp); // another process put it there first
    }
    exe
}

/// Replay a rust-hdl simulation `rec` against the block's Verilog (`quant::tb::replay`, in
/// Icarus Verilog): panics on a mismatch, prints a notice when iverilog is missing.
pub fn check_replay(rec: &Mutex<Recorder>, verilog: &str, what: &str) {
    match replay(&rec.lock().unwrap(), verilog) {
        Ok(n) => eprintln!("{what}: Verilog replay agrees over {n} cycles"),
        Err(e) if e.starts_with("SKIP") => eprintln!("NOTICE: {what}: {e}; Verilog replay skipped"),
        Err(e) => panic!("{what}: {e}"),
    }
}
