use super::*;
use crate::fixed::from_act;
use crate::rng::Rng;
use crate::synthetic::synthetic_model;

fn tiny() -> (Config, ModelWeights) {
    let cfg = tellme_config::preset("tiny").unwrap();
    let w = synthetic_model(&cfg, 42);
    (cfg, w)
}

#[test]
fn prefill_at_once_equals_token_by_token_decode_bit_for_bit() {
    let (cfg, w) = tiny();
    let g = Golden::new(&cfg, &w).unwrap();
    let tokens: Vec<u32> = (0..9)
        .map(|i| (i * 53 + 7) % cfg.model.vocab as u32)
        .collect();
    let mut c1 = KvCache::new(&cfg);
    let all = g.forward(&tokens, &mut c1, Logits::All);
    let mut c2 = KvCache::new(&cfg);
    let one_by_one: Vec<Vec<Act>> = tokens
        .iter()
        .map(|&t| g.forward(&[t], &mut c2, Logits::Last).pop().unwrap())
        .collect();
    assert_eq!(all, one_by_one);
    assert_eq!(c1.len(), 9);
    // A split prefill (4 + 5) gives the same bits too.
    let mut c3 = KvCache::new(&cfg);
    let mut split = g.forward(&tokens[..4], &mut c3, Logits::All);
    split.extend(g.forward(&tokens[4..], &mut c3, Logits::All));
    assert_eq!(all, split);
}

#[test]
fn generation_is_deterministic_and_respects_the_request() {
    let (cfg, w) = tiny();
    let g = Golden::new(&cfg, &w).unwrap();
    let run = || {
        g.generate(&[1, 2, 3, 4], 6, &mut Sampler::greedy(), &mut |_, _, _| {})
            .unwrap()
    };
    let (a, b) = (run(), run());
    assert_eq!(a.generated, b.generated);
    assert_eq!(a.logits, b.logits);
    assert_eq!(a.generated.len(), 6);
    assert!(a.generated.iter().all(|&t| (t as usize) < cfg.model.vocab));
    // Greedy: each token is the arg-max of the logits it came from.
    for (t, l) in a.generated.iter().zip(&a.logits) {
        assert_eq!(*t as usize, crate::sample::argmax(l));
    }
}

#[test]
fn bad_requests_are_refused_with_a_reason() {
    let (cfg, w) = tiny();
    let g = Golden::new(&cfg, &w).unwrap();
    let msg = |p: &[u32], n| g.check_request(p, n).unwrap_err().to_string();
    assert!(msg(&[], 1).contains("empty"));
    assert!(msg(&[1], 0).contains("at least 1"));
    assert!(msg(&[9999], 1).contains("outside the vocabulary"));
    let long = vec![1u32; cfg.model.max_context];
    assert!(msg(&long, 1).contains("exceeds the model's context"));
    assert!(g.check_request(&long[1..], 1).is_ok());
}

#[test]
fn weights_that_do_not_match_the_config_are_refused() {
    let (cfg, mut w) = tiny();
    w.layers[1].down = TernaryMatrix::from_trits(3, 3, &[0; 9], 1.0);
    let e = Golden::new(&cfg, &w).err().unwrap().to_string();
    assert!(
        e.contains("layer 1 down_proj is 3×3, expected 192×512"),
        "{e}"
    );
}

/// The online softmax with int8 K/V against exact f64 attention on the same quantised inputs:
/// the rounding of the exponent ROM, the rescales and the final reciprocal stay small.
#[test]
fn online_softmax_attention_tracks_exact_attention() {
    let exp2 = exp2_rom();
    let mut r = Rng::new(77);
    let d = 64;
    for len in [1usize, 2, 17, 300] {
        // Scores in log2 units, Q16.16, spread over ±6; value scales vary per key.
        let scores: Vec<i32> = (0..len)
            .map(|_| (r.normal() * 2.0 * 65536.0) as i32)
            .collect();
        let mv: Vec<u32> = (0..len)
            .map(|_| (65536.0 * (0.5 + r.next_f64())) as u32)
            .collect();
        let v8: Vec<i8> = (0..len * d).map(|_| r.range_i64(-127, 127) as i8).collect();
        let mut sm = OnlineSoftmax::new(d);
        for j in 0..len {
            sm.push(&exp2, scores[j], mv[j], &v8[j * d..(j + 1) * d]);
        }
        let mut out = vec![0; d];
        sm.finish(&mut out);
        let mx = scores
            .iter()
            .map(|&s| s as f64 / 65536.0)
            .fold(f64::MIN, f64::max);
        let p: Vec<f64> = scores
            .iter()
            .map(|&s| (s as f64 / 65536.0 - mx).exp2())
            .collect();
        let total: f64 = p.iter().sum();
        for i in 0..d {
            let want: f64 = (0..len)
                .map(|j| p[j] * v8[j * d + i] as f64 * mv[j] as f64 / 65536.0 / 127.0)
                .sum::<f64>()
                / total;
            let got = from_act(out[i]) as f64;
            assert!(
                (got - want).abs() < 2e-3 * (1.0 + want.abs()),
                "len {len} i {i}: {got} vs {want}"
            );
        }
    }
}
