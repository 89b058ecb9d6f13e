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
    /// The seven linear maps of one layer at tokens 1 and 64, overlap on and off, on the
    /// simulated accelerator: cycles, MACs/cycle, DDR bytes/cycle, simulator speed.
    Linear(LinearBench),
}

#[derive(Args)]
struct LinearBench {
    #[command(flatten)]
    cfg: ConfigOpts,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Token counts to run (comma-separated).
    #[arg(long, value_delimiter = ',', default_values_t = [1usize, 64])]
    tokens: Vec<usize>,
    /// Also write the table as JSON.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Also write the table as Markdown.
    #[arg(long, value_name = "FILE")]
    markdown: Option<PathBuf>,
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
        BenchWhat::Linear(b) => linear(b),
    }
}

fn linear(b: LinearBench) -> Result<()> {
    let json_file = output::reserve(b.json.as_deref())?;
    let md_file = output::reserve(b.markdown.as_deref())?;
    let cfg = b.cfg.load()?;
    let sp = progress::spinner("building the simulator");
    let mut say = |m: &str| sp.set_message(m.to_string());
    let mut rig = tellme::flow::LinearRig::new(&cfg, None, &mut say)?;
    sp.finish_and_clear();
    let mut rows = Vec::new();
    let mut md = format!(
        "| map | K→N | tokens | overlap | mismatches | cycles | µs @ {} MHz | MACs/cycle | % peak | DDR B/cycle | % sustained | sim cycles/s |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n",
        cfg.accel.clock_mhz
    );
    println!("bench linear: {} — simulated cycles at {} MHz; peak {} MACs/cycle, DDR {:.1} B/cycle sustained", cfg.preset, cfg.accel.clock_mhz, cfg.peak_macs_per_cycle(), cfg.ddr_sustained_bytes_per_cycle());
    println!("{md}");
    for shape in cfg.layer_linears() {
        let w = tellme_model::synthetic::random_linear(shape.n_out, shape.k_in, b.seed);
        for &t in &b.tokens {
            let x = tellme_model::synthetic::random_activations(t, shape.k_in, b.seed);
            for overlap in [true, false] {
                let sp = progress::spinner(&format!(
                    "{} {}→{} × {t}, overlap {}",
                    shape.kind.name(),
                    shape.k_in,
                    shape.n_out,
                    if overlap { "on" } else { "off" }
                ));
                let r = rig.run(&w, &x, overlap);
                sp.finish_and_clear();
                let r = r?;
                let line = format!(
                    "| {} | {}→{} | {} | {} | {} | {} | {:.1} | {:.1} | {:.1} | {:.2} | {:.1} | {:.0} |",
                    shape.kind.name(), shape.k_in, shape.n_out, t, if overlap { "on" } else { "off" }, r.mismatches, r.cycles, r.simulated_us,
                    r.macs_per_cycle, 100.0 * r.macs_per_cycle / r.peak_macs_per_cycle as f64,
                    r.ddr_bytes_per_cycle, 100.0 * r.ddr_bytes_per_cycle / r.ddr_sustained_bytes_per_cycle, r.sim_cycles_per_s
                );
                println!("{line}");
                md.push_str(&line);
                md.push('\n');
                rows.push(json!({"map": shape.kind.name(), "report": r}));
            }
        }
    }
    let sp = progress::spinner("clocking the same model with no testbench (idle design)");
    let free = rig.bus.sim.freerun_cycles_per_s(2_000_000)?;
    sp.finish_and_clear();
    let total =
        |f: &dyn Fn(&serde_json::Value) -> f64| rows.iter().map(|r| f(&r["report"])).sum::<f64>();
    let cycles = total(&|r| r["cycles"].as_f64().unwrap_or(0.0));
    let (wall, looptime) = (
        total(&|r| r["wall_s"].as_f64().unwrap_or(0.0)),
        total(&|r| r["loop_s"].as_f64().unwrap_or(0.0)),
    );
    let (driven, native) = (cycles / wall.max(1e-9), cycles / looptime.max(1e-9));
    let summary = format!(
        "simulator over all runs: {driven:.0} cycles/s Rust-driven (whole jobs: set-up, run, read-back), \
         {native:.0} cycles/s in the C++ run loop (model + DDR model, no Rust): driven = {:.0} % of native; \
         clocking the idle model with no testbench at all: {free:.0} cycles/s",
        100.0 * driven / native
    );
    println!("\n{summary}");
    md.push_str(&format!("\n{summary}\n"));
    output::commit_json(
        json_file,
        &json!({
            "bench": "linear",
            "preset": cfg.preset,
            "clock_mhz": cfg.accel.clock_mhz,
            "note": "cycles are simulated (Verilator, cycle-accurate) at the configured clock",
            "build_s": rig.build_s,
            "sim_driven_cycles_per_s": driven,
            "sim_loop_cycles_per_s": native,
            "sim_freerun_idle_cycles_per_s": free,
            "runs": rows,
        }),
    )?;
    if let Some(f) = md_file {
        f.commit(md.as_bytes())?;
    }
    Ok(())
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
