//! The golden model: a whole BitNet forward pass in the accelerator's exact arithmetic
//! (`NUMERICS.md`), with a KV cache so that decoding one token costs one token.

use crate::error::{ModelError, Result};
use crate::fixed::{
    self, add_sat, eps_q16, exp2_rom, exp2neg, mul_q16, rms_norm, rshr, rshr128, sat128,
    sigmoid_rom, to_act, Act, RopeTable, ONE,
};
use crate::quant::{self, dequant_multiplier, dequantize, quantize, scale_q8_24};
use crate::sample::Sampler;
use crate::tlmm::{self, Tables};
use crate::weights::{ModelWeights, TernaryMatrix};
use rayon::prelude::*;
use std::time::Instant;
use tellme_config::{Activation, Config};

/// Fraction bits of the attention score constant `C_fx`.
const SCORE_C_FRAC: i32 = 56;

/// Per-layer constants in fixed point.
struct Layer {
    attn_norm: Vec<Act>,
    attn_sub_norm: Option<Vec<Act>>,
    ffn_norm: Vec<Act>,
    ffn_sub_norm: Option<Vec<Act>>,
    /// Q8.24 scales in `LinearKind::ALL` order.
    ws: [u32; 7],
}

/// The golden model over borrowed weights. Build once; run many prompts.
pub struct Golden<'w> {
    cfg: Config,
    w: &'w ModelWeights,
    eps: u64,
    layers: Vec<Layer>,
    final_norm: Vec<Act>,
    /// LM head, `vocab × hidden` int8, and each row's scale in Q8.24.
    lm_w8: Vec<i8>,
    lm_scale: Vec<u32>,
    rope: RopeTable,
    exp2: Vec<u32>,
    sigmoid: Vec<u32>,
    /// `round(log2(e) / (127² · sqrt(d)) · 2^56)`.
    score_c: u64,
}

/// Keys and values of every layer, int8 with a per (token, kv-head) absmax scale.
pub struct KvCache {
    len: usize,
    kv_dim: usize,
    kv_heads: usize,
    layers: Vec<LayerKv>,
}

#[derive(Default)]
struct LayerKv {
    k: Vec<i8>,
    km: Vec<u32>,
    v: Vec<i8>,
    vm: Vec<u32>,
}

impl KvCache {
    pub fn new(cfg: &Config) -> KvCache {
        KvCache {
            len: 0,
            kv_dim: cfg.kv_dim(),
            kv_heads: cfg.model.kv_heads,
            layers: (0..cfg.model.layers).map(|_| LayerKv::default()).collect(),
        }
    }

    /// Positions held.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Which positions of a forward pass need logits.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Logits {
    Last,
    All,
}

/// What a generation run returns.
#[derive(Clone, Debug)]
pub struct Generation {
    pub prompt: Vec<u32>,
    pub generated: Vec<u32>,
    /// The logits each generated token was drawn from (Q16.16), one row per token.
    pub logits: Vec<Vec<Act>>,
    /// Wall-clock seconds: prompt processing up to the first token's logits.
    pub prefill_s: f64,
    /// Wall-clock seconds of the decode steps (`generated.len() - 1` forward passes).
    pub decode_s: f64,
}

/// Progress of a long run: (phase, done, total).
pub type Progress<'a> = &'a mut dyn FnMut(&'static str, u64, u64);

impl<'w> Golden<'w> {
    /// Convert the weights' real-valued parts to fixed point. Fails if the weights do not
    /// match the configuration.
    pub fn new(cfg: &Config, w: &'w ModelWeights) -> Result<Golden<'w>> {
        w.check_shapes(cfg).map_err(ModelError::Checkpoint)?;
        let acts = |v: &[f32]| v.iter().map(|&x| to_act(x)).collect::<Vec<_>>();
        let layers = w
            .layers
            .iter()
            .map(|l| Layer {
                attn_norm: acts(&l.attn_norm),
                attn_sub_norm: l.attn_sub_norm.as_deref().map(acts),
                ffn_norm: acts(&l.ffn_norm),
                ffn_sub_norm: l.ffn_sub_norm.as_deref().map(acts),
                ws: l.linears().map(|t| scale_q8_24(t.scale)),
            })
            .collect();
        let hidden = cfg.model.hidden;
        let (lm_w8, lm_scale) = quantize_rows_int8(w.lm_head(), hidden);
        let d = cfg.head_dim() as f64;
        let score_c = (std::f64::consts::LOG2_E / (127.0 * 127.0 * d.sqrt())
            * 2f64.powi(SCORE_C_FRAC))
        .round() as u64;
        Ok(Golden {
            eps: eps_q16(cfg.model.norm_eps),
            layers,
            final_norm: acts(&w.final_norm),
            lm_w8,
            lm_scale,
            rope: RopeTable::new(cfg.head_dim(), cfg.model.rope_theta, cfg.model.max_context),
            exp2: exp2_rom(),
            sigmoid: sigmoid_rom(),
            score_c,
            cfg: cfg.clone(),
            w,
        })
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Check a request against the model: tokens in the vocabulary, room in the context.
    pub fn check_request(&self, prompt: &[u32], max_new_tokens: usize) -> Result<()> {
        let m = &self.cfg.model;
        if prompt.is_empty() {
            return Err(ModelError::Input(
                "the prompt is empty: give at least one token".into(),
            ));
        }
        if max_new_tokens == 0 {
            return Err(ModelError::Input(
                "--max-new-tokens must be at least 1 (nothing to generate)".into(),
            ));
        }
        if let Some(&t) = prompt.iter().find(|&&t| t as usize >= m.vocab) {
            return Err(ModelError::Input(format!(
                "prompt token {t} is outside the vocabulary (0..{})",
                m.vocab
            )));
        }
        if prompt.len() + max_new_tokens > m.max_context {
            return Err(ModelError::Input(format!(
                "prompt of {} tokens + {} new tokens exceeds the model's context of {} tokens",
                prompt.len(),
                max_new_tokens,
                m.max_context
            )));
        }
        Ok(())
    }

    /// Run `tokens` at the positions after what `cache` holds, append their keys and values,
    /// and return logits (Q16.16) for the last position or for all of them.
    pub fn forward(&self, tokens: &[u32], cache: &mut KvCache, want: Logits) -> Vec<Vec<Act>> {
        self.forward_with_progress(tokens, cache, want, &mut |_, _, _| {})
    }

    fn forward_with_progress(
        &self,
        tokens: &[u32],
        cache: &mut KvCache,
        want: Logits,
        progress: Progress,
    ) -> Vec<Vec<Act>> {
        let h = self.cfg.model.hidden;
        let t = tokens.len();
        assert!(
            cache.len + t <= self.cfg.model.max_context,
            "forward past the context; check_request first"
        );
        let mut x: Vec<Act> = tokens.iter().flat_map(|&tok| self.embed(tok)).collect();
        let layers = self.layers.len() as u64;
        for (li, layer) in self.layers.iter().enumerate() {
            self.layer(li, layer, &mut x, t, cache);
            progress("layers", li as u64 + 1, layers);
        }
        cache.len += t;
        let rows: Vec<usize> = match want {
            Logits::Last => vec![t - 1],
            Logits::All => (0..t).collect(),
        };
        rows.into_iter()
            .map(|r| self.lm_head(&x[r * h..(r + 1) * h]))
            .collect()
    }

    /// The embedding row of a token in Q16.16 (the host's conversion).
    pub fn embed(&self, token: u32) -> Vec<Act> {
        let h = self.cfg.model.hidden;
        self.w.embedding[token as usize * h..(token as usize + 1) * h]
            .iter()
            .map(|&e| to_act(e))
            .collect()
    }

    fn layer(&self, li: usize, c: &Layer, x: &mut [Act], t: usize, cache: &mut KvCache) {
        let cfg = &self.cfg;
        let (h, f, kv) = (cfg.model.hidden, cfg.model.ffn, cfg.kv_dim());
        let wl = &self.w.layers[li];

        // Attention block.
        let n1 = self.norm_tokens(x, &c.attn_norm, h);
        let (n1_q, n1_m) = quantize_tokens(&n1, h);
        let tabs = Tables::build(&n1_q, h, t);
        let mut q = bitlinear(&wl.q, c.ws[0], &tabs, &n1_m);
        let mut k = bitlinear(&wl.k, c.ws[1], &tabs, &n1_m);
        let v = bitlinear(&wl.v, c.ws[2], &tabs, &n1_m);
        let d = cfg.head_dim();
        let start = cache.len;
        for tok in 0..t {
            for head in q[tok * h..(tok + 1) * h].chunks_mut(d) {
                self.rope.rotate(head, start + tok);
            }
            for head in k[tok * kv..(tok + 1) * kv].chunks_mut(d) {
                self.rope.rotate(head, start + tok);
            }
        }
        let lkv = &mut cache.layers[li];
        append_quantized(&k, d, &mut lkv.k, &mut lkv.km);
        append_quantized(&v, d, &mut lkv.v, &mut lkv.vm);
        let att = self.attention(
            &q,
            t,
            start,
            &cache.layers[li],
            cache.kv_dim,
            cache.kv_heads,
        );
        let att = match &c.attn_sub_norm {
            Some(g) => self.norm_tokens(&att, g, h),
            None => att,
        };
        let o = self.bitlinear_fresh(&wl.o, c.ws[3], &att, h, t);
        for (xi, oi) in x.iter_mut().zip(&o) {
            *xi = add_sat(*xi, *oi);
        }

        // Feed-forward block.
        let n2 = self.norm_tokens(x, &c.ffn_norm, h);
        let (n2_q, n2_m) = quantize_tokens(&n2, h);
        let tabs = Tables::build(&n2_q, h, t);
        let gate = bitlinear(&wl.gate, c.ws[4], &tabs, &n2_m);
        let up = bitlinear(&wl.up, c.ws[5], &tabs, &n2_m);
        let act: Vec<Act> = gate
            .iter()
            .zip(&up)
            .map(|(&g, &u)| {
                let a = match cfg.model.activation {
                    Activation::Silu => fixed::silu(&self.sigmoid, g),
                    Activation::Relu2 => fixed::relu2(g),
                };
                mul_q16(a, u)
            })
            .collect();
        let act = match &c.ffn_sub_norm {
            Some(g) => self.norm_tokens(&act, g, f),
            None => act,
        };
        let down = self.bitlinear_fresh(&wl.down, c.ws[6], &act, f, t);
        for (xi, di) in x.iter_mut().zip(&down) {
            *xi = add_sat(*xi, *di);
        }
    }

    fn norm_tokens(&self, x: &[Act], gain: &[Act], n: usize) -> Vec<Act> {
        let mut out = vec![0; x.len()];
        for (xo, xi) in out.chunks_mut(n).zip(x.chunks(n)) {
            rms_norm(xi, gain, self.eps, xo);
        }
        out
    }

    /// A BitLinear whose input is not shared with another map.
    fn bitlinear_fresh(
        &self,
        w: &TernaryMatrix,
        ws: u32,
        x: &[Act],
        k: usize,
        t: usize,
    ) -> Vec<Act> {
        let (xq, xm) = quantize_tokens(x, k);
        bitlinear(w, ws, &Tables::build(&xq, k, t), &xm)
    }

    /// Causal attention of `t` new queries (positions `start..start+t`) over the cache.
    fn attention(
        &self,
        q: &[Act],
        t: usize,
        start: usize,
        kv: &LayerKv,
        kv_dim: usize,
        kv_heads: usize,
    ) -> Vec<Act> {
        let cfg = &self.cfg;
        let (h, d, heads) = (cfg.model.hidden, cfg.head_dim(), cfg.model.heads);
        let hpk = cfg.heads_per_kv();
        let mut out = vec![0 as Act; t * h];
        out.par_chunks_mut(d).enumerate().for_each(|(i, o)| {
            let (tok, head) = (i / heads, i % heads);
            let g = head / hpk;
            let qh = &q[tok * h + head * d..][..d];
            let mut q8 = vec![0i8; d];
            let mq = quantize(qh, &mut q8);
            let qc = rshr128(mq as i128 * self.score_c as i128, 32);
            let mut sm = OnlineSoftmax::new(d);
            for j in 0..=start + tok {
                let k8 = &kv.k[j * kv_dim + g * d..][..d];
                let v8 = &kv.v[j * kv_dim + g * d..][..d];
                let dot: i32 = q8.iter().zip(k8).map(|(&a, &b)| a as i32 * b as i32).sum();
                let s = sat128(rshr128(
                    dot as i128 * kv.km[j * kv_heads + g] as i128 * qc,
                    40,
                ));
                sm.push(&self.exp2, s, kv.vm[j * kv_heads + g], v8);
            }
            sm.finish(o);
        });
        out
    }

    /// Final norm, int8 quantiser, int8 LM head, dequantiser: one token's logits.
    fn lm_head(&self, x: &[Act]) -> Vec<Act> {
        let hidden = self.cfg.model.hidden;
        let mut n = vec![0; hidden];
        rms_norm(x, &self.final_norm, self.eps, &mut n);
        let mut q8 = vec![0i8; hidden];
        let m = quantize(&n, &mut q8);
        self.lm_w8
            .par_chunks(hidden)
            .zip(self.lm_scale.par_iter())
            .map(|(row, &s)| {
                let acc: i32 = row
                    .iter()
                    .zip(&q8)
                    .map(|(&w, &a)| w as i32 * a as i32)
                    .sum();
                dequantize(acc, dequant_multiplier(m, s))
            })
            .collect()
    }

    /// Prefill the prompt, then decode up to `max_new_tokens`, one token per forward pass.
    pub fn generate(
        &self,
        prompt: &[u32],
        max_new_tokens: usize,
        sampler: &mut Sampler,
        progress: Progress,
    ) -> Result<Generation> {
        self.check_request(prompt, max_new_tokens)?;
        let mut cache = KvCache::new(&self.cfg);
        let t0 = Instant::now();
        let first = self
            .forward_with_progress(prompt, &mut cache, Logits::Last, &mut |_, done, total| {
                progress("prefill", done, total)
            })
            .pop()
            .expect("one row of logits");
        let prefill_s = t0.elapsed().as_secs_f64();
        let mut generated = vec![sampler.pick(&first)];
        let mut logits = vec![first];
        let total = max_new_tokens as u64;
        progress("decode", 1, total);
        let t1 = Instant::now();
        while generated.len() < max_new_tokens {
            let last = *generated.last().expect("at least one token");
            let row = self
                .forward(&[last], &mut cache, Logits::Last)
                .pop()
                .expect("one row");
            generated.push(sampler.pick(&row));
            logits.push(row);
            progress("decode", generated.len() as u64, total);
        }
        Ok(Generation {
            prompt: prompt.to_vec(),
            generated,
            logits,
            prefill_s,
            decode_s: t1.elapsed().as_secs_f64(),
        })
    }
}

/// One BitLinear on its own, `tokens × k_in` activations in, `tokens × n_out` out: the
/// per-token quantiser, TLMM and the dequantiser, exactly as inside [`Golden::forward`] (the
/// reference for the RTL's BitLinear).
pub fn bitlinear_tokens(w: &TernaryMatrix, x: &[Act]) -> Vec<Act> {
    let k = w.k_in;
    assert_eq!(x.len() % k, 0, "activations are not whole tokens");
    let (q, m) = quantize_tokens(x, k);
    bitlinear(
        w,
        quant::scale_q8_24(w.scale),
        &Tables::build(&q, k, x.len() / k),
        &m,
    )
}

/// Quantise each `k`-long token: int8 values and each token's absmax.
fn quantize_tokens(x: &[Act], k: usize) -> (Vec<i8>, Vec<u32>) {
    let mut q = vec![0i8; x.len()];
    let m = x
        .chunks(k)
        .zip(q.chunks_mut(k))
        .map(|(xt, qt)| quantize(xt, qt))
        .collect();
    (q, m)
}

/// TLMM + dequantiser for every token sharing `tables`.
fn bitlinear(w: &TernaryMatrix, ws: u32, tables: &Tables, m: &[u32]) -> Vec<Act> {
    let acc = tlmm::matmul(w, tables);
    let n = w.n_out;
    let mut out = vec![0 as Act; acc.len()];
    for (tok, (o, a)) in out.chunks_mut(n).zip(acc.chunks(n)).enumerate() {
        let dq = dequant_multiplier(m[tok], ws);
        for (oi, &ai) in o.iter_mut().zip(a) {
            *oi = dequantize(ai, dq);
        }
    }
    out
}

/// Quantise each `d`-wide head of each token and append values and scales.
fn append_quantized(x: &[Act], d: usize, vals: &mut Vec<i8>, scales: &mut Vec<u32>) {
    let base = vals.len();
    vals.resize(base + x.len(), 0);
    for (xh, qh) in x.chunks(d).zip(vals[base..].chunks_mut(d)) {
        scales.push(quantize(xh, qh));
    }
}

/// Online softmax with P·V, over keys in ascending order (`NUMERICS.md`).
struct OnlineSoftmax {
    started: bool,
    mx: i32,
    l: u64,
    o: Vec<i64>,
}

impl OnlineSoftmax {
    fn new(d: usize) -> Self {
        OnlineSoftmax {
            started: false,
            mx: 0,
            l: 0,
            o: vec![0; d],
        }
    }

    fn push(&mut self, exp2: &[u32], s: i32, mv: u32, v8: &[i8]) {
        let mv = mv as i64;
        if !self.started || s > self.mx {
            if self.started {
                let a = exp2neg(exp2, self.mx as i64 - s as i64) as i64;
                self.l = rshr(self.l as i64 * a, 16) as u64;
                for oi in &mut self.o {
                    *oi = rshr(*oi * a, 16);
                }
            }
            self.started = true;
            self.mx = s;
            self.l += ONE as u64;
            for (oi, &v) in self.o.iter_mut().zip(v8) {
                *oi += mv * v as i64;
            }
        } else {
            let p = exp2neg(exp2, s as i64 - self.mx as i64) as i64;
            self.l += p as u64;
            let pv = rshr(p * mv, 16);
            for (oi, &v) in self.o.iter_mut().zip(v8) {
                *oi += pv * v as i64;
            }
        }
    }

    fn finish(&self, out: &mut [Act]) {
        let rl = ((1u128 << 56) / (127 * self.l as u128)) as i128;
        for (oi, &o) in out.iter_mut().zip(&self.o) {
            *oi = sat128(rshr128(o as i128 * rl, 40));
        }
    }
}

/// Int8 rows with a per-row scale: `w8 = round(127·W/max|W_r|)`, scale `max|W_r|/127` (Q8.24).
pub fn quantize_rows_int8(w: &[f32], cols: usize) -> (Vec<i8>, Vec<u32>) {
    let mut w8 = vec![0i8; w.len()];
    let scales = w8
        .par_chunks_mut(cols)
        .zip(w.par_chunks(cols))
        .map(|(q, row)| {
            let mx = row.iter().fold(0f32, |a, &b| a.max(b.abs()));
            if mx > 0.0 {
                for (qi, &wi) in q.iter_mut().zip(row) {
                    *qi = (127.0 * wi / mx).round().clamp(-127.0, 127.0) as i8;
                }
            }
            quant::scale_q8_24(mx / 127.0)
        })
        .collect();
    (w8, scales)
}

#[cfg(test)]
mod tests;
