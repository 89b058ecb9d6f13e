//! `tellme generate`, `tellme lint`, `tellme synth`: the accelerator's sources and the checks
//! that run on them.

use super::{output, progress, ConfigOpts};
use anyhow::{bail, Context, Result};
use clap::Args;
use serde_json::json;
use std::path::{Path, PathBuf};
use tellme_hdl::generate::{generate, write_design};
use tellme_hdl::tools;

#[derive(Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    cfg: ConfigOpts,
    /// Output folder (replaced as a whole if it exists).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

#[derive(Args)]
pub struct LintArgs {
    #[command(flatten)]
    cfg: ConfigOpts,
    /// Lint an existing `tellme generate` folder instead of generating one.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

#[derive(Args)]
pub struct SynthArgs {
    #[command(flatten)]
    cfg: ConfigOpts,
    /// Synthesise an existing `tellme generate` folder instead of generating one.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Also write the report as JSON.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

pub fn run_generate(a: GenerateArgs) -> Result<()> {
    let cfg = a.cfg.load()?;
    let sp = progress::spinner("generating Verilog");
    let design = generate(&cfg);
    sp.finish_and_clear();
    let design = design.map_err(anyhow::Error::msg)?;
    write_design(&design, &a.out).with_context(|| format!("cannot write {}", a.out.display()))?;
    println!("tellme generate: {} → {}", cfg.preset, a.out.display());
    for f in &design.manifest.files {
        println!("  {:<28} {:>10} bytes", f.path, f.bytes);
    }
    println!(
        "  {:<28} content hash {}",
        "manifest.json",
        &design.manifest.content_hash[..16]
    );
    Ok(())
}

/// The folder to work on: the one given, or a fresh generation in a temporary folder.
fn design_dir(
    cfg_opts: &ConfigOpts,
    dir: Option<PathBuf>,
) -> Result<(PathBuf, Option<tempfile::TempDir>, String)> {
    if let Some(d) = dir {
        if !d.join("manifest.json").is_file() {
            bail!(
                "{} is not a `tellme generate` output folder (no manifest.json)",
                d.display()
            );
        }
        let label = d.display().to_string();
        return Ok((d, None, label));
    }
    let cfg = cfg_opts.load()?;
    let tmp = tempfile::tempdir().context("cannot create a temporary folder")?;
    let out = tmp.path().join("design");
    let design = generate(&cfg).map_err(anyhow::Error::msg)?;
    write_design(&design, &out).with_context(|| format!("cannot write {}", out.display()))?;
    Ok((out, Some(tmp), cfg.preset))
}

pub fn run_lint(a: LintArgs) -> Result<()> {
    let (dir, _keep, label) = design_dir(&a.cfg, a.dir)?;
    let sp = progress::spinner("verilator --lint-only -Wall");
    let r = tools::lint(&dir);
    sp.finish_and_clear();
    r?;
    let waivers = std::fs::read_to_string(dir.join("lint/waivers.vlt")).unwrap_or_default();
    let n = waivers
        .lines()
        .filter(|l| l.starts_with("lint_off"))
        .count();
    println!("tellme lint: {label}: verilator --lint-only -Wall is clean ({n} waivers, each explained in lint/waivers.vlt)");
    Ok(())
}

pub fn run_synth(a: SynthArgs) -> Result<()> {
    let json_file = output::reserve(a.json.as_deref())?;
    let (dir, _keep, label) = design_dir(&a.cfg, a.dir.clone())?;
    let cfg = manifest_config(&dir)?;
    let sp = progress::spinner("yosys synth_xilinx -family xcup");
    let mut say = |m: &str| sp.set_message(m.to_string());
    let r = tools::synth(&dir, &cfg, &mut say);
    sp.finish_and_clear();
    let r = r?;
    let res = &r.resources;
    println!(
        "tellme synth: {label} on {} (Yosys synth_xilinx -family xcup, {:.0} s)",
        cfg.board.part, r.yosys_s
    );
    let rows = [
        ("LUT (logic)", res.lut as f64, None),
        ("LUT (as RAM)", res.lutram as f64, None),
        (
            "LUT total",
            (res.lut + res.lutram) as f64,
            Some(r.budget.lut),
        ),
        ("FF", res.ff as f64, Some(r.budget.ff)),
        ("CARRY4/8", res.carry as f64, None),
        ("DSP48E2", res.dsp as f64, Some(r.budget.dsp)),
        ("RAMB36E2", res.bram36, Some(r.budget.bram36)),
        ("URAM288", res.uram as f64, Some(r.budget.uram)),
    ];
    for (name, used, avail) in rows {
        match avail {
            Some(a) => println!(
                "  {name:<14} {used:>10} / {a:<8} ({:.1} %)",
                100.0 * used / a as f64
            ),
            None => println!("  {name:<14} {used:>10}"),
        }
    }
    let report = json!({
        "command": "synth",
        "design": label,
        "part": cfg.board.part,
        "tool": "yosys synth_xilinx -family xcup",
        "yosys_s": r.yosys_s,
        "resources": res,
        "budget": r.budget,
        "fits": r.over.is_empty(),
        "log": r.log,
    });
    output::commit_json(json_file, &report)?;
    if let Some((name, used, avail)) = r.over.first() {
        bail!(
            "the design does not fit {}: {name} {used} > {avail}",
            cfg.board.part
        );
    }
    Ok(())
}

fn manifest_config(dir: &Path) -> Result<tellme_config::Config> {
    let text = std::fs::read_to_string(dir.join("manifest.json"))
        .with_context(|| format!("cannot read {}/manifest.json", dir.display()))?;
    let m: tellme_hdl::generate::Manifest = serde_json::from_str(&text)
        .with_context(|| format!("malformed {}/manifest.json", dir.display()))?;
    Ok(m.config)
}
