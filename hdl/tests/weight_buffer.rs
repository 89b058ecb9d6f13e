//! rust-hdl simulator tests of `axi::ReadMaster` and the weight Loader + WeightBuffer, against
//! the Rust AXI slave model (`axi::slave_model`). Small shapes only: this simulator runs
//! ~10k cycles/s; the full-size check runs under Verilator (`weight_buffer_verilator.rs`).

use rust_hdl::prelude::*;
use std::sync::{Arc, Mutex};
use tellme_config::Config;
use tellme_hdl::axi::slave_model::{ArLog, ArReq, AxiReadSlave};
use tellme_hdl::axi::{split_bursts, ReadMaster};
use tellme_hdl::weight_buffer::{
    ideal_load_cycles, image_port_regions, port_regions, tile_beats, WbufParams, WeightStore,
    LOADER_MAX_BURSTS, LOADER_START_TO_AR, WBUF_LATENCY,
};
use tellme_model::pack::pack;
use tellme_model::rng::Rng;
use tellme_model::TernaryMatrix;

const CLOCK_HZ: u64 = 100_000_000;
const PS_PER_CYCLE: u64 = 1_000_000_000_000 / CLOCK_HZ;

// ---------------------------------------------------------------------------------------------
// ReadMaster

type Rm = ReadMaster<7>;
const RM_DEPTH: usize = 128;

#[derive(Clone, Default)]
struct RmRun {
    ars: Vec<ArLog>,
    data: Vec<Vec<u64>>,
    violations: Vec<String>,
    max_outstanding: usize,
    rready_stalls: u64,
    /// Most beats requested on AR and not yet taken from the data stream.
    max_reserved: u64,
    err: bool,
    err_cycle: Option<u64>,
    busy_at_end: bool,
    cycles: u64,
}

struct RmSetup {
    bu: usize,
    max_bursts: usize,
    latency: u64,
    cmds: Vec<(u64, u64)>,
    /// `data_ready` low for the first this many cycles
    hold_off: u64,
    /// then `data_ready` low with this probability (per mille)
    ready_gap_permille: u64,
    stall_permille: u32,
    err_range: Option<(u64, u64)>,
}

fn rm_slave_cycle(x: &mut Rm, slave: &mut AxiReadSlave) {
    let ar = x.arvalid.val().then(|| ArReq {
        addr: x.araddr.val().to_u64(),
        len: x.arlen.val().to_u64(),
        size: x.arsize.val().to_u64(),
        burst: x.arburst.val().to_u64(),
    });
    let o = slave.cycle(ar, x.rready.val());
    x.arready.next = o.arready;
    match o.r {
        Some(b) => {
            x.rvalid.next = true;
            x.rlast.next = b.last;
            x.rresp.next = b.resp.into();
            for (i, w) in b.data.iter().enumerate() {
                x.rdata[i].next = (*w).into();
            }
        }
        None => {
            x.rvalid.next = false;
            x.rlast.next = false;
        }
    }
}

fn run_read_master(s: RmSetup, mem: Vec<u8>) -> RmRun {
    let mut uut = Rm::new(s.bu, s.max_bursts);
    uut.clock.connect();
    uut.reset.connect();
    uut.cmd_valid.connect();
    uut.cmd_addr.connect();
    uut.cmd_beats.connect();
    uut.arready.connect();
    uut.rdata.iter_mut().for_each(|x| x.connect());
    uut.rresp.connect();
    uut.rlast.connect();
    uut.rvalid.connect();
    uut.data_ready.connect();
    uut.connect_all();
    let total: u64 = s.cmds.iter().map(|c| c.1).sum();
    let out = Arc::new(Mutex::new(RmRun::default()));
    let res = out.clone();
    let max_cycles = 200 + s.hold_off + s.latency * 4 + total * 12;
    let mut sim = simple_sim!(Rm, clock, CLOCK_HZ, ep, {
        let mut x = ep.init()?;
        let mut slave = AxiReadSlave::new(s.bu, s.latency, mem.len());
        slave.write(0, &mem);
        slave.stall_permille = s.stall_permille;
        slave.err_range = s.err_range;
        let mut rng = Rng::new(11);
        x.reset.next = true;
        wait_clock_cycles!(ep, clock, x, 2);
        x.reset.next = false;
        let mut r = RmRun::default();
        let mut next_cmd = 0;
        let mut popped = 0u64;
        let mut cycle = 0u64;
        while (popped < total || x.busy.val()) && cycle < max_cycles {
            rm_slave_cycle(&mut x, &mut slave);
            // commands, one after the other
            x.cmd_valid.next = next_cmd < s.cmds.len();
            if next_cmd < s.cmds.len() {
                x.cmd_addr.next = s.cmds[next_cmd].0.into();
                x.cmd_beats.next = s.cmds[next_cmd].1.into();
                if x.cmd_ready.val() {
                    next_cmd += 1;
                }
            }
            let ready = cycle >= s.hold_off && rng.below(1000) >= s.ready_gap_permille;
            x.data_ready.next = ready;
            if ready && x.data_valid.val() {
                r.data
                    .push(x.data.iter().map(|d| d.val().to_u64()).collect());
                popped += 1;
            }
            let requested: u64 = slave.ars.iter().map(|a| a.beats).sum();
            r.max_reserved = r.max_reserved.max(requested - popped);
            if x.err.val() && r.err_cycle.is_none() {
                r.err_cycle = Some(cycle);
            }
            wait_clock_cycle!(ep, clock, x);
            cycle += 1;
        }
        r.ars = slave.ars.clone();
        r.violations = slave.violations.clone();
        r.max_outstanding = slave.max_outstanding;
        r.rready_stalls = slave.rready_stalls;
        r.err = x.err.val();
        r.busy_at_end = x.busy.val();
        r.cycles = cycle;
        *res.lock().unwrap() = r;
        ep.done(x)
    });
    sim.run(Box::new(uut), (max_cycles + 10) * PS_PER_CYCLE)
        .unwrap();
    let g = out.lock().unwrap();
    g.clone()
}

/// Memory whose every u64 holds its own byte address (data order is then self-checking).
fn addr_pattern(bytes: usize) -> Vec<u8> {
    (0..bytes / 8)
        .flat_map(|i| (8 * i as u64).to_le_bytes())
        .collect()
}

fn expect_stream(cmds: &[(u64, u64)], bu: usize) -> Vec<Vec<u64>> {
    let bb = 8 * bu as u64;
    cmds.iter()
        .flat_map(|&(a, n)| {
            (0..n).map(move |j| (0..bu as u64).map(|i| a + j * bb + 8 * i).collect())
        })
        .collect()
}

#[test]
fn read_master_splits_at_4k_and_16_beats_and_keeps_order() {
    for (bu, cmds) in [
        // 256-bit: 2 beats to the page end, then 16s, a 4 KB crossing mid-command, a short tail
        (4usize, vec![(0x0FC0u64, 100u64), (0x3000, 1), (0x5FE0, 35)]),
        // 64-bit: page end after one beat; a command that is exactly one page
        (1, vec![(0x1FF8, 40), (0x4000, 512)]),
    ] {
        let run = run_read_master(
            RmSetup {
                bu,
                max_bursts: 8,
                latency: 20,
                cmds: cmds.clone(),
                hold_off: 0,
                ready_gap_permille: 0,
                stall_permille: 0,
                err_range: None,
            },
            addr_pattern(0x8000),
        );
        let expect: Vec<(u64, u64)> = cmds
            .iter()
            .flat_map(|&(a, n)| split_bursts(a, n, 8 * bu as u64))
            .collect();
        let got: Vec<(u64, u64)> = run.ars.iter().map(|a| (a.addr, a.beats)).collect();
        assert_eq!(got, expect, "AR sequence (bu = {bu})");
        assert!(run.violations.is_empty(), "{:?}", run.violations);
        assert_eq!(run.data, expect_stream(&cmds, bu), "data order (bu = {bu})");
        assert!(!run.err && !run.busy_at_end);
        assert_eq!(run.rready_stalls, 0, "R was back-pressured");
        eprintln!(
            "bu {bu}: {} bursts, {} beats in {} cycles, max {} bursts in flight",
            run.ars.len(),
            run.data.len(),
            run.cycles,
            run.max_outstanding
        );
    }
}

#[test]
fn read_master_respects_outstanding_and_fifo_credit_limits() {
    // Long latency, consumer absent for 300 cycles: the master must stop at 8 bursts in flight
    // and never request more beats than its FIFO can hold; R is never back-pressured.
    let cmds = vec![(0x40u64, 600u64)];
    let run = run_read_master(
        RmSetup {
            bu: 2,
            max_bursts: 8,
            latency: 60,
            cmds: cmds.clone(),
            hold_off: 300,
            ready_gap_permille: 300,
            stall_permille: 150,
            err_range: None,
        },
        addr_pattern(0x4000),
    );
    assert!(run.violations.is_empty(), "{:?}", run.violations);
    assert_eq!(run.data, expect_stream(&cmds, 2));
    assert!(
        run.max_outstanding <= 8,
        "{} bursts in flight",
        run.max_outstanding
    );
    assert!(
        run.max_reserved as usize <= RM_DEPTH,
        "{} beats reserved",
        run.max_reserved
    );
    assert_eq!(
        run.max_reserved as usize, RM_DEPTH,
        "the FIFO should fill while held off"
    );
    assert_eq!(run.rready_stalls, 0);
    // With a free-running consumer and a long latency, exactly max_bursts are in flight.
    let run = run_read_master(
        RmSetup {
            bu: 4,
            max_bursts: 3,
            latency: 80,
            cmds: vec![(0x0, 256)],
            hold_off: 0,
            ready_gap_permille: 0,
            stall_permille: 0,
            err_range: None,
        },
        addr_pattern(0x4000),
    );
    assert_eq!(run.max_outstanding, 3);
    assert_eq!(run.data.len(), 256);
}

#[test]
fn read_master_flags_rresp_errors_and_still_delivers() {
    let cmds = vec![(0x100u64, 40u64)];
    let run = run_read_master(
        RmSetup {
            bu: 1,
            max_bursts: 4,
            latency: 5,
            cmds: cmds.clone(),
            hold_off: 0,
            ready_gap_permille: 0,
            stall_permille: 0,
            err_range: Some((0x180, 0x188)), // beat 16 answers SLVERR
        },
        addr_pattern(0x1000),
    );
    assert!(run.err, "err must be set by SLVERR");
    assert!(run.err_cycle.is_some());
    assert_eq!(run.data, expect_stream(&cmds, 1));
    let clean = run_read_master(
        RmSetup {
            bu: 1,
            max_bursts: 4,
            latency: 5,
            cmds: cmds.clone(),
            hold_off: 0,
            ready_gap_permille: 0,
            stall_permille: 0,
            err_range: None,
        },
        addr_pattern(0x1000),
    );
    assert!(!clean.err);
}

// ---------------------------------------------------------------------------------------------
// Loader + WeightBuffer

#[derive(Clone, Debug)]
struct Load {
    base: usize,
    u64s: usize,
    beats: usize,
    addr: Vec<u64>,
}

#[derive(Clone, Debug, Default)]
struct LoadTiming {
    start: u64,
    first_ar: Option<u64>,
    first_r: Option<u64>,
    done: u64,
    waiting: u64,
}

#[derive(Clone, Default)]
struct StoreRun {
    rows: Vec<Vec<u64>>,
    loads: Vec<LoadTiming>,
    /// the last row written by each load, read in its `load_done` cycle
    done_reads: Vec<Vec<u64>>,
    violations: Vec<String>,
    max_outstanding: usize,
    rready_stalls: u64,
    rd_bytes: u64,
    err: bool,
    busy_pulses_ok: bool,
}

struct StoreSetup {
    params: WbufParams,
    loads: Vec<Load>,
    /// per port: (address, u64s)
    mem: Vec<(u64, Vec<u64>)>,
    mem_bytes: usize,
    latency: u64,
    stall_permille: u32,
    read_rows: Vec<usize>,
}

fn run_store(s: StoreSetup) -> StoreRun {
    let p = s.params;
    let (np, bu, c) = (p.ports, p.beat_u64s, p.columns);
    let mut uut = WeightStore::new(&p);
    uut.connect_top_inputs();
    uut.connect_all();
    let out = Arc::new(Mutex::new(StoreRun::default()));
    let res = out.clone();
    let budget: u64 = s
        .loads
        .iter()
        .map(|l| 100 + 4 * s.latency + 6 * l.beats as u64)
        .sum::<u64>()
        + 2 * s.read_rows.len() as u64
        + 100;
    let mut sim = simple_sim!(WeightStore, clock, CLOCK_HZ, ep, {
        let mut x = ep.init()?;
        let mut slaves: Vec<AxiReadSlave> = (0..np)
            .map(|i| {
                let mut sl = AxiReadSlave::new(bu, s.latency, s.mem_bytes);
                for (a, w) in &s.mem {
                    sl.write_u64s(*a, w);
                }
                sl.stall_permille = s.stall_permille;
                // different gap patterns per port, so the lockstep merge really waits
                for _ in 0..i * 7 {
                    sl.cycle(None, false);
                }
                sl
            })
            .collect();
        let mut r = StoreRun {
            busy_pulses_ok: true,
            ..Default::default()
        };
        x.reset.next = true;
        wait_clock_cycles!(ep, clock, x, 2);
        x.reset.next = false;
        let mut cycle = 0u64;
        for l in &s.loads {
            let mut t = LoadTiming {
                start: cycle,
                ..Default::default()
            };
            x.load_start.next = true;
            x.load_base.next = (l.base as u64).into();
            x.load_u64s.next = (l.u64s as u64).into();
            x.load_beats.next = (l.beats as u64).into();
            for q in 0..np {
                x.load_addr[q].next = l.addr[q].into();
            }
            let mut first = true;
            loop {
                for (q, sl) in slaves.iter_mut().enumerate() {
                    let ar = x.arvalid[q].val().then(|| ArReq {
                        addr: x.araddr[q].val().to_u64(),
                        len: x.arlen[q].val().to_u64(),
                        size: x.arsize[q].val().to_u64(),
                        burst: x.arburst[q].val().to_u64(),
                    });
                    if ar.is_some() && t.first_ar.is_none() {
                        t.first_ar = Some(cycle - t.start);
                    }
                    let o = sl.cycle(ar, x.rready[q].val());
                    x.arready[q].next = o.arready;
                    match o.r {
                        Some(b) => {
                            if x.rready[q].val() && t.first_r.is_none() {
                                t.first_r = Some(cycle - t.start);
                            }
                            x.rvalid[q].next = true;
                            x.rlast[q].next = b.last;
                            x.rresp[q].next = b.resp.into();
                            for (i, w) in b.data.iter().enumerate() {
                                x.rdata[q * bu + i].next = (*w).into();
                            }
                        }
                        None => {
                            x.rvalid[q].next = false;
                            x.rlast[q].next = false;
                        }
                    }
                }
                if x.waiting.val() {
                    t.waiting += 1;
                }
                if !first && !x.load_busy.val() {
                    r.busy_pulses_ok = false; // busy must stay high until done
                }
                x.rd_en.next = false;
                if x.load_done.val() {
                    // read the load's last row in the done cycle: it must be complete
                    let last_row = l.base + (l.u64s.max(1) - 1) / c;
                    x.rd_en.next = true;
                    x.rd_addr.next = (last_row as u64).into();
                    t.done = cycle - t.start;
                }
                wait_clock_cycle!(ep, clock, x);
                x.load_start.next = false;
                cycle += 1;
                first = false;
                if t.done > 0 {
                    let extra = WBUF_LATENCY - 1; // 0 today
                    for _ in 0..extra {
                        wait_clock_cycle!(ep, clock, x);
                        cycle += 1;
                    }
                    r.done_reads
                        .push(x.rd_word.iter().map(|w| w.val().to_u64()).collect());
                    break;
                }
                sim_assert!(ep, cycle < budget, x);
            }
            sim_assert!(ep, !x.load_busy.val(), x);
            r.loads.push(t);
        }
        // read back
        let n = s.read_rows.len();
        for i in 0..n + WBUF_LATENCY {
            x.rd_en.next = i < n;
            if i < n {
                x.rd_addr.next = (s.read_rows[i] as u64).into();
            }
            wait_clock_cycle!(ep, clock, x);
            if i + 1 >= WBUF_LATENCY && i + 1 - WBUF_LATENCY < n {
                r.rows
                    .push(x.rd_word.iter().map(|w| w.val().to_u64()).collect());
            }
        }
        for sl in &slaves {
            r.violations.extend(sl.violations.iter().cloned());
            r.max_outstanding = r.max_outstanding.max(sl.max_outstanding);
            r.rready_stalls += sl.rready_stalls;
        }
        r.rd_bytes = x.rd_bytes.val().to_u64();
        r.err = x.err.val();
        *res.lock().unwrap() = r;
        ep.done(x)
    });
    sim.run(Box::new(uut), (budget + 20) * PS_PER_CYCLE)
        .unwrap();
    let g = out.lock().unwrap();
    g.clone()
}

/// The buffer after the loads, as the contract says: u64 `i` of a load → row `base + i / C`,
/// column `i mod C`; padding is never written.
fn model_buffer(p: &WbufParams, loads: &[(usize, Vec<u64>)]) -> Vec<Vec<u64>> {
    let mut buf = vec![vec![0u64; p.columns]; 4096];
    for (base, tile) in loads {
        for (i, &w) in tile.iter().enumerate() {
            buf[base + i / p.columns][i % p.columns] = w;
        }
    }
    buf
}

fn random_words(rng: &mut Rng, n: usize) -> Vec<u64> {
    (0..n).map(|_| rng.next_u64()).collect()
}

/// Loads, DDR contents (address, u64s) and the memory size.
type Staged = (Vec<Load>, Vec<(u64, Vec<u64>)>, usize);

/// Lay `tiles` (base row, u64s) out for the ports at distinct, deliberately unaligned DDR
/// addresses; return the loads and the memory contents.
fn stage(p: &WbufParams, cfg_like: &Config, tiles: &[(usize, Vec<u64>)]) -> Staged {
    let bb = 8 * p.beat_u64s as u64;
    let mut at = 0x0FC0u64 - 2 * bb; // two beats before a 4 KB boundary
    let mut loads = vec![];
    let mut mem = vec![];
    for (base, tile) in tiles {
        let regions = port_regions(cfg_like, tile);
        let beats = tile_beats(cfg_like, tile.len());
        let mut addr = vec![];
        for region in regions {
            addr.push(at);
            at += region.len() as u64 * 8 + 3 * bb; // a gap between regions
            mem.push((addr[addr.len() - 1], region));
        }
        loads.push(Load {
            base: *base,
            u64s: tile.len(),
            beats,
            addr,
        });
    }
    (loads, mem, (at as usize + 4096).next_multiple_of(4096))
}

/// A `Config` whose derived geometry (ports, beat, columns) matches `p` (for `port_regions`).
fn cfg_for(p: &WbufParams) -> Config {
    let mut cfg = tellme_config::preset("tiny").unwrap();
    cfg.accel.axi_ports = p.ports;
    cfg.accel.axi_data_bits = 64 * p.beat_u64s;
    cfg
}

fn check_store(p: WbufParams, tiles: Vec<(usize, Vec<u64>)>, latency: u64, stall: u32) -> StoreRun {
    let cfg = cfg_for(&p);
    let (loads, mem, mem_bytes) = stage(&p, &cfg, &tiles);
    let expect = model_buffer(&p, &tiles);
    // every row a load touches, plus the row after each
    let mut read_rows: Vec<usize> = tiles
        .iter()
        .flat_map(|(b, t)| *b..(b + t.len().div_ceil(p.columns) + 1).min(4096))
        .collect();
    read_rows.sort_unstable();
    read_rows.dedup();
    let run = run_store(StoreSetup {
        params: p,
        loads: loads.clone(),
        mem,
        mem_bytes,
        latency,
        stall_permille: stall,
        read_rows: read_rows.clone(),
    });
    assert!(run.violations.is_empty(), "{:?}", run.violations);
    assert!(!run.err);
    assert!(run.busy_pulses_ok, "load_busy fell before load_done");
    assert_eq!(run.rready_stalls, 0, "R was back-pressured");
    assert!(run.max_outstanding <= LOADER_MAX_BURSTS);
    for (row, got) in read_rows.iter().zip(&run.rows) {
        assert_eq!(got, &expect[*row], "row {row} ({p:?})");
    }
    // The row read in each load's done cycle is complete (the model after that load).
    for (k, (l, got)) in loads.iter().zip(&run.done_reads).enumerate() {
        let after = model_buffer(&p, &tiles[..=k]);
        let last = l.base + l.u64s.saturating_sub(1) / p.columns;
        assert_eq!(
            got, &after[last],
            "load {k}: row {last} read in the load_done cycle"
        );
    }
    let beats: usize = loads.iter().map(|l| l.beats).sum();
    assert_eq!(run.rd_bytes as usize, beats * p.slots() * 8);
    run
}

#[test]
fn loader_tiny_geometry_odd_tiles_and_padding_suppression() {
    // P = 2, BU = 1, C = 3 (the tiny preset): super-beats of 2 u64s rotate through columns.
    let cfg = tellme_config::preset("tiny").unwrap();
    let p = WbufParams::from_config(&cfg).unwrap();
    assert_eq!((p.ports, p.beat_u64s, p.columns), (2, 1, 3));
    let mut rng = Rng::new(5);
    let half = cfg.weight_bank_depth();
    let tiles = vec![
        (0, random_words(&mut rng, 3 * 11)), // 33 u64s: 17 beats/port, one padding slot
        (half, random_words(&mut rng, 3 * 7)), // bank 1, 21 u64s
        (0, random_words(&mut rng, 3 * 4)),  // shorter reload of bank 0: rows 4.. keep tile 0
        (half + 2, random_words(&mut rng, 3)), // one word, odd base
        (5, vec![]),                         // an empty load: done, nothing written
    ];
    let run = check_store(p, tiles, 12, 0);
    for (k, t) in run.loads.iter().enumerate() {
        eprintln!(
            "tiny load {k}: first AR +{:?}, first R +{:?}, done +{}, waiting {} cycles",
            t.first_ar, t.first_r, t.done, t.waiting
        );
    }
    assert_eq!(run.loads[0].first_ar, Some(LOADER_START_TO_AR as u64));
    assert_eq!(run.loads[0].done, ideal_load_cycles(17, 12));
    assert_eq!(run.loads[4].first_ar, None);
    assert_eq!(run.loads[4].done, ideal_load_cycles(0, 12));
}

#[test]
fn loader_random_geometries_with_stalls() {
    // Rotations where S does not divide C, several beats per port, random gaps on AR and R.
    let mut rng = Rng::new(9);
    for (ports, bu, cols) in [(3usize, 2usize, 7usize), (2, 2, 5), (1, 4, 4), (3, 1, 3)] {
        let p = WbufParams::new(cols, 256, ports, bu).unwrap();
        let n1 = cols * (5 + rng.below(9) as usize);
        let n2 = cols * (1 + rng.below(5) as usize);
        let tiles = vec![
            (0, random_words(&mut rng, n1)),
            (128, random_words(&mut rng, n2)),
            (0, random_words(&mut rng, n2)),
        ];
        check_store(p, tiles, 7 + rng.below(20), 200);
    }
}

#[test]
fn loader_packed_matrices_tiny_and_kv260_shapes() {
    // A packed TernaryMatrix, cut into tiles, dealt to the ports with image_port_regions, loaded
    // tile by tile into alternating banks and compared word by word with the image.
    let mut rng = Rng::new(21);
    for (preset, n_out, k_in, tile_rg, max_tiles) in [
        ("tiny", 200usize, 512usize, 8usize, 2usize), // RG 50, NB 22: 176-word tiles
        ("kv260-0.7b", 40, 250, 1, 2),                // RG 3, NB 3: 3-word tiles of 105 u64s
    ] {
        let cfg = tellme_config::preset(preset).unwrap();
        let p = WbufParams::from_config(&cfg).unwrap();
        let trits: Vec<i8> = (0..n_out * k_in)
            .map(|_| rng.range_i64(-1, 1) as i8)
            .collect();
        let w = TernaryMatrix::from_trits(n_out, k_in, &trits, 1.0);
        let image = pack(&cfg, &w);
        let blocks = cfg.tiling(k_in, n_out).blocks;
        let tile_words = tile_rg * blocks;
        assert!(tile_words <= cfg.weight_bank_depth());
        let img = image_port_regions(&cfg, &image, tile_words);
        let c = p.columns;
        let tiles: Vec<(usize, Vec<u64>)> = img
            .tiles
            .iter()
            .take(max_tiles)
            .enumerate()
            .map(|(k, t)| {
                let base = (k % 2) * cfg.weight_bank_depth();
                (
                    base,
                    image[t.first_word * c..(t.first_word + t.words) * c].to_vec(),
                )
            })
            .collect();
        // the per-tile regions of image_port_regions are what port_regions gives per tile
        for (k, t) in img.tiles.iter().take(max_tiles).enumerate() {
            let per_tile = port_regions(&cfg, &tiles[k].1);
            let off = t.beat_offset * p.beat_u64s;
            for (region, part) in img.ports.iter().zip(&per_tile) {
                assert_eq!(&region[off..off + part.len()], &part[..]);
            }
        }
        let run = check_store(p, tiles, 20, 0);
        eprintln!(
            "{preset}: {} tiles of {} words, done after {:?} cycles",
            run.loads.len(),
            tile_words,
            run.loads.iter().map(|l| l.done).collect::<Vec<_>>()
        );
    }
}
