//! `tellme golden`: the golden model on the CPU, with its fidelity against the f32 reference.

use super::{output, progress, ConfigOpts};
use anyhow::{bail, Result};
use clap::Args;
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;
use tellme_config::Config;
use tellme_model::golden::{Generation, Golden};
use tellme_model::rng::Rng;
use tellme_model::sample::{Sampler, Sampling};
use tellme_model::{checkpoint, fidelity, synthetic, ModelWeights};

#[derive(Args)]
pub struct GoldenArgs {
    #[command(flatten)]
    cfg: ConfigOpts,
    /// A Hugging Face BitNet checkpoint folder (config.json + safetensors); without it a
    /// synthetic model is made from --seed.
    #[arg(long, value_name = "DIR")]
    model: Option<PathBuf>,
    /// Seed for the synthetic model, the random prompt and sampling.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Length of a random prompt drawn from --seed.
    #[arg(long, value_name = "N", conflicts_with = "prompt_tokens")]
    prompt_len: Option<usize>,
    /// The prompt as token ids, comma-separated (e.g. 1,2,3).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    prompt_tokens: Option<Vec<u32>>,
    /// Tokens to generate.
    #[arg(long, value_name = "M", default_value_t = 8)]
    max_new_tokens: usize,
    /// Sampling temperature; 0 (the default) is greedy.
    #[arg(long, default_value_t = 0.0)]
    temperature: f64,
    /// Sample among the K most likely tokens only (0: all); needs --temperature > 0.
    #[arg(long, value_name = "K", default_value_t = 0)]
    top_k: usize,
    /// Skip the f32 reference run (fidelity fields are then null).
    #[arg(long)]
    no_fidelity: bool,
    /// Also write the report as JSON.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

const DEFAULT_PROMPT_LEN: usize = 16;

pub fn run(a: GoldenArgs) -> Result<()> {
    let json_file = output::reserve(a.json.as_deref())?;
    if !(a.temperature >= 0.0 && a.temperature.is_finite()) {
        bail!("--temperature must be zero or more (got {})", a.temperature);
    }
    let base = a.cfg.load()?;
    let (cfg, weights, source) = load_model(&a, &base)?;
    let prompt = match &a.prompt_tokens {
        Some(t) => t.clone(),
        None => random_prompt(&cfg, a.seed, a.prompt_len.unwrap_or(DEFAULT_PROMPT_LEN)),
    };
    let golden = Golden::new(&cfg, &weights)?;
    golden.check_request(&prompt, a.max_new_tokens)?;

    let sampling = if a.temperature > 0.0 {
        Sampling::Sample {
            temperature: a.temperature,
            top_k: a.top_k,
        }
    } else {
        Sampling::Greedy
    };
    let mut sampler = Sampler::new(sampling.clone(), a.seed);
    let gen = golden.generate(
        &prompt,
        a.max_new_tokens,
        &mut sampler,
        &mut progress::phases(),
    )?;

    let fid = if a.no_fidelity {
        None
    } else {
        let sp = progress::spinner("f32 reference (fidelity)");
        let t = Instant::now();
        let f = fidelity::measure(&cfg, &weights, &gen);
        sp.finish_and_clear();
        Some((f, t.elapsed().as_secs_f64()))
    };

    print_report(&cfg, &source, &gen, fid.as_ref().map(|(f, _)| f));
    let decode_steps = gen.generated.len() - 1;
    let report = json!({
        "command": "golden",
        "preset": cfg.preset,
        "model": cfg.model.name,
        "model_source": source,
        "seed": a.seed,
        "sampling": match sampling {
            Sampling::Greedy => json!({"mode": "greedy"}),
            Sampling::Sample { temperature, top_k } => json!({"mode": "sample", "temperature": temperature, "top_k": top_k}),
        },
        "prompt_tokens": gen.prompt,
        "generated_tokens": gen.generated,
        "cpu": {
            "threads": rayon::current_num_threads(),
            "prefill_tokens": gen.prompt.len(),
            "prefill_s": gen.prefill_s,
            "prefill_tok_s": gen.prompt.len() as f64 / gen.prefill_s,
            "decode_steps": decode_steps,
            "decode_s": gen.decode_s,
            "decode_tok_s": (decode_steps > 0).then(|| decode_steps as f64 / gen.decode_s),
        },
        "fidelity": match &fid {
            Some((f, secs)) => json!({
                "top1_agreement": f.top1_agreement,
                "max_abs_logit_err": f.max_abs_logit_err,
                "mean_abs_logit_err": f.mean_abs_logit_err,
                "logits_cosine_min": f.logits_cosine_min,
                "ref_logit_std": f.ref_logit_std,
                "positions": f.positions,
                "reference_s": secs,
            }),
            None => json!({"top1_agreement": null, "max_abs_logit_err": null, "logits_cosine_min": null}),
        },
        "config": serde_json::to_value(&cfg)?,
    });
    output::commit_json(json_file, &report)
}

/// The synthetic model for the config, or a checkpoint (whose config.json then sets the model
/// section); returns a description of the source for the report.
fn load_model(a: &GoldenArgs, base: &Config) -> Result<(Config, ModelWeights, String)> {
    match &a.model {
        Some(dir) => {
            let sp = progress::spinner(&format!("loading {}", dir.display()));
            let (cfg, w) = checkpoint::load(dir, base)?;
            sp.finish_and_clear();
            Ok((cfg, w, dir.display().to_string()))
        }
        None => {
            let sp = progress::spinner(&format!(
                "building synthetic {} model (seed {})",
                base.model.name, a.seed
            ));
            let w = synthetic::synthetic_model(base, a.seed);
            sp.finish_and_clear();
            Ok((base.clone(), w, format!("synthetic (seed {})", a.seed)))
        }
    }
}

fn random_prompt(cfg: &Config, seed: u64, len: usize) -> Vec<u32> {
    let mut rng = Rng::derive(seed, &[0x9207]);
    (0..len)
        .map(|_| rng.below(cfg.model.vocab as u64) as u32)
        .collect()
}

fn print_report(cfg: &Config, source: &str, gen: &Generation, fid: Option<&fidelity::Fidelity>) {
    let steps = gen.generated.len() - 1;
    println!(
        "tellme golden: {} ({}, {}) on the CPU, {} threads",
        cfg.preset,
        cfg.model.name,
        source,
        rayon::current_num_threads()
    );
    println!("prompt     {:>3} tokens {:?}", gen.prompt.len(), gen.prompt);
    println!(
        "generated  {:>3} tokens {:?}",
        gen.generated.len(),
        gen.generated
    );
    let decode = if steps > 0 {
        format!(
            "{:.2} tok/s ({steps} steps in {:.2} s)",
            steps as f64 / gen.decode_s,
            gen.decode_s
        )
    } else {
        "n/a (one token generated: no decode step)".into()
    };
    println!(
        "cpu        prefill {:.3} s ({:.1} tok/s), decode {decode}",
        gen.prefill_s,
        gen.prompt.len() as f64 / gen.prefill_s
    );
    match fid {
        Some(f) => println!(
            "fidelity   top-1 agreement {:.3} over {} tokens, max |logit err| {:.4} (reference logit std {:.3}), min cosine {:.5}",
            f.top1_agreement, f.positions, f.max_abs_logit_err, f.ref_logit_std, f.logits_cosine_min
        ),
        None => println!("fidelity   skipped (--no-fidelity)"),
    }
}
