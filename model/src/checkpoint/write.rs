//! Writing a checkpoint folder in either public layout (see the [module docs](super)).

use super::{
    attn_norm_name, attn_sub_norm_names, err, ffn_norm_name, ffn_sub_norm_names,
    linear_tensor_name, pack_2bit, Layout, EMBEDDING, FINAL_NORM, INDEX_FILE, LM_HEAD,
};
use crate::{ModelWeights, Result, TernaryMatrix};
use half::bf16;
use rayon::prelude::*;
use safetensors::{Dtype, View};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use tellme_config::{Activation, Config};

/// Write `config.json` and `model.safetensors` into `dir` (created if needed) in the public
/// format of `layout`. Non-ternary tensors are written as BF16 (round to nearest even).
///
/// What a [`super::load`] of the result gives back:
/// - the model section of `cfg` exactly (`config.json` carries every field, the name as
///   `_name_or_path`);
/// - embeddings, norms and the LM head rounded to BF16;
/// - every trit, in both layouts;
/// - [`Layout::Packed`]: scale `1 / bf16(1/s)` (the file stores `bf16(1/s)`);
/// - [`Layout::LatentBf16`]: each linear is written as `t · c` with
///   `c = bf16(max(s, 1e-5) / p)`, `p` the fraction of non-zero trits, so the absmean of the
///   file is `c·p ≈ s` (within BF16 rounding) and `W / (c·p) = ±1/p` rounds back to ±1. The
///   loaded scale is `c·p`, not `s` exactly; a matrix without non-zero trits is written as
///   zeros and loads with scale 1e-5.
///
/// Refuses a folder that already holds an index or other `*.safetensors` files (the result
/// would not load), weights that do not fit `cfg`, non-finite values, and a scale that is not
/// finite and positive.
pub fn write_checkpoint(
    dir: &Path,
    cfg: &Config,
    weights: &ModelWeights,
    layout: Layout,
) -> Result<()> {
    let m = &cfg.model;
    let shown = dir.display();
    if !m.sub_norms {
        return Err(err(format!(
            "cannot write {shown}: BitNet checkpoints always carry sub-layer norms, but model.sub_norms is false"
        )));
    }
    weights
        .check_shapes(cfg)
        .map_err(|e| err(format!("cannot write {shown}: {e}")))?;
    if m.tie_embeddings && weights.lm_head.is_some() {
        return Err(err(format!(
            "cannot write {shown}: the config ties the LM head to the embedding but the weights have a separate lm_head"
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| err(format!("cannot create {shown}: {e}")))?;
    let entries = std::fs::read_dir(dir).map_err(|e| err(format!("cannot list {shown}: {e}")))?;
    for entry in entries.filter_map(|e| e.ok()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == INDEX_FILE || (name.ends_with(".safetensors") && name != "model.safetensors") {
            return Err(err(format!(
                "cannot write {shown}: it already holds {name}; write into an empty folder"
            )));
        }
    }

    let mut tensors: Vec<(String, Owned)> = Vec::new();
    let sub = match layout {
        Layout::LatentBf16 => 0,
        Layout::Packed => 1,
    };
    let (h, f, vocab) = (m.hidden, m.ffn, m.vocab);
    tensors.push(float_tensor(EMBEDDING, &weights.embedding, &[vocab, h])?);
    tensors.push(float_tensor(FINAL_NORM, &weights.final_norm, &[h])?);
    if !m.tie_embeddings {
        tensors.push(float_tensor(LM_HEAD, weights.lm_head(), &[vocab, h])?);
    }
    for (i, l) in weights.layers.iter().enumerate() {
        tensors.push(float_tensor(&attn_norm_name(i), &l.attn_norm, &[h])?);
        tensors.push(float_tensor(&ffn_norm_name(i), &l.ffn_norm, &[h])?);
        // check_shapes guarantees both sub-norms exist when model.sub_norms is set
        if let (Some(a), Some(fs)) = (&l.attn_sub_norm, &l.ffn_sub_norm) {
            tensors.push(float_tensor(&attn_sub_norm_names(i)[sub], a, &[h])?);
            tensors.push(float_tensor(&ffn_sub_norm_names(i)[sub], fs, &[f])?);
        }
    }
    let linears: Vec<(&TernaryMatrix, String)> = weights
        .layers
        .iter()
        .enumerate()
        .flat_map(|(i, l)| {
            cfg.layer_linears()
                .into_iter()
                .zip(l.linears())
                .map(move |(s, t)| (t, linear_tensor_name(i, s.kind)))
        })
        .collect();
    let encoded: Vec<Result<Vec<(String, Owned)>>> = linears
        .par_iter()
        .map(|(t, name)| match layout {
            Layout::LatentBf16 => Ok(vec![(name.clone(), latent_tensor(name, t)?)]),
            Layout::Packed => packed_tensors(name, t),
        })
        .collect();
    for e in encoded {
        tensors.extend(e?);
    }

    let file = dir.join("model.safetensors");
    let info = HashMap::from([("format".to_string(), "pt".to_string())]);
    safetensors::serialize_to_file(tensors, Some(info), &file)
        .map_err(|e| err(format!("cannot write {}: {e}", file.display())))?;
    let config_path = dir.join("config.json");
    let text = serde_json::to_string_pretty(&config_json(cfg, layout))
        .map_err(|e| err(format!("cannot write {}: {e}", config_path.display())))?;
    std::fs::write(&config_path, text + "\n")
        .map_err(|e| err(format!("cannot write {}: {e}", config_path.display())))?;
    Ok(())
}

/// The `config.json` of a layout, with the Hugging Face field names.
fn config_json(cfg: &Config, layout: Layout) -> serde_json::Value {
    let m = &cfg.model;
    let (model_type, arch) = match layout {
        Layout::LatentBf16 => ("llama", "BitnetForCausalLM"),
        Layout::Packed => ("bitnet", "BitNetForCausalLM"),
    };
    let act = match m.activation {
        Activation::Silu => "silu",
        Activation::Relu2 => "relu2",
    };
    let mut v = serde_json::json!({
        "_name_or_path": m.name,
        "architectures": [arch],
        "model_type": model_type,
        "hidden_size": m.hidden,
        "intermediate_size": m.ffn,
        "num_hidden_layers": m.layers,
        "num_attention_heads": m.heads,
        "num_key_value_heads": m.kv_heads,
        "vocab_size": m.vocab,
        "hidden_act": act,
        "rope_theta": m.rope_theta,
        "rms_norm_eps": m.norm_eps,
        "max_position_embeddings": m.max_context,
        "tie_word_embeddings": m.tie_embeddings,
        "torch_dtype": "bfloat16",
    });
    match layout {
        Layout::LatentBf16 => {
            v["weight_bits"] = 1.into();
            v["input_bits"] = 8.into();
        }
        Layout::Packed => {
            v["quantization_config"] = serde_json::json!({
                "quant_method": "bitnet",
                "linear_class": "bitlinear",
                "quantization_mode": "offline",
            });
        }
    }
    v
}

/// A tensor to serialise.
struct Owned {
    dtype: Dtype,
    shape: Vec<usize>,
    data: Vec<u8>,
}

impl View for Owned {
    fn dtype(&self) -> Dtype {
        self.dtype
    }
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn data(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.data)
    }
    fn data_len(&self) -> usize {
        self.data.len()
    }
}

fn bf16_bytes(values: &[f32]) -> Vec<u8> {
    values
        .par_iter()
        .flat_map_iter(|&x| bf16::from_f32(x).to_bits().to_le_bytes())
        .collect()
}

fn float_tensor(name: &str, values: &[f32], shape: &[usize]) -> Result<(String, Owned)> {
    if let Some(i) = super::read::first_non_finite(values) {
        return Err(err(format!(
            "cannot write tensor {name}: element {i} is {}",
            values[i]
        )));
    }
    Ok((
        name.to_string(),
        Owned {
            dtype: Dtype::BF16,
            shape: shape.to_vec(),
            data: bf16_bytes(values),
        },
    ))
}

fn check_scale(name: &str, t: &TernaryMatrix) -> Result<()> {
    if t.scale.is_finite() && t.scale > 0.0 {
        Ok(())
    } else {
        Err(err(format!(
            "cannot write tensor {name}: its scale {} is not finite and positive",
            t.scale
        )))
    }
}

/// Latent BF16 values `t · c` that re-quantise to the same trits (see [`write_checkpoint`]).
fn latent_tensor(name: &str, t: &TernaryMatrix) -> Result<Owned> {
    let trits = t.to_trits();
    let nnz = trits.iter().filter(|&&x| x != 0).count();
    let c = if nnz == 0 {
        bf16::ZERO
    } else {
        check_scale(name, t)?;
        let p = nnz as f64 / trits.len() as f64;
        let c = bf16::from_f64(t.scale.max(1e-5) as f64 / p);
        if !(c.is_finite() && c > bf16::ZERO) {
            return Err(err(format!(
                "cannot write tensor {name}: scale {} does not fit BF16 latent weights",
                t.scale
            )));
        }
        c
    };
    let codes = [(-c).to_bits(), 0u16, c.to_bits()];
    let data = trits
        .par_iter()
        .flat_map_iter(|&x| codes[(x + 1) as usize].to_le_bytes())
        .collect();
    Ok(Owned {
        dtype: Dtype::BF16,
        shape: vec![t.n_out, t.k_in],
        data,
    })
}

/// The U8 packed weight and its BF16 `weight_scale = 1/s`.
fn packed_tensors(name: &str, t: &TernaryMatrix) -> Result<Vec<(String, Owned)>> {
    check_scale(name, t)?;
    let ws = bf16::from_f32(1.0 / t.scale);
    if !(ws.is_finite() && ws > bf16::ZERO) {
        return Err(err(format!(
            "cannot write tensor {name}: 1/scale = {} does not fit a BF16 weight_scale",
            1.0 / t.scale
        )));
    }
    let packed = pack_2bit(&t.to_trits(), t.n_out, t.k_in);
    Ok(vec![
        (
            name.to_string(),
            Owned {
                dtype: Dtype::U8,
                shape: vec![super::packed_rows(t.n_out), t.k_in],
                data: packed,
            },
        ),
        (
            format!("{name}_scale"),
            Owned {
                dtype: Dtype::BF16,
                shape: vec![1],
                data: ws.to_bits().to_le_bytes().to_vec(),
            },
        ),
    ])
}
