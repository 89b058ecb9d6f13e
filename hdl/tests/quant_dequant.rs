//! The Dequantizer against `tellme_model::quant::dequantize` (both saturations included) and the
//! activation buffer's write/read ports, in rust-hdl's simulator, replayed on the Verilog.
mod common;

use common::check_replay;
use rust_hdl::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tellme_hdl::quant::arith::i64_to_signed;
use tellme_hdl::quant::tb::{Recorder, XorShift};
use tellme_hdl::quant::{ActBuffer, Dequantizer, QuantGeom, ACT_LATENCY, DEQ_LATENCY};
use tellme_model::quant::{dequant_multiplier, dequantize};

type Out = (bool, u64, u64, Vec<i32>);

fn run_dequant(preset: &str, seed: u64) {
    let cfg = tellme_config::preset(preset).unwrap();
    let g = QuantGeom::new(&cfg).unwrap();
    let lanes = g.lanes;
    let mut r = XorShift(seed);
    // dq per tag: extremes and realistic values.
    let mut dqs: Vec<u64> = vec![
        0,
        1,
        dequant_multiplier(0x8000_0000, u32::MAX),
        dequant_multiplier(1, 1 << 24),
        dequant_multiplier(65536 * 3, 1 << 22),
    ];
    while dqs.len() < g.max_tokens {
        let m = ((r.next_u64() as u32) >> r.below(32)).min(0x8000_0000);
        dqs.push(dequant_multiplier(m, (r.next_u64() as u32) >> r.below(32)));
    }
    // Engine results: (valid, rg, tag, acc[L]); bubbles included.
    let extremes = [0, 1, -1, (1 << 23) - 1, -(1 << 23), 8_000_000, -8_000_000];
    let mut ins: Vec<(bool, u64, u64, Vec<i32>)> = vec![];
    for i in 0..300 {
        let valid = r.below(4) != 0;
        let tag = r.below(g.max_tokens as u64);
        let acc = (0..lanes)
            .map(|l| {
                if i % 3 == 0 {
                    extremes[(i + l) % extremes.len()]
                } else {
                    (r.below(1 << 24) as i64 - (1 << 23)) as i32 >> r.below(12)
                }
            })
            .collect();
        ins.push((valid, r.below(4096), tag, acc));
    }
    let want: Vec<Out> = ins
        .iter()
        .map(|(v, rg, tag, acc)| {
            (
                *v,
                *rg,
                *tag,
                acc.iter()
                    .map(|&a| dequantize(a, dqs[*tag as usize]))
                    .collect(),
            )
        })
        .collect();
    assert!(want.iter().any(|w| w.0 && w.3.contains(&i32::MAX)));
    assert!(want.iter().any(|w| w.0 && w.3.contains(&i32::MIN)));

    let mut uut = Dequantizer::new(&cfg);
    uut.connect_inputs();
    uut.connect_all();
    let verilog = generate_verilog(&uut);
    let rec = Arc::new(Mutex::new(Recorder::new()));
    let rec2 = rec.clone();
    let got = Arc::new(Mutex::new(vec![]));
    let got2 = got.clone();
    let (ins2, dqs2) = (ins.clone(), dqs.clone());
    let mut sim = simple_sim!(Dequantizer, clock, 100_000_000, ep, {
        let mut x = ep.init()?;
        let step = |x: &Dequantizer| rec2.lock().unwrap().sample(x);
        x.reset.next = true;
        wait_clock_cycle!(ep, clock, x);
        step(&x);
        x.reset.next = false;
        // The Quantizer's dq writes.
        for (t, &dq) in dqs2.iter().enumerate() {
            x.dq_we.next = true;
            x.dq_tag.next = (t as u64).into();
            x.dq_value.next = dq.into();
            wait_clock_cycle!(ep, clock, x);
            step(&x);
        }
        x.dq_we.next = false;
        for k in 0..ins2.len() + DEQ_LATENCY - 1 {
            if let Some((v, rg, tag, acc)) = ins2.get(k) {
                x.in_valid.next = *v;
                x.in_rg.next = (*rg).into();
                x.in_tag.next = (*tag).into();
                for (l, &a) in acc.iter().enumerate() {
                    x.in_acc[l].next = i64_to_signed::<24>(a as i64);
                }
            } else {
                x.in_valid.next = false;
            }
            wait_clock_cycle!(ep, clock, x);
            step(&x);
            if k + 1 >= DEQ_LATENCY {
                let y: Vec<i32> = (0..x.y.len())
                    .map(|l| x.y[l].val().to_u64() as u32 as i32)
                    .collect();
                got2.lock().unwrap().push((
                    x.valid.val(),
                    x.rg.val().to_u64(),
                    x.tag.val().to_u64(),
                    y,
                ));
            }
        }
        ep.done(x)
    });
    sim.run(Box::new(uut), 100_000_000_000).unwrap();
    check_replay(&rec, &verilog, &format!("Dequantizer ({preset})"));
    let got = got.lock().unwrap();
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g.0, w.0, "valid of result {i}");
        if w.0 {
            assert_eq!((g.1, g.2), (w.1, w.2), "rg/tag of result {i}");
            assert_eq!(g.3, w.3, "y of result {i} (dq {})", dqs[w.2 as usize]);
        }
    }
}

#[test]
fn dequantizer_bit_exact_tiny() {
    run_dequant("tiny", 1);
}

#[test]
fn dequantizer_bit_exact_kv260() {
    run_dequant("kv260-0.7b", 2);
}

#[test]
fn act_buffer_reads_back_rows_after_act_latency() {
    let cfg = tellme_config::preset("tiny").unwrap();
    let g = QuantGeom::new(&cfg).unwrap();
    let mut r = XorShift(4);
    let rows: Vec<(u64, Vec<u64>)> = (0..40)
        .map(|_| {
            (
                r.below(g.act_depth as u64),
                (0..g.rb).map(|_| r.below(256)).collect(),
            )
        })
        .collect();
    let mut mem: HashMap<u64, Vec<u64>> = HashMap::new();
    for (a, d) in &rows {
        mem.insert(*a, d.clone());
    }
    let reads: Vec<u64> = rows
        .iter()
        .map(|x| x.0)
        .rev()
        .chain([g.act_depth as u64 - 1])
        .collect();
    let mut uut = ActBuffer::new(&cfg);
    uut.connect_inputs();
    uut.connect_all();
    let verilog = generate_verilog(&uut);
    let rec = Arc::new(Mutex::new(Recorder::new()));
    let rec2 = rec.clone();
    let got = Arc::new(Mutex::new(vec![]));
    let got2 = got.clone();
    let (rows2, reads2) = (rows.clone(), reads.clone());
    let rb = g.rb;
    let mut sim = simple_sim!(ActBuffer, clock, 100_000_000, ep, {
        let mut x = ep.init()?;
        for (a, d) in &rows2 {
            x.wr_en.next = true;
            x.wr_row.next = (*a).into();
            for (p, &b) in d.iter().enumerate() {
                x.wr_data[p].next = b.into();
            }
            wait_clock_cycle!(ep, clock, x);
            rec2.lock().unwrap().sample(&*x);
        }
        x.wr_en.next = false;
        // One read per cycle; rd_data holds the row read ACT_LATENCY cycles earlier.
        for k in 0..reads2.len() + ACT_LATENCY - 1 {
            x.rd_en.next = k < reads2.len();
            x.rd_row.next = reads2.get(k).copied().unwrap_or(0).into();
            wait_clock_cycle!(ep, clock, x);
            rec2.lock().unwrap().sample(&*x);
            if k + 1 >= ACT_LATENCY {
                got2.lock().unwrap().push(
                    (0..rb)
                        .map(|p| x.rd_data[p].val().to_u64())
                        .collect::<Vec<_>>(),
                );
            }
        }
        // With rd_en low the output holds.
        let held: Vec<u64> = (0..rb).map(|p| x.rd_data[p].val().to_u64()).collect();
        for _ in 0..3 {
            wait_clock_cycle!(ep, clock, x);
            rec2.lock().unwrap().sample(&*x);
        }
        let now: Vec<u64> = (0..rb).map(|p| x.rd_data[p].val().to_u64()).collect();
        sim_assert_eq!(ep, held, now, x);
        ep.done(x)
    });
    sim.run(Box::new(uut), 100_000_000_000).unwrap();
    check_replay(&rec, &verilog, "ActBuffer");
    let got = got.lock().unwrap();
    assert_eq!(got.len(), reads.len());
    for (k, a) in reads.iter().enumerate() {
        let want = mem.get(a).cloned().unwrap_or_else(|| vec![0; rb]);
        assert_eq!(got[k], want, "read {k} of row {a}");
    }
}
