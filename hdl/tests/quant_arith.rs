//! The quantiser's dividers and the wide multipliers against `tellme_model::quant`, bit for bit,
//! in rust-hdl's simulator; every run is then replayed on the generated Verilog (Icarus).
mod common;

use common::check_replay;
use rust_hdl::prelude::*;
use std::sync::{Arc, Mutex};
use tellme_hdl::quant::arith::{
    i64_to_signed, DeqMul, QuantMul, UMul, DMUL_LATENCY, QMUL_LATENCY, UMUL_LATENCY,
};
use tellme_hdl::quant::divider::{DqUnit, RecipDiv, DQ_CYCLES, RECIP_CYCLES};
use tellme_hdl::quant::tb::{Recorder, XorShift};
use tellme_model::quant::{dequant_multiplier, dequantize, recip};

/// The int8 the quantiser must produce for `x` with reciprocal `r`.
fn q_model(x: i32, r: u64) -> u8 {
    ((x as i64 * r as i64 + (1i64 << 47)) >> 48) as i8 as u8
}

fn recip_edge_ms() -> Vec<u32> {
    let mut ms = vec![
        0,
        1,
        2,
        3,
        127,
        128,
        255,
        65535,
        65536,
        1 << 16 | 1,
        0x7FFF_FFFF,
        0x8000_0000,
    ];
    let mut r = XorShift(77);
    for _ in 0..40 {
        let bits = 1 + r.below(31) as u32;
        ms.push(((r.next_u64() as u32) >> (32 - bits)).max(1));
    }
    ms
}

#[test]
fn recip_divider_is_exact_and_takes_55_cycles() {
    let ms = recip_edge_ms();
    let mut uut = RecipDiv::default();
    uut.clock.connect();
    uut.reset.connect();
    uut.start.connect();
    uut.m.connect();
    uut.connect_all();
    let verilog = generate_verilog(&uut);
    let rec = Arc::new(Mutex::new(Recorder::new()));
    let rec2 = rec.clone();
    let ms2 = ms.clone();
    let mut sim = simple_sim!(RecipDiv, clock, 100_000_000, ep, {
        let mut x = ep.init()?;
        x.reset.next = true;
        wait_clock_cycle!(ep, clock, x);
        rec2.lock().unwrap().sample(&*x);
        x.reset.next = false;
        for &m in &ms2 {
            x.start.next = true;
            x.m.next = (m as u64).into();
            wait_clock_cycle!(ep, clock, x);
            rec2.lock().unwrap().sample(&*x);
            x.start.next = false;
            x.m.next = 0xDEAD_BEEF_u64.into(); // m is latched: later values must not matter
            let mut cycles = 1;
            while x.busy.val() {
                wait_clock_cycle!(ep, clock, x);
                rec2.lock().unwrap().sample(&*x);
                cycles += 1;
            }
            sim_assert_eq!(ep, cycles, RECIP_CYCLES + 1, x);
            let got = x.recip.val().to_u64();
            if got != recip(m) {
                println!("recip({m}) = {got:#x}, model {:#x}", recip(m));
            }
            sim_assert_eq!(ep, got, recip(m), x);
        }
        ep.done(x)
    });
    sim.run(Box::new(uut), 1_000_000_000).unwrap();
    check_replay(&rec, &verilog, "RecipDiv");
}

#[test]
fn dq_unit_is_exact_and_takes_83_cycles() {
    let mut cases: Vec<(u32, u32)> = vec![
        (0, 0),
        (0, u32::MAX),
        (1, 0),
        (1, 1),
        (1, u32::MAX),
        (0x8000_0000, u32::MAX),
        (0x8000_0000, 0),
        (0x7FFF_FFFF, u32::MAX),
        (0x8000_0000, 1 << 24),
        (127, 1 << 8),
        (63, 258),
    ];
    let mut r = XorShift(5);
    for _ in 0..30 {
        let m = ((r.next_u64() as u32) >> r.below(32)).min(0x8000_0000);
        let ws = (r.next_u64() as u32) >> r.below(32);
        cases.push((m, ws));
    }
    let mut uut = DqUnit::default();
    uut.clock.connect();
    uut.reset.connect();
    uut.start.connect();
    uut.m.connect();
    uut.ws.connect();
    uut.connect_all();
    let verilog = generate_verilog(&uut);
    let rec = Arc::new(Mutex::new(Recorder::new()));
    let rec2 = rec.clone();
    let mut sim = simple_sim!(DqUnit, clock, 100_000_000, ep, {
        let mut x = ep.init()?;
        x.reset.next = true;
        wait_clock_cycle!(ep, clock, x);
        rec2.lock().unwrap().sample(&*x);
        x.reset.next = false;
        for &(m, ws) in &cases {
            x.start.next = true;
            x.m.next = (m as u64).into();
            x.ws.next = (ws as u64).into();
            wait_clock_cycle!(ep, clock, x);
            rec2.lock().unwrap().sample(&*x);
            x.start.next = false;
            x.m.next = 0x1234_u64.into();
            x.ws.next = 0x5678_u64.into();
            let mut cycles = 1;
            while x.busy.val() {
                wait_clock_cycle!(ep, clock, x);
                rec2.lock().unwrap().sample(&*x);
                cycles += 1;
            }
            sim_assert_eq!(ep, cycles, DQ_CYCLES + 1, x);
            let got = x.dq.val().to_u64();
            let want = dequant_multiplier(m, ws);
            if got != want {
                println!("dq({m}, {ws}) = {got}, model {want}");
            }
            sim_assert_eq!(ep, got, want, x);
        }
        ep.done(x)
    });
    sim.run(Box::new(uut), 1_000_000_000).unwrap();
    check_replay(&rec, &verilog, "DqUnit");
}

/// Feed one input vector per cycle into a fixed-latency block and compare every output.
macro_rules! pipeline_test {
    ($ty:ty, $uut:expr, $lat:expr, $inputs:expr, $drive:expr, $read:expr, $what:expr) => {{
        let mut uut: $ty = $uut;
        uut.connect_all();
        let verilog = generate_verilog(&uut);
        let inputs = $inputs;
        let n = inputs.len();
        let rec = Arc::new(Mutex::new(Recorder::new()));
        let rec2 = rec.clone();
        let got = Arc::new(Mutex::new(vec![]));
        let got2 = got.clone();
        let mut sim = simple_sim!($ty, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            for k in 0..n + $lat - 1 {
                if k < n {
                    $drive(&mut x, &inputs[k]);
                }
                wait_clock_cycle!(ep, clock, x);
                rec2.lock().unwrap().sample(&*x);
                if k + 1 >= $lat {
                    got2.lock().unwrap().push($read(&x));
                }
            }
            ep.done(x)
        });
        sim.run(Box::new(uut), 1_000_000_000).unwrap();
        check_replay(&rec, &verilog, $what);
        let got = got.lock().unwrap().clone();
        got
    }};
}

#[test]
fn quant_mul_matches_the_model() {
    // (x, r) pairs the quantiser can meet: r = recip(m), |x| ≤ m.
    let mut pairs: Vec<(i32, u64)> = vec![];
    let mut r = XorShift(99);
    for m in recip_edge_ms().into_iter().filter(|&m| m > 0) {
        let rc = recip(m);
        let mi = m as i64;
        for x in [mi, -mi, 0, mi / 2, -mi / 2, 1, -1, mi - 1, -(mi - 1)] {
            if x.abs() <= mi && x >= i32::MIN as i64 && x <= i32::MAX as i64 {
                pairs.push((x as i32, rc));
            }
        }
        for _ in 0..4 {
            let x = (r.below(2 * m as u64 + 1) as i64 - mi).clamp(i32::MIN as i64, i32::MAX as i64);
            pairs.push((x as i32, rc));
        }
    }
    pairs.push((i32::MIN, recip(0x8000_0000)));
    pairs.push((i32::MAX, recip(0x8000_0000)));
    pairs.push((i32::MAX, recip(i32::MAX as u32)));
    let want: Vec<u8> = pairs.iter().map(|&(x, r)| q_model(x, r)).collect();
    let mut uut = QuantMul::default();
    uut.clock.connect();
    uut.x.connect();
    uut.r.connect();
    let got = pipeline_test!(
        QuantMul,
        uut,
        QMUL_LATENCY,
        pairs.clone(),
        |x: &mut Box<QuantMul>, p: &(i32, u64)| {
            x.x.next = (p.0 as u32 as u64).into();
            x.r.next = p.1.into();
        },
        |x: &QuantMul| x.q.val().to_u64() as u8,
        "QuantMul"
    );
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "pair {i}: {:?}", pairs[i]);
    }
}

#[test]
fn deq_mul_matches_the_model_and_saturates_both_ways() {
    let dq_max = dequant_multiplier(0x8000_0000, u32::MAX);
    let mut cases: Vec<(i32, u64)> = vec![];
    for acc in [
        0,
        1,
        -1,
        (1 << 23) - 1,
        -(1 << 23),
        8_000_000,
        -8_000_000,
        12345,
        -12345,
    ] {
        for dq in [
            0,
            1,
            0xFFFF,
            1 << 16,
            1 << 32,
            dq_max,
            dq_max - 1,
            (1u64 << 49) - 1,
        ] {
            cases.push((acc, dq));
        }
    }
    let mut r = XorShift(3);
    for _ in 0..200 {
        let acc = r.below(1 << 24) as i32 - (1 << 23);
        let dq = dequant_multiplier(
            ((r.next_u64() as u32) >> r.below(32)).min(0x8000_0000),
            r.next_u64() as u32,
        );
        cases.push((acc, dq));
    }
    let want: Vec<i32> = cases.iter().map(|&(a, d)| dequantize(a, d)).collect();
    assert!(
        want.contains(&i32::MAX) && want.contains(&i32::MIN),
        "saturation not exercised"
    );
    let mut uut = DeqMul::default();
    uut.clock.connect();
    uut.acc.connect();
    uut.dq.connect();
    let got = pipeline_test!(
        DeqMul,
        uut,
        DMUL_LATENCY,
        cases.clone(),
        |x: &mut Box<DeqMul>, c: &(i32, u64)| {
            x.acc.next = i64_to_signed::<24>(c.0 as i64);
            x.dq.next = c.1.into();
        },
        |x: &DeqMul| x.y.val().to_u64() as u32 as i32,
        "DeqMul"
    );
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "case {i}: {:?}", cases[i]);
    }
}

#[test]
fn umul_truncates_like_the_model() {
    let mut r = XorShift(8);
    let cases: Vec<(u64, u64)> = (0..100)
        .map(|_| (r.below(1 << 12), r.next_u64() & 0xFFFF_FFFF))
        .chain([(4095, 0xFFFF_FFFF), (0, 5), (1, 0xFFFF_FFFF)])
        .collect();
    let mut uut = UMul::<12, 32, 40>::default();
    uut.clock.connect();
    uut.a.connect();
    uut.b.connect();
    let got = pipeline_test!(
        UMul<12, 32, 40>,
        uut,
        UMUL_LATENCY,
        cases.clone(),
        |x: &mut Box<UMul<12, 32, 40>>, c: &(u64, u64)| {
            x.a.next = c.0.into();
            x.b.next = c.1.into();
        },
        |x: &UMul<12, 32, 40>| x.p.val().to_u64(),
        "UMul"
    );
    assert_eq!(got.len(), cases.len());
    for (i, (g, c)) in got.iter().zip(&cases).enumerate() {
        assert_eq!(*g, (c.0 * c.1) & ((1 << 40) - 1), "case {i}");
    }
}
