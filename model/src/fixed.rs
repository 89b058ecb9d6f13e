//! Fixed-point primitives of the golden model. The formats and every rounding rule are the
//! contract in `NUMERICS.md`; the RTL implements exactly these.

/// An activation: Q16.16 in an `i32`.
pub type Act = i32;
/// Fraction bits of [`Act`].
pub const FRAC: u32 = 16;
/// 1.0 as an [`Act`].
pub const ONE: i64 = 1 << FRAC;

/// Round-half-up arithmetic shift right: `(x + 2^(s-1)) >> s`.
#[inline]
pub fn rshr(x: i64, s: u32) -> i64 {
    if s == 0 {
        x
    } else {
        (x + (1i64 << (s - 1))) >> s
    }
}

/// [`rshr`] on 128-bit intermediates.
#[inline]
pub fn rshr128(x: i128, s: u32) -> i128 {
    if s == 0 {
        x
    } else {
        (x + (1i128 << (s - 1))) >> s
    }
}

/// Saturate to the `i32` range.
#[inline]
pub fn sat(x: i64) -> Act {
    x.clamp(i32::MIN as i64, i32::MAX as i64) as Act
}

/// Saturate a 128-bit value to the `i32` range.
#[inline]
pub fn sat128(x: i128) -> Act {
    x.clamp(i32::MIN as i128, i32::MAX as i128) as Act
}

/// Q16.16 product, rounded and saturated.
#[inline]
pub fn mul_q16(a: Act, b: Act) -> Act {
    sat(rshr(a as i64 * b as i64, FRAC))
}

/// Saturating residual add.
#[inline]
pub fn add_sat(a: Act, b: Act) -> Act {
    sat(a as i64 + b as i64)
}

/// Real → Q16.16 (round half away from zero, saturated): used for weights and embeddings,
/// which the host converts once.
pub fn to_act(x: f32) -> Act {
    let v = (x as f64 * ONE as f64).round();
    if v.is_nan() {
        0
    } else {
        v.clamp(i32::MIN as f64, i32::MAX as f64) as Act
    }
}

/// Q16.16 → real.
#[inline]
pub fn from_act(x: Act) -> f32 {
    x as f32 / ONE as f32
}

/// Floor square root of a `u64` (exact; a sequential bit-by-bit unit in hardware).
pub fn isqrt(v: u64) -> u64 {
    if v == 0 {
        return 0;
    }
    let mut r = ((v as f64).sqrt() as u64).min(u32::MAX as u64);
    // Correct the float estimate to the exact floor.
    while r * r > v {
        r -= 1;
    }
    while (r + 1).checked_mul(r + 1).is_some_and(|sq| sq <= v) {
        r += 1;
    }
    r
}

/// `eps` in Q.16, at least one LSB.
pub fn eps_q16(eps: f64) -> u64 {
    ((eps * ONE as f64).round() as u64).max(1)
}

/// The per-token factor of RMSNorm: `1/sqrt(mean(x²) + eps)` in Q.32 (see `NUMERICS.md`).
pub fn rms_inv(x: &[Act], eps_q16: u64) -> u64 {
    let ss: u64 = x
        .iter()
        .map(|&v| ((v as i64 * v as i64) as u64) >> FRAC)
        .sum();
    let ms = ss / x.len().max(1) as u64;
    let r = isqrt((ms + eps_q16) << FRAC);
    (1u64 << 48) / r
}

/// RMSNorm of one token: `y_i = x_i · inv · g_i`.
pub fn rms_norm(x: &[Act], gain: &[Act], eps_q16: u64, out: &mut [Act]) {
    debug_assert_eq!(x.len(), gain.len());
    let inv = rms_inv(x, eps_q16) as i128;
    for ((o, &xi), &g) in out.iter_mut().zip(x).zip(gain) {
        let n = rshr128(xi as i128 * inv, 32);
        *o = sat128(rshr128(n * g as i128, FRAC));
    }
}

/// Fraction bits of the RoPE cos/sin table entries (Q2.30).
pub const ROPE_FRAC: u32 = 30;

/// cos/sin for every position and pair: `[pos][i]` for `i < d/2`, Q2.30, computed in f64 and
/// rounded once (the host writes the same table to the accelerator).
pub struct RopeTable {
    pub half: usize,
    pub cos: Vec<i32>,
    pub sin: Vec<i32>,
}

impl RopeTable {
    pub fn new(head_dim: usize, theta: f64, max_pos: usize) -> RopeTable {
        let half = head_dim / 2;
        let mut cos = Vec::with_capacity(max_pos * half);
        let mut sin = Vec::with_capacity(max_pos * half);
        let scale = (1u64 << ROPE_FRAC) as f64;
        for p in 0..max_pos {
            for i in 0..half {
                let freq = theta.powf(-2.0 * i as f64 / head_dim as f64);
                let angle = p as f64 * freq;
                cos.push((angle.cos() * scale).round() as i32);
                sin.push((angle.sin() * scale).round() as i32);
            }
        }
        RopeTable { half, cos, sin }
    }

    /// Rotate one head in place (rotate-half pairing: `i` with `i + d/2`).
    pub fn rotate(&self, head: &mut [Act], pos: usize) {
        let h = self.half;
        debug_assert_eq!(head.len(), 2 * h);
        let (c, s) = (
            &self.cos[pos * h..(pos + 1) * h],
            &self.sin[pos * h..(pos + 1) * h],
        );
        for i in 0..h {
            let (a, b) = (head[i] as i64, head[i + h] as i64);
            let (ci, si) = (c[i] as i64, s[i] as i64);
            head[i] = sat(rshr(a * ci - b * si, ROPE_FRAC));
            head[i + h] = sat(rshr(b * ci + a * si, ROPE_FRAC));
        }
    }
}

/// Entries of the 2^(−k/1024) ROM.
pub const EXP2_ROM_LEN: usize = 1024;

/// `round(2^16 · 2^(−k/1024))` for `k < 1024`.
pub fn exp2_rom() -> Vec<u32> {
    (0..EXP2_ROM_LEN)
        .map(|k| (ONE as f64 * (-(k as f64) / EXP2_ROM_LEN as f64).exp2()).round() as u32)
        .collect()
}

/// `2^z` for `z ≤ 0` in Q16.16 (log₂ units), result Q0.16 (1.0 = 65536).
#[inline]
pub fn exp2neg(rom: &[u32], z: i64) -> u32 {
    debug_assert!(z <= 0);
    let u = (-z) as u64;
    let n = u >> FRAC;
    if n > 16 {
        return 0;
    }
    rom[((u & 0xFFFF) >> 6) as usize] >> n
}

/// Sigmoid ROM: `round(2^16 · σ(−16 + k/64))`, `k = 0..=2048`.
pub fn sigmoid_rom() -> Vec<u32> {
    (0..=2048)
        .map(|k| {
            let x = -16.0 + k as f64 / 64.0;
            (ONE as f64 / (1.0 + (-x).exp())).round() as u32
        })
        .collect()
}

/// σ(x) in Q0.16 by ROM lookup and linear interpolation.
#[inline]
pub fn sigmoid(rom: &[u32], x: Act) -> Act {
    let lim = 16 * ONE;
    let xc = (x as i64).clamp(-lim, lim - 1);
    let o = (xc + lim) as u64; // [0, 2^21)
    let k = (o >> 10) as usize;
    let f = (o & 1023) as i64;
    let (a, b) = (rom[k] as i64, rom[k + 1] as i64);
    (a + (((b - a) * f + 512) >> 10)) as Act
}

/// SiLU(x) = x · σ(x).
#[inline]
pub fn silu(rom: &[u32], x: Act) -> Act {
    mul_q16(x, sigmoid(rom, x))
}

/// ReLU(x)².
#[inline]
pub fn relu2(x: Act) -> Act {
    let r = x.max(0);
    mul_q16(r, r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn isqrt_is_the_exact_floor() {
        let mut r = Rng::new(5);
        for _ in 0..100_000 {
            let v = r.next_u64() >> r.below(64);
            let s = isqrt(v);
            assert!(
                s * s <= v && (s + 1).checked_mul(s + 1).is_none_or(|q| q > v),
                "{v}"
            );
        }
        for v in [0u64, 1, 2, 3, 4, u64::MAX, (1 << 62) - 1, 1 << 62] {
            let s = isqrt(v);
            assert!(
                s * s <= v && (s + 1).checked_mul(s + 1).is_none_or(|q| q > v),
                "{v}"
            );
        }
    }

    #[test]
    fn rounding_shift_is_half_up() {
        assert_eq!(rshr(3, 1), 2);
        assert_eq!(rshr(-3, 1), -1);
        assert_eq!(rshr(5, 2), 1);
        assert_eq!(rshr(6, 2), 2);
        assert_eq!(rshr(7, 0), 7);
    }

    #[test]
    fn rms_norm_matches_float_within_a_few_lsb() {
        let mut r = Rng::new(9);
        for n in [192usize, 1536] {
            let x: Vec<Act> = (0..n).map(|_| to_act((r.normal() * 3.0) as f32)).collect();
            let g: Vec<Act> = (0..n)
                .map(|_| to_act(1.0 + 0.1 * r.normal() as f32))
                .collect();
            let mut y = vec![0; n];
            rms_norm(&x, &g, eps_q16(1e-5), &mut y);
            let ms = x.iter().map(|&v| (from_act(v) as f64).powi(2)).sum::<f64>() / n as f64;
            let inv = 1.0 / (ms + 1e-5).sqrt();
            for i in 0..n {
                let want = from_act(x[i]) as f64 * inv * from_act(g[i]) as f64;
                assert!(
                    (from_act(y[i]) as f64 - want).abs() < 4e-4,
                    "{i}: {} vs {want}",
                    from_act(y[i])
                );
            }
        }
    }

    #[test]
    fn rms_norm_of_zeros_is_zero_and_tiny_values_stay_bounded() {
        let mut y = vec![7; 8];
        rms_norm(&[0; 8], &[ONE as Act; 8], 1, &mut y);
        assert_eq!(y, vec![0; 8]);
        rms_norm(&[255; 8], &[ONE as Act; 8], 1, &mut y);
        assert!(y.iter().all(|&v| v > 0 && v <= ONE as Act));
    }

    #[test]
    fn exp2_and_sigmoid_roms_are_accurate() {
        let e = exp2_rom();
        assert_eq!(e[0], 65536);
        for z in [
            0i64,
            -1,
            -65536,
            -100_000,
            -16 * 65536,
            -17 * 65536,
            -(1 << 40),
        ] {
            let got = exp2neg(&e, z) as f64 / 65536.0;
            let want = (z as f64 / 65536.0).exp2();
            assert!(
                (got - want).abs() < 2e-3 * want.max(1.0 / 65536.0) + 1.0 / 65536.0,
                "{z}"
            );
        }
        let s = sigmoid_rom();
        for x in [-20.0f32, -16.0, -3.3, -0.01, 0.0, 0.5, 7.9, 15.99, 30.0] {
            let got = sigmoid(&s, to_act(x)) as f64 / 65536.0;
            let want = 1.0 / (1.0 + (-(x as f64)).exp());
            assert!((got - want).abs() < 3e-5, "{x}: {got} vs {want}");
        }
        assert_eq!(silu(&s, 0), 0);
        assert_eq!(relu2(to_act(-2.0)), 0);
        assert_eq!(relu2(to_act(3.0)), to_act(9.0));
    }

    #[test]
    fn rope_at_position_zero_is_identity_and_preserves_norm() {
        let t = RopeTable::new(8, 10_000.0, 16);
        let orig: Vec<Act> = (0..8).map(|i| to_act(i as f32 - 3.5)).collect();
        let mut h = orig.clone();
        t.rotate(&mut h, 0);
        assert_eq!(h, orig);
        t.rotate(&mut h, 7);
        let n0: f64 = orig.iter().map(|&v| (from_act(v) as f64).powi(2)).sum();
        let n1: f64 = h.iter().map(|&v| (from_act(v) as f64).powi(2)).sum();
        assert!((n0 - n1).abs() < 1e-3, "{n0} {n1}");
    }
}
