//! `verilator --lint-only -Wall` of every quant block as the top, for the tiny and the KV260
//! (0.7B) configurations (skipped with a notice when verilator is missing).
mod common;

use common::require;
use rust_hdl::prelude::*;
use tellme_hdl::quant::{ActBuffer, Dequantizer, OutputWriter, Quantizer};
use tellme_hdl::testing::lint;

fn verilog(block: &str, preset: &str) -> String {
    let cfg = tellme_config::preset(preset).unwrap();
    match block {
        "quantizer" => {
            let mut u = Quantizer::new(&cfg);
            u.connect_inputs();
            u.connect_all();
            generate_verilog(&u)
        }
        "act_buffer" => {
            let mut u = ActBuffer::new(&cfg);
            u.connect_inputs();
            u.connect_all();
            generate_verilog(&u)
        }
        "dequantizer" => {
            let mut u = Dequantizer::new(&cfg);
            u.connect_inputs();
            u.connect_all();
            generate_verilog(&u)
        }
        "writer" => {
            let mut u = OutputWriter::new(&cfg);
            u.connect_inputs();
            u.connect_all();
            generate_verilog(&u)
        }
        _ => unreachable!(),
    }
}

#[test]
fn quant_blocks_lint_clean() {
    let mut failures = vec![];
    for preset in ["tiny", "kv260-0.7b"] {
        for block in ["quantizer", "act_buffer", "dequantizer", "writer"] {
            match lint(&verilog(block, preset)) {
                Ok(()) => {}
                Err(e) if e.starts_with("SKIP") => {
                    eprintln!("NOTICE: verilator not found; lint of the quant blocks skipped");
                    return;
                }
                Err(log) => failures.push(format!("{block} ({preset}):\n{log}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "verilator -Wall is not clean:\n{}",
        failures.join("\n")
    );
}

/// Yosys `synth_xilinx -family xcup` of the Quantizer and the Dequantizer for the KV260 preset
/// (hierarchical as `tools::synth` runs it, and flattened, which lets enables and constants
/// merge across rust-hdl's one-module-per-instance boundaries as Vivado would): prints the cell
/// totals. `cargo test -p tellme-hdl --test quant_lint
/// -- --ignored --nocapture`.
#[test]
#[ignore]
fn yosys_kv260_quantizer_and_dequantizer() {
    if !require("yosys", "resource estimate") {
        return;
    }
    for (block, flatten) in [
        ("quantizer", ""),
        ("quantizer", " -flatten"),
        ("dequantizer", ""),
        ("dequantizer", " -flatten"),
        ("writer", ""),
        ("writer", " -flatten"),
        ("act_buffer", ""),
    ] {
        let dir =
            std::env::temp_dir().join(format!("tellme-quant-yosys-{}-{block}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("top.v"), verilog(block, "kv260-0.7b")).unwrap();
        std::fs::write(dir.join("leaf.v"), tellme_hdl::mem::LEAF_VERILOG).unwrap();
        let t = std::time::Instant::now();
        let out = std::process::Command::new("yosys")
            .current_dir(&dir)
            .args(["-q", "-l", "yosys.log", "-p"])
            .arg(format!(
                "read_verilog top.v leaf.v; synth_xilinx -family xcup -top top -noiopad{flatten}; stat -top top"
            ))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{block}: yosys failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let log = std::fs::read_to_string(dir.join("yosys.log")).unwrap();
        // The hierarchy total, or the one (flattened) module's statistics.
        let section = log.rsplit("=== design hierarchy ===").next().unwrap();
        let section = section.rsplit("Printing statistics").next().unwrap();
        let mut cells = std::collections::BTreeMap::<String, u64>::new();
        for line in section.lines() {
            let p: Vec<&str> = line.split_whitespace().collect();
            if p.len() == 2 && p[0].chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
                if let Ok(n) = p[1].parse::<u64>() {
                    *cells.entry(p[0].to_string()).or_default() += n;
                }
            }
        }
        let sum = |f: &dyn Fn(&str) -> bool| {
            cells
                .iter()
                .filter(|(k, _)| f(k))
                .map(|(_, v)| v)
                .sum::<u64>()
        };
        eprintln!(
            "{block}{flatten} (kv260-0.7b, {:.0} s): LUT {} (+ LUTRAM cells {}), FF {}, CARRY {}, DSP48E2 {}, URAM288 {}, RAMB {}; cells {:?}",
            t.elapsed().as_secs_f64(),
            sum(&|k| k.starts_with("LUT") || k == "INV"),
            sum(&|k| k.starts_with("RAM") && !k.starts_with("RAMB")),
            sum(&|k| k.starts_with("FD")),
            sum(&|k| k.starts_with("CARRY")),
            sum(&|k| k.starts_with("DSP")),
            sum(&|k| k.starts_with("URAM")),
            sum(&|k| k.starts_with("RAMB")),
            cells
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
