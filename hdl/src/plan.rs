//! How one BitLinear job is cut up and laid out in DDR: every number the driver writes into the
//! registers, computed in one place from the configuration and the shape.

use crate::{quant, tlmm, weight_buffer};
use serde::Serialize;
use tellme_config::{Config, GROUP};

/// DDR address where the job's buffers start (0 is left unused so a zero address is a bug).
pub const DDR_BASE: u64 = 0x1000;
/// Alignment of every buffer: AXI bursts must not cross 4 KiB.
pub const ALIGN: u64 = 4096;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PlanError {
    #[error("{0}")]
    Shape(String),
}

/// A BitLinear job of `tokens` tokens, `k_in → n_out`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LinearPlan {
    pub k_in: usize,
    pub n_out: usize,
    pub tokens: usize,
    /// Engine blocks per input row.
    pub blocks: usize,
    /// `k_in` padded to whole blocks.
    pub k_pad: usize,
    /// Row groups of the output (`ceil(n_out / lanes)`).
    pub row_groups: usize,
    pub tile_rg: usize,
    pub tiles: usize,
    pub last_tile_rg: usize,
    pub tile_u64s: usize,
    pub last_tile_u64s: usize,
    /// Beats per weight port per tile (stream padded to whole super-beats).
    pub tile_beats: usize,
    pub last_tile_beats: usize,
    /// Cycles per engine step.
    pub period: usize,
    pub last_period: usize,
    pub x_beats: usize,
    pub x_stride: u64,
    pub y_stride: u64,
    pub w_addr: Vec<u64>,
    pub x_addr: u64,
    pub y_addr: u64,
    /// Bytes of DDR the job uses, from address 0.
    pub ddr_bytes: u64,
}

/// Row groups per tile and tile count.
///
/// Compute-bound jobs (many tokens: a tile's compute outlasts its load) get as few tiles as the
/// buffer allows, balanced so that no short last tile has its period set by the table build.
/// Memory-bound jobs (decode: loads outlast compute) end instead on a deliberately short tile,
/// since the last tile's compute is the one part no load overlaps.
fn tile_split(
    row_groups: usize,
    max_tile: usize,
    tokens: usize,
    min_period: usize,
    word_bytes: usize,
    ddr_bytes_per_cycle: f64,
) -> (usize, usize) {
    let full = row_groups.div_ceil(max_tile);
    // Per block of the input: one tile computes for tokens × period cycles and loads
    // tile_rg × word_bytes bytes.
    let compute = (tokens * max_tile.max(min_period)) as f64;
    let load = (max_tile * word_bytes) as f64 / ddr_bytes_per_cycle;
    let tail = (max_tile / 4).max(1);
    if compute < load && row_groups > max_tile {
        // Equal tiles take all but a short tail of about `tail` row groups.
        let body = row_groups - tail;
        let tile_rg = body.div_ceil(body.div_ceil(max_tile));
        return (tile_rg, row_groups.div_ceil(tile_rg));
    }
    (row_groups.div_ceil(full), full)
}

impl LinearPlan {
    /// Plan a job, or say why this configuration cannot run it.
    pub fn new(
        cfg: &Config,
        k_in: usize,
        n_out: usize,
        tokens: usize,
    ) -> Result<LinearPlan, PlanError> {
        let bad = |m: String| Err(PlanError::Shape(m));
        if k_in == 0 || n_out == 0 {
            return bad(format!(
                "a {k_in}→{n_out} linear map has nothing to compute"
            ));
        }
        if tokens == 0 {
            return bad("--tokens must be at least 1".into());
        }
        if tokens > cfg.accel.max_tokens {
            return bad(format!(
                "{tokens} tokens do not fit the activation buffer of {} tokens (accel.max_tokens); \
                 run them in chunks",
                cfg.accel.max_tokens
            ));
        }
        let a = &cfg.accel;
        let tiling = cfg.tiling(k_in, n_out);
        let blocks = tiling.blocks;
        if tokens * blocks > cfg.act_buffer_depth() {
            return bad(format!(
                "a {k_in}-wide input needs {blocks} activation-buffer rows per token; {tokens} tokens \
                 need {} but the buffer holds {} (it is sized for the widest input of the model, {})",
                tokens * blocks,
                cfg.act_buffer_depth(),
                cfg.max_k_in()
            ));
        }
        let bank = cfg.weight_bank_depth();
        if blocks > bank {
            return bad(format!(
                "a {k_in}-wide row group needs {blocks} weight words but the weight buffer holds {bank} \
                 per tile"
            ));
        }
        if k_in > u32::MAX as usize / 4 || n_out > 1 << 24 {
            return bad(format!("{k_in}→{n_out} is beyond the registers' range"));
        }
        let row_groups = tiling.row_groups;
        let max_tile = (bank / blocks).min(a.acc_depth);
        let min_period = tlmm::BUILD_CYCLES + quant::ACT_LATENCY + 1;
        let (tile_rg, tiles) = tile_split(
            row_groups,
            max_tile,
            tokens,
            min_period,
            cfg.weight_word_u64s() * 8,
            cfg.ddr_sustained_bytes_per_cycle(),
        );
        let last_tile_rg = row_groups - (tiles - 1) * tile_rg;
        let c = cfg.weight_word_u64s();
        let super_beat = a.axi_ports * a.axi_data_bits / 64;
        let u64s = |rg: usize| rg * blocks * c;
        let beats = |rg: usize| u64s(rg).div_ceil(super_beat);
        let period = |rg: usize| {
            rg.max(tlmm::BUILD_CYCLES + quant::ACT_LATENCY + 1)
                .max(tlmm::PERIOD_MIN)
        };
        let k_pad = blocks * a.tables * GROUP;
        let beat = cfg.axi_beat_bytes() as u64;
        let x_beats = (k_pad * 4).div_ceil(beat as usize);
        let x_stride = (x_beats as u64 * beat).next_multiple_of(64);
        let y_stride = ((row_groups * a.lanes * 4) as u64).next_multiple_of(64);

        let port_bytes = ((tiles - 1) * beats(tile_rg) + beats(last_tile_rg)) as u64 * beat;
        let mut at = DDR_BASE;
        let mut take = |bytes: u64| {
            let here = at;
            at = (at + bytes).next_multiple_of(ALIGN);
            here
        };
        let w_addr = (0..a.axi_ports).map(|_| take(port_bytes)).collect();
        let x_addr = take(tokens as u64 * x_stride);
        let y_addr = take(tokens as u64 * y_stride);
        Ok(LinearPlan {
            k_in,
            n_out,
            tokens,
            blocks,
            k_pad,
            row_groups,
            tile_rg,
            tiles,
            last_tile_rg,
            tile_u64s: u64s(tile_rg),
            last_tile_u64s: u64s(last_tile_rg),
            tile_beats: beats(tile_rg),
            last_tile_beats: beats(last_tile_rg),
            period: period(tile_rg),
            last_period: period(last_tile_rg),
            x_beats,
            x_stride,
            y_stride,
            w_addr,
            x_addr,
            y_addr,
            ddr_bytes: at,
        })
    }

    /// Ternary MACs of the job (`tokens × k_in × n_out`).
    pub fn macs(&self) -> u64 {
        (self.tokens * self.k_in * self.n_out) as u64
    }

    /// Each weight port's DDR region for a packed weight image (`model::pack::pack`).
    pub fn weight_regions(&self, cfg: &Config, image: &[u64]) -> Vec<Vec<u8>> {
        weight_buffer::image_port_bytes(cfg, image, self.tile_rg * self.blocks)
    }

    /// The engine cycles the job needs at best: every step of every tile, one period each.
    pub fn compute_cycles(&self) -> u64 {
        let steps = (self.tokens * self.blocks) as u64;
        steps * ((self.tiles as u64 - 1) * self.period as u64 + self.last_period as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kv260_shapes_plan_as_expected() {
        let cfg = tellme_config::preset("kv260-0.7b").unwrap();
        // down_proj at prefill: 49 blocks; 2048-word halves hold 41 row groups, so 96 row groups
        // take 3 tiles, balanced to 32 each.
        let p = LinearPlan::new(&cfg, 4096, 1536, 64).unwrap();
        assert_eq!(
            (p.blocks, p.row_groups, p.tile_rg, p.tiles, p.last_tile_rg),
            (49, 96, 32, 3, 32)
        );
        assert_eq!(p.tile_u64s, 32 * 49 * 35);
        assert_eq!(p.tile_beats, (32 * 49 * 35usize).div_ceil(12));
        assert_eq!(p.period, 32);
        // gate/up at decode (memory-bound): four tiles of 60 row groups and a short tail of 16,
        // since the last tile's compute is the one no load overlaps.
        let p = LinearPlan::new(&cfg, 1536, 4096, 1).unwrap();
        assert_eq!(
            (p.blocks, p.tile_rg, p.tiles, p.last_tile_rg),
            (19, 60, 5, 16)
        );
        // The same map at prefill (compute-bound): as few, balanced tiles as fit.
        let p = LinearPlan::new(&cfg, 1536, 4096, 64).unwrap();
        assert_eq!((p.tile_rg, p.tiles, p.last_tile_rg), (64, 4, 64));
        assert!(p
            .w_addr
            .iter()
            .chain([&p.x_addr, &p.y_addr])
            .all(|a| a % ALIGN == 0));
        assert!(p.w_addr.windows(2).all(|w| w[1] > w[0]));
        assert!(p.y_addr + p.y_stride <= p.ddr_bytes);
    }

    #[test]
    fn impossible_jobs_are_refused_with_a_reason() {
        let cfg = tellme_config::preset("tiny").unwrap();
        let e = |k, n, t| LinearPlan::new(&cfg, k, n, t).unwrap_err().to_string();
        assert!(e(192, 192, 0).contains("--tokens must be at least 1"));
        assert!(e(192, 192, 17).contains("do not fit the activation buffer"));
        assert!(
            e(100_000, 4, 1).contains("weight words but the weight buffer holds")
                || e(100_000, 4, 1).contains("activation-buffer rows")
        );
        assert!(e(0, 4, 1).contains("nothing to compute"));
    }
}
