//! A cycle-level AXI4 read slave for rust-hdl testbenches: fixed latency from the AR handshake
//! to the first beat, then at most one beat per cycle, bursts served in order. It also checks
//! the AXI rules a master must keep (INCR, the configured `arsize`, ≤ 16 beats, no 4 KB
//! crossing, aligned addresses) and records every AR.
//!
//! Use once per cycle, between clock edges: read the master's registered outputs (`arvalid`,
//! `araddr`, `arlen`, `arsize`, `arburst`, `rready`), call [`AxiReadSlave::cycle`], drive the
//! returned `arready` and R beat; the handshakes it reports are the ones that happen at the
//! next rising edge.

use super::{MAX_BURST_BEATS, PAGE_BYTES};
use std::collections::VecDeque;

/// The master's AR outputs in one cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArReq {
    pub addr: u64,
    pub len: u64,
    pub size: u64,
    pub burst: u64,
}

/// One R beat as the slave drives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RBeat {
    pub data: Vec<u64>,
    pub resp: u64,
    pub last: bool,
}

/// What the slave drives in one cycle.
#[derive(Clone, Debug, Default)]
pub struct SlaveOut {
    pub arready: bool,
    pub r: Option<RBeat>,
}

/// A logged AR handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArLog {
    pub cycle: u64,
    pub addr: u64,
    pub beats: u64,
}

struct Burst {
    addr: u64,
    beats: u64,
    sent: u64,
    ready_at: u64,
}

/// See the module documentation.
pub struct AxiReadSlave {
    /// Cycles from the AR handshake to the first beat being offered.
    pub latency: u64,
    beat_u64s: usize,
    mem: Vec<u8>,
    queue: VecDeque<Burst>,
    /// Every AR handshake, in order.
    pub ars: Vec<ArLog>,
    /// AXI rule violations seen (empty for a well-behaved master).
    pub violations: Vec<String>,
    /// Most bursts accepted and not yet finished at any time.
    pub max_outstanding: usize,
    /// Beats offered while the master's `rready` was low.
    pub rready_stalls: u64,
    /// Beats delivered.
    pub beats: u64,
    /// Answer beats in `[lo, hi)` with SLVERR.
    pub err_range: Option<(u64, u64)>,
    /// Pseudo-random gaps: with this probability (per mille) a cycle offers no beat / no arready.
    pub stall_permille: u32,
    rng: u64,
    cycle: u64,
}

impl AxiReadSlave {
    /// A slave over `mem_bytes` bytes of zeroed memory with a `beat_u64s`-word data bus.
    pub fn new(beat_u64s: usize, latency: u64, mem_bytes: usize) -> Self {
        Self {
            latency,
            beat_u64s,
            mem: vec![0; mem_bytes],
            queue: VecDeque::new(),
            ars: vec![],
            violations: vec![],
            max_outstanding: 0,
            rready_stalls: 0,
            beats: 0,
            err_range: None,
            stall_permille: 0,
            rng: 0x9E37_79B9_7F4A_7C15,
            cycle: 0,
        }
    }

    /// Store `bytes` at `addr`.
    pub fn write(&mut self, addr: u64, bytes: &[u8]) {
        self.mem[addr as usize..addr as usize + bytes.len()].copy_from_slice(bytes);
    }

    /// Store little-endian u64s at `addr`.
    pub fn write_u64s(&mut self, addr: u64, words: &[u64]) {
        for (i, w) in words.iter().enumerate() {
            self.write(addr + 8 * i as u64, &w.to_le_bytes());
        }
    }

    /// Bursts accepted and not finished.
    pub fn outstanding(&self) -> usize {
        self.queue.len()
    }

    fn coin(&mut self) -> bool {
        if self.stall_permille == 0 {
            return false;
        }
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng % 1000) < self.stall_permille as u64
    }

    /// One cycle: `ar` is the master's AR request if `arvalid` is high, `rready` its R ready.
    /// Returns what the slave drives this cycle; the handshakes happen at the coming edge.
    pub fn cycle(&mut self, ar: Option<ArReq>, rready: bool) -> SlaveOut {
        let beat_bytes = 8 * self.beat_u64s as u64;
        let mut out = SlaveOut {
            arready: !self.coin(),
            r: None,
        };
        // R: the head burst, once its latency has passed
        let offer = !self.coin();
        if let Some(b) = self.queue.front_mut() {
            if self.cycle >= b.ready_at && offer {
                let a = b.addr + b.sent * beat_bytes;
                let data = (0..self.beat_u64s)
                    .map(|i| {
                        let o = (a + 8 * i as u64) as usize;
                        self.mem
                            .get(o..o + 8)
                            .map_or(0, |b| u64::from_le_bytes(b.try_into().unwrap()))
                    })
                    .collect();
                let resp = match self.err_range {
                    Some((lo, hi)) if a >= lo && a < hi => 2,
                    _ => 0,
                };
                let last = b.sent + 1 == b.beats;
                out.r = Some(RBeat { data, resp, last });
                if rready {
                    b.sent += 1;
                    self.beats += 1;
                    if last {
                        self.queue.pop_front();
                    }
                } else {
                    self.rready_stalls += 1;
                }
            }
        }
        // AR
        if let (Some(r), true) = (ar, out.arready) {
            let beats = r.len + 1;
            if r.burst != super::BURST_INCR {
                self.violations
                    .push(format!("arburst {} is not INCR", r.burst));
            }
            if 1u64 << r.size != beat_bytes {
                self.violations.push(format!(
                    "arsize {} does not match {beat_bytes}-byte beats",
                    r.size
                ));
            }
            if beats > MAX_BURST_BEATS as u64 {
                self.violations.push(format!("burst of {beats} beats"));
            }
            if r.addr % beat_bytes != 0 {
                self.violations
                    .push(format!("unaligned araddr {:#x}", r.addr));
            }
            if r.addr / PAGE_BYTES != (r.addr + beats * beat_bytes - 1) / PAGE_BYTES {
                self.violations
                    .push(format!("burst {:#x}+{beats} crosses 4 KB", r.addr));
            }
            if (r.addr + beats * beat_bytes) as usize > self.mem.len() {
                self.violations
                    .push(format!("burst {:#x} outside memory", r.addr));
            }
            self.ars.push(ArLog {
                cycle: self.cycle,
                addr: r.addr,
                beats,
            });
            // the handshake is at the coming edge; data can be offered `latency` cycles later
            self.queue.push_back(Burst {
                addr: r.addr,
                beats,
                sent: 0,
                ready_at: self.cycle + 1 + self.latency,
            });
            self.max_outstanding = self.max_outstanding.max(self.queue.len());
        }
        self.cycle += 1;
        out
    }
}
