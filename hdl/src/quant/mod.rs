//! The per-token int8 quantiser, the activation buffer, the dequantiser and the output writer
//! (`ARCHITECTURE.md`, "quant"). Arithmetic: `model/NUMERICS.md`, `tellme_model::quant`, bit for
//! bit.
//!
//! ```text
//!  axi::ReadMaster ──beats──▶ Quantizer ──rows──▶ ActBuffer ──rd_data──▶ (engine tables)
//!   (cmd: addr, beats)          │ dq_we/dq_tag/dq_value
//!                               ▼
//!  engine out_* ──▶ Dequantizer (dq[tag] LUTRAM) ──▶ OutputWriter ──AW/W/B──▶ m_act_
//! ```
//!
//! Every count comes from the run-time [`Config`]; widths that rust-hdl fixes at compile time
//! are the constants below. Data buses wider than 64 bits are `Vec`s of 64-bit words (word `i` =
//! bytes `8i..8i+8`, little-endian; the same convention as `axi::ReadMaster`), int8 rows are
//! `Vec`s of bytes.
//!
//! # Ports (all blocks: `clock`; synchronous active-high `reset` where listed)
//!
//! - [`Quantizer`]: `reset`; job: `start` (pulse, ignored while `busy`), `x_addr[40]`,
//!   `x_stride[32]`, `x_beats[32]`, `tokens[13]`, `blocks[13]`, `ws[32]`; status: `busy`, `err`,
//!   `tokens_ready[13]`, `rd_bytes[32]`; read requests: `rd_cmd_valid`, `rd_cmd_ready`,
//!   `rd_cmd_addr[40]`, `rd_cmd_beats[32]` (= `axi::ReadMaster`'s `cmd_*`); beats: `rd_valid`,
//!   `rd_ready`, `rd_data[BU][64]` (= its `data_valid`, `data_ready`, `data`); act rows:
//!   `act_we`, `act_row[16]`, `act_wdata[3·TB][8]`; per token: `dq_we` (pulse), `dq_tag[12]`,
//!   `dq_value[49]`, `m_value[32]`.
//! - [`ActBuffer`]: write `wr_en`, `wr_row[16]`, `wr_data[3·TB][8]`; read `rd_en`, `rd_row[16]`
//!   → `rd_data[3·TB][8]` [`ACT_LATENCY`] cycles later (held until the next read).
//! - [`Dequantizer`]: `reset`; `in_valid`, `in_rg[12]`, `in_tag[12]`, `in_acc[L]` (signed 24)
//!   from the engine; `dq_we`, `dq_tag[12]`, `dq_value[49]` from the Quantizer; → `valid`,
//!   `rg[12]`, `tag[12]`, `y[L][32]` [`DEQ_LATENCY`] cycles later, no stall.
//! - [`OutputWriter`]: `reset`, `clear` (job start: zero `wr_bytes`, `err`); `y_addr[40]`,
//!   `y_stride[32]`, `tile_row0[32]` (sampled with `in_valid`); `in_valid`, `in_rg[12]`,
//!   `in_tag[12]`, `in_y[L][32]` from the Dequantizer; `claim` (one pulse per row group issued
//!   to the engine: `op_valid & op_last`); AXI4 `awaddr[40]`, `awlen[8]`, `awsize[3]`,
//!   `awburst[2]`, `awvalid`, `awready`, `wdata[BU][64]`, `wstrb[BU][8]`, `wlast`, `wvalid`,
//!   `wready`, `bresp[2]`, `bvalid`, `bready`; status `fifo_free[13]`, `idle`, `wr_bytes[32]`,
//!   `err`.
//!
//! [`tb`] has the bus models and the Verilog replay the tests use.

pub mod act_buffer;
pub mod arith;
pub mod dequant;
pub mod divider;
pub mod quantizer;
pub mod tb;
pub mod writer;

pub use act_buffer::ActBuffer;
pub use dequant::Dequantizer;
pub use quantizer::Quantizer;
pub use writer::OutputWriter;

use tellme_config::{Config, GROUP};

/// Cycles from `rd_en` of the activation buffer to `rd_data` (URAM read + output register).
pub const ACT_LATENCY: usize = 2;
/// Cycles from the engine's `out_valid` to the Dequantizer's `valid` (dq lookup + multiply).
pub const DEQ_LATENCY: usize = arith::DMUL_LATENCY;
/// DDR byte addresses.
pub const ADDR_BITS: usize = 40;
/// Counts of tokens and blocks (as the controller's `CW`).
pub const COUNT_BITS: usize = 13;
/// The engine's row-group and tag fields.
pub const TAG_BITS: usize = 12;
/// Activation-buffer row addresses (depth ≤ 65536).
pub const ACT_ADDR_BITS: usize = 16;
/// The engine's accumulators.
pub const ACC_BITS: usize = 24;
pub use divider::{DQ_BITS, RECIP_BITS};

/// The quant blocks' view of a configuration: every derived count in one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuantGeom {
    /// u64 words per AXI beat (`BW/64`).
    pub bu: usize,
    /// Q16.16 values (and int8 results) per beat (`BW/32`).
    pub vpb: usize,
    /// Bytes of one activation-buffer row (`3·tables`).
    pub rb: usize,
    /// u64 columns of the activation buffer (`ceil(rb/8)`).
    pub ar: usize,
    /// Rows of the activation buffer.
    pub act_depth: usize,
    /// Tokens one job may hold (dq register file depth).
    pub max_tokens: usize,
    /// Output lanes (`L`).
    pub lanes: usize,
    /// Beats of one row group of outputs (`L·4 / beat bytes`).
    pub beats_per_rg: usize,
    /// Output FIFO depth in row groups (`accel.acc_depth`).
    pub fifo_depth: usize,
}

impl QuantGeom {
    /// The geometry, or one line saying why these blocks cannot be built for `cfg`.
    pub fn new(cfg: &Config) -> Result<QuantGeom, String> {
        let a = &cfg.accel;
        let bits = a.axi_data_bits;
        if bits < 64 || !bits.is_multiple_of(64) {
            return Err(format!(
                "accel.axi_data_bits = {bits}: the quant blocks need a multiple of 64"
            ));
        }
        let g = QuantGeom {
            bu: bits / 64,
            vpb: bits / 32,
            rb: GROUP * a.tables,
            ar: cfg.act_row_u64s(),
            act_depth: cfg.act_buffer_depth(),
            max_tokens: a.max_tokens,
            lanes: a.lanes,
            beats_per_rg: (4 * a.lanes) / cfg.axi_beat_bytes(),
            fifo_depth: a.acc_depth,
        };
        if g.rb < g.vpb {
            return Err(format!(
                "an activation row ({} bytes = 3 × accel.tables) must be at least one beat of int8 \
                 values ({} = accel.axi_data_bits / 32): raise accel.tables or narrow the bus",
                g.rb, g.vpb
            ));
        }
        if g.act_depth > 1 << ACT_ADDR_BITS {
            return Err(format!(
                "the activation buffer has {} rows; the quant blocks address at most {}",
                g.act_depth,
                1 << ACT_ADDR_BITS
            ));
        }
        if g.max_tokens > 1 << TAG_BITS || g.fifo_depth > 1 << TAG_BITS {
            return Err(format!(
                "accel.max_tokens ({}) and accel.acc_depth ({}) must be at most {}",
                g.max_tokens,
                g.fifo_depth,
                1 << TAG_BITS
            ));
        }
        if g.beats_per_rg == 0 || !(4 * a.lanes).is_multiple_of(cfg.axi_beat_bytes()) {
            return Err(format!(
                "a row group ({} lanes × 4 bytes) must be a whole number of beats ({} bytes)",
                a.lanes,
                cfg.axi_beat_bytes()
            ));
        }
        if g.rb >= 1 << 12 {
            return Err(format!(
                "accel.tables = {} is too large for the quantiser",
                a.tables
            ));
        }
        Ok(g)
    }

    /// gcd(vpb, rb): the packer's row starts are multiples of it.
    pub fn gcd(&self) -> usize {
        let (mut a, mut b) = (self.vpb, self.rb);
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    }

    /// Bytes of the quantiser's packing shift register: `rb + vpb − gcd`.
    pub fn shift_bytes(&self) -> usize {
        self.rb + self.vpb - self.gcd()
    }

    /// Bytes per beat.
    pub fn beat_bytes(&self) -> usize {
        self.bu * 8
    }
}
