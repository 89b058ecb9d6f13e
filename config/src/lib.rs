//! The one TeLLMe-RS configuration: what model runs, on what accelerator, on what board.
//!
//! A [`Config`] is made from a built-in preset (see [`presets`]), optionally overridden field by
//! field from a TOML file, optionally with its model section read from a Hugging Face
//! `config.json`. Every way of making one ends in [`Config::validate`], the single place where
//! the configuration is checked and explained. Derived values (head dimension, TLMM blocks, DDR
//! bytes per cycle, URAM count, ...) are methods here, computed in one place, so the generator,
//! the simulator, the driver and the golden model can never disagree about them.

mod hf;
pub mod presets;
mod validate;

use serde::{Deserialize, Serialize};
use std::path::Path;

pub use hf::model_from_hf_config;
pub use presets::{preset, PRESETS};

/// Trits per TLMM group. Three trits make one 5-bit sign-magnitude index; the whole packing,
/// table and engine design depends on it, so it is a constant, not a knob.
pub const GROUP: usize = 3;
/// Bits of one packed weight index (sign + 4-bit magnitude of a balanced-ternary number).
pub const INDEX_BITS: usize = 5;
/// Largest |sum| of three int8 activations: the table entries must hold ±384.
pub const MAX_TABLE_ENTRY: i64 = 3 * 128;
/// Depth of one URAM288 in 64-bit words (4K × 72; we use 64 of the 72 bits).
pub const URAM_DEPTH: usize = 4096;

/// Everything wrong with a configuration, as one readable line each.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("unknown preset '{name}' (known presets: {known})")]
    UnknownPreset { name: String, known: String },
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("malformed TOML in {path}: {message}")]
    Toml { path: String, message: String },
    #[error("malformed Hugging Face config {path}: {message}")]
    HfConfig { path: String, message: String },
    #[error("conflicting presets: --preset {cli} but {path} says preset = \"{file}\"")]
    PresetConflict {
        cli: String,
        file: String,
        path: String,
    },
    #[error("invalid configuration: {0}")]
    Invalid(String),
    #[error("not implemented yet: {0}")]
    NotImplemented(String),
}

pub type Result<T, E = ConfigError> = std::result::Result<T, E>;

/// The feed-forward activation: SiLU(gate)·up (LLaMA, bitnet_b1_58-large) or
/// ReLU²(gate)·up (bitnet-b1.58-2B-4T).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    Silu,
    Relu2,
}

/// BitNet b1.58 model dimensions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// A label for reports.
    pub name: String,
    pub hidden: usize,
    pub ffn: usize,
    pub layers: usize,
    pub heads: usize,
    /// Key/value heads (equal to `heads` without grouped-query attention).
    pub kv_heads: usize,
    pub vocab: usize,
    pub activation: Activation,
    pub rope_theta: f64,
    pub norm_eps: f64,
    /// The extra RMSNorm before o_proj and before down_proj (BitNet's sub-layer norms).
    pub sub_norms: bool,
    /// Longest sequence (prompt + generated tokens) the KV cache holds.
    pub max_context: usize,
    /// The LM head shares the embedding matrix.
    pub tie_embeddings: bool,
}

/// The accelerator: TLMM engine, weight buffer, memory ports, clock.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccelConfig {
    /// Activations per TLMM group; only 3 is implemented (one 5-bit index per 3 trits).
    pub group: usize,
    /// Lookup tables per lane, i.e. groups consumed per cycle (TeLLMe: 28 → 84 activations).
    pub tables: usize,
    /// Output rows computed in parallel (TeLLMe: 16).
    pub lanes: usize,
    /// Accumulator width in bits (TeLLMe: 24).
    pub acc_bits: u32,
    /// Table entry width in bits (TeLLMe: 10; ±384 needs 10).
    pub entry_bits: u32,
    /// Weight-buffer depth in weight words (one word = tables × lanes indices). With double
    /// buffering each half holds one tile.
    pub weight_buffer_depth: usize,
    /// Two halves: the next tile streams in from DDR while the current one is computed.
    pub double_buffer: bool,
    /// Data width of each AXI4 read port, bits (a multiple of 64).
    pub axi_data_bits: usize,
    /// Number of AXI4 read ports used for weights (TeLLMe: 3).
    pub axi_ports: usize,
    /// Queries that share one K/V stream in prefill attention (TeLLMe: 8).
    pub prefill_queries: usize,
    /// Tokens one BitLinear pass holds on chip (the int8 activation buffer); longer prompts are
    /// processed in chunks of this many tokens, each chunk streaming the weights again.
    pub max_tokens: usize,
    /// Row groups one weight tile may have (the accumulator memory's depth).
    pub acc_depth: usize,
    /// Clock frequency assumed for every time figure (no vendor timing here).
    pub clock_mhz: f64,
}

/// The board's budget and its memory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardConfig {
    /// Vivado part name.
    pub part: String,
    pub luts: usize,
    pub ffs: usize,
    pub bram36: usize,
    pub uram: usize,
    pub dsp: usize,
    /// Theoretical DDR peak, bytes per second.
    pub ddr_peak_bytes_per_s: f64,
    /// DDR read latency seen from the fabric, nanoseconds.
    pub ddr_latency_ns: f64,
    /// Fraction of the peak the fabric sustains (0 < e ≤ 1).
    pub ddr_efficiency: f64,
}

/// The whole configuration. Obtain one through [`preset`] or [`Config::load`]; after changing
/// fields by hand, call [`Config::validate`] again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The preset this configuration started from (informational).
    #[serde(default)]
    pub preset: String,
    pub model: ModelConfig,
    pub accel: AccelConfig,
    pub board: BoardConfig,
}

/// Which of a layer's seven linear maps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinearKind {
    Q,
    K,
    V,
    O,
    Gate,
    Up,
    Down,
}

impl LinearKind {
    pub const ALL: [LinearKind; 7] = [
        LinearKind::Q,
        LinearKind::K,
        LinearKind::V,
        LinearKind::O,
        LinearKind::Gate,
        LinearKind::Up,
        LinearKind::Down,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LinearKind::Q => "q",
            LinearKind::K => "k",
            LinearKind::V => "v",
            LinearKind::O => "o",
            LinearKind::Gate => "gate",
            LinearKind::Up => "up",
            LinearKind::Down => "down",
        }
    }
}

/// One linear map's shape: `n_out × k_in`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LinearShape {
    pub kind: LinearKind,
    pub k_in: usize,
    pub n_out: usize,
}

/// How a `k_in`-long dot product is cut up by the TLMM engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TlmmTiling {
    /// 3-trit groups, i.e. `ceil(k_in / 3)`; the last group is zero-padded.
    pub groups: usize,
    /// Engine blocks of `tables` groups, i.e. `ceil(groups / tables)`.
    pub blocks: usize,
    /// Row groups of `lanes` outputs, i.e. `ceil(n_out / lanes)`.
    pub row_groups: usize,
}

impl Config {
    /// Start from a preset, apply an optional TOML override file, validate.
    ///
    /// The file may name its own base with a top-level `preset = "..."`; `cli_preset`, when
    /// given, must agree with it. Any field of any section may be overridden; unknown keys are
    /// errors (a typo must not silently keep the preset's value).
    pub fn load(cli_preset: Option<&str>, file: Option<&Path>) -> Result<Config> {
        let Some(path) = file else {
            return preset(cli_preset.unwrap_or(presets::DEFAULT));
        };
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: shown.clone(),
            source,
        })?;
        Self::load_str(cli_preset, &text, &shown)
    }

    /// [`Config::load`] from TOML text; `origin` names it in errors.
    pub fn load_str(cli_preset: Option<&str>, text: &str, origin: &str) -> Result<Config> {
        let toml_err = |message: String| ConfigError::Toml {
            path: origin.to_string(),
            message: one_line(&message),
        };
        let overrides: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| toml_err(e.to_string()))?;
        let file_preset = match overrides.get("preset") {
            None => None,
            Some(toml::Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(toml_err("`preset` must be a string".into())),
        };
        let base_name = match (cli_preset, file_preset.as_deref()) {
            (Some(c), Some(f)) if c != f => {
                return Err(ConfigError::PresetConflict {
                    cli: c.into(),
                    file: f.into(),
                    path: origin.into(),
                })
            }
            (Some(c), _) => c.to_string(),
            (None, Some(f)) => f.to_string(),
            (None, None) => presets::DEFAULT.to_string(),
        };
        let base = preset(&base_name)?;
        let mut merged = toml::Table::try_from(&base).expect("a Config always serialises to TOML");
        merge(&mut merged, overrides);
        merged.insert("preset".into(), toml::Value::String(base_name));
        let config: Config = merged
            .try_into()
            .map_err(|e: toml::de::Error| toml_err(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// Replace the model section with one read from a Hugging Face `config.json`, and validate.
    pub fn with_hf_model(mut self, config_json: &Path) -> Result<Config> {
        self.model = model_from_hf_config(config_json)?;
        self.validate()?;
        Ok(self)
    }

    /// The resolved configuration as TOML (what `tellme config` prints).
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("a Config always serialises to TOML")
    }

    // ----- derived values: computed here and nowhere else -----

    pub fn head_dim(&self) -> usize {
        self.model.hidden / self.model.heads
    }

    /// Width of the k and v projections (`kv_heads × head_dim`).
    pub fn kv_dim(&self) -> usize {
        self.model.kv_heads * self.head_dim()
    }

    /// Query heads that share one key/value head.
    pub fn heads_per_kv(&self) -> usize {
        self.model.heads / self.model.kv_heads
    }

    /// The seven linear maps of one transformer layer, in execution order.
    pub fn layer_linears(&self) -> [LinearShape; 7] {
        let (h, f, kv) = (self.model.hidden, self.model.ffn, self.kv_dim());
        let s = |kind, k_in, n_out| LinearShape { kind, k_in, n_out };
        [
            s(LinearKind::Q, h, h),
            s(LinearKind::K, h, kv),
            s(LinearKind::V, h, kv),
            s(LinearKind::O, h, h),
            s(LinearKind::Gate, h, f),
            s(LinearKind::Up, h, f),
            s(LinearKind::Down, f, h),
        ]
    }

    /// Ternary weights in all layers (the LM head and embeddings are not ternary).
    pub fn linear_weight_count(&self) -> usize {
        self.layer_linears()
            .iter()
            .map(|l| l.k_in * l.n_out)
            .sum::<usize>()
            * self.model.layers
    }

    pub fn tiling(&self, k_in: usize, n_out: usize) -> TlmmTiling {
        let groups = k_in.div_ceil(GROUP);
        TlmmTiling {
            groups,
            blocks: groups.div_ceil(self.accel.tables),
            row_groups: n_out.div_ceil(self.accel.lanes),
        }
    }

    /// Ternary MACs the engine retires per cycle at full occupancy.
    pub fn peak_macs_per_cycle(&self) -> usize {
        self.accel.tables * self.accel.lanes * GROUP
    }

    /// Bits of one weight word: the indices consumed by the engine in one cycle.
    pub fn weight_word_bits(&self) -> usize {
        self.accel.tables * self.accel.lanes * INDEX_BITS
    }

    /// A weight word rounded up to whole 64-bit words, as it sits in DDR and in the buffer.
    pub fn weight_word_u64s(&self) -> usize {
        self.weight_word_bits().div_ceil(64)
    }

    /// Weight words one half of the buffer holds (the whole buffer without double buffering).
    pub fn weight_bank_depth(&self) -> usize {
        if self.accel.double_buffer {
            self.accel.weight_buffer_depth / 2
        } else {
            self.accel.weight_buffer_depth
        }
    }

    /// URAM288 blocks the weight buffer occupies: one 64-bit column per word slice, each
    /// column as deep as the buffer.
    pub fn weight_buffer_urams(&self) -> usize {
        self.weight_word_u64s() * self.accel.weight_buffer_depth.div_ceil(URAM_DEPTH)
    }

    /// u64s in one row of the activation buffer: one engine block of int8 values
    /// (`3 × tables` bytes).
    pub fn act_row_u64s(&self) -> usize {
        (GROUP * self.accel.tables).div_ceil(8)
    }

    /// Rows of the activation buffer: every block of the widest input for `max_tokens` tokens.
    pub fn act_buffer_depth(&self) -> usize {
        self.accel.max_tokens * self.tiling(self.max_k_in(), 1).blocks
    }

    /// URAM288 blocks of the activation buffer.
    pub fn act_buffer_urams(&self) -> usize {
        self.act_row_u64s() * self.act_buffer_depth().div_ceil(URAM_DEPTH)
    }

    /// Bytes of one AXI beat.
    pub fn axi_beat_bytes(&self) -> usize {
        self.accel.axi_data_bits / 8
    }

    /// Bytes of payload the weight buffer holds.
    pub fn weight_buffer_bytes(&self) -> usize {
        self.weight_word_u64s() * 8 * self.accel.weight_buffer_depth
    }

    /// The widest input any linear map has (sizes the accumulators and the tile check).
    pub fn max_k_in(&self) -> usize {
        self.layer_linears()
            .iter()
            .map(|l| l.k_in)
            .max()
            .unwrap_or(0)
    }

    /// Accumulator bits the widest dot product needs (signed).
    pub fn acc_bits_needed(&self) -> u32 {
        let max_abs = MAX_TABLE_ENTRY * self.max_k_in().div_ceil(GROUP) as i64;
        bits_for_signed(max_abs)
    }

    pub fn clock_hz(&self) -> f64 {
        self.accel.clock_mhz * 1e6
    }

    /// Bytes per cycle the weight ports can move at most (AXI width × ports).
    pub fn axi_bytes_per_cycle(&self) -> f64 {
        (self.accel.axi_data_bits / 8 * self.accel.axi_ports) as f64
    }

    /// DDR's theoretical peak in bytes per accelerator clock cycle.
    pub fn ddr_peak_bytes_per_cycle(&self) -> f64 {
        self.board.ddr_peak_bytes_per_s / self.clock_hz()
    }

    /// What the fabric sustains: the lesser of DDR × efficiency and the AXI ports' width.
    pub fn ddr_sustained_bytes_per_cycle(&self) -> f64 {
        (self.ddr_peak_bytes_per_cycle() * self.board.ddr_efficiency)
            .min(self.axi_bytes_per_cycle())
    }

    /// DDR read latency in accelerator cycles (rounded up).
    pub fn ddr_latency_cycles(&self) -> u64 {
        (self.board.ddr_latency_ns * self.accel.clock_mhz / 1e3).ceil() as u64
    }
}

/// Signed two's-complement bits needed to hold every value in `-max_abs..=max_abs`.
pub fn bits_for_signed(max_abs: i64) -> u32 {
    // max_abs fits in (64 - leading_zeros) magnitude bits, plus a sign bit.
    (64 - max_abs.leading_zeros()) + 1
}

/// Recursively overlay `over` onto `base`: tables merge key by key, anything else replaces.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(key, v);
            }
        }
    }
}

/// A source excerpt line of a parser message: `|`, `1 | text`, or a `^^^` marker.
fn is_excerpt(line: &str) -> bool {
    let digits = line.trim_start_matches(|c: char| c.is_ascii_digit());
    line.is_empty()
        || line.starts_with('|')
        || (digits.len() < line.len() && digits.trim_start().starts_with('|'))
        || line.chars().all(|c| c == '^' || c == ' ')
}

/// Parser messages span several lines with a source excerpt; errors here are one line.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !is_excerpt(l))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests;
