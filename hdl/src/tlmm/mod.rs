//! `tlmm::Engine`: the table-lookup ternary matmul engine (contract in `hdl/ARCHITECTURE.md`).
//!
//! ```text
//!  tb_start/tb_bank/tb_act ─▶ TableBuilder ─(we, {bank,m}, entry m of every table)─▶ all lanes
//!  op_* ────────────────────▶ OpPipe ─(lookup bank; acc row, clear; out_load)──────▶ all lanes
//!                                    └─▶ out_valid / out_rg / out_tag
//!  w_word[C] ─▶ input register ─ lane l, table j: index bits 5·(l·TB + j) ─────────▶ lane l
//!  Lane: TB × LutRam<5,10> (32 deep: {bank, |v|}) → entry ^ {10{sign}} → pipelined tree of
//!        two-input adders (each absorbs one pending sign bit as its carry-in) → accumulator
//!        RAM (acc_depth × 24, LUTRAM) read-modify-write → out_acc
//! ```
//!
//! Timing (issue cycle `c` = the cycle `op_valid` / `tb_start` is high; `W` = [`WBUF_LATENCY`],
//! `K` = [`LOOKUP_DELAY`] = `W + 1`, `D` = [`tree_depth`]`(TB)`):
//! - the word arrives in cycle `c + W` and is registered at the engine's input (the index bits
//!   fan out to every lane, the buffer may sit far away); the lookup is in cycle `c + K`, with
//!   the op's fields delayed by `K` inside; adder-tree level `k` is registered at the end of
//!   cycle `c + K + k − 1`;
//! - accumulator row `op_rg` is read in cycle `c + K + D − 1` (registered), and the new value
//!   `(op_clear ? 0 : row) + sum` computed and written back in cycle `c + K + D`;
//! - `out_valid` (with `out_rg`, `out_tag`, `out_acc`) is high in cycle `c + `[`out_latency`].
//! - a `tb_start` in cycle `p` samples `tb_act`/`tb_bank` and writes entry `m` of the bank in
//!   cycle `p + BUILD_WRITE_DELAY + m` (m = 0..=13). Ops issued before `p` read the bank at
//!   the latest in cycle `p − 1 + K ≤ p + BUILD_WRITE_DELAY` (before the first write lands);
//!   ops issued from `p + BUILD_CYCLES` on read it after the last write. So order in issue
//!   time is order at the tables, as the contract requires.
//!
//! Widths are compile-time (rust-hdl `Bits<N>`), every count is run-time from the `Config`.

mod engine;
mod lane;
mod pipe;
pub mod stim;
mod table_build;
#[cfg(test)]
mod tests;

pub use engine::Engine;
pub use lane::{AccRam, Lane, TreeLevel};
pub use pipe::OpPipe;
pub use table_build::TableBuilder;

use tellme_config::Config;

/// Read latency of the weight buffer the engine is fed from: `rd_addr` in cycle `c` →
/// `rd_word` valid in cycle `c + WBUF_LATENCY` (the URAM leaf's `dout_b` register). The
/// engine aligns `op_*` and `tb_start` to it; it is the one place the number lives. 1 or 2
/// (an extra output register in the buffer) are supported.
pub const WBUF_LATENCY: usize = 1;

/// Cycles from issue to the table lookup: the buffer's latency plus the engine's input
/// register on `w_word`.
pub const LOOKUP_DELAY: usize = WBUF_LATENCY + 1;

/// A build's entry `m` is written in cycle `tb_start + BUILD_WRITE_DELAY + m`. It must not
/// land before the last lookup of an op issued before `tb_start` (`LOOKUP_DELAY − 1` after
/// it; a write and a read in the same cycle read the old entry), must land before the first
/// lookup of an op issued `BUILD_CYCLES` after `tb_start`, and the builder holds `tb_act`
/// only until `tb_start + BUILD_CYCLES` (the next build may overwrite it then), computing
/// entry 13 one cycle before it is written.
pub const BUILD_WRITE_DELAY: usize = 2;
const _: () = assert!(BUILD_WRITE_DELAY <= LOOKUP_DELAY && LOOKUP_DELAY <= BUILD_WRITE_DELAY + 1);
// Entry 13 is computed in cycle `tb_start + BUILD_WRITE_DELAY + 12`.
const _: () = assert!(BUILD_WRITE_DELAY + BUILD_CYCLES - 2 <= BUILD_CYCLES);

/// Cycles one table build takes: entries 0..=13 of every table, one per cycle. Builds start
/// at least this far apart, and a bank is read by ops issued at least this long after its
/// `tb_start` (and not by ops issued at or after it until then).
pub const BUILD_CYCLES: usize = 14;

/// Minimum distance, in issue cycles, between two ops on the same `op_rg`: an op reads its
/// accumulator row in cycle `c + K + D − 1` and writes it at the end of cycle `c + K + D`, so
/// the next op on the row may read it (in its own `+ K + D − 1`) two cycles later. No
/// forwarding path: the controller's period is at least `BUILD_CYCLES` anyway.
pub const PERIOD_MIN: usize = 2;

/// Table entry width (a sum of three int8 values, ±384).
pub const ENTRY_BITS: usize = 10;
/// Accumulator width.
pub const ACC_BITS: usize = 24;
/// `op_rg` / `out_rg` width (accumulator rows ≤ 4096, as `Config::validate` bounds
/// `acc_depth`).
pub const RG_BITS: usize = 12;
/// `op_tag` / `out_tag` width.
pub const TAG_BITS: usize = 12;
/// Adder-tree levels the lane's types provide (`TreeLevel` widths are compile-time).
pub const MAX_LEVELS: usize = 7;
/// Largest `accel.tables` the lane supports: `2^MAX_LEVELS`.
pub const MAX_TABLES: usize = 1 << MAX_LEVELS;

/// Registered adder-tree levels for `tables` terms (at least one: a single table still goes
/// through one registered level).
pub fn tree_depth(tables: usize) -> usize {
    let (mut n, mut d) = (tables, 0);
    while n > 1 {
        n = n.div_ceil(2);
        d += 1;
    }
    d.max(1)
}

/// Cycles from an op's issue (`op_valid`) to its `out_valid`: `LOOKUP_DELAY`, the adder
/// tree and the accumulate stage (the output register is loaded at its end); for 28 tables
/// 2 + 5 + 1 = 8.
pub fn out_latency(tables: usize) -> usize {
    LOOKUP_DELAY + tree_depth(tables) + 1
}

/// Whether the engine can be generated for `cfg` (one line saying why not).
pub fn check(cfg: &Config) -> Result<(), String> {
    let a = &cfg.accel;
    if a.group != 3 {
        return Err(format!(
            "tlmm engine: accel.group must be 3 (got {})",
            a.group
        ));
    }
    if a.entry_bits as usize != ENTRY_BITS || a.acc_bits as usize != ACC_BITS {
        return Err(format!(
            "tlmm engine: entries are {ENTRY_BITS} bits and accumulators {ACC_BITS} bits \
             (got accel.entry_bits = {}, accel.acc_bits = {})",
            a.entry_bits, a.acc_bits
        ));
    }
    if a.tables == 0 || a.tables > MAX_TABLES {
        return Err(format!(
            "tlmm engine: accel.tables must be 1..={MAX_TABLES} (got {})",
            a.tables
        ));
    }
    if a.lanes == 0 {
        return Err("tlmm engine: accel.lanes must be at least 1".into());
    }
    if a.acc_depth == 0 || a.acc_depth > 1 << RG_BITS {
        return Err(format!(
            "tlmm engine: accel.acc_depth must be 1..={} (got {})",
            1 << RG_BITS,
            a.acc_depth
        ));
    }
    Ok(())
}
