//! Built-in presets. Figures come from the design brief (DESIGN.md §2–4).

use crate::{AccelConfig, Activation, BoardConfig, Config, ConfigError, ModelConfig, Result};

/// The preset used when none is named.
pub const DEFAULT: &str = "kv260-0.7b";

/// Every preset, with a one-line description for `--help` and errors.
pub const PRESETS: [(&str, &str); 3] = [
    (
        "kv260-0.7b",
        "bitnet_b1_58-large (0.7B) on the KV260, TeLLMe-class engine (28 tables x 16 lanes), 250 MHz",
    ),
    ("kv260-2b", "bitnet-b1.58-2B-4T (GQA, ReLU^2) on the KV260, same engine"),
    ("tiny", "the same structure at toy sizes (2 layers, hidden 192, 8 tables x 4 lanes) for CI"),
];

/// A preset by name, validated.
pub fn preset(name: &str) -> Result<Config> {
    let config = match name {
        "kv260-0.7b" => Config {
            preset: name.into(),
            model: bitnet_large(),
            accel: tellme_engine(),
            board: kv260(),
        },
        "kv260-2b" => Config {
            preset: name.into(),
            model: bitnet_2b_4t(),
            accel: tellme_engine(),
            board: kv260(),
        },
        "tiny" => Config {
            preset: name.into(),
            model: tiny_model(),
            accel: tiny_engine(),
            board: kv260(),
        },
        _ => {
            return Err(ConfigError::UnknownPreset {
                name: name.into(),
                known: PRESETS
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        }
    };
    config.validate()?;
    Ok(config)
}

/// 1bitLLM/bitnet_b1_58-large, TeLLMe's model.
fn bitnet_large() -> ModelConfig {
    ModelConfig {
        name: "bitnet_b1_58-large".into(),
        hidden: 1536,
        ffn: 4096,
        layers: 24,
        heads: 16,
        kv_heads: 16,
        vocab: 32002,
        activation: Activation::Silu,
        rope_theta: 10_000.0,
        norm_eps: 1e-5,
        sub_norms: true,
        max_context: 2048,
        tie_embeddings: false,
    }
}

/// microsoft/bitnet-b1.58-2B-4T.
fn bitnet_2b_4t() -> ModelConfig {
    ModelConfig {
        name: "bitnet-b1.58-2B-4T".into(),
        hidden: 2560,
        ffn: 6912,
        layers: 30,
        heads: 20,
        kv_heads: 5,
        vocab: 128_256,
        activation: Activation::Relu2,
        rope_theta: 500_000.0,
        norm_eps: 1e-5,
        sub_norms: true,
        max_context: 4096,
        tie_embeddings: true,
    }
}

/// Small enough that CI simulates whole models in seconds; odd enough (ffn not a multiple of
/// 3, GQA, a partial last engine block) to exercise every padding path.
fn tiny_model() -> ModelConfig {
    ModelConfig {
        name: "tiny".into(),
        hidden: 192,
        ffn: 512,
        layers: 2,
        heads: 4,
        kv_heads: 2,
        vocab: 512,
        activation: Activation::Silu,
        rope_theta: 10_000.0,
        norm_eps: 1e-5,
        sub_norms: true,
        max_context: 256,
        tie_embeddings: false,
    }
}

/// TeLLMe v2's engine: G = 3, 28 tables × 16 lanes (1,344 ternary MACs/cycle), 10-bit entries,
/// 24-bit accumulators, 3 × 256-bit AXI ports, 8 queries per K/V stream, 250 MHz. The weight
/// buffer is 35 URAM288 columns (one 2,240-bit word) × 4K deep, split in two for overlap.
fn tellme_engine() -> AccelConfig {
    AccelConfig {
        group: 3,
        tables: 28,
        lanes: 16,
        acc_bits: 24,
        entry_bits: 10,
        weight_buffer_depth: 4096,
        double_buffer: true,
        axi_data_bits: 256,
        axi_ports: 3,
        prefill_queries: 8,
        max_tokens: 64,
        acc_depth: 64,
        clock_mhz: 250.0,
    }
}

fn tiny_engine() -> AccelConfig {
    AccelConfig {
        group: 3,
        tables: 8,
        lanes: 4,
        acc_bits: 24,
        entry_bits: 10,
        weight_buffer_depth: 512,
        double_buffer: true,
        axi_data_bits: 64,
        axi_ports: 2,
        prefill_queries: 4,
        max_tokens: 16,
        acc_depth: 16,
        clock_mhz: 250.0,
    }
}

/// AMD Kria KV260 (XCK26-SFVC784-2LV): budget and DDR4-2400 × 64 bit, 75 % sustained.
fn kv260() -> BoardConfig {
    BoardConfig {
        part: "xck26-sfvc784-2LV-c".into(),
        luts: 117_120,
        ffs: 234_240,
        bram36: 144,
        uram: 64,
        dsp: 1248,
        ddr_peak_bytes_per_s: 19.2e9,
        ddr_latency_ns: 300.0,
        ddr_efficiency: 0.75,
    }
}
