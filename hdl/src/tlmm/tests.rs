//! rust-hdl simulator tests of the engine against the golden model (small configurations:
//! that simulator runs ~10k cycles/s).
use super::stim::{check_rules, compare, stimulus, Output, Plan, Problem, Stimulus};
use super::*;
use rust_hdl::prelude::*;
use std::sync::{Arc, Mutex};
use tellme_model::rng::Rng;

/// A small engine configuration (not validated: only the engine's fields matter here).
fn small(tables: usize, lanes: usize, acc_depth: usize) -> Config {
    let mut cfg = tellme_config::preset("tiny").unwrap();
    cfg.accel.tables = tables;
    cfg.accel.lanes = lanes;
    cfg.accel.acc_depth = acc_depth;
    cfg
}

/// Run the stimulus through rust-hdl's simulator; outputs are sampled in each cycle before
/// its clock edge.
fn run(cfg: &Config, stim: &Stimulus) -> Vec<Output> {
    let uut = Engine::new_top(cfg);
    let cycles = stim.cycles.clone();
    let n = cycles.len() as u64;
    let got = Arc::new(Mutex::new(vec![]));
    let sink = got.clone();
    let mut sim = simple_sim!(Engine, clock, 100_000_000, ep, {
        let mut x = ep.init()?;
        for (c, i) in cycles.iter().enumerate() {
            if x.out_valid.val() {
                sink.lock().unwrap().push(Output {
                    cycle: c,
                    rg: x.out_rg.val().index() as u16,
                    tag: x.out_tag.val().index() as u16,
                    acc: x
                        .out_acc
                        .iter()
                        .map(|a| ((a.val().inner().to_u32() << 8) as i32) >> 8)
                        .collect(),
                });
            }
            x.reset.next = i.reset;
            x.tb_start.next = i.tb_start;
            x.tb_bank.next = i.tb_bank;
            for (s, &a) in x.tb_act.iter_mut().zip(&i.tb_act) {
                s.next = (a as u8 as u64).into();
            }
            x.op_valid.next = i.op_valid;
            x.op_bank.next = i.op_bank;
            x.op_rg.next = (i.op_rg as u64).into();
            x.op_clear.next = i.op_clear;
            x.op_last.next = i.op_last;
            x.op_tag.next = (i.op_tag as u64).into();
            for (s, &w) in x.w_word.iter_mut().zip(&i.w_word) {
                s.next = w.into();
            }
            wait_clock_cycle!(ep, clock, x);
        }
        ep.done(x)
    });
    sim.run(Box::new(uut), (n + 4) * 10_000).unwrap();
    let v = got.lock().unwrap().clone();
    v
}

/// One random problem shaped to give `blocks` blocks (the last one partial) and `rgs` row
/// groups (the last one partial) on `cfg`.
fn problem(cfg: &Config, rng: &mut Rng, tokens: usize, blocks: usize, rgs: usize) -> Problem {
    let (tb, l) = (cfg.accel.tables, cfg.accel.lanes);
    let k_in = (3 * tb * blocks).saturating_sub(1 + rng.below(3 * tb as u64 - 1) as usize);
    let n_out = (l * rgs)
        .saturating_sub(rng.below(l as u64) as usize)
        .max(1);
    let p = Problem::random(rng, tokens, k_in.max(1), n_out);
    assert_eq!(cfg.tiling(p.k_in, p.n_out).blocks, blocks);
    p
}

fn check(cfg: &Config, prob: &Problem, plan: &Plan, seed: u64) -> Stimulus {
    let stim = stimulus(cfg, prob, plan, &mut Rng::new(seed));
    check_rules(cfg, &stim.cycles).unwrap();
    let got = run(cfg, &stim);
    if let Err(e) = compare(&stim.expected, &got) {
        panic!(
            "TB={} L={} acc_depth={} {plan:?}: {e}",
            cfg.accel.tables, cfg.accel.lanes, cfg.accel.acc_depth
        );
    }
    assert!(!stim.expected.is_empty());
    println!(
        "TB={} L={} depth={} trg={}: {} cycles, {} ops, {} outputs match",
        cfg.accel.tables,
        cfg.accel.lanes,
        cfg.accel.acc_depth,
        plan.trg,
        stim.cycles.len(),
        stim.ops,
        got.len()
    );
    stim
}

#[test]
fn tree_depth_and_latency() {
    assert_eq!(tree_depth(1), 1);
    assert_eq!(tree_depth(2), 1);
    assert_eq!(tree_depth(5), 3);
    assert_eq!(tree_depth(28), 5);
    assert_eq!(tree_depth(128), 7);
    assert_eq!(out_latency(28), WBUF_LATENCY + 7);
}

#[test]
fn engine_matches_golden_on_small_configs() {
    let mut rng = Rng::new(0x7e11);
    // (tables, lanes, acc_depth): odd tree shapes, indices straddling u64 columns (5·TB·L
    // not a multiple of 64), non-power-of-two accumulator depths.
    for (tb, l, depth) in [(4, 2, 4), (5, 3, 6), (8, 4, 16), (7, 2, 3), (1, 1, 2)] {
        let cfg = small(tb, l, depth);
        let prob = problem(&cfg, &mut rng, 2, 3, depth + 2);
        check(&cfg, &prob, &Plan::tight(depth), rng.next_u64());
    }
}

#[test]
fn engine_matches_golden_on_random_configs_and_schedules() {
    let mut rng = Rng::new(2026);
    for _ in 0..12 {
        let tb = 1 + rng.below(9) as usize;
        let l = 1 + rng.below(4) as usize;
        let depth = 1 + rng.below(6) as usize;
        let cfg = small(tb, l, depth);
        let (tokens, blocks, rgs) = (
            1 + rng.below(3) as usize,
            1 + rng.below(3) as usize,
            1 + rng.below(2 * depth as u64 + 1) as usize,
        );
        let prob = problem(&cfg, &mut rng, tokens, blocks, rgs);
        let trg = 1 + rng.below(depth as u64) as usize;
        let plan = Plan {
            trg,
            period: trg.max(BUILD_CYCLES) + rng.below(3) as usize,
            max_gap: rng.below(3) as usize,
            spread: rng.below(2) == 1,
            garbage: rng.below(4) != 0,
            tag_base: rng.below(4000) as u16,
        };
        check(&cfg, &prob, &plan, rng.next_u64());
    }
}

#[test]
fn engine_matches_golden_with_gaps_spread_ops_and_long_periods() {
    let mut rng = Rng::new(99);
    let cfg = small(6, 3, 5);
    for trg in [1, 2, 5] {
        let prob = problem(&cfg, &mut rng, 3, 2, 7);
        let plan = Plan {
            trg,
            period: 14 + rng.below(4) as usize,
            max_gap: 3,
            spread: true,
            garbage: true,
            tag_base: 4090,
        };
        check(&cfg, &prob, &plan, rng.next_u64());
    }
    // More row groups than table-build cycles: the period is the tile height.
    let cfg = small(4, 2, 17);
    let prob = problem(&cfg, &mut rng, 2, 2, 20);
    check(&cfg, &prob, &Plan::tight(17), 5);
}

#[test]
fn single_block_rows_clear_and_emit_in_one_op() {
    let cfg = small(8, 4, 16);
    let mut rng = Rng::new(3);
    let prob = problem(&cfg, &mut rng, 3, 1, 3);
    let stim = check(&cfg, &prob, &Plan::tight(3), 11);
    assert_eq!(stim.expected.len(), 3 * 3);
}

#[test]
fn extreme_activations_and_weights() {
    // Every activation −128 or 127, every weight code of magnitude 13 (±(a+b+c)): the widest
    // table entries (±384) and sums.
    let cfg = small(5, 2, 2);
    let mut rng = Rng::new(8);
    for (a, code) in [(-128i8, 13u8), (-128, 13 | 16), (127, 13), (127, 29)] {
        let mut prob = problem(&cfg, &mut rng, 1, 2, 2);
        prob.q.iter_mut().for_each(|q| *q = a);
        prob.w.idx.iter_mut().for_each(|i| *i = code);
        check(&cfg, &prob, &Plan::tight(2), 1);
    }
}

#[test]
fn the_comparison_catches_a_wrong_word_and_a_misaligned_buffer() {
    let cfg = small(4, 2, 3);
    let mut rng = Rng::new(21);
    let prob = problem(&cfg, &mut rng, 1, 2, 3);
    let stim = check(&cfg, &prob, &Plan::tight(3), 2);
    // One index bit of one weight word flipped.
    let mut bad = stim.clone();
    let c = bad.cycles.iter().position(|x| x.op_valid).unwrap() + WBUF_LATENCY;
    bad.cycles[c].w_word[0] ^= 1 << 2;
    assert!(compare(&bad.expected, &run(&cfg, &bad)).is_err());
    // Words arriving one cycle late.
    let mut late = stim.clone();
    let words: Vec<Vec<u64>> = late.cycles.iter().map(|x| x.w_word.clone()).collect();
    for (c, x) in late.cycles.iter_mut().enumerate().skip(1) {
        x.w_word = words[c - 1].clone();
    }
    assert!(compare(&late.expected, &run(&cfg, &late)).is_err());
    // An op issued while its bank is being built is caught by the rule check.
    let mut early = stim;
    let p = early.cycles.iter().rposition(|x| x.tb_start).unwrap();
    early.cycles[p + 1].op_valid = true;
    early.cycles[p + 1].op_bank = early.cycles[p].tb_bank;
    early.cycles[p + 1].op_rg = 0;
    assert!(check_rules(&cfg, &early.cycles).is_err());
}
