use super::*;

fn invalid(cfg: &Config) -> String {
    cfg.validate()
        .expect_err("config should be rejected")
        .to_string()
}

#[test]
fn presets_validate_and_roundtrip_through_toml() {
    for (name, _) in PRESETS {
        let cfg = preset(name).unwrap();
        assert_eq!(cfg.preset, name);
        let again = Config::load_str(None, &cfg.to_toml(), "roundtrip").unwrap();
        assert_eq!(cfg, again, "{name}");
    }
}

#[test]
fn default_preset_has_the_tellme_engine() {
    let cfg = Config::load(None, None).unwrap();
    assert_eq!(cfg.preset, "kv260-0.7b");
    assert_eq!(cfg.peak_macs_per_cycle(), 1344);
    assert_eq!(cfg.head_dim(), 96);
    assert_eq!(cfg.weight_word_bits(), 2240);
    assert_eq!(cfg.weight_word_u64s(), 35);
    assert_eq!(cfg.weight_buffer_urams(), 35);
    // 64 tokens × 49 blocks of 84 int8 values: 11 columns of one URAM each.
    assert_eq!((cfg.act_row_u64s(), cfg.act_buffer_depth()), (11, 3136));
    assert_eq!(cfg.act_buffer_urams(), 11);
    // ~679.5M ternary weights, as the brief says.
    assert_eq!(cfg.linear_weight_count(), 679_477_248);
    // 19.2 GB/s at 250 MHz is 76.8 B/cycle peak; 75 % of it is 57.6.
    assert!((cfg.ddr_peak_bytes_per_cycle() - 76.8).abs() < 1e-9);
    assert!((cfg.ddr_sustained_bytes_per_cycle() - 57.6).abs() < 1e-9);
    assert_eq!(cfg.ddr_latency_cycles(), 75);
    // down_proj: 4096 inputs → 1366 groups (last one padded) → 49 blocks of 28.
    let t = cfg.tiling(4096, 1536);
    assert_eq!((t.groups, t.blocks, t.row_groups), (1366, 49, 96));
}

#[test]
fn gqa_preset_derives_kv_width() {
    let cfg = preset("kv260-2b").unwrap();
    assert_eq!(cfg.head_dim(), 128);
    assert_eq!(cfg.kv_dim(), 640);
    assert_eq!(cfg.heads_per_kv(), 4);
    assert_eq!(cfg.model.activation, Activation::Relu2);
}

#[test]
fn toml_overrides_single_fields_and_keeps_the_rest() {
    let cfg = Config::load_str(
        Some("tiny"),
        "[accel]\nlanes = 8\nclock_mhz = 300.0\n[model]\nlayers = 3\n",
        "t.toml",
    )
    .unwrap();
    assert_eq!(cfg.accel.lanes, 8);
    assert_eq!(cfg.accel.clock_mhz, 300.0);
    assert_eq!(cfg.model.layers, 3);
    assert_eq!(cfg.model.hidden, 192);
    assert_eq!(cfg.preset, "tiny");
}

#[test]
fn file_may_name_its_preset_but_not_contradict_the_cli() {
    let cfg = Config::load_str(None, "preset = \"kv260-2b\"\n", "f.toml").unwrap();
    assert_eq!(cfg.model.hidden, 2560);
    let e = Config::load_str(Some("tiny"), "preset = \"kv260-2b\"\n", "f.toml").unwrap_err();
    assert!(e.to_string().contains("conflicting presets"), "{e}");
}

#[test]
fn unknown_preset_lists_the_known_ones() {
    let e = preset("kv999").unwrap_err().to_string();
    assert!(
        e.contains("unknown preset 'kv999'") && e.contains("tiny"),
        "{e}"
    );
}

#[test]
fn malformed_toml_and_unknown_keys_are_one_line_errors() {
    for text in [
        "[accel\nlanes = 3",
        "[accel]\nlanse = 3\n",
        "[accel]\nlanes = \"many\"\n",
    ] {
        let e = Config::load_str(None, text, "bad.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("malformed TOML in bad.toml"), "{e}");
        assert!(!e.contains(" | "), "source excerpt left in: {e}");
        assert!(!e.contains('\n'), "multi-line error: {e}");
    }
}

#[test]
fn validation_explains_itself() {
    let base = preset("tiny").unwrap();

    let mut c = base.clone();
    c.model.heads = 5;
    assert!(invalid(&c).contains("model.heads (5) must divide model.hidden (192)"));

    let mut c = base.clone();
    c.model.kv_heads = 3;
    assert!(invalid(&c).contains("kv_heads (3) must divide model.heads (4)"));

    let mut c = base.clone();
    c.accel.clock_mhz = 0.0;
    assert!(invalid(&c).contains("accel.clock_mhz must be positive"));

    let mut c = base.clone();
    c.accel.lanes = 0;
    assert!(invalid(&c).contains("accel.lanes must be at least 1"));

    let mut c = base.clone();
    c.accel.weight_buffer_depth = 10;
    let e = invalid(&c);
    assert!(e.contains("cannot hold one tile"), "{e}");

    let mut c = base.clone();
    c.accel.group = 4;
    assert!(invalid(&c).starts_with("not implemented yet"));

    let mut c = base.clone();
    c.accel.axi_data_bits = 96;
    assert!(invalid(&c).contains("axi_data_bits"));

    let mut c = base.clone();
    c.board.ddr_efficiency = 1.5;
    assert!(invalid(&c).contains("ddr_efficiency"));

    let mut c = base.clone();
    c.accel.tables = 200;
    assert!(invalid(&c).contains("at most 128 tables"));

    let mut c = base.clone();
    c.accel.weight_buffer_depth = 8192;
    assert!(invalid(&c).contains("at most 4096 words"));

    let mut c = base.clone();
    c.board.uram = 2;
    assert!(invalid(&c).contains("URAM288"));

    let mut c = base.clone();
    c.accel.axi_ports = 4; // 4 u64s per cycle into a 3-column weight word
    assert!(invalid(&c).contains("columns to write them into"));

    let mut c = base.clone();
    c.accel.lanes = 3;
    c.accel.axi_data_bits = 128; // 12 bytes of outputs per row group vs 16-byte beats
    c.accel.axi_ports = 1;
    assert!(invalid(&c).contains("whole number of AXI beats"));

    let mut c = base;
    c.model.heads = 4;
    c.model.hidden = 196; // head_dim 49: odd
    assert!(invalid(&c).contains("must be even"));
}

#[test]
fn group_padding_is_accepted_not_rejected() {
    // ffn = 512 is not a multiple of 3: the last group is zero-padded.
    let cfg = preset("tiny").unwrap();
    let t = cfg.tiling(512, 192);
    assert_eq!(t.groups, 171);
    assert_eq!(t.blocks, 22);
}

#[test]
fn accumulator_width_is_checked_against_the_widest_input() {
    let mut c = preset("tiny").unwrap();
    c.model.ffn = 65_536;
    c.accel.weight_buffer_depth = 1 << 16;
    // 21,846 groups × 384 = 8.39M > 2^23: one bit more than the engine has.
    let e = invalid(&c);
    assert!(e.contains("needs 25-bit accumulators"), "{e}");
    c.model.ffn = 70_000;
    assert!(invalid(&c).contains("must be at most 65536"));
}

#[test]
fn hf_config_fills_the_model_section() {
    let json = r#"{"architectures":["BitnetForCausalLM"],"hidden_size":1536,"intermediate_size":4096,
        "num_hidden_layers":24,"num_attention_heads":16,"num_key_value_heads":16,"vocab_size":32002,
        "hidden_act":"silu","rms_norm_eps":1e-05,"max_position_embeddings":2048,"rope_theta":10000.0,
        "_name_or_path":"1bitLLM/bitnet_b1_58-large","tie_word_embeddings":false}"#;
    let m = hf::model_from_hf_str(json, "config.json").unwrap();
    assert_eq!(m, preset("kv260-0.7b").unwrap().model);

    let e = hf::model_from_hf_str("{\"hidden_size\": 3}", "c.json").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("malformed Hugging Face config c.json"),
        "{e}"
    );
    let gelu = json.replace("\"silu\"", "\"gelu\"");
    let e = hf::model_from_hf_str(&gelu, "c.json").unwrap_err();
    assert!(e.to_string().contains("not implemented yet"), "{e}");
}

#[test]
fn signed_bit_widths() {
    assert_eq!(bits_for_signed(384), 10);
    assert_eq!(bits_for_signed(511), 10);
    assert_eq!(bits_for_signed(512), 11);
    assert_eq!(bits_for_signed(0), 1);
}
