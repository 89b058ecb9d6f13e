//! A BitNet model's parameters, in the form both models consume.
//!
//! Ternary linear maps are held as TLMM indices (one byte per 3 trits, see [`crate::ternary`]):
//! that is the accelerator's own encoding, it is 3× smaller than one byte per weight, and the
//! golden model computes straight from it. Everything that is not ternary (embeddings, norms,
//! the LM head) is kept as f32, the checkpoint's own precision or better; the golden model
//! converts it to its fixed-point formats once, in [`crate::golden::Golden::new`].

use crate::ternary;
use tellme_config::Config;

/// One ternary linear map `y = s · W x`, `W ∈ {-1,0,1}^{n_out × k_in}`.
#[derive(Clone, Debug, PartialEq)]
pub struct TernaryMatrix {
    pub n_out: usize,
    pub k_in: usize,
    /// `n_out × groups` TLMM indices, row-major; `groups = ceil(k_in / 3)`, the last group of a
    /// row zero-padded.
    pub idx: Vec<u8>,
    /// The per-tensor scale `s` (absmean of the latent weights), as the checkpoint gives it.
    pub scale: f32,
}

impl TernaryMatrix {
    pub fn groups(&self) -> usize {
        self.k_in.div_ceil(3)
    }

    /// Build from dense trits (`n_out × k_in`, row-major, values in {-1, 0, 1}).
    pub fn from_trits(n_out: usize, k_in: usize, trits: &[i8], scale: f32) -> TernaryMatrix {
        assert_eq!(
            trits.len(),
            n_out * k_in,
            "trit count does not match the shape"
        );
        let groups = k_in.div_ceil(3);
        let mut idx = vec![0u8; n_out * groups];
        for r in 0..n_out {
            let row = &trits[r * k_in..(r + 1) * k_in];
            for (g, slot) in idx[r * groups..(r + 1) * groups].iter_mut().enumerate() {
                let t = |j: usize| row.get(3 * g + j).copied().unwrap_or(0);
                *slot = ternary::encode([t(0), t(1), t(2)]);
            }
        }
        TernaryMatrix {
            n_out,
            k_in,
            idx,
            scale,
        }
    }

    /// BitNet b1.58 absmean quantisation of latent weights (`n_out × k_in`, row-major):
    /// `s = max(mean|W|, 1e-5)`, `w = clamp(round(W / s), -1, 1)` (round half away from zero,
    /// as `torch.round` does not — but ties need |W| = s/2 exactly, which bf16 data almost
    /// never hits; we document rather than imitate banker's rounding). The mean is accumulated
    /// in f64 so the scale does not depend on summation order.
    pub fn from_latent(n_out: usize, k_in: usize, latent: &[f32]) -> TernaryMatrix {
        assert_eq!(
            latent.len(),
            n_out * k_in,
            "latent weight count does not match the shape"
        );
        let mean = latent.iter().map(|w| w.abs() as f64).sum::<f64>() / latent.len().max(1) as f64;
        let scale = (mean as f32).max(1e-5);
        let trits: Vec<i8> = latent
            .iter()
            .map(|&w| (w / scale).round().clamp(-1.0, 1.0) as i8)
            .collect();
        TernaryMatrix::from_trits(n_out, k_in, &trits, scale)
    }

    /// One row's trits, `k_in` long.
    pub fn row_trits(&self, r: usize) -> Vec<i8> {
        let mut out = vec![0i8; self.k_in];
        self.row_trits_into(r, &mut out);
        out
    }

    /// One row's trits into `out` (`k_in` long), without allocating.
    pub fn row_trits_into<T: From<i8>>(&self, r: usize, out: &mut [T]) {
        let g = self.groups();
        for (k, o) in out.iter_mut().enumerate().take(self.k_in) {
            *o = T::from(ternary::decode(self.idx[r * g + k / 3])[k % 3]);
        }
    }

    /// All trits, `n_out × k_in` row-major.
    pub fn to_trits(&self) -> Vec<i8> {
        (0..self.n_out).flat_map(|r| self.row_trits(r)).collect()
    }
}

/// One transformer layer.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerWeights {
    /// RMSNorm before attention (`input_layernorm`), `hidden` long.
    pub attn_norm: Vec<f32>,
    pub q: TernaryMatrix,
    pub k: TernaryMatrix,
    pub v: TernaryMatrix,
    /// RMSNorm before o_proj (sub-layer norm), `hidden` long; `None` without sub-norms.
    pub attn_sub_norm: Option<Vec<f32>>,
    pub o: TernaryMatrix,
    /// RMSNorm before the feed-forward block (`post_attention_layernorm`), `hidden` long.
    pub ffn_norm: Vec<f32>,
    pub gate: TernaryMatrix,
    pub up: TernaryMatrix,
    /// RMSNorm before down_proj (sub-layer norm), `ffn` long; `None` without sub-norms.
    pub ffn_sub_norm: Option<Vec<f32>>,
    pub down: TernaryMatrix,
}

impl LayerWeights {
    /// The seven ternary maps in [`tellme_config::LinearKind::ALL`] order.
    pub fn linears(&self) -> [&TernaryMatrix; 7] {
        [
            &self.q, &self.k, &self.v, &self.o, &self.gate, &self.up, &self.down,
        ]
    }
}

/// A whole model.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelWeights {
    /// `vocab × hidden`, row-major.
    pub embedding: Vec<f32>,
    pub layers: Vec<LayerWeights>,
    /// Final RMSNorm, `hidden` long.
    pub final_norm: Vec<f32>,
    /// `vocab × hidden`, row-major; `None` when tied to the embedding.
    pub lm_head: Option<Vec<f32>>,
}

impl ModelWeights {
    /// The LM head matrix (the embedding when tied).
    pub fn lm_head(&self) -> &[f32] {
        self.lm_head.as_deref().unwrap_or(&self.embedding)
    }

    /// Check every shape against the configuration; the error names the first tensor that
    /// does not fit.
    pub fn check_shapes(&self, cfg: &Config) -> Result<(), String> {
        let m = &cfg.model;
        let vec_len = |name: &str, v: &[f32], want: usize| {
            if v.len() == want {
                Ok(())
            } else {
                Err(format!("{name} has {} values, expected {want}", v.len()))
            }
        };
        vec_len("embedding", &self.embedding, m.vocab * m.hidden)?;
        vec_len("final norm", &self.final_norm, m.hidden)?;
        if let Some(h) = &self.lm_head {
            vec_len("lm_head", h, m.vocab * m.hidden)?;
        }
        if self.layers.len() != m.layers {
            return Err(format!(
                "{} layers, expected {}",
                self.layers.len(),
                m.layers
            ));
        }
        for (i, l) in self.layers.iter().enumerate() {
            vec_len(&format!("layer {i} attn norm"), &l.attn_norm, m.hidden)?;
            vec_len(&format!("layer {i} ffn norm"), &l.ffn_norm, m.hidden)?;
            match (&l.attn_sub_norm, &l.ffn_sub_norm, m.sub_norms) {
                (Some(a), Some(f), true) => {
                    vec_len(&format!("layer {i} attn sub-norm"), a, m.hidden)?;
                    vec_len(&format!("layer {i} ffn sub-norm"), f, m.ffn)?;
                }
                (None, None, false) => {}
                _ => return Err(format!("layer {i}: sub-norms do not match model.sub_norms")),
            }
            for (shape, t) in cfg.layer_linears().iter().zip(l.linears()) {
                if (t.n_out, t.k_in) != (shape.n_out, shape.k_in)
                    || t.idx.len() != t.n_out * t.groups()
                {
                    return Err(format!(
                        "layer {i} {}_proj is {}×{}, expected {}×{}",
                        shape.kind.name(),
                        t.n_out,
                        t.k_in,
                        shape.n_out,
                        shape.k_in
                    ));
                }
                if !(t.scale.is_finite() && t.scale >= 0.0) {
                    return Err(format!(
                        "layer {i} {}_proj has an invalid scale {}",
                        shape.kind.name(),
                        t.scale
                    ));
                }
            }
        }
        Ok(())
    }
}
