//! The OutputWriter against an AXI4 write-slave model: addresses, data, burst lengths, the 4 KB
//! rule, `wlast`, `fifo_free` with claims, `idle`, `wr_bytes`, and `err` (BRESP, overflow,
//! misaligned). rust-hdl simulation, replayed on the Verilog.
mod common;

use common::check_replay;
use rust_hdl::prelude::*;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tellme_config::Config;
use tellme_hdl::quant::tb::{AwReq, AxiWriteSlave, Recorder, WBeat, XorShift};
use tellme_hdl::quant::{OutputWriter, QuantGeom};

/// One row group as the Dequantizer delivers it.
#[derive(Clone, Debug)]
struct Entry {
    rg: u64,
    tag: u64,
    row0: u64,
    y: Vec<u32>,
}

struct Setup {
    y_addr: u64,
    y_stride: u64,
    entries: Vec<Entry>,
    /// Cycles between a claim and the entry's arrival (the engine's latency).
    delay: usize,
    /// Per mille: the controller issues a row group in a given cycle.
    issue_permille: u32,
    use_claims: bool,
    slave_stall: u32,
    slave_latency: u64,
    w_before_aw: bool,
    err_range: Option<(u64, u64)>,
    /// Never accept AW/W (to fill the FIFO).
    block_slave: bool,
    mem_bytes: usize,
}

#[derive(Default, Debug)]
struct Result {
    mem: Vec<u8>,
    violations: Vec<String>,
    aws: Vec<(u64, u64)>,
    wr_bytes: u64,
    err: bool,
    err_after_clear: bool,
    idle_at_end: bool,
    min_free: u64,
    max_occupancy: usize,
    cycles: u64,
    max_outstanding: usize,
}

fn entry_addr(s: &Setup, e: &Entry, lanes: usize) -> u64 {
    s.y_addr + e.tag * s.y_stride + (e.row0 + e.rg * lanes as u64) * 4
}

fn run(cfg: &Config, s: Setup, replay_it: bool) -> Result {
    let g = QuantGeom::new(cfg).unwrap();
    let mut uut = OutputWriter::new(cfg);
    uut.connect_inputs();
    uut.connect_all();
    let verilog = if replay_it {
        generate_verilog(&uut)
    } else {
        String::new()
    };
    let rec = Arc::new(Mutex::new(Recorder::new()));
    let rec2 = rec.clone();
    let out = Arc::new(Mutex::new(Result::default()));
    let out2 = out.clone();
    let (bu, lanes, depth) = (g.bu, g.lanes, g.fifo_depth);
    let mut sim = simple_sim!(OutputWriter, clock, 100_000_000, ep, {
        let mut x = ep.init()?;
        let sample = |x: &OutputWriter| {
            if replay_it {
                rec2.lock().unwrap().sample(x);
            }
        };
        let mut slave = AxiWriteSlave::new(bu, s.slave_latency, s.mem_bytes);
        slave.stall_permille = s.slave_stall;
        slave.w_before_aw = s.w_before_aw;
        slave.err_range = s.err_range;
        let mut r = XorShift(0x77);
        let mut res = Result {
            min_free: u64::MAX,
            ..Default::default()
        };
        x.reset.next = true;
        wait_clock_cycle!(ep, clock, x);
        sample(&x);
        x.reset.next = false;
        x.clear.next = true;
        x.y_addr.next = s.y_addr.into();
        x.y_stride.next = s.y_stride.into();
        wait_clock_cycle!(ep, clock, x);
        sample(&x);
        x.clear.next = false;
        let mut next = 0usize; // next entry to issue
        let mut pipe: VecDeque<(usize, usize)> = VecDeque::new(); // (arrival cycle, entry)
        let mut in_writer = 0usize; // arrived, not yet fully on W
        let mut cycle = 0usize;
        let mut beats_per_entry_left: VecDeque<usize> = VecDeque::new();
        loop {
            // The controller: issue (claim) when fifo_free allows, deliver after `delay`.
            let free = x.fifo_free.val().to_u64();
            res.min_free = res.min_free.min(free);
            let can = if s.use_claims { free > 0 } else { true };
            let issue = next < s.entries.len() && can && r.coin(s.issue_permille);
            x.claim.next = issue && s.use_claims;
            if issue {
                pipe.push_back((cycle + s.delay, next));
                next += 1;
            }
            x.in_valid.next = false;
            if let Some(&(at, i)) = pipe.front() {
                if at <= cycle {
                    pipe.pop_front();
                    let e = &s.entries[i];
                    x.in_valid.next = true;
                    x.in_rg.next = e.rg.into();
                    x.in_tag.next = e.tag.into();
                    x.tile_row0.next = e.row0.into();
                    for l in 0..lanes {
                        x.in_y[l].next = (e.y[l] as u64).into();
                    }
                    in_writer += 1;
                    beats_per_entry_left.push_back(g.beats_per_rg);
                    res.max_occupancy = res.max_occupancy.max(in_writer);
                }
            }
            // The AXI slave.
            let aw = if x.awvalid.val() {
                Some(AwReq {
                    addr: x.awaddr.val().to_u64(),
                    len: x.awlen.val().to_u64(),
                    size: x.awsize.val().to_u64(),
                    burst: x.awburst.val().to_u64(),
                })
            } else {
                None
            };
            let w = if x.wvalid.val() {
                Some(WBeat {
                    data: (0..bu).map(|i| x.wdata[i].val().to_u64()).collect(),
                    strb: (0..bu).map(|i| x.wstrb[i].val().to_u64()).collect(),
                    last: x.wlast.val(),
                })
            } else {
                None
            };
            let o = if s.block_slave {
                Default::default()
            } else {
                slave.cycle(aw, w, x.bready.val())
            };
            x.awready.next = o.awready;
            x.wready.next = o.wready;
            x.bvalid.next = o.b.is_some();
            x.bresp.next = o.b.unwrap_or(0).into();
            if x.wvalid.val() && o.wready {
                if let Some(b) = beats_per_entry_left.front_mut() {
                    *b -= 1;
                    if *b == 0 {
                        beats_per_entry_left.pop_front();
                        in_writer -= 1;
                    }
                }
            }
            wait_clock_cycle!(ep, clock, x);
            sample(&x);
            cycle += 1;
            let done = next == s.entries.len() && pipe.is_empty() && x.idle.val();
            if done || cycle > 200_000 || (s.block_slave && cycle > 2000) {
                break;
            }
        }
        res.idle_at_end = x.idle.val();
        res.err = x.err.val();
        res.wr_bytes = x.wr_bytes.val().to_u64();
        res.cycles = cycle as u64;
        res.violations = slave.violations.clone();
        res.aws = slave.aws.iter().map(|a| (a.addr, a.beats)).collect();
        res.max_outstanding = slave.max_outstanding;
        res.mem = slave.mem.clone();
        // `clear` drops err and the byte count.
        x.in_valid.next = false;
        x.claim.next = false;
        x.clear.next = true;
        wait_clock_cycle!(ep, clock, x);
        sample(&x);
        x.clear.next = false;
        wait_clock_cycle!(ep, clock, x);
        sample(&x);
        res.err_after_clear = x.err.val();
        sim_assert!(ep, x.wr_bytes.val().to_u64() == 0, x);
        sim_assert!(ep, depth > 0, x);
        *out2.lock().unwrap() = res;
        ep.done(x)
    });
    sim.run(Box::new(uut), 1_000_000_000_000).unwrap();
    if replay_it {
        check_replay(&rec, &verilog, "OutputWriter");
    }
    let r = std::mem::take(&mut *out.lock().unwrap());
    r
}

/// Unique (tag, rg) row groups of random values over a few tiles.
fn entries(g: &QuantGeom, tags: u64, rgs: u64, tiles: u64, seed: u64) -> Vec<Entry> {
    let mut r = XorShift(seed);
    let mut v = vec![];
    for tile in 0..tiles {
        for tag in 0..tags {
            for rg in 0..rgs {
                v.push(Entry {
                    rg,
                    tag,
                    row0: tile * rgs * g.lanes as u64,
                    y: (0..g.lanes).map(|_| r.next_u64() as u32).collect(),
                });
            }
        }
    }
    v
}

fn expect_memory(s: &Setup, g: &QuantGeom, res: &Result) {
    assert!(
        res.violations.is_empty(),
        "AXI violations: {:?}",
        &res.violations[..res.violations.len().min(5)]
    );
    let mut want = vec![0u8; s.mem_bytes];
    for e in &s.entries {
        let a = entry_addr(s, e, g.lanes) as usize;
        for (l, v) in e.y.iter().enumerate() {
            want[a + 4 * l..a + 4 * l + 4].copy_from_slice(&v.to_le_bytes());
        }
    }
    if let Some(i) = (0..want.len()).find(|&i| want[i] != res.mem[i]) {
        panic!(
            "memory differs first at {i:#x}: got {:#04x}, want {:#04x}",
            res.mem[i], want[i]
        );
    }
    // Bursts: exactly the split of every row group, in order.
    let bb = g.beat_bytes() as u64;
    let mut bursts = vec![];
    for e in &s.entries {
        bursts.extend(tellme_hdl::axi::split_bursts(
            entry_addr(s, e, g.lanes),
            g.beats_per_rg as u64,
            bb,
        ));
    }
    assert_eq!(res.aws, bursts, "AW sequence");
    assert_eq!(
        res.wr_bytes,
        (s.entries.len() * g.lanes * 4) as u64,
        "wr_bytes"
    );
    assert!(res.idle_at_end, "not idle at the end");
}

fn base_setup(cfg: &Config, ents: Vec<Entry>, y_addr: u64) -> Setup {
    let g = QuantGeom::new(cfg).unwrap();
    let rgs = ents.iter().map(|e| e.rg + 1).max().unwrap();
    let tiles = ents.iter().map(|e| e.row0).max().unwrap() / (rgs * g.lanes as u64) + 1;
    let tags = ents.iter().map(|e| e.tag + 1).max().unwrap();
    let y_stride = (tiles * rgs * g.lanes as u64 * 4).next_multiple_of(64);
    Setup {
        y_addr,
        y_stride,
        mem_bytes: (y_addr + y_stride * tags) as usize + 4096,
        entries: ents,
        delay: 9,
        issue_permille: 700,
        use_claims: true,
        slave_stall: 200,
        slave_latency: 6,
        w_before_aw: false,
        err_range: None,
        block_slave: false,
    }
}

#[test]
fn tiny_writes_land_where_the_layout_says() {
    let cfg = tellme_config::preset("tiny").unwrap();
    let g = QuantGeom::new(&cfg).unwrap();
    let s = base_setup(&cfg, entries(&g, 3, 5, 2, 1), 0x0F40);
    let res = run(&cfg, s, true);
    let s = base_setup(&cfg, entries(&g, 3, 5, 2, 1), 0x0F40);
    expect_memory(&s, &g, &res);
    assert!(!res.err && !res.err_after_clear);
    assert!(res.max_occupancy <= g.fifo_depth);
    eprintln!(
        "tiny: {} row groups in {} cycles",
        s.entries.len(),
        res.cycles
    );
}

#[test]
fn long_row_groups_split_at_16_beats_and_4k() {
    // 64 lanes on a 64-bit bus: 32 beats per row group, so every row group is at least two
    // bursts, and y_addr just below a page boundary makes some of them three.
    let mut cfg = tellme_config::preset("tiny").unwrap();
    cfg.accel.lanes = 64;
    cfg.accel.acc_depth = 5;
    let g = QuantGeom::new(&cfg).unwrap();
    assert_eq!(g.beats_per_rg, 32);
    let mut s = base_setup(&cfg, entries(&g, 3, 4, 1, 2), 0x1FC8);
    s.w_before_aw = true;
    s.slave_stall = 100;
    let ents = s.entries.clone();
    let res = run(&cfg, s, true);
    let mut s = base_setup(&cfg, ents, 0x1FC8);
    s.w_before_aw = true;
    expect_memory(&s, &g, &res);
    assert!(
        res.aws
            .iter()
            .any(|&(a, n)| n < 16 && (a + n * 8) % 4096 == 0),
        "no burst cut at a page"
    );
    assert!(res.aws.iter().all(|&(_, n)| n <= 16));
}

#[test]
fn kv260_writer_without_claims_and_fast_slave() {
    let cfg = tellme_config::preset("kv260-0.7b").unwrap();
    let g = QuantGeom::new(&cfg).unwrap();
    let mut s = base_setup(&cfg, entries(&g, 2, 40, 1, 3), 0x10_0000);
    s.use_claims = false;
    s.issue_permille = 1000;
    s.slave_stall = 0;
    s.slave_latency = 20;
    let ents = s.entries.clone();
    let res = run(&cfg, s, false);
    let mut s = base_setup(&cfg, ents, 0x10_0000);
    s.use_claims = false;
    expect_memory(&s, &g, &res);
    assert!(!res.err);
    // Two beats per row group, back to back: close to one row group per two cycles.
    eprintln!(
        "kv260: {} row groups in {} cycles, {} bursts outstanding at most",
        s.entries.len(),
        res.cycles,
        res.max_outstanding
    );
    assert!(
        res.cycles < 2 * s.entries.len() as u64 + 60,
        "{} cycles",
        res.cycles
    );
}

#[test]
fn bresp_error_is_sticky_until_clear() {
    let cfg = tellme_config::preset("tiny").unwrap();
    let g = QuantGeom::new(&cfg).unwrap();
    let mut s = base_setup(&cfg, entries(&g, 2, 3, 1, 4), 0x800);
    s.err_range = Some((0x800, 0x810));
    let res = run(&cfg, s, false);
    assert!(res.err, "SLVERR not reported");
    assert!(!res.err_after_clear);
    assert!(res.idle_at_end);
}

#[test]
fn claims_keep_fifo_free_honest_and_overflow_is_an_error() {
    let cfg = tellme_config::preset("tiny").unwrap();
    let g = QuantGeom::new(&cfg).unwrap();
    // With claims and a slave that never answers, the controller stops at fifo_free = 0.
    let mut s = base_setup(&cfg, entries(&g, 4, 8, 1, 5), 0x1000);
    s.block_slave = true;
    s.issue_permille = 1000;
    let res = run(&cfg, s, true);
    assert_eq!(res.min_free, 0);
    assert_eq!(res.max_occupancy, g.fifo_depth);
    assert!(!res.err, "claims must prevent an overflow");
    // Without claims the same traffic overflows the FIFO: err.
    let mut s = base_setup(&cfg, entries(&g, 4, 8, 1, 5), 0x1000);
    s.block_slave = true;
    s.issue_permille = 1000;
    s.use_claims = false;
    let res = run(&cfg, s, false);
    assert!(res.err, "overflow not reported");
}

#[test]
fn misaligned_address_is_an_error() {
    let cfg = tellme_config::preset("tiny").unwrap();
    let g = QuantGeom::new(&cfg).unwrap();
    let mut s = base_setup(&cfg, entries(&g, 1, 2, 1, 6), 0x1004);
    s.mem_bytes += 64;
    let res = run(&cfg, s, false);
    assert!(res.err, "misaligned y address not reported");
}
