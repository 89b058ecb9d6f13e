//! The f32 reference: BitNet b1.58 as its definition reads, in floating point.
//!
//! Weights are the same trits and scales the golden model uses; activations entering a linear
//! map are quantised per token with absmax (`round(x · 127 / max|x|)`, BitNet's
//! `activation_quant`), everything else — norms, RoPE, softmax, the activation function, the
//! KV cache, the LM head — is f32. The integer part of a BitLinear (`Σ q_k · w_k`) is computed
//! with integers: every term and partial sum is an integer below 2^24, so that is exactly what
//! f32 would compute, only faster.
//!
//! The fidelity report (`fidelity.rs`) compares the golden model against this.

use crate::weights::{ModelWeights, TernaryMatrix};
use rayon::prelude::*;
use tellme_config::{Activation, Config};

pub struct Reference<'w> {
    cfg: Config,
    w: &'w ModelWeights,
    /// cos/sin `[pos][i]`, `i < d/2`.
    cos: Vec<f32>,
    sin: Vec<f32>,
}

/// f32 keys and values, `[layer][pos][kv_dim]`.
pub struct RefCache {
    len: usize,
    k: Vec<Vec<f32>>,
    v: Vec<Vec<f32>>,
}

impl RefCache {
    pub fn new(cfg: &Config) -> RefCache {
        RefCache {
            len: 0,
            k: vec![Vec::new(); cfg.model.layers],
            v: vec![Vec::new(); cfg.model.layers],
        }
    }
}

impl<'w> Reference<'w> {
    pub fn new(cfg: &Config, w: &'w ModelWeights) -> Reference<'w> {
        let d = cfg.head_dim();
        let half = d / 2;
        let mut cos = Vec::with_capacity(cfg.model.max_context * half);
        let mut sin = Vec::with_capacity(cfg.model.max_context * half);
        for p in 0..cfg.model.max_context {
            for i in 0..half {
                let a = p as f64 * cfg.model.rope_theta.powf(-2.0 * i as f64 / d as f64);
                cos.push(a.cos() as f32);
                sin.push(a.sin() as f32);
            }
        }
        Reference {
            cfg: cfg.clone(),
            w,
            cos,
            sin,
        }
    }

    /// Run `tokens` after what `cache` holds; return logits for the positions (indices into
    /// `tokens`) listed in `want`.
    pub fn forward(&self, tokens: &[u32], cache: &mut RefCache, want: &[usize]) -> Vec<Vec<f32>> {
        let m = &self.cfg.model;
        let h = m.hidden;
        let t = tokens.len();
        let mut x: Vec<f32> = tokens
            .iter()
            .flat_map(|&tok| self.w.embedding[tok as usize * h..(tok as usize + 1) * h].to_vec())
            .collect();
        for li in 0..m.layers {
            self.layer(li, &mut x, t, cache);
        }
        cache.len += t;
        want.iter()
            .map(|&r| {
                let n = rms_norm(
                    &x[r * h..(r + 1) * h],
                    &self.w.final_norm,
                    m.norm_eps as f32,
                );
                self.w
                    .lm_head()
                    .par_chunks(h)
                    .map(|row| dot_f32(row, &n))
                    .collect()
            })
            .collect()
    }

    fn layer(&self, li: usize, x: &mut [f32], t: usize, cache: &mut RefCache) {
        let cfg = &self.cfg;
        let (h, f, kv, d) = (
            cfg.model.hidden,
            cfg.model.ffn,
            cfg.kv_dim(),
            cfg.head_dim(),
        );
        let eps = cfg.model.norm_eps as f32;
        let l = &self.w.layers[li];
        let norm = |x: &[f32], g: &[f32], n: usize| -> Vec<f32> {
            x.chunks(n).flat_map(|xt| rms_norm(xt, g, eps)).collect()
        };

        let n1 = norm(x, &l.attn_norm, h);
        let mut q = bitlinear(&l.q, &n1, t);
        let mut k = bitlinear(&l.k, &n1, t);
        let v = bitlinear(&l.v, &n1, t);
        let start = cache.len;
        for tok in 0..t {
            for head in q[tok * h..(tok + 1) * h].chunks_mut(d) {
                self.rope(head, start + tok);
            }
            for head in k[tok * kv..(tok + 1) * kv].chunks_mut(d) {
                self.rope(head, start + tok);
            }
        }
        cache.k[li].extend_from_slice(&k);
        cache.v[li].extend_from_slice(&v);
        let att = self.attention(&q, t, start, &cache.k[li], &cache.v[li]);
        let att = match &l.attn_sub_norm {
            Some(g) => norm(&att, g, h),
            None => att,
        };
        let o = bitlinear(&l.o, &att, t);
        for (a, b) in x.iter_mut().zip(&o) {
            *a += b;
        }

        let n2 = norm(x, &l.ffn_norm, h);
        let gate = bitlinear(&l.gate, &n2, t);
        let up = bitlinear(&l.up, &n2, t);
        let act: Vec<f32> = gate
            .iter()
            .zip(&up)
            .map(|(&g, &u)| {
                let a = match cfg.model.activation {
                    Activation::Silu => g / (1.0 + (-g).exp()),
                    Activation::Relu2 => g.max(0.0) * g.max(0.0),
                };
                a * u
            })
            .collect();
        let act = match &l.ffn_sub_norm {
            Some(g) => norm(&act, g, f),
            None => act,
        };
        let down = bitlinear(&l.down, &act, t);
        for (a, b) in x.iter_mut().zip(&down) {
            *a += b;
        }
    }

    fn rope(&self, head: &mut [f32], pos: usize) {
        let half = head.len() / 2;
        let (c, s) = (
            &self.cos[pos * half..][..half],
            &self.sin[pos * half..][..half],
        );
        for i in 0..half {
            let (a, b) = (head[i], head[i + half]);
            head[i] = a * c[i] - b * s[i];
            head[i + half] = b * c[i] + a * s[i];
        }
    }

    fn attention(&self, q: &[f32], t: usize, start: usize, k: &[f32], v: &[f32]) -> Vec<f32> {
        let cfg = &self.cfg;
        let (h, d, heads, kv) = (
            cfg.model.hidden,
            cfg.head_dim(),
            cfg.model.heads,
            cfg.kv_dim(),
        );
        let hpk = cfg.heads_per_kv();
        let scale = 1.0 / (d as f32).sqrt();
        let mut out = vec![0f32; t * h];
        out.par_chunks_mut(d).enumerate().for_each(|(i, o)| {
            let (tok, head) = (i / heads, i % heads);
            let g = head / hpk;
            let qh = &q[tok * h + head * d..][..d];
            let n = start + tok + 1;
            let scores: Vec<f32> = (0..n)
                .map(|j| {
                    qh.iter()
                        .zip(&k[j * kv + g * d..][..d])
                        .map(|(a, b)| a * b)
                        .sum::<f32>()
                        * scale
                })
                .collect();
            let mx = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let p: Vec<f32> = scores.iter().map(|s| (s - mx).exp()).collect();
            let total: f32 = p.iter().sum();
            for (j, &pj) in p.iter().enumerate() {
                for (oi, &vi) in o.iter_mut().zip(&v[j * kv + g * d..][..d]) {
                    *oi += pj / total * vi;
                }
            }
        });
        out
    }
}

fn rms_norm(x: &[f32], g: &[f32], eps: f32) -> Vec<f32> {
    let ms = x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32;
    let inv = 1.0 / (ms + eps).sqrt();
    x.iter().zip(g).map(|(v, gi)| v * inv * gi).collect()
}

/// BitNet's BitLinear: absmax int8 activations (clamped at 1e-5 as BitNet does), ternary
/// weights, rescaled by `max/127 · s`.
fn bitlinear(w: &TernaryMatrix, x: &[f32], t: usize) -> Vec<f32> {
    let k = w.k_in;
    // int8 values held as i16 so the integer dot product maps onto multiply-add instructions.
    let mut q = vec![0i16; x.len()];
    let mut back = Vec::with_capacity(t);
    for (xt, qt) in x.chunks(k).zip(q.chunks_mut(k)) {
        let m = xt.iter().fold(0f32, |a, b| a.max(b.abs())).max(1e-5);
        let s = 127.0 / m;
        for (qi, &xi) in qt.iter_mut().zip(xt) {
            *qi = (xi * s).round().clamp(-128.0, 127.0) as i16;
        }
        back.push(w.scale / s);
    }
    let n = w.n_out;
    const ROWS: usize = 16;
    let mut by_row = vec![0i32; n * t];
    by_row
        .par_chunks_mut(ROWS * t)
        .enumerate()
        .for_each(|(c, accs)| {
            let mut trits = vec![0i16; k];
            for (i, acc) in accs.chunks_mut(t).enumerate() {
                w.row_trits_into(c * ROWS + i, &mut trits);
                for (tok, a) in acc.iter_mut().enumerate() {
                    *a = dot_i16(&q[tok * k..(tok + 1) * k], &trits);
                }
            }
        });
    let mut out = vec![0f32; n * t];
    for r in 0..n {
        for tok in 0..t {
            out[tok * n + r] = by_row[r * t + tok] as f32 * back[tok];
        }
    }
    out
}

fn dot_i16(a: &[i16], b: &[i16]) -> i32 {
    a.iter().zip(b).map(|(&x, &y)| x as i32 * y as i32).sum()
}

/// An f32 dot product in eight interleaved partial sums (lets the compiler vectorise; the
/// summation order is fixed, so results are reproducible).
fn dot_f32(a: &[f32], b: &[f32]) -> f32 {
    let mut s = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for j in 0..8 {
            s[j] += x[j] * y[j];
        }
    }
    s.iter().sum::<f32>() + tail
}
