//! Testbench support for the quant blocks: bus models for rust-hdl testbenches and a replay of
//! a rust-hdl simulation against the generated Verilog.
//!
//! - [`CmdReadModel`]: the far side of the Quantizer's read-request interface (commands in,
//!   beats out after a latency, random gaps, back-pressure honoured), reading a byte memory.
//! - [`AxiWriteSlave`]: a cycle-level AXI4 write slave (AW/W/B) that stores the data and checks
//!   the rules a master must keep (INCR, `awsize`, ≤ 16 beats, no 4 KB crossing, aligned
//!   addresses, `wlast` on the last beat, full strobes).
//! - [`Recorder`] + [`replay`]: sample a block's top-level ports once per cycle during a rust-hdl
//!   simulation, then run the same input sequence through the generated Verilog in Icarus
//!   Verilog and compare every output in every cycle. This checks that the Verilog rust-hdl
//!   emits (and the hand-written `Verilog::Custom` text) behaves like the Rust model that the
//!   unit tests check against the golden model.
//!
//! All models are used once per cycle between clock edges: read the block's registered outputs,
//! call `cycle`, drive what it returns; the handshakes it reports happen at the coming edge.
use crate::mem::LEAF_VERILOG;
use crate::testing::scratch_dir;
use rust_hdl::prelude::*;
use std::collections::VecDeque;
use std::path::Path;
use std::process::Command;

/// Moved to [`crate::testing`]; re-exported for existing callers.
pub use crate::testing::{have, lint};

/// A small xorshift generator for stalls and stimulus.
#[derive(Clone, Debug)]
pub struct XorShift(pub u64);

impl XorShift {
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    /// True with probability `permille`/1000.
    pub fn coin(&mut self, permille: u32) -> bool {
        permille > 0 && self.next_u64() % 1000 < permille as u64
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// The far side of a "read `beats` beats at `addr`" command interface.
pub struct CmdReadModel {
    beat_u64s: usize,
    mem: Vec<u8>,
    /// Cycles from a command's handshake to its first beat.
    pub latency: u64,
    /// Probability (per mille) that a cycle offers no beat / no `cmd_ready`.
    pub stall_permille: u32,
    /// Commands accepted, in order: (cycle, addr, beats).
    pub cmds: Vec<(u64, u64, u64)>,
    /// Beats delivered.
    pub beats: u64,
    queue: VecDeque<(u64, u64, u64)>, // addr, beats left, ready cycle
    rng: XorShift,
    cycle: u64,
    offered: Option<Vec<u64>>,
}

/// What [`CmdReadModel`] drives in one cycle.
#[derive(Clone, Debug, Default)]
pub struct CmdReadOut {
    pub cmd_ready: bool,
    /// The beat offered (`valid` with these words), if any.
    pub beat: Option<Vec<u64>>,
}

impl CmdReadModel {
    pub fn new(beat_u64s: usize, latency: u64, mem: Vec<u8>) -> Self {
        Self {
            beat_u64s,
            mem,
            latency,
            stall_permille: 0,
            cmds: vec![],
            beats: 0,
            queue: VecDeque::new(),
            rng: XorShift(0x2545_F491_4F6C_DD1D),
            cycle: 0,
            offered: None,
        }
    }

    /// One cycle: `cmd` is `(addr, beats)` if the master's `cmd_valid` is high, `ready` its beat
    /// `ready`.
    pub fn cycle(&mut self, cmd: Option<(u64, u64)>, ready: bool) -> CmdReadOut {
        // A beat offered last cycle and not taken stays offered (AXI-style stability).
        let cmd_ready = !self.rng.coin(self.stall_permille);
        let beat = if let Some(b) = self.offered.clone() {
            Some(b)
        } else {
            match self.queue.front() {
                Some(&(addr, _, at)) if self.cycle >= at && !self.rng.coin(self.stall_permille) => {
                    let words = (0..self.beat_u64s)
                        .map(|i| {
                            let o = addr as usize + 8 * i;
                            let mut w = [0u8; 8];
                            if o + 8 <= self.mem.len() {
                                w.copy_from_slice(&self.mem[o..o + 8]);
                            }
                            u64::from_le_bytes(w)
                        })
                        .collect::<Vec<_>>();
                    Some(words)
                }
                _ => None,
            }
        };
        if beat.is_some() && ready {
            let bb = 8 * self.beat_u64s as u64;
            let head = self.queue.front_mut().expect("a beat needs a command");
            head.0 += bb;
            head.1 -= 1;
            if head.1 == 0 {
                self.queue.pop_front();
            }
            self.beats += 1;
            self.offered = None;
        } else {
            self.offered = beat.clone();
        }
        if let (Some((addr, beats)), true) = (cmd, cmd_ready) {
            self.cmds.push((self.cycle, addr, beats));
            if beats > 0 {
                self.queue
                    .push_back((addr, beats, self.cycle + 1 + self.latency));
            }
        }
        self.cycle += 1;
        CmdReadOut { cmd_ready, beat }
    }
}

/// The master's AW outputs in one cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AwReq {
    pub addr: u64,
    pub len: u64,
    pub size: u64,
    pub burst: u64,
}

/// The master's W outputs in one cycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WBeat {
    pub data: Vec<u64>,
    /// One strobe byte per 64-bit word.
    pub strb: Vec<u64>,
    pub last: bool,
}

/// What [`AxiWriteSlave`] drives in one cycle.
#[derive(Clone, Debug, Default)]
pub struct WriteSlaveOut {
    pub awready: bool,
    pub wready: bool,
    /// `bvalid` with this `bresp`.
    pub b: Option<u64>,
}

/// A logged AW handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AwLog {
    pub cycle: u64,
    pub addr: u64,
    pub beats: u64,
}

/// See the module documentation. W beats may be accepted before their AW when
/// `w_before_aw` is set (as an interconnect with a write buffer does).
pub struct AxiWriteSlave {
    beat_u64s: usize,
    /// The written memory.
    pub mem: Vec<u8>,
    /// Cycles from a burst's last W beat (and its AW) to its B response.
    pub latency: u64,
    pub stall_permille: u32,
    pub w_before_aw: bool,
    /// Answer bursts whose address is in `[lo, hi)` with SLVERR.
    pub err_range: Option<(u64, u64)>,
    /// Every AW handshake, in order.
    pub aws: Vec<AwLog>,
    /// AXI rule violations seen.
    pub violations: Vec<String>,
    /// W beats accepted.
    pub beats: u64,
    /// Most bursts accepted on AW and not yet answered on B.
    pub max_outstanding: usize,
    aw_q: VecDeque<(u64, u64, u64)>, // addr, beats, beats received
    w_q: VecDeque<WBeat>,
    b_q: VecDeque<(u64, u64)>, // ready cycle, resp
    outstanding: usize,
    rng: XorShift,
    cycle: u64,
    b_offered: Option<u64>,
}

impl AxiWriteSlave {
    pub fn new(beat_u64s: usize, latency: u64, mem_bytes: usize) -> Self {
        Self {
            beat_u64s,
            mem: vec![0; mem_bytes],
            latency,
            stall_permille: 0,
            w_before_aw: false,
            err_range: None,
            aws: vec![],
            violations: vec![],
            beats: 0,
            max_outstanding: 0,
            aw_q: VecDeque::new(),
            w_q: VecDeque::new(),
            b_q: VecDeque::new(),
            outstanding: 0,
            rng: XorShift(0x9E37_79B9_7F4A_7C15),
            cycle: 0,
            b_offered: None,
        }
    }

    /// Bursts accepted on AW whose B response has not been taken.
    pub fn outstanding(&self) -> usize {
        self.outstanding
    }

    fn check_aw(&mut self, aw: &AwReq) {
        let bb = 8 * self.beat_u64s as u64;
        let beats = aw.len + 1;
        if aw.burst != 1 {
            self.violations.push(format!(
                "AW {:#x}: awburst {} is not INCR",
                aw.addr, aw.burst
            ));
        }
        if 1u64 << aw.size != bb {
            self.violations.push(format!(
                "AW {:#x}: awsize {} is not the bus width",
                aw.addr, aw.size
            ));
        }
        if beats > 16 {
            self.violations
                .push(format!("AW {:#x}: {} beats > 16", aw.addr, beats));
        }
        if !aw.addr.is_multiple_of(bb) {
            self.violations
                .push(format!("AW {:#x}: not beat-aligned", aw.addr));
        }
        if aw.addr / 4096 != (aw.addr + beats * bb - 1) / 4096 {
            self.violations.push(format!(
                "AW {:#x}: {} beats cross a 4 KB boundary",
                aw.addr, beats
            ));
        }
        if (aw.addr + beats * bb) as usize > self.mem.len() {
            self.violations
                .push(format!("AW {:#x}: beyond the memory", aw.addr));
        }
    }

    /// Pair accepted AWs with accepted W beats: store the data, schedule B responses.
    fn retire(&mut self) {
        let bb = 8 * self.beat_u64s as u64;
        while let (Some(&(addr, beats, got)), Some(_)) = (self.aw_q.front(), self.w_q.front()) {
            let w = self.w_q.pop_front().unwrap();
            let a = addr + got * bb;
            for (i, word) in w.data.iter().enumerate() {
                let o = (a + 8 * i as u64) as usize;
                if o + 8 <= self.mem.len() {
                    self.mem[o..o + 8].copy_from_slice(&word.to_le_bytes());
                }
            }
            if w.strb.iter().any(|&s| s != 0xFF) {
                self.violations
                    .push(format!("W beat at {a:#x}: partial strobes {:?}", w.strb));
            }
            let last = got + 1 == beats;
            if w.last != last {
                self.violations.push(format!(
                    "W beat {} of {} at {a:#x}: wlast = {}",
                    got + 1,
                    beats,
                    w.last
                ));
            }
            if last {
                self.aw_q.pop_front();
                let bad = self
                    .err_range
                    .is_some_and(|(lo, hi)| addr >= lo && addr < hi);
                self.b_q
                    .push_back((self.cycle + self.latency, if bad { 2 } else { 0 }));
            } else {
                self.aw_q.front_mut().unwrap().2 += 1;
            }
        }
    }

    /// One cycle: the master's AW (if `awvalid`), W (if `wvalid`) and `bready`.
    pub fn cycle(&mut self, aw: Option<AwReq>, w: Option<WBeat>, bready: bool) -> WriteSlaveOut {
        let awready = !self.rng.coin(self.stall_permille);
        let w_room = self.w_before_aw
            || self.aw_q.iter().map(|x| x.1 - x.2).sum::<u64>() > self.w_q.len() as u64;
        let wready = w_room && !self.rng.coin(self.stall_permille);
        let b = match self.b_offered {
            Some(r) => Some(r),
            None => match self.b_q.front() {
                Some(&(at, r)) if self.cycle >= at && !self.rng.coin(self.stall_permille) => {
                    Some(r)
                }
                _ => None,
            },
        };
        // Handshakes at the coming edge.
        if let (Some(r), true) = (b, bready) {
            let _ = r;
            self.b_q.pop_front();
            self.outstanding -= 1;
            self.b_offered = None;
        } else {
            self.b_offered = b;
        }
        if let (Some(req), true) = (aw, awready) {
            self.check_aw(&req);
            self.aws.push(AwLog {
                cycle: self.cycle,
                addr: req.addr,
                beats: req.len + 1,
            });
            self.aw_q.push_back((req.addr, req.len + 1, 0));
            self.outstanding += 1;
            self.max_outstanding = self.max_outstanding.max(self.outstanding);
        }
        if let (Some(beat), true) = (w, wready) {
            self.beats += 1;
            self.w_q.push_back(beat);
        }
        self.retire();
        self.cycle += 1;
        WriteSlaveOut { awready, wready, b }
    }
}

// ---------------------------------------------------------------------------------------------
// Replay of a rust-hdl simulation against the generated Verilog.

#[derive(Clone, Debug)]
struct Port {
    name: String,
    width: usize,
    input: bool,
}

/// Samples a top block's ports once per cycle (see the module documentation).
#[derive(Default)]
pub struct Recorder {
    ports: Vec<Port>,
    rows: Vec<(String, String)>,
}

struct Sampler<'a> {
    depth: usize,
    ports: Vec<Port>,
    values: Vec<String>,
    _marker: std::marker::PhantomData<&'a ()>,
}

impl Probe for Sampler<'_> {
    fn visit_start_scope(&mut self, _name: &str, _node: &dyn Block) {
        self.depth += 1;
    }
    fn visit_end_scope(&mut self, _name: &str, _node: &dyn Block) {
        self.depth -= 1;
    }
    fn visit_atom(&mut self, name: &str, signal: &dyn Atom) {
        if self.depth != 1 || name == "clock" {
            return;
        }
        let input = match signal.kind() {
            AtomKind::InputParameter => true,
            AtomKind::OutputParameter => false,
            _ => return,
        };
        let text = match signal.vcd() {
            VCDValue::Single(v) => v.to_string(),
            VCDValue::Vector(v) => v.iter().map(|b| b.to_string()).collect(),
            _ => panic!("replay: port {name} has a type the replay cannot sample"),
        };
        self.ports.push(Port {
            name: name.to_string(),
            width: signal.bits(),
            input,
        });
        self.values.push(text);
    }
}

impl Recorder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Record the ports of `top` now (call right after each `wait_clock_cycle!`).
    pub fn sample<B: Block>(&mut self, top: &B) {
        let mut s = Sampler {
            depth: 0,
            ports: vec![],
            values: vec![],
            _marker: Default::default(),
        };
        top.accept("top", &mut s);
        if self.ports.is_empty() {
            self.ports = s.ports.clone();
        }
        let (mut i, mut o) = (String::new(), String::new());
        for (p, v) in s.ports.iter().zip(&s.values) {
            if p.input {
                i.push_str(v);
            } else {
                o.push_str(v);
            }
        }
        self.rows.push((i, o));
    }

    /// Cycles recorded.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// The leaf memories with every word (and read register) starting at zero, as the Rust models
/// do: for simulation only.
pub fn leaf_verilog_zeroed() -> String {
    let a = "    (* ram_style = \"ultra\" *) reg [DW-1:0] ram [0:DEPTH-1];\n";
    let b = "    (* ram_style = \"distributed\" *) reg [DW-1:0] ram [0:DEPTH-1];\n";
    let init = "    integer zi;\n    initial for (zi = 0; zi < DEPTH; zi = zi + 1) ram[zi] = {DW{1'b0}};\n";
    assert!(
        LEAF_VERILOG.contains(a) && LEAF_VERILOG.contains(b),
        "leaf.v changed: update the replay"
    );
    LEAF_VERILOG
        .replace(
            a,
            &format!("{a}{init}    initial dout_b = {{DW{{1'b0}}}};\n"),
        )
        .replace(b, &format!("{b}{init}"))
}

/// Replay `rec` against `top_v` (the block's `generate_verilog`) in Icarus Verilog. Ok(cycles
/// compared), or the first mismatches. `Err` starting with "SKIP" when iverilog is missing.
pub fn replay(rec: &Recorder, top_v: &str) -> Result<usize, String> {
    if !have("iverilog") || !have("vvp") {
        return Err("SKIP: iverilog not found".into());
    }
    let dir = scratch_dir("tellme-quant-replay")?;
    let res = replay_in(rec, top_v, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    res
}

fn replay_in(rec: &Recorder, top_v: &str, dir: &Path) -> Result<usize, String> {
    let n = rec.rows.len();
    if n == 0 {
        return Err("nothing recorded".into());
    }
    let ins: Vec<&Port> = rec.ports.iter().filter(|p| p.input).collect();
    let outs: Vec<&Port> = rec.ports.iter().filter(|p| !p.input).collect();
    let iw: usize = ins.iter().map(|p| p.width).sum::<usize>().max(1);
    let ow: usize = outs.iter().map(|p| p.width).sum();
    let mut inm = String::with_capacity(n * (iw + 1));
    let mut outm = String::with_capacity(n * (ow + 1));
    for (i, o) in &rec.rows {
        inm.push_str(if i.is_empty() { "0" } else { i });
        inm.push('\n');
        outm.push_str(o);
        outm.push('\n');
    }
    let w = |f: &str, s: &str| std::fs::write(dir.join(f), s).map_err(|e| e.to_string());
    w("in.mem", &inm)?;
    w("out.mem", &outm)?;
    w("top.v", top_v)?;
    w("leaf.v", &leaf_verilog_zeroed())?;
    let esc = |s: &str| format!("\\{s} ");
    let mut tb = String::from("`timescale 1ns/1ps\nmodule replay_tb;\n    reg clock;\n");
    tb += &format!(
        "    reg [{}:0] inmem [0:{}];\n    reg [{}:0] outmem [0:{}];\n",
        iw - 1,
        n - 1,
        ow - 1,
        n - 1
    );
    tb += &format!(
        "    reg [{}:0] cur;\n    wire [{}:0] got;\n",
        iw - 1,
        ow - 1
    );
    // Inputs are slices of `cur`, in recorded order (MSB first).
    let mut hi = iw;
    for p in &ins {
        tb += &format!(
            "    wire [{}:0] {} = cur[{}:{}];\n",
            p.width - 1,
            esc(&format!("i_{}", p.name)),
            hi - 1,
            hi - p.width
        );
        hi -= p.width;
    }
    for p in &outs {
        tb += &format!(
            "    wire [{}:0] {};\n",
            p.width - 1,
            esc(&format!("o_{}", p.name))
        );
    }
    let conns: Vec<String> = std::iter::once(".clock(clock)".to_string())
        .chain(
            ins.iter()
                .map(|p| format!(".{}({})", esc(&p.name), esc(&format!("i_{}", p.name)))),
        )
        .chain(
            outs.iter()
                .map(|p| format!(".{}({})", esc(&p.name), esc(&format!("o_{}", p.name)))),
        )
        .collect();
    tb += &format!(
        "    top dut(\n        {}\n    );\n",
        conns.join(",\n        ")
    );
    let outcat: Vec<String> = outs.iter().map(|p| esc(&format!("o_{}", p.name))).collect();
    tb += &format!("    assign got = {{{}}};\n", outcat.join(", "));
    tb += "    integer k, errors, bit_i;\n    initial begin\n";
    tb += "        $readmemb(\"in.mem\", inmem);\n        $readmemb(\"out.mem\", outmem);\n";
    tb += "        errors = 0;\n        clock = 0;\n";
    tb += &format!("        for (k = 0; k < {n}; k = k + 1) begin\n");
    tb += "            cur = inmem[k];\n            #5 clock = 1;\n            #5 clock = 0;\n            #1;\n";
    tb += "            if (got !== outmem[k]) begin\n";
    tb += "                errors = errors + 1;\n";
    tb += "                if (errors <= 8) begin\n";
    let mut off = ow;
    for p in &outs {
        tb += &format!(
            "                    if (got[{h}:{l}] !== outmem[k][{h}:{l}]) $display(\"MISMATCH cycle %0d {} verilog=%h rust=%h\", k, got[{h}:{l}], outmem[k][{h}:{l}]);\n",
            p.name,
            h = off - 1,
            l = off - p.width
        );
        off -= p.width;
    }
    tb += "                end\n            end\n        end\n";
    tb +=
        "        $display(\"REPLAY errors=%0d\", errors);\n        $finish;\n    end\nendmodule\n";
    w("tb.v", &tb)?;
    let out = Command::new("iverilog")
        .current_dir(dir)
        .args([
            "-g2005",
            "-o",
            "replay.vvp",
            "-s",
            "replay_tb",
            "tb.v",
            "top.v",
            "leaf.v",
        ])
        .output()
        .map_err(|e| format!("cannot run iverilog: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "iverilog failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let out = Command::new("vvp")
        .current_dir(dir)
        .args(["-n", "replay.vvp"])
        .output()
        .map_err(|e| format!("cannot run vvp: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    if text.contains("REPLAY errors=0") {
        Ok(n)
    } else {
        Err(format!(
            "Verilog and rust-hdl disagree:\n{}",
            text.lines().take(20).collect::<Vec<_>>().join("\n")
        ))
    }
}
