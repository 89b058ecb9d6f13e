//! The Quantizer against `tellme_model::quant` (rows of int8, `dq`, `m`), bit for bit, through
//! its read-request interface ([`CmdReadModel`]) and, in one test, through the AXI4
//! [`ReadMaster`] and its AXI read-slave model. The rust-hdl runs are replayed on the Verilog.
mod common;

use common::check_replay;
use rust_hdl::prelude::*;
use std::sync::{Arc, Mutex};
use tellme_config::Config;
use tellme_hdl::axi::slave_model::{ArReq, AxiReadSlave};
use tellme_hdl::axi::ReadMaster;
use tellme_hdl::quant::tb::{CmdReadModel, Recorder, XorShift};
use tellme_hdl::quant::{QuantGeom, Quantizer};
use tellme_model::quant::{dequant_multiplier, quantize};

/// One job: tokens of `k` values each, laid out as the planner does (zeros up to KP, then
/// garbage up to the stride, so the masking is exercised).
struct Job {
    k: usize,
    blocks: usize,
    kp: usize,
    x_beats: usize,
    x_addr: u64,
    x_stride: u64,
    ws: u32,
    tokens: Vec<Vec<i32>>,
}

impl Job {
    fn new(cfg: &Config, tokens: Vec<Vec<i32>>, ws: u32, x_addr: u64) -> Job {
        let g = QuantGeom::new(cfg).unwrap();
        let k = tokens[0].len();
        let blocks = cfg.tiling(k, 1).blocks;
        let kp = blocks * g.rb;
        let x_beats = (kp * 4).div_ceil(g.beat_bytes());
        let x_stride = (x_beats * g.beat_bytes()) as u64 + 64;
        Job {
            k,
            blocks,
            kp,
            x_beats,
            x_addr,
            x_stride,
            ws,
            tokens,
        }
    }

    fn memory(&self) -> Vec<u8> {
        let mut mem =
            vec![0u8; (self.x_addr + self.x_stride * (self.tokens.len() as u64 + 1)) as usize];
        let mut r = XorShift(0xABCD);
        for b in mem.iter_mut() {
            *b = r.next_u64() as u8;
        }
        for (t, x) in self.tokens.iter().enumerate() {
            let base = (self.x_addr + t as u64 * self.x_stride) as usize;
            for i in 0..self.kp {
                let v = if i < self.k { x[i] } else { 0 };
                mem[base + 4 * i..base + 4 * i + 4].copy_from_slice(&v.to_le_bytes());
            }
        }
        mem
    }

    /// The act-buffer rows and the (m, dq) per token the golden model gives.
    fn expected(&self, rb: usize) -> (Vec<Vec<u8>>, Vec<(u32, u64)>) {
        let mut rows = vec![];
        let mut dqs = vec![];
        for x in &self.tokens {
            let mut xp = x.clone();
            xp.resize(self.kp, 0);
            let mut q = vec![0i8; self.kp];
            let m = quantize(&xp, &mut q);
            for b in 0..self.blocks {
                rows.push(q[b * rb..(b + 1) * rb].iter().map(|&v| v as u8).collect());
            }
            dqs.push((m, dequant_multiplier(m, self.ws)));
        }
        (rows, dqs)
    }
}

#[derive(Default, Debug)]
struct Seen {
    rows: Vec<(usize, Vec<u8>)>,
    dqs: Vec<(usize, u64, u32)>,
    ready: Vec<u64>,
    err: bool,
    cycles: u64,
    rd_bytes: u64,
    cmds: Vec<(u64, u64, u64)>,
}

/// Overrides of (tokens, blocks, x_beats).
type Params = (u64, u64, u64);
/// (memory, x_addr, x_stride, x_beats, tokens, blocks, real tokens, ws).
type Prepared = (Vec<u8>, u64, u64, u64, u64, u64, u64, u32);

fn new_quantizer(cfg: &Config) -> Quantizer {
    let mut uut = Quantizer::new(cfg);
    uut.connect_inputs();
    uut.connect_all();
    uut
}

/// Run jobs through the Quantizer with the command-interface model; return what it wrote.
/// `params` overrides (tokens, blocks, x_beats) to provoke parameter errors.
fn run_cmd(
    cfg: &Config,
    jobs: &[(Job, Option<Params>)],
    latency: u64,
    stall: u32,
    replay_it: bool,
) -> Vec<Seen> {
    let g = QuantGeom::new(cfg).unwrap();
    let uut = new_quantizer(cfg);
    let verilog = if replay_it {
        generate_verilog(&uut)
    } else {
        String::new()
    };
    let rec = Arc::new(Mutex::new(Recorder::new()));
    let rec2 = rec.clone();
    let out = Arc::new(Mutex::new(vec![]));
    let out2 = out.clone();
    let jobs2: Vec<Prepared> = jobs
        .iter()
        .map(|(j, o)| {
            let (t, b, xb) =
                o.unwrap_or((j.tokens.len() as u64, j.blocks as u64, j.x_beats as u64));
            (
                j.memory(),
                j.x_addr,
                j.x_stride,
                xb,
                t,
                b,
                j.tokens.len() as u64,
                j.ws,
            )
        })
        .collect();
    let bu = g.bu;
    let rb = g.rb;
    let mut sim = simple_sim!(Quantizer, clock, 100_000_000, ep, {
        let mut x = ep.init()?;
        let sample = |x: &Quantizer| {
            if replay_it {
                rec2.lock().unwrap().sample(x);
            }
        };
        x.reset.next = true;
        wait_clock_cycle!(ep, clock, x);
        sample(&x);
        x.reset.next = false;
        for (mem, x_addr, x_stride, x_beats, tokens, blocks, _, ws) in jobs2.iter().cloned() {
            let mut model = CmdReadModel::new(bu, latency, mem);
            model.stall_permille = stall;
            let mut seen = Seen::default();
            x.start.next = true;
            x.x_addr.next = x_addr.into();
            x.x_stride.next = x_stride.into();
            x.x_beats.next = x_beats.into();
            x.tokens.next = tokens.into();
            x.blocks.next = blocks.into();
            x.ws.next = (ws as u64).into();
            wait_clock_cycle!(ep, clock, x);
            sample(&x);
            x.start.next = false;
            // Parameters are latched: scramble them.
            x.x_addr.next = 0u64.into();
            x.x_beats.next = 1u64.into();
            x.tokens.next = 3u64.into();
            x.blocks.next = 1u64.into();
            x.ws.next = 7u64.into();
            sim_assert!(ep, x.busy.val(), x);
            let mut last_ready = 0;
            let mut cycles = 0u64;
            while x.busy.val() {
                let cmd = if x.rd_cmd_valid.val() {
                    Some((x.rd_cmd_addr.val().to_u64(), x.rd_cmd_beats.val().to_u64()))
                } else {
                    None
                };
                let o = model.cycle(cmd, x.rd_ready.val());
                x.rd_cmd_ready.next = o.cmd_ready;
                x.rd_valid.next = o.beat.is_some();
                let words = o.beat.unwrap_or_else(|| vec![0xA5A5_5A5A_0F0F_F0F0; bu]);
                for (i, &w) in words.iter().enumerate() {
                    x.rd_data[i].next = w.into();
                }
                if x.act_we.val() {
                    let row = (0..rb)
                        .map(|p| x.act_wdata[p].val().to_u64() as u8)
                        .collect();
                    seen.rows.push((x.act_row.val().to_u64() as usize, row));
                }
                if x.dq_we.val() {
                    seen.dqs.push((
                        x.dq_tag.val().to_u64() as usize,
                        x.dq_value.val().to_u64(),
                        x.m_value.val().to_u64() as u32,
                    ));
                }
                let r = x.tokens_ready.val().to_u64();
                if r != last_ready {
                    seen.ready.push(r);
                    last_ready = r;
                }
                wait_clock_cycle!(ep, clock, x);
                sample(&x);
                cycles += 1;
                sim_assert!(ep, cycles < 200_000, x);
            }
            x.rd_valid.next = false;
            let r = x.tokens_ready.val().to_u64();
            if r != last_ready {
                seen.ready.push(r);
            }
            seen.err = x.err.val();
            seen.cycles = cycles;
            seen.rd_bytes = x.rd_bytes.val().to_u64();
            seen.cmds = model.cmds.clone();
            wait_clock_cycle!(ep, clock, x);
            sample(&x);
            out2.lock().unwrap().push(seen);
        }
        ep.done(x)
    });
    sim.run(Box::new(uut), 100_000_000_000).unwrap();
    if replay_it {
        check_replay(&rec, &verilog, "Quantizer");
    }
    let v = std::mem::take(&mut *out.lock().unwrap());
    v
}

fn check(cfg: &Config, job: &Job, seen: &Seen) {
    let g = QuantGeom::new(cfg).unwrap();
    let (rows, dqs) = job.expected(g.rb);
    assert!(!seen.err, "err raised");
    assert_eq!(seen.rows.len(), rows.len(), "rows written");
    for (i, ((row, data), want)) in seen.rows.iter().zip(&rows).enumerate() {
        assert_eq!(*row, i, "row order");
        assert_eq!(
            data,
            want,
            "row {i} (token {}, block {})",
            i / job.blocks,
            i % job.blocks
        );
    }
    assert_eq!(seen.dqs.len(), dqs.len());
    for (t, (&(tag, dq, m), &(wm, wdq))) in seen.dqs.iter().zip(&dqs).enumerate() {
        assert_eq!(tag, t);
        assert_eq!(m, wm, "m of token {t}");
        assert_eq!(dq, wdq, "dq of token {t}");
    }
    let n = job.tokens.len() as u64;
    assert_eq!(
        seen.ready,
        (1..=n).collect::<Vec<_>>(),
        "tokens_ready steps"
    );
    assert_eq!(seen.rd_bytes, 2 * n * (job.x_beats * g.beat_bytes()) as u64);
    // Two commands per token, same address, in order.
    let want_cmds: Vec<(u64, u64)> = (0..n)
        .flat_map(|t| {
            let a = job.x_addr + t * job.x_stride;
            [(a, job.x_beats as u64), (a, job.x_beats as u64)]
        })
        .collect();
    assert_eq!(
        seen.cmds.iter().map(|c| (c.1, c.2)).collect::<Vec<_>>(),
        want_cmds
    );
}

fn q16(v: f64) -> i32 {
    (v * 65536.0)
        .round()
        .clamp(i32::MIN as f64, i32::MAX as f64) as i32
}

/// A set of tokens exercising the edge cases: all zero, one huge value, i32::MIN and MAX, and
/// random values at several scales.
fn edge_tokens(k: usize, seed: u64) -> Vec<Vec<i32>> {
    let mut r = XorShift(seed);
    let mut normal = |scale: f64| -> i32 {
        // Sum of uniforms: roughly normal.
        let s: f64 = (0..6)
            .map(|_| (r.next_u64() >> 11) as f64 / (1u64 << 53) as f64)
            .sum::<f64>()
            - 3.0;
        q16(s * scale)
    };
    let mut toks = vec![vec![0; k]];
    let mut huge: Vec<i32> = (0..k).map(|_| normal(0.01)).collect();
    huge[k / 3] = i32::MAX;
    toks.push(huge);
    let mut mn: Vec<i32> = (0..k).map(|_| normal(100.0)).collect();
    mn[k - 1] = i32::MIN;
    mn[0] = i32::MAX;
    toks.push(mn);
    for scale in [1e-3, 1.0, 30.0, 1e3] {
        toks.push((0..k).map(|_| normal(scale)).collect());
    }
    let mut one = vec![0; k];
    one[k / 2] = -1;
    toks.push(one);
    toks
}

fn cfg_with(tables: usize, bus: usize) -> Config {
    let mut cfg = tellme_config::preset("tiny").unwrap();
    cfg.accel.tables = tables;
    cfg.accel.axi_data_bits = bus;
    cfg.accel.lanes = cfg.accel.lanes.max(bus / 32);
    cfg
}

#[test]
fn tiny_edge_tokens_bit_exact() {
    let cfg = tellme_config::preset("tiny").unwrap();
    // K = 192 (whole blocks), then K = 100 (5 blocks, 20 padding values).
    let job_a = Job::new(&cfg, edge_tokens(192, 1), 0x0123_4567, 0x1000);
    let job_b = Job::new(&cfg, edge_tokens(100, 2), u32::MAX, 0x2FC0);
    let seen = run_cmd(&cfg, &[(job_a, None), (job_b, None)], 5, 0, true);
    let job_a = Job::new(&cfg, edge_tokens(192, 1), 0x0123_4567, 0x1000);
    let job_b = Job::new(&cfg, edge_tokens(100, 2), u32::MAX, 0x2FC0);
    check(&cfg, &job_a, &seen[0]);
    check(&cfg, &job_b, &seen[1]);
    // Beats back to back: pass 1 + fold + divider + pass 2 + tail.
    let per_token = Quantizer::cycles_per_token(&cfg, job_a.x_beats) as u64;
    let n = job_a.tokens.len() as u64;
    eprintln!(
        "tiny K=192: {} cycles for {n} tokens ({} per token; model {per_token})",
        seen[0].cycles,
        seen[0].cycles / n
    );
    assert!(
        seen[0].cycles <= n * per_token + 40,
        "{} cycles",
        seen[0].cycles
    );
    // Short rows (12 beats): the dq unit sets the pace.
    let job = Job::new(&cfg, edge_tokens(24, 7), 1 << 24, 0x100);
    let n = job.tokens.len() as u64;
    let seen = run_cmd(&cfg, &[(job, None)], 0, 0, false);
    let job = Job::new(&cfg, edge_tokens(24, 7), 1 << 24, 0x100);
    check(&cfg, &job, &seen[0]);
    let per_token = Quantizer::cycles_per_token(&cfg, job.x_beats) as u64;
    eprintln!(
        "tiny K=24: {} cycles for {n} tokens (model {per_token} per token)",
        seen[0].cycles
    );
    assert!(
        seen[0].cycles <= n * per_token + 20,
        "{} cycles",
        seen[0].cycles
    );
    assert!(
        seen[0].cycles + 2 * n >= n * per_token,
        "{} cycles",
        seen[0].cycles
    );
}

#[test]
fn rows_straddle_beats_with_masked_tails() {
    // 3·TB = 15 bytes per row with 4 values per beat (gcd 1: four row start positions), and
    // the KV260 shape 84 bytes with 8 values per beat (gcd 4); odd block counts leave garbage
    // after KP in the last beat, which must not reach m or the rows.
    for (tables, bus, k) in [(5, 128, 100), (28, 256, 200), (7, 256, 60)] {
        let cfg = cfg_with(tables, bus);
        let mut toks = edge_tokens(k, tables as u64);
        toks.truncate(5);
        let job = Job::new(&cfg, toks.clone(), 1 << 24, 0x3000);
        assert!(
            !job.kp.is_multiple_of(bus / 32) || tables == 28,
            "tail not exercised"
        );
        let seen = run_cmd(&cfg, &[(job, None)], 3, 150, tables == 5);
        check(&cfg, &Job::new(&cfg, toks, 1 << 24, 0x3000), &seen[0]);
    }
}

#[test]
fn bad_parameters_raise_err_without_reading() {
    let cfg = tellme_config::preset("tiny").unwrap();
    let mk = || Job::new(&cfg, edge_tokens(96, 3)[..2].to_vec(), 1 << 24, 0x1000);
    let g = QuantGeom::new(&cfg).unwrap();
    let j = mk();
    let (t, b, xb) = (j.tokens.len() as u64, j.blocks as u64, j.x_beats as u64);
    let cases = vec![
        (mk(), Some((t, 0, xb))),                         // blocks = 0
        (mk(), Some((g.max_tokens as u64 + 1, b, xb))),   // too many tokens
        (mk(), Some((t, b, xb - 1))),                     // rows longer than the read
        (mk(), Some((g.max_tokens as u64, 40, 40 * 12))), // beyond the act buffer
        (mk(), Some((0, b, xb))),                         // nothing to do: no error
        (mk(), None),                                     // and a good job after the errors
    ];
    let seen = run_cmd(&cfg, &cases, 2, 0, true);
    for (i, s) in seen.iter().enumerate().take(4) {
        assert!(s.err, "case {i}: no err");
        assert!(
            s.cmds.is_empty() && s.rows.is_empty(),
            "case {i}: read or wrote"
        );
        assert!(s.cycles < 20, "case {i}: {} cycles", s.cycles);
    }
    assert!(!seen[4].err && seen[4].cmds.is_empty() && seen[4].ready.is_empty());
    check(&cfg, &mk(), &seen[5]);
}

// ---- through the AXI4 read master ----

#[derive(LogicBlock)]
struct AxiQuant {
    clock: Signal<In, Clock>,
    reset: Signal<In, Bit>,
    start: Signal<In, Bit>,
    x_addr: Signal<In, Bits<40>>,
    x_stride: Signal<In, Bits<32>>,
    x_beats: Signal<In, Bits<32>>,
    tokens: Signal<In, Bits<13>>,
    blocks: Signal<In, Bits<13>>,
    ws: Signal<In, Bits<32>>,
    araddr: Signal<Out, Bits<40>>,
    arlen: Signal<Out, Bits<8>>,
    arsize: Signal<Out, Bits<3>>,
    arburst: Signal<Out, Bits<2>>,
    arvalid: Signal<Out, Bit>,
    arready: Signal<In, Bit>,
    rdata: Vec<Signal<In, Bits<64>>>,
    rresp: Signal<In, Bits<2>>,
    rlast: Signal<In, Bit>,
    rvalid: Signal<In, Bit>,
    rready: Signal<Out, Bit>,
    q: Quantizer,
    rm: ReadMaster<5>,
    _bu: usize,
}

impl Logic for AxiQuant {
    #[hdl_gen]
    fn update(&mut self) {
        self.q.clock.next = self.clock.val();
        self.q.reset.next = self.reset.val();
        self.q.start.next = self.start.val();
        self.q.x_addr.next = self.x_addr.val();
        self.q.x_stride.next = self.x_stride.val();
        self.q.x_beats.next = self.x_beats.val();
        self.q.tokens.next = self.tokens.val();
        self.q.blocks.next = self.blocks.val();
        self.q.ws.next = self.ws.val();
        self.rm.clock.next = self.clock.val();
        self.rm.reset.next = self.reset.val();
        self.rm.cmd_valid.next = self.q.rd_cmd_valid.val();
        self.q.rd_cmd_ready.next = self.rm.cmd_ready.val();
        self.rm.cmd_addr.next = self.q.rd_cmd_addr.val();
        self.rm.cmd_beats.next = self.q.rd_cmd_beats.val();
        self.q.rd_valid.next = self.rm.data_valid.val();
        self.rm.data_ready.next = self.q.rd_ready.val();
        for i in 0..self._bu {
            self.q.rd_data[i].next = self.rm.data[i].val();
            self.rm.rdata[i].next = self.rdata[i].val();
        }
        self.araddr.next = self.rm.araddr.val();
        self.arlen.next = self.rm.arlen.val();
        self.arsize.next = self.rm.arsize.val();
        self.arburst.next = self.rm.arburst.val();
        self.arvalid.next = self.rm.arvalid.val();
        self.rm.arready.next = self.arready.val();
        self.rm.rresp.next = self.rresp.val();
        self.rm.rlast.next = self.rlast.val();
        self.rm.rvalid.next = self.rvalid.val();
        self.rready.next = self.rm.rready.val();
    }
}

#[test]
fn through_the_axi_read_master() {
    let cfg = cfg_with(28, 256);
    let g = QuantGeom::new(&cfg).unwrap();
    let mut toks = edge_tokens(300, 9);
    toks.truncate(4);
    let job = Job::new(&cfg, toks, 0x00C0_FFEE, 0x0FC0);
    let mem = job.memory();
    let mut uut = AxiQuant {
        clock: Default::default(),
        reset: Default::default(),
        start: Default::default(),
        x_addr: Default::default(),
        x_stride: Default::default(),
        x_beats: Default::default(),
        tokens: Default::default(),
        blocks: Default::default(),
        ws: Default::default(),
        araddr: Default::default(),
        arlen: Default::default(),
        arsize: Default::default(),
        arburst: Default::default(),
        arvalid: Default::default(),
        arready: Default::default(),
        rdata: (0..g.bu).map(|_| Default::default()).collect(),
        rresp: Default::default(),
        rlast: Default::default(),
        rvalid: Default::default(),
        rready: Default::default(),
        q: Quantizer::new(&cfg),
        rm: ReadMaster::new(g.bu, 8),
        _bu: g.bu,
    };
    uut.clock.connect();
    uut.reset.connect();
    uut.start.connect();
    uut.x_addr.connect();
    uut.x_stride.connect();
    uut.x_beats.connect();
    uut.tokens.connect();
    uut.blocks.connect();
    uut.ws.connect();
    uut.arready.connect();
    uut.rdata.iter_mut().for_each(|s| s.connect());
    uut.rresp.connect();
    uut.rlast.connect();
    uut.rvalid.connect();
    uut.connect_all();
    let out = Arc::new(Mutex::new(Seen::default()));
    let out2 = out.clone();
    let (x_addr, x_stride, x_beats, nt, blocks, ws) = (
        job.x_addr,
        job.x_stride,
        job.x_beats as u64,
        job.tokens.len() as u64,
        job.blocks as u64,
        job.ws,
    );
    let bu = g.bu;
    let rb = g.rb;
    let mut sim = simple_sim!(AxiQuant, clock, 100_000_000, ep, {
        let mut x = ep.init()?;
        let mut slave = AxiReadSlave::new(bu, 30, mem.len());
        slave.write(0, &mem);
        slave.stall_permille = 100;
        let mut seen = Seen::default();
        x.reset.next = true;
        wait_clock_cycle!(ep, clock, x);
        x.reset.next = false;
        x.start.next = true;
        x.x_addr.next = x_addr.into();
        x.x_stride.next = x_stride.into();
        x.x_beats.next = x_beats.into();
        x.tokens.next = nt.into();
        x.blocks.next = blocks.into();
        x.ws.next = (ws as u64).into();
        wait_clock_cycle!(ep, clock, x);
        x.start.next = false;
        let mut cycles = 0;
        while x.q.busy.val() || cycles == 0 {
            let ar = if x.arvalid.val() {
                Some(ArReq {
                    addr: x.araddr.val().to_u64(),
                    len: x.arlen.val().to_u64(),
                    size: x.arsize.val().to_u64(),
                    burst: x.arburst.val().to_u64(),
                })
            } else {
                None
            };
            let o = slave.cycle(ar, x.rready.val());
            x.arready.next = o.arready;
            match o.r {
                Some(b) => {
                    x.rvalid.next = true;
                    x.rlast.next = b.last;
                    x.rresp.next = b.resp.into();
                    for i in 0..bu {
                        x.rdata[i].next = b.data[i].into();
                    }
                }
                None => x.rvalid.next = false,
            }
            if x.q.act_we.val() {
                let row = (0..rb)
                    .map(|p| x.q.act_wdata[p].val().to_u64() as u8)
                    .collect();
                seen.rows.push((x.q.act_row.val().to_u64() as usize, row));
            }
            if x.q.dq_we.val() {
                seen.dqs.push((
                    x.q.dq_tag.val().to_u64() as usize,
                    x.q.dq_value.val().to_u64(),
                    x.q.m_value.val().to_u64() as u32,
                ));
                seen.ready.push(seen.dqs.len() as u64);
            }
            wait_clock_cycle!(ep, clock, x);
            cycles += 1;
            sim_assert!(ep, cycles < 100_000, x);
        }
        sim_assert!(ep, slave.violations.is_empty(), x);
        seen.err = x.q.err.val();
        seen.cycles = cycles;
        seen.rd_bytes = x.q.rd_bytes.val().to_u64();
        seen.cmds = (0..nt)
            .flat_map(|t| {
                [
                    (0, x_addr + t * x_stride, x_beats),
                    (0, x_addr + t * x_stride, x_beats),
                ]
            })
            .collect();
        *out2.lock().unwrap() = seen;
        ep.done(x)
    });
    sim.run(Box::new(uut), 100_000_000_000).unwrap();
    let seen = out.lock().unwrap();
    eprintln!(
        "AXI: {} tokens of {} beats in {} cycles",
        nt, x_beats, seen.cycles
    );
    check(&cfg, &job, &seen);
}

#[test]
fn kv260_preset_full_width_rows() {
    // The real KV260 shape: 84-byte rows, 8 values per beat, K = 1536 (19 blocks, 60 padding
    // values, a half-used last beat).
    let cfg = tellme_config::preset("kv260-0.7b").unwrap();
    let mut toks = edge_tokens(1536, 21);
    toks.truncate(3);
    let job = Job::new(&cfg, toks.clone(), 0x0034_5678, 0x4_0000);
    assert_eq!((job.blocks, job.kp, job.x_beats), (19, 1596, 200));
    let seen = run_cmd(&cfg, &[(job, None)], 75, 0, true);
    let job = Job::new(&cfg, toks, 0x0034_5678, 0x4_0000);
    check(&cfg, &job, &seen[0]);
    let per_token = Quantizer::cycles_per_token(&cfg, job.x_beats) as u64;
    eprintln!(
        "kv260 K=1536: {} cycles for 3 tokens (model {per_token} per token)",
        seen[0].cycles
    );
    assert!(
        seen[0].cycles <= 3 * per_token + 75 + 40,
        "{} cycles",
        seen[0].cycles
    );
}
