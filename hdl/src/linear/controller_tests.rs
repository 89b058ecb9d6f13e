//! The controller in rust-hdl's simulator against a model of its surroundings: every op issued
//! exactly once and in order, tables built before they are read and never overwritten while in
//! use, weight tiles loaded before they are read and never overwritten while in use, with and
//! without overlap.

use super::controller::*;
use rust_hdl::prelude::*;
use std::collections::VecDeque;

const BUILD: usize = 14;
const ACT_LAT: usize = 2;
const LOAD_LATENCY: usize = 40;

#[derive(Clone, Copy)]
struct Job {
    tokens: usize,
    blocks: usize,
    tiles: usize,
    tile_rg: usize,
    last_tile_rg: usize,
    overlap: bool,
    /// Cycles between two tokens becoming ready.
    token_every: usize,
}

#[derive(Debug, PartialEq, Clone, Copy)]
struct Op {
    rg: u64,
    clear: bool,
    last: bool,
    tag: u64,
    addr: u64,
}

const HALF: usize = 64;

fn run(job: Job) {
    let period = |rg: usize| rg.max(BUILD + ACT_LAT + 1);
    let mut uut = Controller::new(
        2,
        ControllerTiming {
            act_latency: ACT_LAT,
            build_cycles: BUILD,
            drain_cycles: 6,
        },
        32,
        HALF,
        8,
    );
    uut.clock.connect();
    uut.reset.connect();
    uut.start.connect();
    uut.overlap.connect();
    for s in [
        &mut uut.tokens,
        &mut uut.blocks,
        &mut uut.tiles,
        &mut uut.tile_rg,
        &mut uut.last_tile_rg,
        &mut uut.period,
        &mut uut.last_period,
        &mut uut.tokens_ready,
        &mut uut.fifo_free,
    ] {
        s.connect();
    }
    uut.tile_beats.connect();
    for s in [
        &mut uut.tile_u64s,
        &mut uut.last_tile_u64s,
        &mut uut.last_tile_beats,
        &mut uut.tile_rows,
    ] {
        s.connect();
    }
    for a in &mut uut.w_addr {
        a.connect();
    }
    uut.load_done.connect();
    uut.quant_busy.connect();
    uut.writer_idle.connect();
    uut.connect_all();

    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<Controller>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<Controller>| {
        let mut x = sim.init()?;
        x.tokens.next = (job.tokens as u64).into();
        x.blocks.next = (job.blocks as u64).into();
        x.tiles.next = (job.tiles as u64).into();
        x.tile_rg.next = (job.tile_rg as u64).into();
        x.last_tile_rg.next = (job.last_tile_rg as u64).into();
        x.period.next = (period(job.tile_rg) as u64).into();
        x.last_period.next = (period(job.last_tile_rg) as u64).into();
        x.tile_u64s.next = 100.into();
        x.last_tile_u64s.next = 50.into();
        x.tile_beats.next = 7.into();
        x.last_tile_beats.next = 4.into();
        x.tile_rows.next = ((job.tile_rg * 4) as u64).into();
        x.w_addr[0].next = 0x1000.into();
        x.w_addr[1].next = 0x9000.into();
        x.overlap.next = job.overlap;
        x.fifo_free.next = 1000.into();
        x.writer_idle.next = true;
        x.quant_busy.next = false;
        x.tokens_ready.next = 0.into();
        x.start.next = false;
        x.reset.next = true;
        x = sim.wait(20, x)?;
        x.reset.next = false;
        x.start.next = true;
        x = sim.watch(|x| !x.clock.val().clk, x)?;
        x = sim.watch(|x| x.clock.val().clk, x)?;
        x.start.next = false;

        let mut ops = Vec::new();
        // (bank → (step, cycle of tb_start, act row)) for the tables.
        let mut tables: [Option<(usize, usize, u64)>; 2] = [None, None];
        let mut pending_row: VecDeque<u64> = VecDeque::new();
        let mut builds = 0usize;
        // Loads: (tile, start cycle, done cycle).
        let mut loads: Vec<(usize, usize, Option<usize>)> = Vec::new();
        let mut load_timer: Option<usize> = None;
        let mut op_cycles: Vec<(usize, usize)> = Vec::new(); // (tile, cycle)
        let steps_per_tile = job.tokens * job.blocks;
        let trg = |tile: usize| {
            if tile + 1 == job.tiles {
                job.last_tile_rg
            } else {
                job.tile_rg
            }
        };
        let mut step_of_op = 0usize; // index of the current step by counting op groups
        let mut ops_in_step = 0usize;
        for cycle in 0..200_000usize {
            let ready = (cycle / job.token_every).min(job.tokens);
            x.tokens_ready.next = (ready as u64).into();
            x.load_done.next = false;
            if let Some(t) = load_timer {
                if t == 0 {
                    x.load_done.next = true;
                    load_timer = None;
                    loads.last_mut().unwrap().2 = Some(cycle);
                } else {
                    load_timer = Some(t - 1);
                }
            }
            if x.load_start.val() {
                sim_assert!(sim, load_timer.is_none(), x);
                let tile = loads.len();
                let base: u64 = x.load_base.val().into();
                let want_base = if tile % 2 == 1 { HALF as u64 } else { 0 };
                sim_assert_eq!(sim, base, want_base, x);
                let a0: u64 = x.load_addr[0].val().into();
                sim_assert_eq!(sim, a0, 0x1000 + (tile as u64) * 7 * 8, x);
                let beats: u64 = x.load_beats.val().into();
                sim_assert_eq!(sim, beats, if tile + 1 == job.tiles { 4 } else { 7 }, x);
                // The bank must be free: every op of tile − 2 (overlap) / tile − 1 issued.
                let prior = if job.overlap {
                    tile.checked_sub(2)
                } else {
                    tile.checked_sub(1)
                };
                if let Some(p) = prior {
                    let issued = op_cycles.iter().filter(|(t, _)| *t == p).count();
                    sim_assert_eq!(sim, issued, trg(p) * steps_per_tile, x);
                }
                loads.push((tile, cycle, None));
                load_timer = Some(LOAD_LATENCY);
            }
            if x.act_rd_en.val() {
                pending_row.push_back(x.act_rd_row.val().into());
            }
            if x.tb_start.val() {
                let bank = x.tb_bank.val() as usize;
                let row = pending_row.pop_front().unwrap_or(u64::MAX);
                tables[bank] = Some((builds, cycle, row));
                builds += 1;
            }
            if x.op_valid.val() {
                let tile = step_of_op / steps_per_tile;
                let within = step_of_op % steps_per_tile;
                let (t, b) = (within / job.blocks, within % job.blocks);
                let bank = x.op_bank.val() as usize;
                // The tables read were built for this very step, far enough back.
                let (built_for, at, row) = tables[bank].unwrap();
                sim_assert_eq!(sim, built_for, step_of_op, x);
                sim_assert!(sim, cycle > at + BUILD, x);
                sim_assert_eq!(sim, row, (t * job.blocks + b) as u64, x);
                // The tile is loaded.
                let loaded = loads.get(tile).and_then(|l| l.2).is_some_and(|d| d < cycle);
                sim_assert!(sim, loaded, x);
                ops.push(Op {
                    rg: x.op_rg.val().into(),
                    clear: x.op_clear.val(),
                    last: x.op_last.val(),
                    tag: x.op_tag.val().into(),
                    addr: x.wb_rd_addr.val().into(),
                });
                op_cycles.push((tile, cycle));
                ops_in_step += 1;
                if ops_in_step == trg(tile) {
                    ops_in_step = 0;
                    step_of_op += 1;
                }
            }
            if x.done.val() {
                break;
            }
            x = sim.watch(|x| !x.clock.val().clk, x)?;
            x = sim.watch(|x| x.clock.val().clk, x)?;
        }
        sim_assert!(sim, x.done.val() && !x.params_err.val(), x);
        // Every op, in order.
        let mut want = Vec::new();
        for tile in 0..job.tiles {
            let base = if tile % 2 == 1 { HALF } else { 0 };
            for t in 0..job.tokens {
                for b in 0..job.blocks {
                    for rg in 0..trg(tile) {
                        want.push(Op {
                            rg: rg as u64,
                            clear: b == 0,
                            last: b + 1 == job.blocks,
                            tag: t as u64,
                            addr: (base + rg * job.blocks + b) as u64,
                        });
                    }
                }
            }
        }
        sim_assert_eq!(sim, ops.len(), want.len(), x);
        sim_assert!(sim, ops == want, x);
        sim_assert_eq!(sim, loads.len(), job.tiles, x);
        let lookups: u64 = x.lookups.val().into();
        sim_assert_eq!(sim, lookups, 32 * want.len() as u64, x);
        sim.done(x)
    });
    sim.run(Box::new(uut), 50_000_000).unwrap();
}

#[test]
fn schedules_every_op_once_with_overlap() {
    run(Job {
        tokens: 2,
        blocks: 3,
        tiles: 3,
        tile_rg: 20,
        last_tile_rg: 7,
        overlap: true,
        token_every: 15,
    });
}

#[test]
fn schedules_every_op_once_without_overlap() {
    run(Job {
        tokens: 3,
        blocks: 2,
        tiles: 2,
        tile_rg: 5,
        last_tile_rg: 5,
        overlap: false,
        token_every: 200,
    });
}

#[test]
fn a_single_step_job() {
    run(Job {
        tokens: 1,
        blocks: 1,
        tiles: 1,
        tile_rg: 1,
        last_tile_rg: 1,
        overlap: true,
        token_every: 1,
    });
}
