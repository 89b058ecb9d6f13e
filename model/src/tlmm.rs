//! Table-lookup ternary matmul, the golden model of the TLMM engine.
//!
//! For every 3-activation group of every token the table-build step makes the 14 magnitude
//! sums (`ternary::magnitude_table`); each weight index then selects one entry, negated by its
//! sign bit, and the accumulator adds it: one lookup replaces three multiply-adds. The table of
//! a group is built once per token and reused by every output row, as in the engine.
//!
//! The CPU layout widens each group's table to all 32 codes (negatives precomputed, invalid
//! codes zero) and interleaves tokens, `[group][code][token]`, so one index fetch serves every
//! token of a prefill batch with a contiguous, vectorisable add.

use crate::ternary::{magnitude_table, SIGN};
use crate::weights::TernaryMatrix;
use rayon::prelude::*;

/// Codes per widened table.
const CODES: usize = 32;

/// The lookup tables of `tokens` int8 activation vectors.
pub struct Tables {
    groups: usize,
    tokens: usize,
    /// `[group][code][token]`
    data: Vec<i16>,
}

impl Tables {
    /// Build from `tokens × k_in` int8 activations (row-major); `k_in` is padded to whole
    /// groups with zeros.
    pub fn build(q: &[i8], k_in: usize, tokens: usize) -> Tables {
        assert_eq!(
            q.len(),
            k_in * tokens,
            "activation count does not match the shape"
        );
        let groups = k_in.div_ceil(3);
        let mut data = vec![0i16; groups * CODES * tokens];
        data.par_chunks_mut(CODES * tokens)
            .enumerate()
            .for_each(|(g, chunk)| {
                for t in 0..tokens {
                    let row = &q[t * k_in..(t + 1) * k_in];
                    let a = |j: usize| row.get(3 * g + j).copied().unwrap_or(0);
                    let mags = magnitude_table([a(0), a(1), a(2)]);
                    for (m, &e) in mags.iter().enumerate() {
                        chunk[m * tokens + t] = e;
                        chunk[(SIGN as usize | m) * tokens + t] = -e;
                    }
                }
            });
        Tables {
            groups,
            tokens,
            data,
        }
    }

    pub fn tokens(&self) -> usize {
        self.tokens
    }
}

/// `out[t][r] = Σ_g lookup(table(t, g), idx[r][g])` for every token and row: the engine's
/// accumulators before dequantisation. `out` is `tokens × n_out`, row-major.
pub fn matmul(w: &TernaryMatrix, tables: &Tables) -> Vec<i32> {
    let (n, g, t) = (w.n_out, w.groups(), tables.tokens);
    assert_eq!(
        tables.groups, g,
        "tables were built for a different input width"
    );
    // Rows in parallel, each row's accumulators for all tokens side by side.
    let mut by_row = vec![0i32; n * t];
    const ROWS_PER_TASK: usize = 64;
    by_row
        .par_chunks_mut(ROWS_PER_TASK * t)
        .enumerate()
        .for_each(|(chunk, accs)| {
            let r0 = chunk * ROWS_PER_TASK;
            for (i, acc) in accs.chunks_mut(t).enumerate() {
                let idx = &w.idx[(r0 + i) * g..(r0 + i + 1) * g];
                if t == 1 {
                    acc[0] = row_single(idx, &tables.data);
                } else {
                    for (gi, &code) in idx.iter().enumerate() {
                        let e = &tables.data[(gi * CODES + code as usize) * t..][..t];
                        for (a, &v) in acc.iter_mut().zip(e) {
                            *a += v as i32;
                        }
                    }
                }
            }
        });
    // Transpose to token-major.
    let mut out = vec![0i32; n * t];
    for r in 0..n {
        for tok in 0..t {
            out[tok * n + r] = by_row[r * t + tok];
        }
    }
    out
}

/// One row, one token: four independent partial sums keep the loads in flight.
#[inline]
fn row_single(idx: &[u8], tab: &[i16]) -> i32 {
    let mut s = [0i32; 4];
    let mut chunks = idx.chunks_exact(4);
    let mut g = 0;
    for c in &mut chunks {
        for j in 0..4 {
            s[j] += tab[(g + j) * CODES + c[j] as usize] as i32;
        }
        g += 4;
    }
    for (j, &code) in chunks.remainder().iter().enumerate() {
        s[j] += tab[(g + j) * CODES + code as usize] as i32;
    }
    s.iter().sum()
}

/// The plain dot product `Σ_k q_k · w_k` for every token and row (no tables): the check that
/// TLMM is exact. `q` is `tokens × k_in`.
pub fn matmul_plain(w: &TernaryMatrix, q: &[i8], tokens: usize) -> Vec<i32> {
    let k = w.k_in;
    let mut out = vec![0i32; tokens * w.n_out];
    for r in 0..w.n_out {
        let trits = w.row_trits(r);
        for t in 0..tokens {
            out[t * w.n_out + r] = q[t * k..(t + 1) * k]
                .iter()
                .zip(&trits)
                .map(|(&a, &b)| a as i32 * b as i32)
                .sum();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn random_matrix(r: &mut Rng, n: usize, k: usize) -> TernaryMatrix {
        let trits: Vec<i8> = (0..n * k).map(|_| r.range_i64(-1, 1) as i8).collect();
        TernaryMatrix::from_trits(n, k, &trits, 0.02)
    }

    #[test]
    fn tlmm_equals_plain_dot_on_random_shapes_and_int8_edges() {
        let mut r = Rng::new(2024);
        for case in 0..40 {
            let k = 1 + r.below(400) as usize;
            let n = 1 + r.below(80) as usize;
            let t = 1 + r.below(6) as usize;
            let w = random_matrix(&mut r, n, k);
            let q: Vec<i8> = (0..k * t)
                .map(|_| match r.below(4) {
                    0 => -128,
                    1 => 127,
                    _ => r.range_i64(-128, 127) as i8,
                })
                .collect();
            let tabs = Tables::build(&q, k, t);
            assert_eq!(
                matmul(&w, &tabs),
                matmul_plain(&w, &q, t),
                "case {case}: {n}x{k}, {t} tokens"
            );
        }
    }

    #[test]
    fn extreme_accumulations_stay_within_24_bits_at_real_sizes() {
        // Every activation −128 and every weight −1 on the widest 2B input (6912): the largest
        // sum the engine can see, 884,736, needs 21 bits.
        let k = 6912;
        let w = TernaryMatrix::from_trits(2, k, &vec![-1; 2 * k], 1.0);
        let q = vec![-128i8; k];
        let acc = matmul(&w, &Tables::build(&q, k, 1));
        assert_eq!(acc, vec![128 * 6912; 2]);
        assert!(acc[0] < 1 << 23);
    }

    #[test]
    fn real_dimensions_match_the_plain_dot_product() {
        let mut r = Rng::new(7);
        for (n, k) in [(96, 4096), (64, 1536)] {
            let w = random_matrix(&mut r, n, k);
            let q: Vec<i8> = (0..2 * k).map(|_| r.range_i64(-128, 127) as i8).collect();
            assert_eq!(
                matmul(&w, &Tables::build(&q, k, 2)),
                matmul_plain(&w, &q, 2)
            );
        }
    }
}
