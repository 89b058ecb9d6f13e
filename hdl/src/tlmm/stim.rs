//! The engine's golden model as a testbench: a controller-like schedule of table builds and
//! lookups for one BitLinear (`tokens × k_in` int8 activations, an `n_out × k_in` ternary
//! matrix packed with `model::pack`), the per-cycle inputs it implies, and the outputs the
//! engine must produce — sums from `tellme_model::tlmm`, at the cycle `out_latency` says.
//!
//! Used by the rust-hdl unit tests and by the Verilator tests (`hdl/tests/tlmm_verilator.rs`).
use crate::tlmm::{out_latency, BUILD_CYCLES, PERIOD_MIN, RG_BITS, TAG_BITS, WBUF_LATENCY};
use tellme_config::Config;
use tellme_model::rng::Rng;
use tellme_model::{pack, ternary, tlmm, TernaryMatrix};

/// The engine's inputs in one cycle.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inputs {
    pub reset: bool,
    pub tb_start: bool,
    pub tb_bank: bool,
    pub tb_act: Vec<i8>,
    pub op_valid: bool,
    pub op_bank: bool,
    pub op_rg: u16,
    pub op_clear: bool,
    pub op_last: bool,
    pub op_tag: u16,
    pub w_word: Vec<u64>,
}

/// One `out_valid` cycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    pub cycle: usize,
    pub rg: u16,
    pub tag: u16,
    pub acc: Vec<i32>,
}

/// One BitLinear's data.
#[derive(Clone, Debug)]
pub struct Problem {
    pub tokens: usize,
    pub k_in: usize,
    pub n_out: usize,
    /// `tokens × k_in`, row-major.
    pub q: Vec<i8>,
    pub w: TernaryMatrix,
}

impl Problem {
    /// Random int8 activations (a third of them −128, 127 or 0) and random index codes (every
    /// code three trits produce, and the harmless −0).
    pub fn random(rng: &mut Rng, tokens: usize, k_in: usize, n_out: usize) -> Problem {
        let q = (0..tokens * k_in)
            .map(|_| match rng.below(9) {
                0 => -128,
                1 => 127,
                2 => 0,
                _ => rng.range_i64(-128, 127) as i8,
            })
            .collect();
        let groups = k_in.div_ceil(3);
        let idx = (0..n_out * groups)
            .map(|_| loop {
                let c = rng.below(32) as u8;
                if ternary::is_valid(c) {
                    break c;
                }
            })
            .collect();
        Problem {
            tokens,
            k_in,
            n_out,
            q,
            w: TernaryMatrix {
                n_out,
                k_in,
                idx,
                scale: 1.0,
            },
        }
    }

    /// The golden sums, `tokens × n_out` (`tellme_model::tlmm`).
    pub fn golden(&self) -> Vec<i32> {
        tlmm::matmul(
            &self.w,
            &tlmm::Tables::build(&self.q, self.k_in, self.tokens),
        )
    }

    /// The `3·tables` activations of block `b` of token `t` (zero past `k_in`).
    pub fn block_acts(&self, tables: usize, t: usize, b: usize) -> Vec<i8> {
        (0..3 * tables)
            .map(|i| {
                let k = 3 * tables * b + i;
                if k < self.k_in {
                    self.q[t * self.k_in + k]
                } else {
                    0
                }
            })
            .collect()
    }
}

/// How the controller-like schedule issues work.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Row groups per tile (≤ `accel.acc_depth`).
    pub trg: usize,
    /// Cycles per step (≥ `max(trg, BUILD_CYCLES, PERIOD_MIN)`).
    pub period: usize,
    /// Up to this many idle cycles between steps (random).
    pub max_gap: usize,
    /// Idle cycles between a step's ops (random, within the period).
    pub spread: bool,
    /// Random values on every input that is not being used (instead of zeros).
    pub garbage: bool,
    /// `op_tag` = `tag_base + token`.
    pub tag_base: u16,
}

impl Plan {
    /// The controller's own schedule: period `max(trg, BUILD_CYCLES, PERIOD_MIN)`, no gaps.
    pub fn tight(trg: usize) -> Plan {
        Plan {
            trg,
            period: trg.max(BUILD_CYCLES).max(PERIOD_MIN),
            max_gap: 0,
            spread: false,
            garbage: true,
            tag_base: 0,
        }
    }
}

/// Per-cycle inputs and the expected outputs.
#[derive(Clone, Debug)]
pub struct Stimulus {
    pub cycles: Vec<Inputs>,
    pub expected: Vec<Output>,
    /// Lookup ops issued.
    pub ops: usize,
}

/// Cycles of reset at the start of every stimulus.
pub const RESET_CYCLES: usize = 2;

/// Build the stimulus: steps `(tile, token, block)` in that nesting, step `s` reading bank
/// `s mod 2` while the tables of step `s + 1` are built into the other bank (its `tb_start`
/// in the step's first cycle); the weight word of an op arrives `WBUF_LATENCY` cycles after
/// it, as from the weight buffer.
pub fn stimulus(cfg: &Config, prob: &Problem, plan: &Plan, rng: &mut Rng) -> Stimulus {
    let (tb, lanes, cols) = (cfg.accel.tables, cfg.accel.lanes, cfg.weight_word_u64s());
    assert!(plan.trg >= 1 && plan.trg <= cfg.accel.acc_depth);
    assert!(plan.period >= plan.trg.max(BUILD_CYCLES).max(PERIOD_MIN));
    assert!(plan.tag_base as usize + prob.tokens <= 1 << TAG_BITS);
    let lay = pack::ImageLayout::new(cfg, prob.n_out, prob.k_in);
    let image = pack::pack(cfg, &prob.w);
    let (nb, rgs) = (lay.blocks, lay.row_groups);
    let tiles = rgs.div_ceil(plan.trg);
    let y = prob.golden();
    let lat = out_latency(tb);

    let mut steps = vec![];
    for k in 0..tiles {
        for t in 0..prob.tokens {
            for b in 0..nb {
                steps.push((k, t, b));
            }
        }
    }
    let filler = |rng: &mut Rng| {
        if plan.garbage {
            Inputs {
                reset: false,
                tb_start: false,
                tb_bank: rng.below(2) == 1,
                tb_act: (0..3 * tb).map(|_| rng.next_u32() as i8).collect(),
                op_valid: false,
                op_bank: rng.below(2) == 1,
                op_rg: rng.below(1 << RG_BITS) as u16,
                op_clear: rng.below(2) == 1,
                op_last: rng.below(2) == 1,
                op_tag: rng.below(1 << TAG_BITS) as u16,
                w_word: (0..cols).map(|_| rng.next_u64()).collect(),
            }
        } else {
            Inputs {
                tb_act: vec![0; 3 * tb],
                w_word: vec![0; cols],
                ..Inputs::default()
            }
        }
    };
    let mut cyc: Vec<Inputs> = vec![];
    let upto = |cyc: &mut Vec<Inputs>, c: usize, rng: &mut Rng| {
        while cyc.len() <= c {
            cyc.push(filler(rng));
        }
    };
    upto(&mut cyc, RESET_CYCLES - 1, rng);
    for c in cyc.iter_mut() {
        c.reset = true;
        c.tb_start = false;
        c.op_valid = false;
    }
    let gap = |rng: &mut Rng| rng.below(plan.max_gap as u64 + 1) as usize;
    let build = |cyc: &mut Vec<Inputs>, p: usize, s: usize| {
        let (_, t, b) = steps[s];
        cyc[p].tb_start = true;
        cyc[p].tb_bank = s % 2 == 1;
        cyc[p].tb_act = prob.block_acts(tb, t, b);
    };
    let p0 = RESET_CYCLES + gap(rng);
    upto(&mut cyc, p0, rng);
    build(&mut cyc, p0, 0);
    let mut start = p0 + BUILD_CYCLES + gap(rng);
    let mut expected = vec![];
    let mut ops = 0;
    let mut last_issue = start;
    for s in 0..steps.len() {
        let (k, t, b) = steps[s];
        let trg_k = plan.trg.min(rgs - k * plan.trg);
        upto(&mut cyc, start, rng);
        if s + 1 < steps.len() {
            build(&mut cyc, start, s + 1);
        }
        // Offsets i + e_i, e non-decreasing, within the period and keeping the same row
        // PERIOD_MIN apart from its op in the next step.
        let max_extra = if plan.spread {
            (plan.period - trg_k).min(plan.period - PERIOD_MIN)
        } else {
            0
        };
        let mut extra = 0;
        for i in 0..trg_k {
            if max_extra > extra && rng.below(3) == 0 {
                extra += 1 + rng.below((max_extra - extra) as u64) as usize / 2;
            }
            let c = start + i + extra;
            upto(&mut cyc, c + WBUF_LATENCY, rng);
            let tag = plan.tag_base + t as u16;
            let last = b == nb - 1;
            let x = &mut cyc[c];
            x.op_valid = true;
            x.op_bank = s % 2 == 1;
            x.op_rg = i as u16;
            x.op_clear = b == 0;
            x.op_last = last;
            x.op_tag = tag;
            let rg = k * plan.trg + i;
            let word = (rg * nb + b) * cols;
            cyc[c + WBUF_LATENCY].w_word = image[word..word + cols].to_vec();
            ops += 1;
            last_issue = c;
            if last {
                let acc = (0..lanes)
                    .map(|l| {
                        let r = rg * lanes + l;
                        if r < prob.n_out {
                            y[t * prob.n_out + r]
                        } else {
                            0
                        }
                    })
                    .collect();
                expected.push(Output {
                    cycle: c + lat,
                    rg: i as u16,
                    tag,
                    acc,
                });
            }
        }
        start += plan.period + gap(rng);
    }
    upto(&mut cyc, last_issue + lat + 3, rng);
    Stimulus {
        cycles: cyc,
        expected,
        ops,
    }
}

/// Check the rules the controller keeps (ARCHITECTURE.md): builds `BUILD_CYCLES` apart, a
/// bank not read by ops issued during its build, the same row `PERIOD_MIN` apart, rows below
/// `acc_depth`.
pub fn check_rules(cfg: &Config, cycles: &[Inputs]) -> Result<(), String> {
    let mut builds: Vec<(usize, bool)> = vec![];
    let mut last_rg = vec![None::<usize>; cfg.accel.acc_depth];
    for (c, x) in cycles.iter().enumerate() {
        if x.reset {
            continue;
        }
        if x.tb_start {
            if let Some(&(p, _)) = builds.last() {
                if c - p < BUILD_CYCLES {
                    return Err(format!("builds at cycles {p} and {c}"));
                }
            }
            builds.push((c, x.tb_bank));
        }
        if x.op_valid {
            for &(p, bank) in &builds {
                if bank == x.op_bank && p <= c && c < p + BUILD_CYCLES {
                    return Err(format!("op at cycle {c} reads bank {bank} built from {p}"));
                }
            }
            let rg = x.op_rg as usize;
            if rg >= cfg.accel.acc_depth {
                return Err(format!("op at cycle {c}: row {rg} ≥ acc_depth"));
            }
            if let Some(p) = last_rg[rg] {
                if c - p < PERIOD_MIN {
                    return Err(format!("row {rg} issued at cycles {p} and {c}"));
                }
            }
            last_rg[rg] = Some(c);
        }
    }
    Ok(())
}

/// Compare the engine's outputs with the expected ones; the first difference as one line.
pub fn compare(expected: &[Output], got: &[Output]) -> Result<(), String> {
    for (i, (e, g)) in expected.iter().zip(got).enumerate() {
        if e != g {
            return Err(format!("output {i}: expected {e:?}, got {g:?}"));
        }
    }
    if expected.len() != got.len() {
        return Err(format!(
            "expected {} outputs, got {} (first extra: {:?})",
            expected.len(),
            got.len(),
            expected.get(got.len()).or(got.get(expected.len()))
        ));
    }
    Ok(())
}
