//! The 2-bit ternary packing of `microsoft/bitnet-b1.58-2B-4T` (HF transformers'
//! `pack_weights` / `unpack_weights`), described in the [module docs](super).

use rayon::prelude::*;

/// Ternary values per packed byte.
pub const TRITS_PER_BYTE: usize = 4;

/// Rows of the packed tensor for `n_out` output rows: `ceil(n_out / 4)`.
pub fn packed_rows(n_out: usize) -> usize {
    n_out.div_ceil(TRITS_PER_BYTE)
}

/// A packed byte holding the invalid 2-bit code 3 for output row `row`, column `col`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct BadCode {
    /// Output row (`0..n_out`) whose code is invalid.
    pub row: usize,
    /// Input column (`0..k_in`).
    pub col: usize,
    /// Row of the packed tensor (`row % packed_rows(n_out)`) and the bit pair
    /// (`row / packed_rows(n_out)`) the code sits in.
    pub packed_row: usize,
    pub bit_pair: usize,
}

/// Pack dense trits (`n_out × k_in`, row-major, values in {-1, 0, 1}) into the
/// `[ceil(n_out/4), k_in]` byte tensor: bits `2i+1..2i` of byte `(p, c)` hold
/// `W[i·P + p][c] + 1`, `P = ceil(n_out/4)`. Slots past `n_out` (when `n_out % 4 != 0`) are
/// left 0, as `pack_weights` leaves them.
///
/// Panics if `trits.len() != n_out * k_in` or a value is not a trit.
pub fn pack_2bit(trits: &[i8], n_out: usize, k_in: usize) -> Vec<u8> {
    assert_eq!(
        trits.len(),
        n_out * k_in,
        "trit count does not match the shape"
    );
    let p = packed_rows(n_out);
    let mut out = vec![0u8; p * k_in];
    if k_in == 0 {
        return out;
    }
    out.par_chunks_mut(k_in).enumerate().for_each(|(pr, dst)| {
        for i in 0..TRITS_PER_BYTE {
            let r = i * p + pr;
            if r >= n_out {
                break;
            }
            for (d, &t) in dst.iter_mut().zip(&trits[r * k_in..(r + 1) * k_in]) {
                assert!((-1..=1).contains(&t), "not a trit: {t}");
                *d |= ((t + 1) as u8) << (2 * i);
            }
        }
    });
    out
}

/// Unpack a `[ceil(n_out/4), k_in]` byte tensor into dense trits (`n_out × k_in`, row-major).
/// Codes in slots past `n_out` are ignored. On invalid codes (3) the error names the first
/// one in row-major output order.
///
/// Panics if `packed.len() != ceil(n_out/4) * k_in` (callers check the tensor's shape first).
pub fn unpack_2bit(packed: &[u8], n_out: usize, k_in: usize) -> Result<Vec<i8>, BadCode> {
    let p = packed_rows(n_out);
    assert_eq!(
        packed.len(),
        p * k_in,
        "packed byte count does not match the shape"
    );
    let mut out = vec![0i8; n_out * k_in];
    if k_in == 0 {
        return Ok(out);
    }
    let first_bad = out
        .par_chunks_mut(k_in)
        .enumerate()
        .filter_map(|(r, dst)| {
            let (i, pr) = (r / p, r % p);
            let src = &packed[pr * k_in..(pr + 1) * k_in];
            let mut bad = None;
            for (c, (d, &b)) in dst.iter_mut().zip(src).enumerate() {
                let code = (b >> (2 * i)) & 3;
                if code == 3 && bad.is_none() {
                    bad = Some(BadCode {
                        row: r,
                        col: c,
                        packed_row: pr,
                        bit_pair: i,
                    });
                }
                *d = code as i8 - 1;
            }
            bad
        })
        .min();
    match first_bad {
        Some(b) => Err(b),
        None => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_then_unpack_is_identity_including_ragged_rows() {
        for n_out in [1usize, 3, 4, 5, 8, 13] {
            let k_in = 7;
            let trits: Vec<i8> = (0..n_out * k_in)
                .map(|x| ((x * 7 + 3) % 3) as i8 - 1)
                .collect();
            let packed = pack_2bit(&trits, n_out, k_in);
            assert_eq!(packed.len(), packed_rows(n_out) * k_in);
            assert_eq!(unpack_2bit(&packed, n_out, k_in).unwrap(), trits);
        }
    }

    #[test]
    fn code_three_is_reported_in_row_major_order() {
        let mut packed = pack_2bit(&[0i8; 8 * 2], 8, 2);
        packed[3] |= 0b1100_0000; // packed row 1, col 1, bit pair 3: output row 7
        packed[0] |= 0b0000_1100; // packed row 0, col 0, bit pair 1: output row 2
        let e = unpack_2bit(&packed, 8, 2).unwrap_err();
        assert_eq!(
            e,
            BadCode {
                row: 2,
                col: 0,
                packed_row: 0,
                bit_pair: 1
            }
        );
    }
}
