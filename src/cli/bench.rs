//! `tellme bench …`: measured figures, printed and written as JSON. Nothing here asserts a
//! speed; the tests check correctness, benchmarks report.

use super::{output, progress, ConfigOpts};
use anyhow::Result;
use clap::{Args, Subcommand};
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;
use tellme_model::golden::Golden;
use tellme_model::sample::Sampler;
use tellme_model::synthetic;

#[derive(Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    what: BenchWhat,
}

#[derive(Subcommand)]
enum BenchWhat {
    /// CPU speed of the golden model (prefill and decode wall-clock on this machine) on a
    /// synthetic model of the preset.
    Golden(GoldenBench),
}

#[derive(Args)]
struct GoldenBench {
    #[command(flatten)]
    cfg: ConfigOpts,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Prompt length.
    #[arg(long, default_value_t = 64)]
    prompt_len: usize,
    /// Tokens to generate (decode speed is measured over all but the first).
    #[arg(long, default_value_t = 33)]
    max_new_tokens: usize,
    /// Repeat the run and report the best.
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

pub fn run(a: BenchArgs) -> Result<()> {
    match a.what {
        BenchWhat::Golden(b) => golden(b),
    }
}

fn golden(b: GoldenBench) -> Result<()> {
    let json_file = output::reserve(b.json.as_deref())?;
    let cfg = b.cfg.load()?;
    let sp = progress::spinner("building the synthetic model");
    let t = Instant::now();
    let w = synthetic::synthetic_model(&cfg, b.seed);
    let synth_s = t.elapsed().as_secs_f64();
    sp.finish_and_clear();
    let g = Golden::new(&cfg, &w)?;
    let prompt: Vec<u32> = (0..b.prompt_len as u32)
        .map(|i| (i * 7919 + 13) % cfg.model.vocab as u32)
        .collect();
    g.check_request(&prompt, b.max_new_tokens)?;
    let mut runs = Vec::new();
    for r in 0..b.repeat.max(1) {
        let mut phases = progress::phases();
        let gen = g.generate(
            &prompt,
            b.max_new_tokens,
            &mut Sampler::greedy(),
            &mut |p, d, t| phases(p, d, t),
        )?;
        let steps = gen.generated.len() - 1;
        let run = json!({
            "run": r,
            "prefill_s": gen.prefill_s,
            "prefill_tok_s": prompt.len() as f64 / gen.prefill_s,
            "decode_steps": steps,
            "decode_s": gen.decode_s,
            "decode_tok_s": (steps > 0).then(|| steps as f64 / gen.decode_s),
        });
        runs.push(run);
    }
    let best = |k: &str| {
        runs.iter()
            .filter_map(|r| r[k].as_f64())
            .fold(f64::NAN, f64::max)
    };
    let (prefill, decode) = (best("prefill_tok_s"), best("decode_tok_s"));
    println!(
        "bench golden: {} ({}), {} threads, prompt {} tokens, {} new tokens, best of {}",
        cfg.preset,
        cfg.model.name,
        rayon::current_num_threads(),
        prompt.len(),
        b.max_new_tokens,
        runs.len()
    );
    println!("  synthetic model built in {synth_s:.2} s");
    println!("  golden prefill {prefill:.2} tok/s, decode {decode:.2} tok/s (CPU wall-clock, not the accelerator)");
    output::commit_json(
        json_file,
        &json!({
            "bench": "golden",
            "preset": cfg.preset,
            "model": cfg.model.name,
            "threads": rayon::current_num_threads(),
            "prompt_len": prompt.len(),
            "max_new_tokens": b.max_new_tokens,
            "synthetic_model_s": synth_s,
            "best_prefill_tok_s": prefill,
            "best_decode_tok_s": decode,
            "runs": runs,
        }),
    )
}
