//! The single place where a configuration is checked. Each rule says what is wrong, with the
//! field's name and value, and what would be accepted.

use crate::{bits_for_signed, Config, ConfigError, Result, GROUP, MAX_TABLE_ENTRY};

/// Widths the generated hardware fixes at compile time (rust-hdl `Bits<N>`): the configuration
/// may not ask for others.
pub const HW_ENTRY_BITS: u32 = 10;
pub const HW_ACC_BITS: u32 = 24;
/// Most tables a lane's adder tree has levels for.
pub const HW_MAX_TABLES: usize = 128;
/// Deepest weight buffer (one URAM288 deep per column).
pub const HW_MAX_WEIGHT_DEPTH: usize = 4096;
/// Most activation-buffer rows the quantiser addresses.
pub const HW_MAX_ACT_ROWS: usize = 1 << 16;
/// Widest vector a norm may see (sum of 2^16 squares of Q16.16 values fits in 64 bits).
pub const MAX_WIDTH: usize = 1 << 16;

impl Config {
    /// Check every rule; the first broken one is returned as one line.
    pub fn validate(&self) -> Result<()> {
        let m = &self.model;
        let a = &self.accel;
        let b = &self.board;
        let bad = |msg: String| Err(ConfigError::Invalid(msg));

        for (field, value) in [
            ("model.hidden", m.hidden),
            ("model.ffn", m.ffn),
            ("model.layers", m.layers),
            ("model.heads", m.heads),
            ("model.kv_heads", m.kv_heads),
            ("model.vocab", m.vocab),
            ("model.max_context", m.max_context),
            ("accel.tables", a.tables),
            ("accel.lanes", a.lanes),
            ("accel.weight_buffer_depth", a.weight_buffer_depth),
            ("accel.axi_ports", a.axi_ports),
            ("accel.prefill_queries", a.prefill_queries),
            ("accel.max_tokens", a.max_tokens),
            ("accel.acc_depth", a.acc_depth),
        ] {
            if value == 0 {
                return bad(format!("{field} must be at least 1 (got 0)"));
            }
        }
        if !m.hidden.is_multiple_of(m.heads) {
            return bad(format!(
                "model.heads ({}) must divide model.hidden ({}) so every head has the same width",
                m.heads, m.hidden
            ));
        }
        if !m.heads.is_multiple_of(m.kv_heads) {
            return bad(format!(
                "model.kv_heads ({}) must divide model.heads ({}) for grouped-query attention",
                m.kv_heads, m.heads
            ));
        }
        if !self.head_dim().is_multiple_of(2) {
            return bad(format!(
                "head dimension hidden/heads = {} must be even: RoPE rotates pairs",
                self.head_dim()
            ));
        }
        if m.vocab > i32::MAX as usize || m.max_context > (1 << 20) {
            return bad(format!(
                "model.vocab ({}) or model.max_context ({}) is beyond what the token and position \
                 registers hold (vocab < 2^31, context ≤ 2^20)",
                m.vocab, m.max_context
            ));
        }
        if m.hidden.max(m.ffn) > MAX_WIDTH {
            return bad(format!(
                "model.hidden ({}) and model.ffn ({}) must be at most {MAX_WIDTH}: RMSNorm's \
                 64-bit sum of squares is sized for that",
                m.hidden, m.ffn
            ));
        }
        if !(m.rope_theta.is_finite() && m.rope_theta > 0.0) {
            return bad(format!(
                "model.rope_theta must be positive (got {})",
                m.rope_theta
            ));
        }
        if !(m.norm_eps.is_finite() && m.norm_eps > 0.0 && m.norm_eps < 1.0) {
            return bad(format!(
                "model.norm_eps must be in (0, 1) (got {})",
                m.norm_eps
            ));
        }

        if a.group != GROUP {
            return Err(ConfigError::NotImplemented(format!(
                "accel.group = {}: only groups of 3 activations are supported (three trits make \
                 one 5-bit table index)",
                a.group
            )));
        }
        if a.entry_bits != HW_ENTRY_BITS {
            return bad(format!(
                "accel.entry_bits = {}: the engine's table entries are {HW_ENTRY_BITS} bits \
                 (the sum of three int8 values spans ±{MAX_TABLE_ENTRY})",
                a.entry_bits
            ));
        }
        if a.acc_bits != HW_ACC_BITS {
            return bad(format!(
                "accel.acc_bits = {}: the engine's accumulators are {HW_ACC_BITS} bits",
                a.acc_bits
            ));
        }
        let need = self.acc_bits_needed();
        if need > a.acc_bits {
            return bad(format!(
                "a {}-wide dot product needs {need}-bit accumulators but accel.acc_bits is {}",
                self.max_k_in(),
                a.acc_bits
            ));
        }
        debug_assert!(bits_for_signed(MAX_TABLE_ENTRY) <= HW_ENTRY_BITS);
        if a.axi_data_bits == 0
            || !a.axi_data_bits.is_multiple_of(64)
            || !a.axi_data_bits.is_power_of_two()
            || a.axi_data_bits > 1024
        {
            return bad(format!(
                "accel.axi_data_bits must be 64, 128, 256, 512 or 1024 (got {})",
                a.axi_data_bits
            ));
        }
        if !(a.clock_mhz.is_finite() && a.clock_mhz > 0.0) {
            return bad(format!(
                "accel.clock_mhz must be positive (got {})",
                a.clock_mhz
            ));
        }
        if a.tables > HW_MAX_TABLES {
            return bad(format!(
                "accel.tables = {}: a lane's adder tree is built for at most {HW_MAX_TABLES} tables",
                a.tables
            ));
        }
        if a.weight_buffer_depth > HW_MAX_WEIGHT_DEPTH {
            return bad(format!(
                "accel.weight_buffer_depth = {}: the buffer is one URAM288 deep, at most \
                 {HW_MAX_WEIGHT_DEPTH} words",
                a.weight_buffer_depth
            ));
        }
        if GROUP * a.tables < a.axi_data_bits / 32 {
            return bad(format!(
                "an activation-buffer row (3 × accel.tables = {} int8 values) must hold at least \
                 one bus beat of values (accel.axi_data_bits / 32 = {}): raise accel.tables or \
                 narrow the bus",
                GROUP * a.tables,
                a.axi_data_bits / 32
            ));
        }
        if a.double_buffer && !a.weight_buffer_depth.is_multiple_of(2) {
            return bad(format!(
                "accel.weight_buffer_depth ({}) must be even to split into two halves",
                a.weight_buffer_depth
            ));
        }
        // A tile is at least one row group across the widest input.
        let tile = self.tiling(self.max_k_in(), 1).blocks;
        if self.weight_bank_depth() < tile {
            return bad(format!(
                "the weight buffer cannot hold one tile: a {}-wide row group needs {tile} weight \
                 words but {} holds {}{}",
                self.max_k_in(),
                if a.double_buffer {
                    "each half"
                } else {
                    "the buffer"
                },
                self.weight_bank_depth(),
                if a.double_buffer {
                    " (raise accel.weight_buffer_depth or set accel.double_buffer = false)"
                } else {
                    " (raise accel.weight_buffer_depth)"
                }
            ));
        }

        for (field, value) in [
            ("board.luts", b.luts),
            ("board.ffs", b.ffs),
            ("board.dsp", b.dsp),
        ] {
            if value == 0 {
                return bad(format!("{field} must be at least 1 (got 0)"));
            }
        }
        if !(b.ddr_peak_bytes_per_s.is_finite() && b.ddr_peak_bytes_per_s > 0.0) {
            return bad(format!(
                "board.ddr_peak_bytes_per_s must be positive (got {})",
                b.ddr_peak_bytes_per_s
            ));
        }
        if !(b.ddr_latency_ns.is_finite() && b.ddr_latency_ns >= 0.0) {
            return bad(format!(
                "board.ddr_latency_ns must be zero or more (got {})",
                b.ddr_latency_ns
            ));
        }
        if !(b.ddr_efficiency > 0.0 && b.ddr_efficiency <= 1.0) {
            return bad(format!(
                "board.ddr_efficiency must be in (0, 1] (got {})",
                b.ddr_efficiency
            ));
        }
        let words_per_cycle = a.axi_ports * a.axi_data_bits / 64;
        if words_per_cycle > self.weight_word_u64s() {
            return bad(format!(
                "the weight ports deliver {words_per_cycle} u64s per cycle but a weight word has only \
                 {} columns to write them into (fewer accel.axi_ports or narrower accel.axi_data_bits)",
                self.weight_word_u64s()
            ));
        }
        if !(4 * a.lanes).is_multiple_of(self.axi_beat_bytes()) {
            return bad(format!(
                "one row group of outputs ({} lanes × 4 bytes) must be a whole number of AXI beats \
                 ({} bytes): change accel.lanes or accel.axi_data_bits",
                a.lanes,
                self.axi_beat_bytes()
            ));
        }
        if a.max_tokens > 1 << 12 || a.acc_depth > 1 << 12 {
            return bad(format!(
                "accel.max_tokens ({}) and accel.acc_depth ({}) must be at most 4096",
                a.max_tokens, a.acc_depth
            ));
        }
        if self.act_buffer_depth() > HW_MAX_ACT_ROWS {
            return bad(format!(
                "the activation buffer would need {} rows (accel.max_tokens × blocks of the widest \
                 input); the quantiser addresses at most {HW_MAX_ACT_ROWS}",
                self.act_buffer_depth()
            ));
        }
        let (wb, ab) = (self.weight_buffer_urams(), self.act_buffer_urams());
        if wb + ab > b.uram {
            return bad(format!(
                "the weight buffer ({wb} URAM288: {} columns × {} deep) and the activation buffer \
                 ({ab} URAM288: {} tokens × {} blocks) need {} but board.uram is {}",
                self.weight_word_u64s(),
                a.weight_buffer_depth,
                a.max_tokens,
                self.tiling(self.max_k_in(), 1).blocks,
                wb + ab,
                b.uram
            ));
        }
        Ok(())
    }
}
