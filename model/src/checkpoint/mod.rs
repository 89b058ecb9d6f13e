//! Hugging Face BitNet b1.58 checkpoints: [`load`] a model folder, [`write_checkpoint`] one.
//!
//! A folder holds `config.json` (read by [`tellme_config::model_from_hf_config`]) and the
//! tensors in `*.safetensors` (one file, or shards listed by `model.safetensors.index.json`).
//! Safetensors is little-endian, row-major; a 2-D `[rows, cols]` linear weight is `[n_out, k_in]`
//! (row = output). Two layouts exist; [`load`] tells them apart by the dtype of layer 0's
//! `q_proj.weight`, and every linear of a checkpoint must use the same one.
//!
//! **Latent** (`1bitLLM/bitnet_b1_58-large`; `model_type` "llama", architectures
//! `["BitnetForCausalLM"]`). Each `…_proj.weight` is BF16, F16 or F32, `[n_out, k_in]`, holding
//! the training-time latent weights. Loading quantises each tensor as the model's own
//! `utils_quant.weight_quant` does (absmean, one scale per tensor): `s = max(mean|W|, 1e-5)`,
//! `t = clamp(round(W / s), -1, 1)` (see [`crate::TernaryMatrix::from_latent`]). Sub-layer
//! norms are `self_attn.inner_attn_ln.weight` `[hidden]` (before o_proj) and
//! `mlp.ffn_layernorm.weight` `[ffn]` (before down_proj).
//!
//! **Packed** (`microsoft/bitnet-b1.58-2B-4T`; `model_type` "bitnet", `quantization_config`
//! `{"quant_method": "bitnet"}`). Each `…_proj.weight` is U8 `[P, k_in]`, `P = ceil(n_out / 4)`.
//! Byte `(p, c)` holds four 2-bit codes, `code = trit + 1` (0 → −1, 1 → 0, 2 → +1; 3 is
//! invalid). Bits `2i+1..2i` (i = 0..3, bit 0 = LSB) hold `W[i·P + p][c]`: the output rows are
//! cut into four blocks of `P` consecutive rows and block `i` sits in bit pair `i`. E.g.
//! `n_out = 8` (P = 2): byte `(0, c) = (W[0][c]+1) | (W[2][c]+1) << 2 | (W[4][c]+1) << 4 |
//! (W[6][c]+1) << 6`. Slots past `n_out` are written 0 and ignored. Next to each weight,
//! `…_proj.weight_scale` (BF16 `[1]`; F16/F32 and shape `[]` are accepted too) holds the
//! *reciprocal* `1/s` of the absmean scale: HF's `BitLinear` computes
//! `y = (x_q · Tᵀ) / (weight_scale · input_scale)` and llama.cpp divides by it ("the scale is
//! inverted"), so the loader stores `s = 1 / weight_scale`. Exception: a `config.json` whose
//! `quantization_config.linear_class` is `"autobitlinear"` multiplies by it, and then
//! `s = weight_scale`. Sub-layer norms are `self_attn.attn_sub_norm.weight` and
//! `mlp.ffn_sub_norm.weight`.
//!
//! Both layouts: `model.embed_tokens.weight` `[vocab, hidden]`, per layer
//! `model.layers.{i}.input_layernorm.weight` and `post_attention_layernorm.weight` `[hidden]`,
//! `self_attn.{q,k,v,o}_proj`, `mlp.{gate,up,down}_proj` (k and v are `kv_dim × hidden`),
//! `model.norm.weight`, and `lm_head.weight` `[vocab, hidden]` unless `tie_word_embeddings`.
//! Either sub-norm naming is accepted in either layout. Non-ternary tensors may be BF16, F16 or
//! F32 and are kept as f32; other tensors in the files are ignored.

mod packing;
mod read;
mod write;

pub use packing::{pack_2bit, packed_rows, unpack_2bit, BadCode, TRITS_PER_BYTE};
pub use read::{load, load_with_layout};
pub use write::write_checkpoint;

use tellme_config::LinearKind;

/// How a checkpoint stores its ternary linear weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Latent float weights (BF16 when written here; F16/F32 accepted), quantised on load.
    LatentBf16,
    /// Four 2-bit codes per byte plus a `weight_scale` of `1/s`.
    Packed,
}

/// The safetensors name of one linear weight, e.g. `model.layers.3.mlp.down_proj.weight`.
pub fn linear_tensor_name(layer: usize, kind: LinearKind) -> String {
    let block = match kind {
        LinearKind::Q | LinearKind::K | LinearKind::V | LinearKind::O => "self_attn",
        LinearKind::Gate | LinearKind::Up | LinearKind::Down => "mlp",
    };
    format!("model.layers.{layer}.{block}.{}_proj.weight", kind.name())
}

/// Names of the attention sub-norm, latent naming first.
pub(crate) fn attn_sub_norm_names(layer: usize) -> [String; 2] {
    [
        format!("model.layers.{layer}.self_attn.inner_attn_ln.weight"),
        format!("model.layers.{layer}.self_attn.attn_sub_norm.weight"),
    ]
}

/// Names of the feed-forward sub-norm, latent naming first.
pub(crate) fn ffn_sub_norm_names(layer: usize) -> [String; 2] {
    [
        format!("model.layers.{layer}.mlp.ffn_layernorm.weight"),
        format!("model.layers.{layer}.mlp.ffn_sub_norm.weight"),
    ]
}

pub(crate) const EMBEDDING: &str = "model.embed_tokens.weight";
pub(crate) const FINAL_NORM: &str = "model.norm.weight";
pub(crate) const LM_HEAD: &str = "lm_head.weight";
pub(crate) const INDEX_FILE: &str = "model.safetensors.index.json";

pub(crate) fn attn_norm_name(layer: usize) -> String {
    format!("model.layers.{layer}.input_layernorm.weight")
}

pub(crate) fn ffn_norm_name(layer: usize) -> String {
    format!("model.layers.{layer}.post_attention_layernorm.weight")
}

/// A [`crate::ModelError::Checkpoint`] with the message forced onto one line.
pub(crate) fn err(message: impl AsRef<str>) -> crate::ModelError {
    let one: String = message
        .as_ref()
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    crate::ModelError::Checkpoint(one)
}

/// `[a, b]` for error messages.
pub(crate) fn shape_str(shape: &[usize]) -> String {
    let parts: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    format!("[{}]", parts.join(", "))
}
