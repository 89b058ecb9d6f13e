//! The accelerator's weight image: how a ternary matrix sits in DDR.
//!
//! The engine consumes one **weight word** per cycle: `tables × lanes` 5-bit indices, for one
//! row group (`lanes` consecutive output rows) and one block (`tables` consecutive 3-trit
//! groups of the input). Byte layout of one matrix, with `T = tables`, `L = lanes`:
//!
//! - words in row-group-major order: word `w = rg · blocks + b` holds rows `rg·L .. rg·L+L`
//!   and groups `b·T .. b·T+T`; a tile of row groups is therefore one contiguous byte range;
//! - inside a word, the index of lane `l`, table `j` (row `rg·L + l`, group `b·T + j`) sits at
//!   bits `5·(l·T + j) .. +5`;
//! - a word occupies `ceil(5·T·L / 64)` little-endian 64-bit words (bit `i` of the word is bit
//!   `i % 64` of u64 number `i / 64`); unused high bits are zero;
//! - rows past `n_out` and groups past `ceil(k_in/3)` are index 0 (three zero trits), so
//!   padding contributes nothing to any sum.
//!
//! With TeLLMe's engine (28 × 16) a word is 2,240 bits = exactly 35 u64s: 1.667 bits per trit.

use crate::error::{ModelError, Result};
use crate::ternary;
use crate::weights::TernaryMatrix;
use tellme_config::{Config, INDEX_BITS};

/// The shape of one matrix's image under a configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageLayout {
    pub n_out: usize,
    pub k_in: usize,
    pub row_groups: usize,
    pub blocks: usize,
    pub tables: usize,
    pub lanes: usize,
    /// u64s per weight word.
    pub word_u64s: usize,
}

impl ImageLayout {
    pub fn new(cfg: &Config, n_out: usize, k_in: usize) -> ImageLayout {
        let t = cfg.tiling(k_in, n_out);
        ImageLayout {
            n_out,
            k_in,
            row_groups: t.row_groups,
            blocks: t.blocks,
            tables: cfg.accel.tables,
            lanes: cfg.accel.lanes,
            word_u64s: cfg.weight_word_u64s(),
        }
    }

    pub fn words(&self) -> usize {
        self.row_groups * self.blocks
    }

    pub fn u64s(&self) -> usize {
        self.words() * self.word_u64s
    }

    pub fn bytes(&self) -> usize {
        self.u64s() * 8
    }

    /// Bit offset of (lane, table) inside a word.
    fn bit(&self, lane: usize, table: usize) -> usize {
        INDEX_BITS * (lane * self.tables + table)
    }
}

/// Pack a matrix into its weight image.
pub fn pack(cfg: &Config, w: &TernaryMatrix) -> Vec<u64> {
    let lay = ImageLayout::new(cfg, w.n_out, w.k_in);
    let groups = w.groups();
    let mut out = vec![0u64; lay.u64s()];
    for rg in 0..lay.row_groups {
        for b in 0..lay.blocks {
            let word = &mut out[(rg * lay.blocks + b) * lay.word_u64s..][..lay.word_u64s];
            for l in 0..lay.lanes {
                let row = rg * lay.lanes + l;
                if row >= w.n_out {
                    break;
                }
                for j in 0..lay.tables {
                    let g = b * lay.tables + j;
                    if g >= groups {
                        break;
                    }
                    put_bits(word, lay.bit(l, j), w.idx[row * groups + g] as u64);
                }
            }
        }
    }
    out
}

/// Read a weight image back into a matrix (the inverse of [`pack`]); errors on an image of the
/// wrong size or an index code that three trits cannot produce.
pub fn unpack(
    cfg: &Config,
    image: &[u64],
    n_out: usize,
    k_in: usize,
    scale: f32,
) -> Result<TernaryMatrix> {
    let lay = ImageLayout::new(cfg, n_out, k_in);
    if image.len() != lay.u64s() {
        return Err(ModelError::Checkpoint(format!(
            "weight image has {} u64s, a {n_out}×{k_in} matrix needs {}",
            image.len(),
            lay.u64s()
        )));
    }
    let groups = k_in.div_ceil(3);
    let mut idx = vec![0u8; n_out * groups];
    for rg in 0..lay.row_groups {
        for b in 0..lay.blocks {
            let word = &image[(rg * lay.blocks + b) * lay.word_u64s..][..lay.word_u64s];
            for l in 0..lay.lanes {
                for j in 0..lay.tables {
                    let (row, g) = (rg * lay.lanes + l, b * lay.tables + j);
                    let code = get_bits(word, lay.bit(l, j)) as u8;
                    if !ternary::is_valid(code) {
                        return Err(ModelError::Checkpoint(format!(
                            "weight image word {} holds index code {code}, which no three trits produce",
                            rg * lay.blocks + b
                        )));
                    }
                    if row < n_out && g < groups {
                        idx[row * groups + g] = code;
                    }
                }
            }
        }
    }
    Ok(TernaryMatrix {
        n_out,
        k_in,
        idx,
        scale,
    })
}

fn put_bits(word: &mut [u64], bit: usize, v: u64) {
    let (i, o) = (bit / 64, bit % 64);
    word[i] |= v << o;
    if o + INDEX_BITS > 64 {
        word[i + 1] |= v >> (64 - o);
    }
}

fn get_bits(word: &[u64], bit: usize) -> u64 {
    let (i, o) = (bit / 64, bit % 64);
    let mut v = word[i] >> o;
    if o + INDEX_BITS > 64 {
        v |= word[i + 1] << (64 - o);
    }
    v & ((1 << INDEX_BITS) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn random(r: &mut Rng, n: usize, k: usize) -> TernaryMatrix {
        let t: Vec<i8> = (0..n * k).map(|_| r.range_i64(-1, 1) as i8).collect();
        TernaryMatrix::from_trits(n, k, &t, 0.5)
    }

    #[test]
    fn pack_unpack_round_trips_on_ragged_shapes() {
        let mut r = Rng::new(3);
        for preset in ["tiny", "kv260-0.7b"] {
            let cfg = tellme_config::preset(preset).unwrap();
            for _ in 0..12 {
                let (n, k) = (1 + r.below(70) as usize, 1 + r.below(500) as usize);
                let w = random(&mut r, n, k);
                let img = pack(&cfg, &w);
                assert_eq!(img.len(), ImageLayout::new(&cfg, n, k).u64s());
                assert_eq!(
                    unpack(&cfg, &img, n, k, 0.5).unwrap(),
                    w,
                    "{preset} {n}x{k}"
                );
            }
        }
    }

    #[test]
    fn tellme_words_are_35_u64s_and_index_positions_are_as_documented() {
        let cfg = tellme_config::preset("kv260-0.7b").unwrap();
        // 16 rows × 84 inputs: exactly one word.
        let mut trits = vec![0i8; 16 * 84];
        trits[84 * 5 + 3 * 27] = 1; // row 5 (lane 5), group 27 (table 27), first trit
        trits[84 * 15 + 3 * 27 + 2] = -1; // lane 15, table 27, third trit: v = -9
        let w = TernaryMatrix::from_trits(16, 84, &trits, 1.0);
        let img = pack(&cfg, &w);
        assert_eq!(img.len(), 35);
        let bit = |l: usize, j: usize| 5 * (l * 28 + j);
        assert_eq!(get_bits(&img, bit(5, 27)), 1);
        assert_eq!(get_bits(&img, bit(15, 27)), (ternary::SIGN | 9) as u64);
        assert_eq!(bit(15, 27), 2235); // the last index ends on bit 2239
        let ones: u32 = img.iter().map(|w| w.count_ones()).sum();
        assert_eq!(ones, 1 + 3);
    }

    #[test]
    fn corrupt_images_are_rejected() {
        let cfg = tellme_config::preset("tiny").unwrap();
        let w = random(&mut Rng::new(1), 4, 24);
        let mut img = pack(&cfg, &w);
        assert!(unpack(&cfg, &img[1..], 4, 24, 1.0)
            .unwrap_err()
            .to_string()
            .contains("needs"));
        img[0] = (img[0] & !0x1F) | 15; // lane 0, table 0 := code 15
        assert!(unpack(&cfg, &img, 4, 24, 1.0)
            .unwrap_err()
            .to_string()
            .contains("index code 15"));
    }
}
