//! Three trits ↔ one 5-bit TLMM index.
//!
//! Three ternary weights `(w0, w1, w2)` (w0 multiplies the group's first activation) are read
//! as the balanced-ternary number `v = w0 + 3·w1 + 9·w2 ∈ [-13, 13]`. The index is `v` in
//! sign-magnitude: bit 4 is the sign, bits 3..0 are `|v|` (0..=13). So the 27 combinations use
//! 27 of the 32 codes; 14, 15, 30, 31 never occur, and 16 ("−0") is read as zero.
//!
//! Why this encoding: negating all three weights negates `v`, so the 27 signed sums of three
//! activations are ± one of 14 magnitudes (0 and 13 sums). The engine's table keeps those 14
//! and the sign bit negates the looked-up entry, which is TeLLMe's "13 sums computed, their
//! negatives stored" with half the table.

/// Bit 4 of an index: the looked-up sum is negated.
pub const SIGN: u8 = 0x10;
/// Magnitudes 0..=13 are valid.
pub const MAX_MAG: u8 = 13;

/// Encode three trits (each in {-1, 0, 1}).
pub fn encode(w: [i8; 3]) -> u8 {
    debug_assert!(w.iter().all(|t| (-1..=1).contains(t)), "not a trit: {w:?}");
    let v = w[0] as i32 + 3 * w[1] as i32 + 9 * w[2] as i32;
    if v < 0 {
        SIGN | (-v) as u8
    } else {
        v as u8
    }
}

/// Is `idx` one of the 27 codes [`encode`] produces (or the harmless −0)?
pub fn is_valid(idx: u8) -> bool {
    idx < 32 && (idx & 0xF) <= MAX_MAG
}

/// Decode an index back to its three trits. Invalid codes decode to zeros; check
/// [`is_valid`] first where that matters.
#[inline]
pub fn decode(idx: u8) -> [i8; 3] {
    if idx < 32 {
        TRITS[idx as usize]
    } else {
        [0; 3]
    }
}

/// The trits of every 5-bit code (zeros for the invalid ones).
pub static TRITS: [[i8; 3]; 32] = {
    let mut t = [[0i8; 3]; 32];
    let mut idx = 0;
    while idx < 32 {
        let mag = (idx & 0xF) as i32;
        if mag <= MAX_MAG as i32 {
            let mut rest = if idx & SIGN as usize != 0 { -mag } else { mag };
            // Balanced-ternary digits, least significant first.
            let mut j = 0;
            while j < 3 {
                let mut d = rest.rem_euclid(3);
                if d == 2 {
                    d = -1;
                }
                t[idx][j] = d as i8;
                rest = (rest - d) / 3;
                j += 1;
            }
        }
        idx += 1;
    }
    t
};

/// The trits whose signed sum `Σ t_j a_j` is table entry `mag` (0..=13).
pub fn magnitude_trits(mag: u8) -> [i8; 3] {
    decode(mag)
}

/// The 14-entry magnitude table for one group of three int8 activations, as the engine's
/// table-build unit computes it: entry m = Σ_j t_j(m) · a_j.
pub fn magnitude_table(a: [i8; 3]) -> [i16; 14] {
    let mut t = [0i16; 14];
    for (m, e) in t.iter_mut().enumerate() {
        let w = magnitude_trits(m as u8);
        *e = (0..3).map(|j| w[j] as i16 * a[j] as i16).sum();
    }
    t
}

/// Look an index up in a magnitude table (what one lookup unit does).
#[inline]
pub fn lookup(table: &[i16; 14], idx: u8) -> i16 {
    let mag = idx & 0xF;
    if mag > MAX_MAG {
        return 0;
    }
    let e = table[mag as usize];
    if idx & SIGN != 0 {
        -e
    } else {
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_trits() -> impl Iterator<Item = [i8; 3]> {
        (0..27).map(|c| {
            [
                (c % 3) as i8 - 1,
                ((c / 3) % 3) as i8 - 1,
                (c / 9) as i8 - 1,
            ]
        })
    }

    #[test]
    fn every_trit_triple_round_trips_through_a_distinct_index() {
        let mut seen = std::collections::HashSet::new();
        for w in all_trits() {
            let i = encode(w);
            assert!(is_valid(i) && i < 32, "{w:?} -> {i}");
            assert_eq!(decode(i), w);
            assert!(seen.insert(i), "index {i} used twice");
        }
        assert_eq!(seen.len(), 27);
    }

    #[test]
    fn negation_flips_only_the_sign_bit() {
        for w in all_trits() {
            let n = [-w[0], -w[1], -w[2]];
            if w != [0, 0, 0] {
                assert_eq!(encode(w) ^ SIGN, encode(n));
            }
        }
    }

    #[test]
    fn lookup_equals_the_dot_product_including_int8_edges() {
        let edges = [-128i8, -127, -1, 0, 1, 126, 127];
        for &a0 in &edges {
            for &a1 in &edges {
                for &a2 in &edges {
                    let a = [a0, a1, a2];
                    let t = magnitude_table(a);
                    for w in all_trits() {
                        let dot: i16 = (0..3).map(|j| w[j] as i16 * a[j] as i16).sum();
                        assert_eq!(lookup(&t, encode(w)), dot, "a={a:?} w={w:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn invalid_codes_are_rejected() {
        for i in [14u8, 15, 30, 31, 32, 200] {
            assert!(!is_valid(i));
            assert_eq!(decode(i), [0, 0, 0]);
        }
        assert!(is_valid(16)); // −0
        assert_eq!(decode(16), [0, 0, 0]);
    }
}
