//! AXI4 building blocks shared by the accelerator's memory ports.
//!
//! - [`ReadMaster`]: an AXI4 read master that turns "read `beats` beats from `addr`" commands
//!   into INCR bursts (≤ 16 beats, never across a 4 KB page), keeps several bursts in flight and
//!   delivers the data on a ready/valid stream of `BW/64` 64-bit words.
//! - [`split_bursts`]: the same burst splitting in plain Rust (reference for tests, drivers and
//!   performance models).
//! - [`slave_model::AxiReadSlave`]: a cycle-level AXI4 read slave (latency + one beat per cycle)
//!   for rust-hdl testbenches.
//!
//! Port names follow the simulator's convention (`araddr`, `arlen`, `arsize`, `arburst`,
//! `arvalid`, `arready`, `rdata`, `rresp`, `rlast`, `rvalid`, `rready`); a top level prefixes them
//! (`m_w0_araddr`, ...). `rdata` is a `Vec` of 64-bit words (word `i` = bits `64·i .. 64·i+63` of
//! the AXI data bus), so the bus width is a run-time count, not a type parameter.

pub mod read_master;
pub mod slave_model;

pub use read_master::ReadMaster;

/// AXI address width used by every master (the KV260's PS–PL ports take 40-bit addresses).
pub const AXI_ADDR_BITS: usize = 40;
/// Width of a read command's beat count.
pub const CMD_BEATS_BITS: usize = 32;
/// Longest burst the masters issue (AXI3-compatible; the Zynq HP ports split longer ones).
pub const MAX_BURST_BEATS: usize = 16;
/// AXI bursts may not cross a 4 KB boundary.
pub const PAGE_BYTES: u64 = 4096;
/// `arburst` code of an incrementing burst.
pub const BURST_INCR: u64 = 1;
/// `rresp` OKAY.
pub const RESP_OKAY: u64 = 0;

/// The bursts a [`ReadMaster`] issues for a command: `(address, beats)` pairs, in order.
/// `addr` must be aligned to `beat_bytes` (a power of two ≤ 4096).
pub fn split_bursts(addr: u64, beats: u64, beat_bytes: u64) -> Vec<(u64, u64)> {
    assert!(beat_bytes.is_power_of_two() && beat_bytes <= PAGE_BYTES);
    assert_eq!(addr % beat_bytes, 0, "addresses must be beat-aligned");
    let mut out = vec![];
    let (mut a, mut left) = (addr, beats);
    while left > 0 {
        let to_page = (PAGE_BYTES - a % PAGE_BYTES) / beat_bytes;
        let n = left.min(MAX_BURST_BEATS as u64).min(to_page);
        out.push((a, n));
        a += n * beat_bytes;
        left -= n;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_stop_at_pages_and_16_beats() {
        assert_eq!(
            split_bursts(0x0FC0, 20, 32),
            vec![(0x0FC0, 2), (0x1000, 16), (0x1200, 2)]
        );
        assert_eq!(split_bursts(0x1FF8, 3, 8), vec![(0x1FF8, 1), (0x2000, 2)]);
        assert!(split_bursts(0x40, 0, 8).is_empty());
        let b = split_bursts(0x12340, 1000, 64);
        assert_eq!(b.iter().map(|x| x.1).sum::<u64>(), 1000);
        for (a, n) in b {
            assert!(n <= 16 && (a % 4096) + n * 64 <= 4096);
        }
    }
}
