//! The model section from a Hugging Face `config.json` (LLaMA-style BitNet or `bitnet` type).

use crate::{Activation, ConfigError, ModelConfig, Result};
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
struct HfConfig {
    hidden_size: usize,
    intermediate_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    num_key_value_heads: Option<usize>,
    vocab_size: usize,
    #[serde(default = "default_act")]
    hidden_act: String,
    #[serde(default = "default_theta")]
    rope_theta: f64,
    #[serde(default = "default_eps")]
    rms_norm_eps: f64,
    #[serde(default = "default_ctx")]
    max_position_embeddings: usize,
    #[serde(default)]
    tie_word_embeddings: bool,
    #[serde(default)]
    model_type: Option<String>,
    #[serde(default, rename = "_name_or_path")]
    name_or_path: Option<String>,
}

fn default_act() -> String {
    "silu".into()
}
fn default_theta() -> f64 {
    10_000.0
}
fn default_eps() -> f64 {
    1e-6
}
fn default_ctx() -> usize {
    2048
}

/// Read the model dimensions from `config.json`. BitNet b1.58 checkpoints always carry the
/// sub-layer norms, so `sub_norms` is true.
pub fn model_from_hf_config(path: &Path) -> Result<ModelConfig> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: shown.clone(),
        source,
    })?;
    model_from_hf_str(&text, &shown)
}

pub(crate) fn model_from_hf_str(text: &str, origin: &str) -> Result<ModelConfig> {
    let err = |message: String| ConfigError::HfConfig {
        path: origin.into(),
        message,
    };
    let hf: HfConfig = serde_json::from_str(text).map_err(|e| err(e.to_string()))?;
    let activation = match hf.hidden_act.as_str() {
        "silu" | "swish" => Activation::Silu,
        "relu2" => Activation::Relu2,
        other => {
            return Err(ConfigError::NotImplemented(format!(
                "hidden_act '{other}' in {origin}: only silu and relu2 are supported"
            )))
        }
    };
    let name = hf
        .name_or_path
        .filter(|s| !s.is_empty())
        .map(|s| s.rsplit('/').next().unwrap_or(&s).to_string())
        .or(hf.model_type)
        .unwrap_or_else(|| "hf-model".into());
    Ok(ModelConfig {
        name,
        hidden: hf.hidden_size,
        ffn: hf.intermediate_size,
        layers: hf.num_hidden_layers,
        heads: hf.num_attention_heads,
        kv_heads: hf.num_key_value_heads.unwrap_or(hf.num_attention_heads),
        vocab: hf.vocab_size,
        activation,
        rope_theta: hf.rope_theta,
        norm_eps: hf.rms_norm_eps,
        sub_norms: true,
        max_context: hf.max_position_embeddings,
        tie_embeddings: hf.tie_word_embeddings,
    })
}
