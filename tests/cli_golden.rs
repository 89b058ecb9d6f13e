//! `tellme golden` and `tellme config` as a user runs them: outputs, and every bad input ending
//! in one clear line, a non-zero exit and no partial JSON file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tellme_model::checkpoint::{write_checkpoint, Layout};

fn tellme(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tellme"))
        .args(args)
        .output()
        .expect("run tellme")
}

/// Run `tellme golden ARGS --json PATH`, which must succeed, and return the report.
fn golden_json(path: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["golden"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--json", path.to_str().unwrap()]);
    let out = tellme(&all);
    assert!(
        out.status.success(),
        "tellme {all:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(path)
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Assert a clean failure: exit code 1, exactly one `error:` line on stderr, no panic, and
/// nothing left in `dir` (no JSON, no temporary file).
fn assert_clean_failure(out: &Output, dir: &Path, expect: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line, got: {stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    assert!(
        lines[0].contains(expect),
        "expected '{expect}' in: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let left: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains("g.json"))
        .collect();
    assert!(left.is_empty(), "partial output left behind: {left:?}");
}

#[test]
fn golden_tiny_writes_every_field_and_is_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str| {
        let p = dir.path().join(name);
        golden_json(
            &p,
            &[
                "--preset",
                "tiny",
                "--seed",
                "1",
                "--prompt-len",
                "16",
                "--max-new-tokens",
                "8",
            ],
        )
    };
    let (a, b) = (run("a.json"), run("b.json"));
    assert_eq!(a["generated_tokens"].as_array().unwrap().len(), 8);
    assert_eq!(a["prompt_tokens"].as_array().unwrap().len(), 16);
    assert_eq!(a["generated_tokens"], b["generated_tokens"]);
    assert_eq!(a["prompt_tokens"], b["prompt_tokens"]);
    for field in ["prefill_s", "decode_tok_s"] {
        assert!(a["cpu"][field].as_f64().unwrap() > 0.0, "cpu.{field}");
    }
    let f = &a["fidelity"];
    let top1 = f["top1_agreement"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&top1));
    assert!(f["max_abs_logit_err"].as_f64().unwrap() >= 0.0);
    assert!(f["logits_cosine_min"].as_f64().unwrap() > 0.9);
}

#[test]
fn explicit_prompt_and_sampling_are_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.json");
    let j = golden_json(
        &p,
        &[
            "--preset",
            "tiny",
            "--prompt-tokens",
            "5,6,7",
            "--max-new-tokens",
            "4",
            "--temperature",
            "0.7",
            "--top-k",
            "5",
            "--seed",
            "3",
        ],
    );
    assert_eq!(j["prompt_tokens"], serde_json::json!([5, 6, 7]));
    assert_eq!(j["sampling"]["mode"], "sample");
    assert_eq!(j["generated_tokens"].as_array().unwrap().len(), 4);
}

#[test]
fn config_prints_resolved_toml_that_loads_again() {
    let out = tellme(&["config", "--preset", "kv260-2b"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("kv_heads = 5") && text.contains("activation = \"relu2\""),
        "{text}"
    );
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("c.toml");
    std::fs::write(&p, &text).unwrap();
    let again = tellme(&["config", "--config", p.to_str().unwrap()]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(String::from_utf8(again.stdout).unwrap(), text);
}

/// A bad-input case: extra arguments before `--json` and the phrase the error must contain.
fn bad(dir: &Path, args: &[&str], expect: &str) {
    let j = dir.join("g.json");
    let mut all = vec!["golden"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--json", j.to_str().unwrap()]);
    assert_clean_failure(&tellme(&all), dir, expect);
}

#[test]
fn bad_configurations_fail_cleanly() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    bad(dir, &["--preset", "kv999"], "unknown preset 'kv999'");
    let toml = dir.join("bad.toml");
    std::fs::write(&toml, "[accel\nlanes = 2").unwrap();
    bad(dir, &["--config", toml.to_str().unwrap()], "malformed TOML");
    std::fs::write(&toml, "preset = \"tiny\"\n[model]\nheads = 5\n").unwrap();
    bad(
        dir,
        &["--config", toml.to_str().unwrap()],
        "model.heads (5) must divide model.hidden",
    );
    std::fs::write(&toml, "[accel]\nclock_mhz = 0.0\n").unwrap();
    bad(
        dir,
        &["--config", toml.to_str().unwrap()],
        "accel.clock_mhz must be positive",
    );
    bad(
        dir,
        &["--config", dir.join("nope.toml").to_str().unwrap()],
        "cannot read config file",
    );
}

#[test]
fn bad_requests_fail_cleanly() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    bad(
        dir,
        &["--preset", "tiny", "--prompt-len", "300"],
        "exceeds the model's context of 256 tokens",
    );
    bad(
        dir,
        &["--preset", "tiny", "--max-new-tokens", "0"],
        "--max-new-tokens must be at least 1",
    );
    bad(
        dir,
        &["--preset", "tiny", "--prompt-tokens", "1,99999"],
        "outside the vocabulary",
    );
    bad(
        dir,
        &["--preset", "tiny", "--prompt-len", "0"],
        "prompt is empty",
    );
    // An unwritable --json path fails before any work.
    let out = tellme(&[
        "golden",
        "--preset",
        "tiny",
        "--json",
        "/nonexistent-dir/g.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write /nonexistent-dir/g.json"));
}

/// Writes a tiny checkpoint and returns its folder.
fn tiny_checkpoint(root: &Path, name: &str, layout: Layout) -> PathBuf {
    let cfg = tellme_config::preset("tiny").unwrap();
    let w = tellme_model::synthetic::synthetic_model(&cfg, 9);
    let dir = root.join(name);
    write_checkpoint(&dir, &cfg, &w, layout).unwrap();
    dir
}

#[test]
fn checkpoints_load_in_both_layouts() {
    let d = tempfile::tempdir().unwrap();
    for (name, layout) in [("latent", Layout::LatentBf16), ("packed", Layout::Packed)] {
        let m = tiny_checkpoint(d.path(), name, layout);
        let p = d.path().join(format!("{name}.json"));
        let j = golden_json(
            &p,
            &[
                "--preset",
                "tiny",
                "--model",
                m.to_str().unwrap(),
                "--prompt-len",
                "5",
                "--max-new-tokens",
                "3",
            ],
        );
        assert_eq!(j["generated_tokens"].as_array().unwrap().len(), 3, "{name}");
    }
}

#[test]
fn bad_model_folders_fail_cleanly() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let missing = dir.join("no-such-model");
    bad(
        dir,
        &["--preset", "tiny", "--model", missing.to_str().unwrap()],
        "does not exist",
    );

    let empty = dir.join("empty");
    std::fs::create_dir(&empty).unwrap();
    bad(
        dir,
        &["--preset", "tiny", "--model", empty.to_str().unwrap()],
        "config.json",
    );

    let trunc = tiny_checkpoint(dir, "trunc", Layout::Packed);
    let st = trunc.join("model.safetensors");
    let bytes = std::fs::read(&st).unwrap();
    std::fs::write(&st, &bytes[..bytes.len() / 2]).unwrap();
    bad(
        dir,
        &["--preset", "tiny", "--model", trunc.to_str().unwrap()],
        "model.safetensors",
    );

    // A checkpoint whose config.json promises a wider FFN than its tensors have.
    let shape = tiny_checkpoint(dir, "shape", Layout::LatentBf16);
    let cj = shape.join("config.json");
    let text = std::fs::read_to_string(&cj)
        .unwrap()
        .replace("\"intermediate_size\": 512", "\"intermediate_size\": 513");
    assert!(text.contains("513"), "fixture config.json format changed");
    std::fs::write(&cj, text).unwrap();
    bad(
        dir,
        &["--preset", "tiny", "--model", shape.to_str().unwrap()],
        "shape",
    );
}
