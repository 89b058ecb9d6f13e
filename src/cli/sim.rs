//! `tellme sim …`: cycle-accurate simulation of the generated Verilog, checked against the
//! golden model.

use super::{output, progress, ConfigOpts};
use anyhow::{bail, Result};
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;
use tellme::flow::{LinearReport, LinearRig};
use tellme_config::{Config, LinearKind};
use tellme_model::synthetic;

#[derive(Args)]
pub struct SimArgs {
    #[command(subcommand)]
    what: SimWhat,
}

#[derive(Subcommand)]
enum SimWhat {
    /// One BitLinear (int8 quantise → TLMM → dequantise) on the simulated accelerator, every
    /// output compared bit for bit with the golden model.
    Linear(LinearArgs),
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum OnOff {
    On,
    Off,
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    Q,
    K,
    V,
    O,
    Gate,
    Up,
    Down,
}

#[derive(Args)]
pub struct LinearArgs {
    #[command(flatten)]
    cfg: ConfigOpts,
    /// Input width K.
    #[arg(long = "in", value_name = "K")]
    k_in: Option<usize>,
    /// Output width N.
    #[arg(long = "out", value_name = "N")]
    n_out: Option<usize>,
    /// Tokens (1 = decode; more = prefill). More than accel.max_tokens run in chunks.
    #[arg(long, default_value_t = 1)]
    tokens: usize,
    /// Seed of the random weights and activations.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Overlap weight loading with compute (double-buffered weight buffer), or load then compute
    /// as TeLLMe does.
    #[arg(long, value_enum, default_value = "on")]
    overlap: OnOff,
    /// Take the weights from layer 0 of the synthetic model (seeded by --seed) instead of a
    /// random matrix; --in/--out then default to that map's shape.
    #[arg(long, value_enum, value_name = "MAP")]
    from_model: Option<Kind>,
    /// Dump a waveform of the run (.vcd or .fst).
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    /// Cycles without progress before the watchdog stops the run.
    #[arg(long, value_name = "CYCLES", default_value_t = tellme::flow::DEFAULT_WATCHDOG)]
    watchdog: u64,
    /// Also write the report as JSON.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

pub fn run(a: SimArgs) -> Result<()> {
    match a.what {
        SimWhat::Linear(l) => linear(l),
    }
}

fn kind(k: Kind) -> LinearKind {
    match k {
        Kind::Q => LinearKind::Q,
        Kind::K => LinearKind::K,
        Kind::V => LinearKind::V,
        Kind::O => LinearKind::O,
        Kind::Gate => LinearKind::Gate,
        Kind::Up => LinearKind::Up,
        Kind::Down => LinearKind::Down,
    }
}

/// The weights and activations of a run.
fn inputs(cfg: &Config, a: &LinearArgs) -> Result<(tellme_model::TernaryMatrix, Vec<i32>)> {
    let w = match a.from_model {
        Some(k) => {
            let lk = kind(k);
            let shape = cfg
                .layer_linears()
                .into_iter()
                .find(|s| s.kind == lk)
                .expect("seven maps");
            for (flag, given, want) in [
                ("--in", a.k_in, shape.k_in),
                ("--out", a.n_out, shape.n_out),
            ] {
                if given.is_some_and(|g| g != want) {
                    bail!(
                        "{flag} {} does not match the model's {}_proj ({}→{})",
                        given.unwrap(),
                        lk.name(),
                        shape.k_in,
                        shape.n_out
                    );
                }
            }
            let sp = progress::spinner("building the synthetic model");
            let m = synthetic::synthetic_model(cfg, a.seed);
            sp.finish_and_clear();
            m.layers[0].linears()[LinearKind::ALL
                .iter()
                .position(|x| *x == lk)
                .expect("listed")]
            .clone()
        }
        None => {
            let (Some(k), Some(n)) = (a.k_in, a.n_out) else {
                bail!("give the shape with --in K --out N (or take it from the model with --from-model)");
            };
            synthetic::random_linear(n, k, a.seed)
        }
    };
    if a.tokens == 0 {
        bail!("--tokens must be at least 1");
    }
    let x = synthetic::random_activations(a.tokens, w.k_in, a.seed);
    Ok((w, x))
}

fn linear(a: LinearArgs) -> Result<()> {
    let json_file = output::reserve(a.json.as_deref())?;
    let cfg = a.cfg.load()?;
    let (w, x) = inputs(&cfg, &a)?;
    // Check the shape against the hardware before building anything.
    tellme_hdl::plan::LinearPlan::new(&cfg, w.k_in, w.n_out, a.tokens.min(cfg.accel.max_tokens))?;
    let trace_file = output::reserve(a.trace.as_deref())?;
    let sp = progress::spinner("building the simulator");
    let mut say = |m: &str| sp.set_message(m.to_string());
    let mut rig = LinearRig::new(&cfg, a.trace.as_deref(), &mut say)?;
    sp.finish_and_clear();
    // The trace is written by the simulator itself straight to its path; the reservation only
    // proved the path writable.
    drop(trace_file);
    rig.bus.watchdog_cycles = a.watchdog;
    let sp = progress::spinner(&format!(
        "simulating {}→{} × {} tokens",
        w.k_in, w.n_out, a.tokens
    ));
    let r = rig.run(&w, &x, a.overlap == OnOff::On);
    sp.finish_and_clear();
    let r = r?;
    print_linear(&r);
    output::commit_json(json_file, &serde_json::to_value(&r)?)?;
    if let Some((t, row, got, want)) = r.first_mismatch {
        bail!("{} of {} outputs differ from the golden model; first at token {t}, row {row}: RTL {got}, golden {want}", r.mismatches, r.tokens * r.n_out);
    }
    Ok(())
}

pub fn print_linear(r: &LinearReport) {
    println!(
        "tellme sim linear: {} {}→{} × {} tokens, overlap {} (simulated cycles at {} MHz)",
        r.preset,
        r.k_in,
        r.n_out,
        r.tokens,
        if r.overlap { "on" } else { "off" },
        r.clock_mhz
    );
    println!(
        "  mismatches       {} of {}",
        r.mismatches,
        r.tokens * r.n_out
    );
    println!(
        "  cycles           {} ({:.1} µs simulated): schedule needs {}, waited {} for weights; {} tiles",
        r.cycles, r.simulated_us, r.compute_cycles, r.stall_cycles, r.tiles
    );
    println!(
        "  MACs/cycle       {:.1} of {} peak ({:.1} %)",
        r.macs_per_cycle,
        r.peak_macs_per_cycle,
        100.0 * r.macs_per_cycle / r.peak_macs_per_cycle as f64
    );
    println!(
        "  DDR bytes/cycle  {:.2} of {:.2} sustained ({:.1} %), {} bytes ({} weights)",
        r.ddr_bytes_per_cycle,
        r.ddr_sustained_bytes_per_cycle,
        100.0 * r.ddr_bytes_per_cycle / r.ddr_sustained_bytes_per_cycle,
        r.ddr_bytes,
        r.weight_bytes
    );
    println!(
        "  simulator        {:.0} cycles/s, build {:.1} s",
        r.sim_cycles_per_s, r.build_s
    );
}
