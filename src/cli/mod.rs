//! The command line: one subcommand per job, each with its own `--help`.

mod bench;
mod config;
mod golden;
mod output;
mod progress;
mod rtl;
mod sim;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use tellme_config::Config;

const PRESET_HELP: &str = "Built-in preset: kv260-0.7b (default; bitnet_b1_58-large on the KV260, \
TeLLMe-class 28x16 engine, 250 MHz), kv260-2b (bitnet-b1.58-2B-4T, GQA, ReLU^2), tiny (toy sizes for CI)";

#[derive(Parser)]
#[command(
    name = "tellme",
    version,
    about = "Generate and simulate ternary-weight (BitNet b1.58) LLM accelerators for edge FPGAs",
    long_about = "TeLLMe-RS generates a table-lookup ternary matmul (TLMM) accelerator after TeLLMe v2, \
simulates it cycle by cycle bit-exactly against a golden model, and reports what it would do on the \
board. Every time figure from a simulation is simulated cycles x the configured clock.\n\n\
Configuration: start from a --preset and override any field with --config FILE.toml \
(print one with `tellme config`)."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the resolved configuration (preset + overrides) as TOML, with derived figures.
    Config(config::ConfigArgs),
    /// Run the golden (bit-exact) model on the CPU: prefill a prompt, decode tokens, and
    /// compare with the f32 reference (fidelity).
    Golden(golden::GoldenArgs),
    /// Write the accelerator's Verilog, register map (JSON + C header), constraints, Vivado TCL
    /// and manifest into a folder.
    Generate(rtl::GenerateArgs),
    /// Run `verilator --lint-only -Wall` on the generated Verilog.
    Lint(rtl::LintArgs),
    /// Estimate resources with Yosys `synth_xilinx -family xcup` against the board budget.
    Synth(rtl::SynthArgs),
    /// Cycle-accurate simulation of the generated Verilog under Verilator, checked bit for bit
    /// against the golden model.
    Sim(sim::SimArgs),
    /// Benchmarks: measured figures, printed and written as JSON.
    Bench(bench::BenchArgs),
}

/// The configuration options every subcommand shares.
#[derive(Args, Clone, Debug)]
pub struct ConfigOpts {
    #[arg(long, help = PRESET_HELP)]
    pub preset: Option<String>,
    /// TOML file overriding any field of the preset (its own `preset = "..."` picks the base).
    #[arg(long, value_name = "FILE.toml")]
    pub config: Option<PathBuf>,
}

impl ConfigOpts {
    pub fn load(&self) -> Result<Config> {
        Ok(Config::load(
            self.preset.as_deref(),
            self.config.as_deref(),
        )?)
    }
}

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Config(a) => config::run(a),
        Command::Golden(a) => golden::run(a),
        Command::Generate(a) => rtl::run_generate(a),
        Command::Lint(a) => rtl::run_lint(a),
        Command::Synth(a) => rtl::run_synth(a),
        Command::Sim(a) => sim::run(a),
        Command::Bench(a) => bench::run(a),
    }
}
