//! The per-token int8 absmax quantiser and the dequantiser (`NUMERICS.md`).

use crate::fixed::{sat128, Act};

/// Fraction bits of weight scales (Q8.24).
pub const SCALE_FRAC: u32 = 24;

/// A real scale (≥ 0) in Q8.24, rounded and saturated to `u32`.
pub fn scale_q8_24(s: f32) -> u32 {
    let v = (s as f64 * (1u64 << SCALE_FRAC) as f64).round();
    if v.is_nan() {
        0
    } else {
        v.clamp(0.0, u32::MAX as f64) as u32
    }
}

/// `max |x_i|` (fits `u32`: |i32::MIN| = 2^31).
pub fn absmax(x: &[Act]) -> u32 {
    x.iter().map(|v| v.unsigned_abs()).max().unwrap_or(0)
}

/// Fraction bits of the quantiser's reciprocal: 48 keeps ≥ 24 significant bits even for
/// m = 2^31, so q is within 2^-17 of round-to-nearest for any token.
pub const RECIP_FRAC: u32 = 48;

/// The quantiser's per-token reciprocal `floor(127 · 2^48 / m)` (0 for m = 0).
pub fn recip(m: u32) -> u64 {
    if m == 0 {
        0
    } else {
        (127u64 << RECIP_FRAC) / m as u64
    }
}

/// Quantise one token to int8: returns `m = max|x|`; `q_i = (x_i · recip + 2^47) >> 48`.
/// `|q_i| ≤ 127`; an all-zero token gives zeros and `m = 0`.
pub fn quantize(x: &[Act], q: &mut [i8]) -> u32 {
    debug_assert_eq!(x.len(), q.len());
    let m = absmax(x);
    let r = recip(m) as i64;
    for (qi, &xi) in q.iter_mut().zip(x) {
        *qi = ((xi as i64 * r + (1i64 << (RECIP_FRAC - 1))) >> RECIP_FRAC) as i8;
    }
    m
}

/// The per-token dequantisation multiplier `(m · ws + 127·2^7) / (127 · 2^8)` (Q.32).
pub fn dequant_multiplier(m: u32, ws: u32) -> u64 {
    const DIV: u128 = 127 << 8;
    ((m as u128 * ws as u128 + (127 << 7)) / DIV) as u64
}

/// `sat((acc · dq + 2^15) >> 16)`: the accumulator back to Q16.16.
#[inline]
pub fn dequantize(acc: i32, dq: u64) -> Act {
    sat128((acc as i128 * dq as i128 + (1 << 15)) >> 16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixed::{from_act, to_act};
    use crate::rng::Rng;

    #[test]
    fn all_zero_token_quantises_to_zero() {
        let mut q = [5i8; 6];
        assert_eq!(quantize(&[0; 6], &mut q), 0);
        assert_eq!(q, [0; 6]);
        assert_eq!(dequantize(1234, dequant_multiplier(0, 1 << 24)), 0);
    }

    #[test]
    fn one_huge_value_takes_127_and_the_rest_vanish() {
        let mut x = vec![to_act(0.001); 16];
        x[3] = i32::MAX;
        x[7] = -to_act(0.5);
        let mut q = vec![0i8; 16];
        assert_eq!(quantize(&x, &mut q), i32::MAX as u32);
        assert_eq!(q[3], 127);
        assert!(
            q.iter().enumerate().all(|(i, &v)| i == 3 || v == 0),
            "{q:?}"
        );
        // The most negative activation also maps to −127, never −128.
        x[3] = i32::MIN;
        quantize(&x, &mut q);
        assert_eq!(q[3], -127);
    }

    #[test]
    fn quantiser_matches_round_of_127x_over_max() {
        let mut r = Rng::new(11);
        for _ in 0..2000 {
            let n = 1 + r.below(300) as usize;
            let scale = 10f64.powi(r.range_i64(-3, 3) as i32);
            let x: Vec<Act> = (0..n)
                .map(|_| to_act((r.normal() * scale) as f32))
                .collect();
            let mut q = vec![0i8; n];
            let m = quantize(&x, &mut q);
            for i in 0..n {
                assert!((-127..=127).contains(&q[i]));
                if m > 0 {
                    let exact = 127.0 * x[i] as f64 / m as f64;
                    // The floored reciprocal loses at most 2^-17 against round-to-nearest.
                    assert!(
                        (q[i] as f64 - exact).abs() <= 0.5 + 1e-5,
                        "{} vs {exact}",
                        q[i]
                    );
                }
            }
        }
    }

    #[test]
    fn dequantise_matches_the_real_formula() {
        let m = to_act(2.75) as u32;
        let ws = scale_q8_24(0.0173);
        let dq = dequant_multiplier(m, ws);
        for acc in [-8_000_000i32, -12345, -1, 0, 1, 777, 8_000_000] {
            let want = acc as f64 * 2.75 / 127.0 * 0.0173;
            let got = from_act(dequantize(acc, dq)) as f64;
            assert!(
                (got - want).abs() < 1e-4 * want.abs().max(1.0),
                "{acc}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn dequantise_saturates_instead_of_wrapping() {
        let dq = dequant_multiplier(u32::MAX, u32::MAX);
        assert_eq!(dequantize(8_000_000, dq), i32::MAX);
        assert_eq!(dequantize(-8_000_000, dq), i32::MIN);
    }
}
