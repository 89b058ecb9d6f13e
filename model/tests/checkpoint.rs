//! Hugging Face checkpoint loading and writing, on the `tiny` preset (hidden 192, ffn 512,
//! 2 layers, 4 heads, 2 KV heads: k/v are 96 × 192, vocab 512).
//!
//! The fixtures here are built byte by byte (safetensors header and data written by hand,
//! packed bytes computed from the documented rule, trits from an absmean computed here), so
//! they check the loader against the public formats, not against our own writer.

use half::{bf16, f16};
use std::path::Path;
use tellme_config::{preset, Activation, Config, LinearKind};
use tellme_model::checkpoint::{
    linear_tensor_name, load, load_with_layout, pack_2bit, unpack_2bit, write_checkpoint, Layout,
};
use tellme_model::rng::Rng;
use tellme_model::{LayerWeights, ModelError, ModelWeights, TernaryMatrix};

// ---------------------------------------------------------------- helpers

fn tiny() -> Config {
    preset("tiny").unwrap()
}

fn tiny_with(tie: bool, act: Activation) -> Config {
    let mut c = tiny();
    c.model.tie_embeddings = tie;
    c.model.activation = act;
    c.validate().unwrap();
    c
}

fn bf16r(x: f32) -> f32 {
    bf16::from_f32(x).to_f32()
}

fn random_trits(rng: &mut Rng, n: usize) -> Vec<i8> {
    (0..n).map(|_| rng.below(3) as i8 - 1).collect()
}

fn random_vec(rng: &mut Rng, n: usize, mean: f64, sd: f64) -> Vec<f32> {
    (0..n).map(|_| (mean + sd * rng.normal()) as f32).collect()
}

/// A random model for `cfg`: uniform trits, scales in [0.01, 0.03].
fn random_weights(cfg: &Config, seed: u64) -> ModelWeights {
    let m = &cfg.model;
    let mut rng = Rng::new(seed);
    let layers = (0..m.layers)
        .map(|_| {
            let mut lin = cfg.layer_linears().map(|s| {
                let trits = random_trits(&mut rng, s.n_out * s.k_in);
                let scale = (0.01 + 0.02 * rng.next_f64()) as f32;
                TernaryMatrix::from_trits(s.n_out, s.k_in, &trits, scale)
            });
            let mut take = |k: usize| {
                std::mem::replace(&mut lin[k], TernaryMatrix::from_trits(0, 0, &[], 0.0))
            };
            LayerWeights {
                attn_norm: random_vec(&mut rng, m.hidden, 1.0, 0.1),
                q: take(0),
                k: take(1),
                v: take(2),
                attn_sub_norm: Some(random_vec(&mut rng, m.hidden, 1.0, 0.1)),
                o: take(3),
                ffn_norm: random_vec(&mut rng, m.hidden, 1.0, 0.1),
                gate: take(4),
                up: take(5),
                ffn_sub_norm: Some(random_vec(&mut rng, m.ffn, 1.0, 0.1)),
                down: take(6),
            }
        })
        .collect();
    ModelWeights {
        embedding: random_vec(&mut rng, m.vocab * m.hidden, 0.0, 0.02),
        layers,
        final_norm: random_vec(&mut rng, m.hidden, 1.0, 0.1),
        lm_head: (!m.tie_embeddings).then(|| random_vec(&mut rng, m.vocab * m.hidden, 0.0, 0.02)),
    }
}

fn assert_floats_bf16(got: &[f32], want: &[f32], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(*g, bf16r(*w), "{what}[{i}]");
    }
}

fn checkpoint_err(r: Result<impl std::fmt::Debug, ModelError>) -> String {
    match r {
        Err(ModelError::Checkpoint(m)) => {
            assert!(!m.contains('\n'), "multi-line error: {m}");
            m
        }
        other => panic!("expected a checkpoint error, got {other:?}"),
    }
}

fn expect_err(dir: &Path, phrases: &[&str]) -> String {
    let m = checkpoint_err(load(dir, &tiny()));
    for p in phrases {
        assert!(m.contains(p), "error {m:?} lacks {p:?}");
    }
    m
}

// ------------------------------------------- a safetensors writer written from the spec

/// One tensor of a hand-built file.
#[derive(Clone)]
struct Raw {
    name: String,
    dtype: &'static str,
    shape: Vec<usize>,
    data: Vec<u8>,
}

impl Raw {
    fn bf16(name: &str, shape: &[usize], values: &[f32]) -> Raw {
        Raw {
            name: name.into(),
            dtype: "BF16",
            shape: shape.to_vec(),
            data: values
                .iter()
                .flat_map(|&x| bf16::from_f32(x).to_bits().to_le_bytes())
                .collect(),
        }
    }
}

/// safetensors: u64 LE header length, JSON header (space-padded to 8 bytes), raw data.
fn safetensors_bytes(ts: &[Raw]) -> Vec<u8> {
    let mut header = String::from("{\"__metadata__\":{\"format\":\"pt\"}");
    let mut offset = 0;
    for t in ts {
        header += &format!(
            ",\"{}\":{{\"dtype\":\"{}\",\"shape\":{:?},\"data_offsets\":[{},{}]}}",
            t.name,
            t.dtype,
            t.shape,
            offset,
            offset + t.data.len()
        );
        offset += t.data.len();
    }
    header.push('}');
    while header.len() % 8 != 0 {
        header.push(' ');
    }
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    for t in ts {
        out.extend_from_slice(&t.data);
    }
    out
}

fn write_folder(dir: &Path, config_json: &str, files: &[(&str, &[Raw])]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("config.json"), config_json).unwrap();
    for (name, ts) in files {
        std::fs::write(dir.join(name), safetensors_bytes(ts)).unwrap();
    }
}

/// The packing rule as documented: bits 2i+1..2i of byte (p, c) hold W[i·P + p][c] + 1.
fn pack_by_rule(trits: &[i8], n_out: usize, k_in: usize) -> Vec<u8> {
    let p = n_out.div_ceil(4);
    let mut bytes = vec![0u8; p * k_in];
    for r in 0..n_out {
        for c in 0..k_in {
            bytes[(r % p) * k_in + c] |= ((trits[r * k_in + c] + 1) as u8) << (2 * (r / p));
        }
    }
    bytes
}

/// BitNet absmean, written out independently: s = max(mean|W|, 1e-5), t = ±1 where
/// |W/s| ≥ 1/2, else 0.
fn absmean(w: &[f32]) -> (Vec<i8>, f32) {
    let mean = w.iter().map(|x| x.abs() as f64).sum::<f64>() / w.len() as f64;
    let s = (mean as f32).max(1e-5);
    let t = w
        .iter()
        .map(|&x| {
            let q = x / s;
            if q >= 0.5 {
                1
            } else if q <= -0.5 {
                -1
            } else {
                0
            }
        })
        .collect();
    (t, s)
}

const PACKED_CONFIG: &str = r#"{
  "architectures": ["BitNetForCausalLM"],
  "model_type": "bitnet",
  "hidden_act": "relu2",
  "hidden_size": 192,
  "intermediate_size": 512,
  "num_hidden_layers": 2,
  "num_attention_heads": 4,
  "num_key_value_heads": 2,
  "vocab_size": 512,
  "max_position_embeddings": 256,
  "rms_norm_eps": 1e-05,
  "rope_theta": 500000.0,
  "tie_word_embeddings": true,
  "torch_dtype": "bfloat16",
  "quantization_config": {"quant_method": "bitnet", "linear_class": "bitlinear", "quantization_mode": "offline"}
}"#;

const LATENT_CONFIG: &str = r#"{
  "_name_or_path": "1bitLLM/bitnet_b1_58-tiny",
  "architectures": ["BitnetForCausalLM"],
  "model_type": "llama",
  "hidden_act": "silu",
  "hidden_size": 192,
  "intermediate_size": 512,
  "num_hidden_layers": 2,
  "num_attention_heads": 4,
  "num_key_value_heads": 2,
  "vocab_size": 512,
  "max_position_embeddings": 256,
  "rms_norm_eps": 1e-05,
  "rope_theta": 10000.0,
  "tie_word_embeddings": false,
  "weight_bits": 1,
  "input_bits": 8
}"#;

/// A complete hand-built tiny checkpoint and the weights it must load as.
struct Fixture {
    config: String,
    tensors: Vec<Raw>,
    expect: ModelWeights,
}

impl Fixture {
    fn write(&self, dir: &Path) {
        write_folder(dir, &self.config, &[("model.safetensors", &self.tensors)]);
    }

    fn set(&mut self, name: &str, f: impl FnOnce(&mut Raw)) {
        f(self.tensors.iter_mut().find(|t| t.name == name).unwrap());
    }

    fn remove(&mut self, name: &str) {
        self.tensors.retain(|t| t.name != name);
    }
}

/// A random bf16 tensor (values returned as the f32s the loader will see).
fn bf16_tensor(
    tensors: &mut Vec<Raw>,
    rng: &mut Rng,
    name: String,
    shape: &[usize],
    mean: f64,
    sd: f64,
) -> Vec<f32> {
    let vals: Vec<f32> = random_vec(rng, shape.iter().product(), mean, sd)
        .into_iter()
        .map(bf16r)
        .collect();
    tensors.push(Raw::bf16(&name, shape, &vals));
    vals
}

/// A layer's four norm gains under prefix `p`: input, post-attention, and the two sub-layer
/// norms under the layout's own names.
fn layer_norms(
    tensors: &mut Vec<Raw>,
    rng: &mut Rng,
    p: &str,
    (h, f): (usize, usize),
    (sub_attn, sub_ffn): (&str, &str),
) -> [Vec<f32>; 4] {
    [
        bf16_tensor(
            tensors,
            rng,
            format!("{p}.input_layernorm.weight"),
            &[h],
            1.0,
            0.1,
        ),
        bf16_tensor(
            tensors,
            rng,
            format!("{p}.post_attention_layernorm.weight"),
            &[h],
            1.0,
            0.1,
        ),
        bf16_tensor(
            tensors,
            rng,
            format!("{p}.{sub_attn}.weight"),
            &[h],
            1.0,
            0.1,
        ),
        bf16_tensor(
            tensors,
            rng,
            format!("{p}.{sub_ffn}.weight"),
            &[f],
            1.0,
            0.1,
        ),
    ]
}

/// The 2B-4T layout: U8 weights, BF16 weight_scale = 1/s, attn_sub_norm/ffn_sub_norm,
/// tied embedding.
fn packed_fixture(seed: u64) -> Fixture {
    let cfg = tiny();
    let (h, f, v) = (192, 512, 512);
    let mut rng = Rng::new(seed);
    let mut tensors = Vec::new();
    let embedding = bf16_tensor(
        &mut tensors,
        &mut rng,
        "model.embed_tokens.weight".into(),
        &[v, h],
        0.0,
        0.02,
    );
    let final_norm = bf16_tensor(
        &mut tensors,
        &mut rng,
        "model.norm.weight".into(),
        &[h],
        1.0,
        0.1,
    );
    let mut layers = Vec::new();
    for i in 0..2 {
        let p = format!("model.layers.{i}");
        let [attn_norm, ffn_norm, attn_sub, ffn_sub] = layer_norms(
            &mut tensors,
            &mut rng,
            &p,
            (h, f),
            ("self_attn.attn_sub_norm", "mlp.ffn_sub_norm"),
        );
        let mut mats = Vec::new();
        for s in cfg.layer_linears() {
            let name = linear_tensor_name(i, s.kind);
            let trits = random_trits(&mut rng, s.n_out * s.k_in);
            let ws = bf16::from_f64(1.0 / (0.01 + 0.02 * rng.next_f64()));
            tensors.push(Raw {
                name: name.clone(),
                dtype: "U8",
                shape: vec![s.n_out / 4, s.k_in],
                data: pack_by_rule(&trits, s.n_out, s.k_in),
            });
            tensors.push(Raw {
                name: format!("{name}_scale"),
                dtype: "BF16",
                shape: vec![1],
                data: ws.to_bits().to_le_bytes().to_vec(),
            });
            mats.push(TernaryMatrix::from_trits(
                s.n_out,
                s.k_in,
                &trits,
                1.0 / ws.to_f32(),
            ));
        }
        let mut mats = mats.into_iter();
        let mut next = || mats.next().unwrap();
        layers.push(LayerWeights {
            attn_norm,
            q: next(),
            k: next(),
            v: next(),
            attn_sub_norm: Some(attn_sub),
            o: next(),
            ffn_norm,
            gate: next(),
            up: next(),
            ffn_sub_norm: Some(ffn_sub),
            down: next(),
        });
    }
    Fixture {
        config: PACKED_CONFIG.into(),
        tensors,
        expect: ModelWeights {
            embedding,
            layers,
            final_norm,
            lm_head: None,
        },
    }
}

/// The bitnet_b1_58-large layout: latent float weights (BF16, with one F16 and one F32
/// tensor to cover all three dtypes), inner_attn_ln/ffn_layernorm, untied LM head.
fn latent_fixture(seed: u64) -> Fixture {
    let cfg = tiny();
    let (h, f, v) = (192, 512, 512);
    let mut rng = Rng::new(seed);
    let mut tensors = Vec::new();
    let embedding = bf16_tensor(
        &mut tensors,
        &mut rng,
        "model.embed_tokens.weight".into(),
        &[v, h],
        0.0,
        0.02,
    );
    let lm_head = bf16_tensor(
        &mut tensors,
        &mut rng,
        "lm_head.weight".into(),
        &[v, h],
        0.0,
        0.02,
    );
    let final_norm = bf16_tensor(
        &mut tensors,
        &mut rng,
        "model.norm.weight".into(),
        &[h],
        1.0,
        0.1,
    );
    let mut layers = Vec::new();
    for i in 0..2 {
        let p = format!("model.layers.{i}");
        let [attn_norm, ffn_norm, attn_sub, ffn_sub] = layer_norms(
            &mut tensors,
            &mut rng,
            &p,
            (h, f),
            ("self_attn.inner_attn_ln", "mlp.ffn_layernorm"),
        );
        let mut mats = Vec::new();
        for s in cfg.layer_linears() {
            let name = linear_tensor_name(i, s.kind);
            let sd = 0.01 + 0.03 * rng.next_f64();
            let raw = random_vec(&mut rng, s.n_out * s.k_in, 0.0, sd);
            let (dtype, w, data): (&str, Vec<f32>, Vec<u8>) = match (i, s.kind) {
                (0, LinearKind::K) => {
                    let w: Vec<f32> = raw.iter().map(|&x| f16::from_f32(x).to_f32()).collect();
                    let d = w
                        .iter()
                        .flat_map(|&x| f16::from_f32(x).to_bits().to_le_bytes())
                        .collect();
                    ("F16", w, d)
                }
                (1, LinearKind::Down) => {
                    let d = raw.iter().flat_map(|x| x.to_le_bytes()).collect();
                    ("F32", raw, d)
                }
                _ => {
                    let w: Vec<f32> = raw.into_iter().map(bf16r).collect();
                    let d = Raw::bf16("", &[], &w).data;
                    ("BF16", w, d)
                }
            };
            tensors.push(Raw {
                name,
                dtype,
                shape: vec![s.n_out, s.k_in],
                data,
            });
            let (trits, scale) = absmean(&w);
            mats.push(TernaryMatrix::from_trits(s.n_out, s.k_in, &trits, scale));
        }
        let mut mats = mats.into_iter();
        let mut next = || mats.next().unwrap();
        layers.push(LayerWeights {
            attn_norm,
            q: next(),
            k: next(),
            v: next(),
            attn_sub_norm: Some(attn_sub),
            o: next(),
            ffn_norm,
            gate: next(),
            up: next(),
            ffn_sub_norm: Some(ffn_sub),
            down: next(),
        });
    }
    Fixture {
        config: LATENT_CONFIG.into(),
        tensors,
        expect: ModelWeights {
            embedding,
            layers,
            final_norm,
            lm_head: Some(lm_head),
        },
    }
}

// ---------------------------------------------------------------- the public formats

/// The example in the docstring of transformers' `integrations/bitnet.py::unpack_weights`:
/// two packed rows of an 8 × 2 matrix.
#[test]
fn unpacking_matches_the_transformers_docstring_example() {
    let packed = [0b1010_0001u8, 0b0001_1000, 0b1001_0000, 0b0000_1010];
    let want: Vec<i8> = vec![0, -1, -1, 1, -1, 1, -1, 1, 1, 0, 0, -1, 1, -1, 1, -1];
    assert_eq!(unpack_2bit(&packed, 8, 2).unwrap(), want);
    assert_eq!(pack_2bit(&want, 8, 2), packed);
    assert_eq!(pack_by_rule(&want, 8, 2), packed);
}

#[test]
fn a_packed_fixture_in_the_public_byte_format_loads() {
    let dir = tempfile::tempdir().unwrap();
    let fx = packed_fixture(11);
    fx.write(dir.path());
    let (cfg, w, layout) = load_with_layout(dir.path(), &tiny()).unwrap();
    assert_eq!(layout, Layout::Packed);
    assert_eq!(cfg.model.activation, Activation::Relu2);
    assert!(cfg.model.tie_embeddings);
    assert_eq!(cfg.model.rope_theta, 500000.0);
    assert_eq!(cfg.model.name, "bitnet");
    assert!(w.lm_head.is_none());
    assert_eq!(w.layers[0].k.n_out, 96, "GQA: k is kv_dim × hidden");
    assert_eq!(w.layers[1].v.n_out, 96);
    // scales are 1 / weight_scale, trits exactly as packed
    assert_eq!(w, fx.expect);
}

#[test]
fn a_latent_fixture_is_quantised_by_absmean() {
    let dir = tempfile::tempdir().unwrap();
    let fx = latent_fixture(12);
    fx.write(dir.path());
    let base = tiny();
    let (cfg, w, layout) = load_with_layout(dir.path(), &base).unwrap();
    assert_eq!(layout, Layout::LatentBf16);
    assert_eq!(cfg.model.name, "bitnet_b1_58-tiny");
    let mut named = base.model.clone();
    named.name = "bitnet_b1_58-tiny".into();
    assert_eq!(cfg.model, named, "same dimensions as the tiny preset");
    assert_eq!(
        cfg.accel, base.accel,
        "the accelerator section stays from base"
    );
    assert_eq!(cfg.board, base.board);
    for (l, e) in w.layers.iter().zip(&fx.expect.layers) {
        for (got, want) in l.linears().iter().zip(e.linears()) {
            assert_eq!(got.to_trits(), want.to_trits());
            assert_eq!(got.scale, want.scale);
        }
    }
    assert_eq!(w, fx.expect);
    // the quantiser did something real: all three trit values occur
    let t = w.layers[0].q.to_trits();
    for v in [-1, 0, 1] {
        assert!(t.contains(&v));
    }
}

#[test]
fn an_autobitlinear_config_stores_the_scale_itself() {
    let dir = tempfile::tempdir().unwrap();
    let mut fx = packed_fixture(13);
    fx.config = PACKED_CONFIG.replace("\"bitlinear\"", "\"autobitlinear\"");
    fx.write(dir.path());
    let (_, w) = load(dir.path(), &tiny()).unwrap();
    let want = &fx.expect.layers[0].q;
    assert_eq!(w.layers[0].q.scale, 1.0 / want.scale);
    assert_eq!(w.layers[0].q.idx, want.idx);
}

// ---------------------------------------------------------------- writer round trips

fn round_trip(cfg: &Config, layout: Layout, seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let w = random_weights(cfg, seed);
    write_checkpoint(dir.path(), cfg, &w, layout).unwrap();
    let (got_cfg, got, got_layout) = load_with_layout(dir.path(), cfg).unwrap();
    assert_eq!(got_layout, layout);
    assert_eq!(&got_cfg, cfg, "config.json round-trips the model section");
    assert_floats_bf16(&got.embedding, &w.embedding, "embedding");
    assert_floats_bf16(&got.final_norm, &w.final_norm, "final norm");
    match (&got.lm_head, &w.lm_head) {
        (None, None) => assert!(cfg.model.tie_embeddings),
        (Some(g), Some(e)) => assert_floats_bf16(g, e, "lm_head"),
        _ => panic!("lm_head presence differs"),
    }
    for (i, (g, e)) in got.layers.iter().zip(&w.layers).enumerate() {
        assert_floats_bf16(&g.attn_norm, &e.attn_norm, "attn norm");
        assert_floats_bf16(&g.ffn_norm, &e.ffn_norm, "ffn norm");
        assert_floats_bf16(
            g.attn_sub_norm.as_ref().unwrap(),
            e.attn_sub_norm.as_ref().unwrap(),
            "attn sub-norm",
        );
        assert_floats_bf16(
            g.ffn_sub_norm.as_ref().unwrap(),
            e.ffn_sub_norm.as_ref().unwrap(),
            "ffn sub-norm",
        );
        for (s, (gm, em)) in cfg
            .layer_linears()
            .iter()
            .zip(g.linears().iter().zip(e.linears()))
        {
            let what = format!("layer {i} {}_proj", s.kind.name());
            assert_eq!((gm.n_out, gm.k_in), (s.n_out, s.k_in), "{what}");
            assert_eq!(gm.idx, em.idx, "{what}: trits");
            let want_scale = match layout {
                Layout::Packed => 1.0 / bf16r(1.0 / em.scale),
                Layout::LatentBf16 => {
                    let trits = em.to_trits();
                    let nnz = trits.iter().filter(|&&t| t != 0).count() as f64;
                    let p = nnz / trits.len() as f64;
                    let c = bf16::from_f64(em.scale as f64 / p).to_f64();
                    (c * nnz / trits.len() as f64) as f32
                }
            };
            assert_eq!(gm.scale, want_scale, "{what}: scale");
            let rel = (gm.scale - em.scale).abs() / em.scale;
            assert!(
                rel < 1.0 / 256.0,
                "{what}: scale {} vs {}",
                gm.scale,
                em.scale
            );
        }
    }
}

#[test]
fn latent_round_trip_untied() {
    round_trip(&tiny(), Layout::LatentBf16, 1);
}

#[test]
fn latent_round_trip_tied() {
    round_trip(&tiny_with(true, Activation::Silu), Layout::LatentBf16, 2);
}

#[test]
fn packed_round_trip_tied_relu2() {
    round_trip(&tiny_with(true, Activation::Relu2), Layout::Packed, 3);
}

#[test]
fn packed_round_trip_untied() {
    round_trip(&tiny(), Layout::Packed, 4);
}

#[test]
fn written_files_use_the_public_names_and_dtypes() {
    let cfg = tiny_with(true, Activation::Relu2);
    let w = random_weights(&cfg, 5);
    for layout in [Layout::Packed, Layout::LatentBf16] {
        let dir = tempfile::tempdir().unwrap();
        write_checkpoint(dir.path(), &cfg, &w, layout).unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("config.json")).unwrap())
                .unwrap();
        assert_eq!(json["num_key_value_heads"], 2);
        assert_eq!(json["hidden_act"], "relu2");
        assert_eq!(json["tie_word_embeddings"], true);
        let bytes = std::fs::read(dir.path().join("model.safetensors")).unwrap();
        let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
        assert!(st.tensor("lm_head.weight").is_err(), "tied: no lm_head");
        let k = st.tensor("model.layers.1.self_attn.k_proj.weight").unwrap();
        let norm = st.tensor("model.layers.0.input_layernorm.weight").unwrap();
        assert_eq!(norm.dtype(), safetensors::Dtype::BF16);
        match layout {
            Layout::Packed => {
                assert_eq!(json["model_type"], "bitnet");
                assert_eq!(json["quantization_config"]["quant_method"], "bitnet");
                assert_eq!(k.dtype(), safetensors::Dtype::U8);
                assert_eq!(k.shape(), &[24, 192]);
                let ks = st
                    .tensor("model.layers.1.self_attn.k_proj.weight_scale")
                    .unwrap();
                assert_eq!(
                    (ks.dtype(), ks.shape()),
                    (safetensors::Dtype::BF16, &[1usize][..])
                );
                assert_eq!(
                    k.data(),
                    &pack_by_rule(&w.layers[1].k.to_trits(), 96, 192)[..]
                );
                assert!(st
                    .tensor("model.layers.0.self_attn.attn_sub_norm.weight")
                    .is_ok());
                assert!(st.tensor("model.layers.0.mlp.ffn_sub_norm.weight").is_ok());
            }
            Layout::LatentBf16 => {
                assert_eq!(json["model_type"], "llama");
                assert_eq!(json["architectures"][0], "BitnetForCausalLM");
                assert_eq!(
                    (k.dtype(), k.shape()),
                    (safetensors::Dtype::BF16, &[96usize, 192][..])
                );
                assert!(st
                    .tensor("model.layers.0.self_attn.inner_attn_ln.weight")
                    .is_ok());
                assert!(st.tensor("model.layers.0.mlp.ffn_layernorm.weight").is_ok());
                // the independent absmean of the written latent values gives the trits back
                let vals: Vec<f32> = k
                    .data()
                    .chunks_exact(2)
                    .map(|b| bf16::from_bits(u16::from_le_bytes([b[0], b[1]])).to_f32())
                    .collect();
                assert_eq!(absmean(&vals).0, w.layers[1].k.to_trits());
            }
        }
    }
}

#[test]
fn shards_load_with_and_without_an_index() {
    let fx = packed_fixture(21);
    let (a, b) = fx.tensors.split_at(fx.tensors.len() / 2);
    for with_index in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let (f1, f2) = (
            "model-00001-of-00002.safetensors",
            "model-00002-of-00002.safetensors",
        );
        write_folder(dir.path(), &fx.config, &[(f1, a), (f2, b)]);
        if with_index {
            let map: serde_json::Map<String, serde_json::Value> = a
                .iter()
                .map(|t| (t.name.clone(), f1.into()))
                .chain(b.iter().map(|t| (t.name.clone(), f2.into())))
                .collect();
            let index = serde_json::json!({"metadata": {"total_size": 0}, "weight_map": map});
            std::fs::write(
                dir.path().join("model.safetensors.index.json"),
                index.to_string(),
            )
            .unwrap();
            // a stray file the index does not list is not read
            std::fs::write(dir.path().join("stray.safetensors"), b"junk").unwrap();
        }
        let (_, w) = load(dir.path(), &tiny()).unwrap();
        assert_eq!(w, fx.expect);
    }
}

// ---------------------------------------------------------------- bad inputs

#[test]
fn a_missing_folder_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    expect_err(
        &dir.path().join("nope"),
        &["model folder", "nope", "does not exist"],
    );
}

#[test]
fn a_folder_without_config_json_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    expect_err(dir.path(), &["has no config.json"]);
}

#[test]
fn a_malformed_config_json_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.json"),
        "{\n \"hidden_size\": 192,\n oops",
    )
    .unwrap();
    expect_err(dir.path(), &["malformed", "config.json"]);
    std::fs::write(dir.path().join("config.json"), "{\"hidden_size\": 192}").unwrap();
    expect_err(dir.path(), &["malformed", "config.json"]);
}

#[test]
fn a_folder_without_safetensors_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.json"), PACKED_CONFIG).unwrap();
    expect_err(dir.path(), &["no .safetensors files"]);
}

#[test]
fn a_truncated_safetensors_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = tiny();
    write_checkpoint(dir.path(), &cfg, &random_weights(&cfg, 7), Layout::Packed).unwrap();
    let path = dir.path().join("model.safetensors");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    expect_err(dir.path(), &["model.safetensors", "truncated or corrupt"]);
    // a header cut short, and plain garbage
    std::fs::write(&path, &bytes[..100]).unwrap();
    expect_err(dir.path(), &["model.safetensors", "truncated or corrupt"]);
    std::fs::write(&path, b"not a safetensors file at all").unwrap();
    expect_err(dir.path(), &["model.safetensors", "truncated or corrupt"]);
}

#[test]
fn a_missing_tensor_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut fx = packed_fixture(8);
    fx.remove("model.layers.1.mlp.down_proj.weight");
    fx.write(dir.path());
    expect_err(
        dir.path(),
        &["missing tensor model.layers.1.mlp.down_proj.weight"],
    );

    let mut fx = packed_fixture(8);
    fx.remove("model.layers.0.self_attn.o_proj.weight_scale");
    fx.write(dir.path());
    expect_err(
        dir.path(),
        &["missing tensor model.layers.0.self_attn.o_proj.weight_scale"],
    );

    let mut fx = packed_fixture(8);
    fx.remove("model.layers.1.mlp.ffn_sub_norm.weight");
    fx.write(dir.path());
    expect_err(
        dir.path(),
        &["missing tensor", "ffn_sub_norm", "ffn_layernorm"],
    );

    let mut fx = latent_fixture(8);
    fx.remove("lm_head.weight");
    fx.write(dir.path());
    expect_err(dir.path(), &["missing tensor lm_head.weight"]);
}

#[test]
fn a_wrongly_shaped_tensor_is_named_with_both_shapes() {
    let dir = tempfile::tempdir().unwrap();
    // k_proj written as if the model had no GQA (192 outputs instead of kv_dim = 96)
    let mut fx = latent_fixture(9);
    fx.set("model.layers.1.self_attn.k_proj.weight", |t| {
        t.shape = vec![192, 192];
        t.data = Raw::bf16("", &[], &vec![0.01; 192 * 192]).data;
    });
    fx.write(dir.path());
    expect_err(
        dir.path(),
        &[
            "model.layers.1.self_attn.k_proj.weight",
            "[192, 192]",
            "expected [96, 192]",
        ],
    );

    let mut fx = packed_fixture(9);
    fx.set("model.layers.0.mlp.up_proj.weight", |t| {
        t.shape = vec![512, 48];
    });
    fx.write(dir.path());
    expect_err(
        dir.path(),
        &[
            "model.layers.0.mlp.up_proj.weight",
            "[512, 48]",
            "expected [128, 192]",
        ],
    );

    let mut fx = packed_fixture(9);
    fx.set("model.norm.weight", |t| {
        t.shape = vec![96, 2];
    });
    fx.write(dir.path());
    expect_err(
        dir.path(),
        &["model.norm.weight", "[96, 2]", "expected [192]"],
    );
}

#[test]
fn a_wrong_dtype_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut fx = packed_fixture(10);
    fx.set("model.layers.0.input_layernorm.weight", |t| {
        t.dtype = "I16";
    });
    fx.write(dir.path());
    expect_err(
        dir.path(),
        &["model.layers.0.input_layernorm.weight", "dtype I16"],
    );

    // one linear latent in a packed checkpoint
    let mut fx = packed_fixture(10);
    fx.set("model.layers.1.mlp.gate_proj.weight", |t| {
        t.dtype = "I32"; // the same 24,576 bytes as the U8 [128, 192] it replaces
        t.shape = vec![128 / 4, 192];
    });
    fx.write(dir.path());
    expect_err(
        dir.path(),
        &[
            "model.layers.1.mlp.gate_proj.weight",
            "dtype I32",
            "expected U8",
        ],
    );

    let mut fx = latent_fixture(10);
    fx.set("model.layers.0.self_attn.q_proj.weight", |t| {
        t.dtype = "I16";
    });
    fx.write(dir.path());
    expect_err(
        dir.path(),
        &["model.layers.0.self_attn.q_proj.weight", "dtype I16"],
    );
}

#[test]
fn a_packed_byte_with_code_3_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut fx = packed_fixture(14);
    fx.set("model.layers.1.self_attn.v_proj.weight", |t| {
        // packed row 5, column 7, bit pair 2 → output row 2·24 + 5 = 53
        t.data[5 * 192 + 7] |= 0b0011_0000;
    });
    fx.write(dir.path());
    expect_err(
        dir.path(),
        &[
            "model.layers.1.self_attn.v_proj.weight",
            "invalid 2-bit code 3",
            "byte [5, 7]",
            "output row 53",
        ],
    );
}

#[test]
fn a_bad_weight_scale_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut fx = packed_fixture(15);
    fx.set("model.layers.0.mlp.down_proj.weight_scale", |t| {
        t.data = bf16::ZERO.to_bits().to_le_bytes().to_vec();
    });
    fx.write(dir.path());
    expect_err(
        dir.path(),
        &[
            "model.layers.0.mlp.down_proj.weight_scale",
            "finite and positive",
        ],
    );
    let mut fx = packed_fixture(15);
    fx.set("model.layers.0.mlp.down_proj.weight_scale", |t| {
        t.shape = vec![2];
        t.data = [bf16::ONE, bf16::ONE]
            .iter()
            .flat_map(|x| x.to_bits().to_le_bytes())
            .collect();
    });
    fx.write(dir.path());
    expect_err(
        dir.path(),
        &[
            "model.layers.0.mlp.down_proj.weight_scale",
            "[2]",
            "expected [1]",
        ],
    );
}

#[test]
fn non_finite_values_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut fx = latent_fixture(16);
    fx.set("model.layers.0.mlp.up_proj.weight", |t| {
        t.data[10..12].copy_from_slice(&bf16::NAN.to_bits().to_le_bytes());
    });
    fx.write(dir.path());
    expect_err(
        dir.path(),
        &[
            "model.layers.0.mlp.up_proj.weight",
            "non-finite",
            "element 5",
        ],
    );
}

#[test]
fn duplicate_tensors_and_bad_indexes_are_reported() {
    let fx = packed_fixture(17);
    let dir = tempfile::tempdir().unwrap();
    let dup = [fx.tensors[0].clone()];
    write_folder(
        dir.path(),
        &fx.config,
        &[("a.safetensors", &fx.tensors), ("b.safetensors", &dup)],
    );
    expect_err(
        dir.path(),
        &[
            "model.embed_tokens.weight",
            "stored twice",
            "a.safetensors",
            "b.safetensors",
        ],
    );

    let dir = tempfile::tempdir().unwrap();
    write_folder(dir.path(), &fx.config, &[("a.safetensors", &fx.tensors)]);
    let index =
        r#"{"weight_map": {"model.norm.weight": "a.safetensors", "x": "gone.safetensors"}}"#;
    std::fs::write(dir.path().join("model.safetensors.index.json"), index).unwrap();
    expect_err(
        dir.path(),
        &["gone.safetensors", "model.safetensors.index.json"],
    );
    std::fs::write(
        dir.path().join("model.safetensors.index.json"),
        "{\"weight_map\": 3}",
    )
    .unwrap();
    expect_err(dir.path(), &["malformed", "model.safetensors.index.json"]);
}

#[test]
fn a_config_that_does_not_match_the_tensors_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut fx = packed_fixture(18);
    fx.config = PACKED_CONFIG.replace("\"intermediate_size\": 512", "\"intermediate_size\": 256");
    fx.write(dir.path());
    expect_err(
        dir.path(),
        &["model.layers.0.mlp.gate_proj.weight", "expected [64, 192]"],
    );
}

#[test]
fn the_writer_refuses_what_would_not_load() {
    let cfg = tiny();
    let w = random_weights(&cfg, 19);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("model-00001-of-00002.safetensors"), b"old").unwrap();
    let m = checkpoint_err(write_checkpoint(dir.path(), &cfg, &w, Layout::Packed));
    assert!(m.contains("model-00001-of-00002.safetensors"), "{m}");

    let dir = tempfile::tempdir().unwrap();
    let mut bad = w.clone();
    bad.layers[1].o.scale = 0.0;
    let m = checkpoint_err(write_checkpoint(dir.path(), &cfg, &bad, Layout::Packed));
    assert!(
        m.contains("model.layers.1.self_attn.o_proj.weight") && m.contains("scale"),
        "{m}"
    );

    let mut bad = w.clone();
    bad.layers[0].attn_norm.pop();
    let m = checkpoint_err(write_checkpoint(dir.path(), &cfg, &bad, Layout::LatentBf16));
    assert!(m.contains("layer 0 attn norm"), "{m}");

    let tied = tiny_with(true, Activation::Silu);
    let m = checkpoint_err(write_checkpoint(dir.path(), &tied, &w, Layout::LatentBf16));
    assert!(m.contains("lm_head"), "{m}");
}

#[test]
fn an_all_zero_matrix_survives_the_latent_layout() {
    let cfg = tiny();
    let mut w = random_weights(&cfg, 20);
    let z = &mut w.layers[0].v;
    *z = TernaryMatrix::from_trits(z.n_out, z.k_in, &vec![0; z.n_out * z.k_in], 0.02);
    let dir = tempfile::tempdir().unwrap();
    write_checkpoint(dir.path(), &cfg, &w, Layout::LatentBf16).unwrap();
    let (_, got) = load(dir.path(), &cfg).unwrap();
    assert_eq!(got.layers[0].v.idx, w.layers[0].v.idx);
    assert_eq!(got.layers[0].v.scale, 1e-5);
}

/// The real bitnet_b1_58-large size (≈680M latent weights): loading must take seconds, not
/// minutes. `cargo test --release -p tellme-model --test checkpoint -- --ignored`.
#[test]
#[ignore = "writes a 1.4 GB checkpoint; run by hand in release mode"]
fn a_full_size_latent_checkpoint_loads_quickly() {
    let cfg = preset("kv260-0.7b").unwrap();
    let t0 = std::time::Instant::now();
    let w = random_weights(&cfg, 30);
    let dir = tempfile::tempdir().unwrap();
    write_checkpoint(dir.path(), &cfg, &w, Layout::LatentBf16).unwrap();
    let t1 = std::time::Instant::now();
    let (_, got) = load(dir.path(), &cfg).unwrap();
    let t2 = std::time::Instant::now();
    eprintln!(
        "generate + write {:.1} s, load {:.1} s",
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64()
    );
    assert_eq!(got.layers[23].down.idx, w.layers[23].down.idx);
    assert!((t2 - t1).as_secs() < 60, "loading took {:?}", t2 - t1);
}
