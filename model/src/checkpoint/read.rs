//! Loading a checkpoint folder (see the [module docs](super) for the formats).

use super::{
    attn_norm_name, attn_sub_norm_names, err, ffn_norm_name, ffn_sub_norm_names,
    linear_tensor_name, packed_rows, shape_str, unpack_2bit, Layout, EMBEDDING, FINAL_NORM,
    INDEX_FILE, LM_HEAD,
};
use crate::{LayerWeights, ModelWeights, Result, TernaryMatrix};
use half::{bf16, f16};
use rayon::prelude::*;
use safetensors::{Dtype, SafeTensors};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use tellme_config::{Config, ConfigError, LinearKind};

/// Load a Hugging Face BitNet folder: `config.json` replaces `base`'s model section (the
/// accelerator and board sections stay), then every tensor is read, checked against that
/// configuration, and converted (latent weights quantised, packed ones unpacked).
pub fn load(dir: &Path, base: &Config) -> Result<(Config, ModelWeights)> {
    let (cfg, weights, _) = load_with_layout(dir, base)?;
    Ok((cfg, weights))
}

/// [`load`], also saying which layout the folder used.
pub fn load_with_layout(dir: &Path, base: &Config) -> Result<(Config, ModelWeights, Layout)> {
    let (cfg, scale_is_reciprocal) = read_config(dir, base)?;
    let files = shard_files(dir)?;
    let blobs = files
        .iter()
        .map(|f| std::fs::read(f).map_err(|e| err(format!("cannot read {}: {e}", f.display()))))
        .collect::<Result<Vec<_>>>()?;
    let parsed = files
        .iter()
        .zip(&blobs)
        .map(|(f, b)| {
            SafeTensors::deserialize(b).map_err(|e| {
                err(format!(
                    "{} is not a valid safetensors file (truncated or corrupt: {e})",
                    f.display()
                ))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let tensors = Tensors::index(dir, &files, &parsed)?;
    let layout = detect_layout(&tensors)?;
    let weights = assemble(&cfg, &tensors, layout, scale_is_reciprocal)?;
    weights
        .check_shapes(&cfg)
        .map_err(|m| err(format!("{}: {m}", dir.display())))?;
    Ok((cfg, weights, layout))
}

/// The configuration, and whether a packed `weight_scale` holds `1/s` (everything but
/// `linear_class: "autobitlinear"`).
fn read_config(dir: &Path, base: &Config) -> Result<(Config, bool)> {
    if !dir.exists() {
        return Err(err(format!(
            "model folder {} does not exist",
            dir.display()
        )));
    }
    if !dir.is_dir() {
        return Err(err(format!(
            "model folder {} is not a folder",
            dir.display()
        )));
    }
    let path = dir.join("config.json");
    if !path.is_file() {
        return Err(err(format!(
            "model folder {} has no config.json",
            dir.display()
        )));
    }
    let cfg = base.clone().with_hf_model(&path).map_err(|e| match e {
        ConfigError::HfConfig { .. } | ConfigError::Read { .. } => err(e.to_string()),
        other => err(format!("{}: {other}", path.display())),
    })?;
    let text = std::fs::read_to_string(&path)
        .map_err(|e| err(format!("cannot read {}: {e}", path.display())))?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        err(format!(
            "malformed Hugging Face config {}: {e}",
            path.display()
        ))
    })?;
    let linear_class = json
        .pointer("/quantization_config/linear_class")
        .and_then(|v| v.as_str());
    Ok((cfg, linear_class != Some("autobitlinear")))
}

/// The safetensors files: those `model.safetensors.index.json` lists, else every
/// `*.safetensors` in the folder (sorted by name).
fn shard_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let index = dir.join(INDEX_FILE);
    if index.exists() {
        let shown = index.display();
        let text = std::fs::read_to_string(&index)
            .map_err(|e| err(format!("cannot read {shown}: {e}")))?;
        let json: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| err(format!("malformed safetensors index {shown}: {e}")))?;
        let map = json
            .get("weight_map")
            .and_then(|m| m.as_object())
            .ok_or_else(|| {
                err(format!(
                    "malformed safetensors index {shown}: no \"weight_map\" object"
                ))
            })?;
        let mut names = BTreeSet::new();
        for (tensor, file) in map {
            let file = file.as_str().ok_or_else(|| {
                err(format!(
                    "malformed safetensors index {shown}: the entry for {tensor} is not a file name"
                ))
            })?;
            names.insert(file.to_string());
        }
        if names.is_empty() {
            return Err(err(format!(
                "model folder {} has no .safetensors files ({shown} lists none)",
                dir.display()
            )));
        }
        return names
            .into_iter()
            .map(|n| {
                let p = dir.join(&n);
                if p.is_file() {
                    Ok(p)
                } else {
                    Err(err(format!(
                        "{shown} lists {n}, which is not in {}",
                        dir.display()
                    )))
                }
            })
            .collect();
    }
    let entries = std::fs::read_dir(dir)
        .map_err(|e| err(format!("cannot list model folder {}: {e}", dir.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "safetensors") && p.is_file())
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(err(format!(
            "model folder {} has no .safetensors files",
            dir.display()
        )));
    }
    Ok(files)
}

/// Every tensor of every file, by name.
struct Tensors<'a> {
    dir: &'a Path,
    map: HashMap<String, Found<'a>>,
}

/// One tensor and the file it came from.
struct Found<'a> {
    name: String,
    file: &'a Path,
    dtype: Dtype,
    shape: Vec<usize>,
    data: &'a [u8],
}

impl<'a> Tensors<'a> {
    fn index(dir: &'a Path, files: &'a [PathBuf], parsed: &[SafeTensors<'a>]) -> Result<Self> {
        let mut map: HashMap<String, Found<'a>> = HashMap::new();
        for (file, st) in files.iter().zip(parsed) {
            for (name, view) in st.iter() {
                if let Some(prev) = map.get(name) {
                    return Err(err(format!(
                        "tensor {name} is stored twice, in {} and in {}",
                        prev.file.display(),
                        file.display()
                    )));
                }
                map.insert(
                    name.to_string(),
                    Found {
                        name: name.to_string(),
                        file,
                        dtype: view.dtype(),
                        shape: view.shape().to_vec(),
                        data: view.data(),
                    },
                );
            }
        }
        Ok(Tensors { dir, map })
    }

    fn get(&self, name: &str) -> Result<&Found<'a>> {
        self.map.get(name).ok_or_else(|| {
            err(format!(
                "missing tensor {name}: it is in no safetensors file of {}",
                self.dir.display()
            ))
        })
    }

    /// The first of `names` present (alternative spellings of one tensor).
    fn get_any(&self, names: &[String]) -> Result<&Found<'a>> {
        if let Some(f) = names.iter().find_map(|n| self.map.get(n)) {
            return Ok(f);
        }
        let alts: String = names[1..].iter().map(|n| format!(" (or {n})")).collect();
        Err(err(format!(
            "missing tensor {}{alts}: it is in no safetensors file of {}",
            names[0],
            self.dir.display()
        )))
    }
}

fn is_float(d: Dtype) -> bool {
    matches!(d, Dtype::F32 | Dtype::F16 | Dtype::BF16)
}

impl Found<'_> {
    fn at(&self) -> String {
        format!("tensor {} in {}", self.name, self.file.display())
    }

    fn expect_shape(&self, want: &[usize]) -> Result<()> {
        if self.shape == want {
            Ok(())
        } else {
            Err(err(format!(
                "{} has shape {}, expected {}",
                self.at(),
                shape_str(&self.shape),
                shape_str(want)
            )))
        }
    }

    fn dtype_error(&self, expected: &str) -> crate::ModelError {
        err(format!(
            "{} has dtype {}, expected {expected}",
            self.at(),
            self.dtype
        ))
    }

    /// The values of a float tensor of shape `want`, as f32; all must be finite.
    fn floats(&self, want: &[usize]) -> Result<Vec<f32>> {
        if !is_float(self.dtype) {
            return Err(self.dtype_error("BF16, F16 or F32"));
        }
        self.expect_shape(want)?;
        let v = decode_floats(self.dtype, self.data);
        if let Some(i) = first_non_finite(&v) {
            return Err(err(format!(
                "{} holds a non-finite value ({}) at element {i}",
                self.at(),
                v[i]
            )));
        }
        Ok(v)
    }
}

/// Index of the first NaN or infinity (chunked: rayon's per-item `position_first` is slow).
pub(crate) fn first_non_finite(v: &[f32]) -> Option<usize> {
    const CHUNK: usize = 1 << 15;
    v.par_chunks(CHUNK).enumerate().find_map_first(|(c, xs)| {
        xs.iter()
            .position(|x| !x.is_finite())
            .map(|i| c * CHUNK + i)
    })
}

/// Little-endian F32/F16/BF16 bytes to f32 (the caller has checked the dtype).
fn decode_floats(dtype: Dtype, data: &[u8]) -> Vec<f32> {
    match dtype {
        Dtype::F32 => data
            .par_chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
        Dtype::F16 => data
            .par_chunks_exact(2)
            .map(|b| f16::from_bits(u16::from_le_bytes([b[0], b[1]])).to_f32())
            .collect(),
        _ => data
            .par_chunks_exact(2)
            .map(|b| bf16::from_bits(u16::from_le_bytes([b[0], b[1]])).to_f32())
            .collect(),
    }
}

/// The layout of the folder, from layer 0's q_proj.
fn detect_layout(t: &Tensors) -> Result<Layout> {
    let q = t.get(&linear_tensor_name(0, LinearKind::Q))?;
    match q.dtype {
        Dtype::U8 => Ok(Layout::Packed),
        d if is_float(d) => Ok(Layout::LatentBf16),
        _ => Err(q.dtype_error("BF16, F16 or F32 (latent weights) or U8 (packed weights)")),
    }
}

/// Errors of a parallel map, reported in order: the first failing item wins.
fn in_order<T>(results: Vec<Result<T>>) -> Result<Vec<T>> {
    results.into_iter().collect()
}

fn assemble(
    cfg: &Config,
    t: &Tensors,
    layout: Layout,
    scale_is_reciprocal: bool,
) -> Result<ModelWeights> {
    let m = &cfg.model;
    let (h, vocab) = (m.hidden, m.vocab);
    let ((embedding, lm_head), (final_norm, layers)) = rayon::join(
        || {
            rayon::join(
                || t.get(EMBEDDING).and_then(|f| f.floats(&[vocab, h])),
                || -> Result<Option<Vec<f32>>> {
                    if m.tie_embeddings {
                        Ok(None)
                    } else {
                        t.get(LM_HEAD).and_then(|f| f.floats(&[vocab, h])).map(Some)
                    }
                },
            )
        },
        || {
            rayon::join(
                || t.get(FINAL_NORM).and_then(|f| f.floats(&[h])),
                || {
                    (0..m.layers)
                        .into_par_iter()
                        .map(|i| load_layer(cfg, t, i, layout, scale_is_reciprocal))
                        .collect::<Vec<_>>()
                },
            )
        },
    );
    Ok(ModelWeights {
        embedding: embedding?,
        lm_head: lm_head?,
        final_norm: final_norm?,
        layers: in_order(layers)?,
    })
}

fn load_layer(
    cfg: &Config,
    t: &Tensors,
    i: usize,
    layout: Layout,
    scale_is_reciprocal: bool,
) -> Result<LayerWeights> {
    let m = &cfg.model;
    let mats = cfg
        .layer_linears()
        .par_iter()
        .map(|s| {
            load_linear(
                t,
                &linear_tensor_name(i, s.kind),
                s.n_out,
                s.k_in,
                layout,
                scale_is_reciprocal,
            )
        })
        .collect::<Vec<_>>();
    let [q, k, v, o, gate, up, down]: [TernaryMatrix; 7] = in_order(mats)?
        .try_into()
        .map_err(|_| err("internal error: a layer must have seven linear maps"))?;
    let attn_norm = t.get(&attn_norm_name(i))?.floats(&[m.hidden])?;
    let ffn_norm = t.get(&ffn_norm_name(i))?.floats(&[m.hidden])?;
    let (attn_sub_norm, ffn_sub_norm) = if m.sub_norms {
        (
            Some(t.get_any(&attn_sub_norm_names(i))?.floats(&[m.hidden])?),
            Some(t.get_any(&ffn_sub_norm_names(i))?.floats(&[m.ffn])?),
        )
    } else {
        (None, None)
    };
    Ok(LayerWeights {
        attn_norm,
        q,
        k,
        v,
        attn_sub_norm,
        o,
        ffn_norm,
        gate,
        up,
        ffn_sub_norm,
        down,
    })
}

fn load_linear(
    t: &Tensors,
    name: &str,
    n_out: usize,
    k_in: usize,
    layout: Layout,
    scale_is_reciprocal: bool,
) -> Result<TernaryMatrix> {
    let f = t.get(name)?;
    match layout {
        Layout::LatentBf16 => {
            if !is_float(f.dtype) {
                return Err(f.dtype_error("BF16, F16 or F32 (latent weights, as layer 0's q_proj)"));
            }
            let w = f.floats(&[n_out, k_in])?;
            Ok(TernaryMatrix::from_latent(n_out, k_in, &w))
        }
        Layout::Packed => {
            if f.dtype != Dtype::U8 {
                return Err(f.dtype_error("U8 (packed weights, as layer 0's q_proj)"));
            }
            f.expect_shape(&[packed_rows(n_out), k_in])?;
            let trits = unpack_2bit(f.data, n_out, k_in).map_err(|b| {
                err(format!(
                    "{} holds the invalid 2-bit code 3 at byte [{}, {}], bits {}..{} (output row {})",
                    f.at(),
                    b.packed_row,
                    b.col,
                    2 * b.bit_pair + 1,
                    2 * b.bit_pair,
                    b.row
                ))
            })?;
            let sf = t.get(&format!("{name}_scale"))?;
            if !is_float(sf.dtype) {
                return Err(sf.dtype_error("BF16, F16 or F32"));
            }
            if !(sf.shape.is_empty() || sf.shape == [1]) {
                return Err(err(format!(
                    "{} has shape {}, expected [1]",
                    sf.at(),
                    shape_str(&sf.shape)
                )));
            }
            let ws = decode_floats(sf.dtype, sf.data)[0];
            if !(ws.is_finite() && ws > 0.0) {
                return Err(err(format!(
                    "{} holds {ws}; a weight_scale must be finite and positive",
                    sf.at()
                )));
            }
            let s = if scale_is_reciprocal { 1.0 / ws } else { ws };
            Ok(TernaryMatrix::from_trits(n_out, k_in, &trits, s))
        }
    }
}
