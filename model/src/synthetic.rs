//! Seeded synthetic models with a real model's statistics, for any configuration.
//!
//! - Linear maps: Gaussian latent weights (σ = 0.02) quantised with BitNet's absmean rule, so
//!   about 31 % of the trits are zero and the scale is ≈ 0.8 σ, as in a trained checkpoint.
//! - Embeddings and the LM head: Gaussian with σ = 3/√hidden, so a unit-RMS final state gives
//!   logits with a standard deviation near 3 (a peaked but not degenerate distribution).
//! - Norm gains: 1 + N(0, 0.05²).
//!
//! Normal samples come from a 65,536-quantile table of N(0, 1) indexed by 16 random bits: four
//! samples per 64-bit draw, so a 0.7B model is made in seconds. Every tensor has its own random
//! stream derived from (seed, layer, tensor), so the result does not depend on thread count.

use crate::rng::Rng;
use crate::weights::{LayerWeights, ModelWeights, TernaryMatrix};
use rayon::prelude::*;
use std::sync::OnceLock;
use tellme_config::Config;

const LATENT_SIGMA: f32 = 0.02;
const NORM_SIGMA: f32 = 0.05;

/// A synthetic model for `cfg`, the same for the same seed.
pub fn synthetic_model(cfg: &Config, seed: u64) -> ModelWeights {
    let m = &cfg.model;
    let shapes = cfg.layer_linears();
    // All ternary tensors in parallel: (layer, kind) → matrix.
    let mats: Vec<TernaryMatrix> = (0..m.layers * 7)
        .into_par_iter()
        .map(|i| {
            let (layer, kind) = (i / 7, i % 7);
            let s = shapes[kind];
            let mut rng = Rng::derive(seed, &[1, layer as u64, kind as u64]);
            let latent = normals(&mut rng, s.n_out * s.k_in, LATENT_SIGMA);
            TernaryMatrix::from_latent(s.n_out, s.k_in, &latent)
        })
        .collect();
    let gains = |stream: &[u64], n: usize| -> Vec<f32> {
        let mut rng = Rng::derive(seed, stream);
        normals(&mut rng, n, NORM_SIGMA)
            .into_iter()
            .map(|x| 1.0 + x)
            .collect()
    };
    let mut mats = mats.into_iter();
    let mut layers = Vec::with_capacity(m.layers);
    for l in 0..m.layers as u64 {
        let mut take = || mats.next().expect("seven matrices per layer");
        let (q, k, v, o, gate, up, down) = (take(), take(), take(), take(), take(), take(), take());
        layers.push(LayerWeights {
            attn_norm: gains(&[2, l, 0], m.hidden),
            q,
            k,
            v,
            attn_sub_norm: m.sub_norms.then(|| gains(&[2, l, 1], m.hidden)),
            o,
            ffn_norm: gains(&[2, l, 2], m.hidden),
            gate,
            up,
            ffn_sub_norm: m.sub_norms.then(|| gains(&[2, l, 3], m.ffn)),
            down,
        });
    }
    let sigma = 3.0 / (m.hidden as f32).sqrt();
    let (embedding, lm_head) = rayon::join(
        || normals(&mut Rng::derive(seed, &[3]), m.vocab * m.hidden, sigma),
        || {
            (!m.tie_embeddings)
                .then(|| normals(&mut Rng::derive(seed, &[4]), m.vocab * m.hidden, sigma))
        },
    );
    ModelWeights {
        embedding,
        layers,
        final_norm: gains(&[5], m.hidden),
        lm_head,
    }
}

/// A random `n_out × k_in` ternary matrix with a checkpoint's statistics (absmean of Gaussian
/// latent weights), for testing one linear map.
pub fn random_linear(n_out: usize, k_in: usize, seed: u64) -> TernaryMatrix {
    let latent = normals(
        &mut Rng::derive(seed, &[6, n_out as u64, k_in as u64]),
        n_out * k_in,
        LATENT_SIGMA,
    );
    TernaryMatrix::from_latent(n_out, k_in, &latent)
}

/// `tokens × k` random activations (Q16.16) shaped like a norm's output: N(0, 1) with one value
/// in a hundred twenty times larger (the outliers that set a token's absmax).
pub fn random_activations(tokens: usize, k: usize, seed: u64) -> Vec<crate::fixed::Act> {
    let mut rng = Rng::derive(seed, &[7, tokens as u64, k as u64]);
    normals(&mut rng, tokens * k, 1.0)
        .into_iter()
        .map(|v| {
            let v = if rng.below(100) == 0 { v * 20.0 } else { v };
            crate::fixed::to_act(v)
        })
        .collect()
}

/// `n` samples of N(0, σ²).
fn normals(rng: &mut Rng, n: usize, sigma: f32) -> Vec<f32> {
    let table = quantile_table();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let bits = rng.next_u64();
        for j in 0..4.min(n - out.len()) {
            out.push(table[((bits >> (16 * j)) & 0xFFFF) as usize] * sigma);
        }
    }
    out
}

/// `Φ⁻¹((i + ½) / 65536)` for every 16-bit `i`.
fn quantile_table() -> &'static [f32] {
    static TABLE: OnceLock<Vec<f32>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (0..65536)
            .map(|i| inverse_normal_cdf((i as f64 + 0.5) / 65536.0) as f32)
            .collect()
    })
}

/// Acklam's rational approximation of the normal quantile (relative error < 1.2e-9).
fn inverse_normal_cdf(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e+01,
        2.209460984245205e+02,
        -2.759285104469687e+02,
        1.383_577_518_672_69e2,
        -3.066479806614716e+01,
        2.506628277459239e+00,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e+01,
        1.615858368580409e+02,
        -1.556989798598866e+02,
        6.680131188771972e+01,
        -1.328068155288572e+01,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-03,
        -3.223964580411365e-01,
        -2.400758277161838e+00,
        -2.549732539343734e+00,
        4.374664141464968e+00,
        2.938163982698783e+00,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-03,
        3.224671290700398e-01,
        2.445134137142996e+00,
        3.754408661907416e+00,
    ];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_models_are_deterministic_and_shaped_by_the_config() {
        let cfg = tellme_config::preset("tiny").unwrap();
        let a = synthetic_model(&cfg, 1);
        assert_eq!(a.check_shapes(&cfg), Ok(()));
        assert_eq!(a, synthetic_model(&cfg, 1));
        assert_ne!(a.layers[0].q, synthetic_model(&cfg, 2).layers[0].q);
    }

    #[test]
    fn ternary_statistics_look_like_absmean_of_gaussians() {
        let cfg = tellme_config::preset("tiny").unwrap();
        let w = synthetic_model(&cfg, 5);
        let trits = w.layers[1].gate.to_trits();
        let zeros = trits.iter().filter(|&&t| t == 0).count() as f64 / trits.len() as f64;
        let plus = trits.iter().filter(|&&t| t == 1).count() as f64 / trits.len() as f64;
        // P(|x| < 0.5·0.798σ) = 0.31 for a Gaussian.
        assert!((zeros - 0.31).abs() < 0.02, "zeros {zeros}");
        assert!((plus - 0.345).abs() < 0.02, "plus {plus}");
        let s = w.layers[1].gate.scale;
        assert!((s / LATENT_SIGMA - 0.798).abs() < 0.02, "scale {s}");
    }

    #[test]
    fn quantile_table_is_a_standard_normal() {
        let t = quantile_table();
        let mean = t.iter().map(|&x| x as f64).sum::<f64>() / t.len() as f64;
        let var = t.iter().map(|&x| (x as f64).powi(2)).sum::<f64>() / t.len() as f64;
        assert!(
            mean.abs() < 1e-6 && (var - 1.0).abs() < 2e-3,
            "{mean} {var}"
        );
        assert!((inverse_normal_cdf(0.975) - 1.959964).abs() < 1e-6);
    }
}
