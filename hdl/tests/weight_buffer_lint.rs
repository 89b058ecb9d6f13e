//! Lint (`verilator --lint-only -Wall`) of the generated Loader + WeightBuffer, and a Yosys
//! resource check (ignored by default: minutes).

mod common;

use common::require;
use rust_hdl::prelude::*;
use std::path::Path;
use std::process::Command;
use tellme_hdl::mem::LEAF_VERILOG;
use tellme_hdl::testing::lint_in;
use tellme_hdl::weight_buffer::{WbufParams, WeightStore};

fn store_verilog(preset: &str) -> String {
    let cfg = tellme_config::preset(preset).unwrap();
    let mut uut = WeightStore::new(&WbufParams::from_config(&cfg).unwrap());
    uut.connect_top_inputs();
    uut.connect_all();
    generate_verilog(&uut)
}

#[test]
fn loader_and_weight_buffer_lint_clean() {
    if !require("verilator", "lint of the weight buffer") {
        return;
    }
    for preset in ["tiny", "kv260-0.7b"] {
        let dir = tempfile::tempdir().unwrap();
        let lint = lint_in(dir.path(), &store_verilog(preset)).unwrap();
        assert!(
            lint.clean,
            "{preset}: verilator -Wall is not clean:\n{}",
            lint.log
        );
    }
}

fn yosys_stat(dir: &Path, top_v: &str, flatten: bool) -> String {
    std::fs::write(dir.join("top.v"), top_v).unwrap();
    std::fs::write(dir.join("leaf.v"), LEAF_VERILOG).unwrap();
    let script = format!(
        "read_verilog top.v leaf.v; synth_xilinx -family xcup -top top {}; tee -o stat.txt stat",
        if flatten { "-flatten" } else { "" }
    );
    let out = Command::new("yosys")
        .current_dir(dir)
        .args(["-q", "-p", &script])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "yosys failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(dir.join("stat.txt")).unwrap()
}

/// `cargo test -p tellme-hdl --test weight_buffer_lint -- --ignored` (a few minutes): the kv260
/// weight buffer maps to `weight_buffer_urams()` URAM288 and nothing else.
#[test]
#[ignore]
fn yosys_kv260_weight_buffer_is_35_uram288() {
    if !require("yosys", "synthesis check") {
        return;
    }
    let cfg = tellme_config::preset("kv260-0.7b").unwrap();
    let p = WbufParams::from_config(&cfg).unwrap();
    let mut uut = tellme_hdl::weight_buffer::WeightBuffer::new(&p);
    uut.clock.connect();
    uut.wr_en.iter_mut().for_each(|s| s.connect());
    uut.wr_addr.iter_mut().for_each(|s| s.connect());
    uut.wr_data.iter_mut().for_each(|s| s.connect());
    uut.rd_en.connect();
    uut.rd_addr.connect();
    uut.connect_all();
    let dir = tempfile::tempdir().unwrap();
    let log = yosys_stat(dir.path(), &generate_verilog(&uut), true);
    let count = |cell: &str| -> usize {
        log.lines()
            .rev()
            .find_map(|l| {
                let mut it = l.split_whitespace();
                (it.next() == Some(cell)).then(|| it.next().unwrap().parse().unwrap())
            })
            .unwrap_or(0)
    };
    eprintln!("{log}");
    assert_eq!(count("URAM288"), cfg.weight_buffer_urams());
    assert_eq!(count("URAM288"), 35);
    assert_eq!(count("RAMB36E2") + count("RAMB18E2"), 0);
}

/// Resource report of the kv260 Loader (3 read masters, merge, 12 → 35 column crossbar); no
/// URAM or block RAM. `-- --ignored` (a few minutes).
#[test]
#[ignore]
fn yosys_kv260_loader_resources() {
    if !require("yosys", "synthesis check") {
        return;
    }
    let cfg = tellme_config::preset("kv260-0.7b").unwrap();
    let p = WbufParams::from_config(&cfg).unwrap();
    let mut uut = tellme_hdl::weight_buffer::Loader::new(&p);
    uut.clock.connect();
    uut.reset.connect();
    uut.load_start.connect();
    uut.load_base.connect();
    uut.load_u64s.connect();
    uut.load_beats.connect();
    uut.load_addr.iter_mut().for_each(|s| s.connect());
    uut.arready.iter_mut().for_each(|s| s.connect());
    uut.rdata.iter_mut().for_each(|s| s.connect());
    uut.rresp.iter_mut().for_each(|s| s.connect());
    uut.rlast.iter_mut().for_each(|s| s.connect());
    uut.rvalid.iter_mut().for_each(|s| s.connect());
    uut.connect_all();
    let dir = tempfile::tempdir().unwrap();
    let flat = std::env::var("WBUF_YOSYS_HIER").is_err();
    let log = yosys_stat(dir.path(), &generate_verilog(&uut), flat);
    eprintln!("{log}");
    assert!(!log.contains("URAM288") && !log.contains("RAMB36E2") && !log.contains("RAMB18E2"));
}
