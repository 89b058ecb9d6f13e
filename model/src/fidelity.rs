//! How far the golden model's fixed-point arithmetic is from the f32 reference, measured on
//! the tokens the golden model generated (the reference is teacher-forced with them).

use crate::fixed::from_act;
use crate::golden::Generation;
use crate::reference::{RefCache, Reference};
use crate::sample::argmax;
use crate::weights::ModelWeights;
use serde::Serialize;
use tellme_config::Config;

#[derive(Clone, Debug, Serialize)]
pub struct Fidelity {
    /// Generated positions compared.
    pub positions: usize,
    /// Fraction of positions where both models' arg-max token agrees (0–1).
    pub top1_agreement: f64,
    /// Largest |golden − reference| over every logit of every position.
    pub max_abs_logit_err: f64,
    /// Mean |golden − reference| over every logit of every position.
    pub mean_abs_logit_err: f64,
    /// Smallest cosine similarity between the two logit vectors of a position.
    pub logits_cosine_min: f64,
    /// Standard deviation of the reference logits, for scale.
    pub ref_logit_std: f64,
}

/// Compare `gen` (from the golden model) with the reference on the same token sequence.
pub fn measure(cfg: &Config, w: &ModelWeights, gen: &Generation) -> Fidelity {
    let reference = Reference::new(cfg, w);
    let mut seq = gen.prompt.clone();
    seq.extend_from_slice(&gen.generated[..gen.generated.len() - 1]);
    // Logits after the last prompt token and after each fed-back generated token.
    let want: Vec<usize> = (gen.prompt.len() - 1..seq.len()).collect();
    let ref_logits = reference.forward(&seq, &mut RefCache::new(cfg), &want);
    compare(
        &gen.logits
            .iter()
            .map(|r| r.iter().map(|&x| from_act(x)).collect())
            .collect::<Vec<Vec<f32>>>(),
        &ref_logits,
    )
}

/// The statistics of two equally shaped sets of logit rows.
pub fn compare(golden: &[Vec<f32>], reference: &[Vec<f32>]) -> Fidelity {
    assert_eq!(golden.len(), reference.len());
    let (mut agree, mut max_err, mut sum_err, mut count) = (0usize, 0f64, 0f64, 0usize);
    let (mut cos_min, mut sum, mut sum_sq) = (f64::INFINITY, 0f64, 0f64);
    for (g, r) in golden.iter().zip(reference) {
        agree += (argmax(g) == argmax(r)) as usize;
        let (mut dot, mut ng, mut nr) = (0f64, 0f64, 0f64);
        for (&a, &b) in g.iter().zip(r) {
            let (a, b) = (a as f64, b as f64);
            let e = (a - b).abs();
            max_err = max_err.max(e);
            sum_err += e;
            dot += a * b;
            ng += a * a;
            nr += b * b;
            sum += b;
            sum_sq += b * b;
        }
        count += g.len();
        let cos = if ng == 0.0 || nr == 0.0 {
            (ng == nr) as u8 as f64
        } else {
            dot / (ng.sqrt() * nr.sqrt())
        };
        cos_min = cos_min.min(cos);
    }
    let n = count.max(1) as f64;
    let mean = sum / n;
    Fidelity {
        positions: golden.len(),
        top1_agreement: agree as f64 / golden.len().max(1) as f64,
        max_abs_logit_err: max_err,
        mean_abs_logit_err: sum_err / n,
        logits_cosine_min: if golden.is_empty() { 1.0 } else { cos_min },
        ref_logit_std: (sum_sq / n - mean * mean).max(0.0).sqrt(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::golden::Golden;
    use crate::sample::Sampler;
    use crate::synthetic::synthetic_model;

    #[test]
    fn golden_tracks_the_f32_reference_on_a_synthetic_model() {
        {
            let preset = "tiny";
            let cfg = tellme_config::preset(preset).unwrap();
            let w = synthetic_model(&cfg, 3);
            let g = Golden::new(&cfg, &w).unwrap();
            let prompt: Vec<u32> = (0..12)
                .map(|i| (i * 31 + 5) % cfg.model.vocab as u32)
                .collect();
            let gen = g
                .generate(&prompt, 12, &mut Sampler::greedy(), &mut |_, _, _| {})
                .unwrap();
            let f = measure(&cfg, &w, &gen);
            assert_eq!(f.positions, 12);
            assert!(f.logits_cosine_min > 0.99, "{f:?}");
            assert!(f.top1_agreement >= 0.75, "{f:?}");
            assert!(f.max_abs_logit_err < 0.25 * f.ref_logit_std, "{f:?}");
            eprintln!("{preset}: {f:?}");
        }
    }

    #[test]
    fn compare_counts_agreement_and_cosine() {
        let g = vec![vec![1.0, 2.0, 3.0], vec![3.0, 2.0, 1.0]];
        let r = vec![vec![1.0, 2.0, 3.5], vec![1.0, 2.0, 3.0]];
        let f = compare(&g, &r);
        assert_eq!(f.top1_agreement, 0.5);
        assert_eq!(f.max_abs_logit_err, 2.0);
        assert!(f.logits_cosine_min < 0.8);
    }
}
