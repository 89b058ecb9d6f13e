//! `tellme config`: the resolved configuration, and what follows from it.

use super::ConfigOpts;
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct ConfigArgs {
    #[command(flatten)]
    cfg: ConfigOpts,
    /// Take the model section from a Hugging Face config.json.
    #[arg(long, value_name = "config.json")]
    hf_config: Option<PathBuf>,
}

pub fn run(a: ConfigArgs) -> Result<()> {
    let mut cfg = a.cfg.load()?;
    if let Some(p) = &a.hf_config {
        cfg = cfg.with_hf_model(p)?;
    }
    print!("{}", cfg.to_toml());
    let derived = [
        ("head dim", cfg.head_dim().to_string()),
        ("kv dim", cfg.kv_dim().to_string()),
        ("ternary weights", cfg.linear_weight_count().to_string()),
        (
            "peak ternary MACs/cycle",
            cfg.peak_macs_per_cycle().to_string(),
        ),
        (
            "weight word",
            format!(
                "{} bits in {} x 64-bit",
                cfg.weight_word_bits(),
                cfg.weight_word_u64s()
            ),
        ),
        (
            "weight buffer",
            format!(
                "{} KiB in {} URAM288",
                cfg.weight_buffer_bytes() / 1024,
                cfg.weight_buffer_urams()
            ),
        ),
        (
            "DDR bytes/cycle",
            format!(
                "{:.1} peak, {:.1} sustained",
                cfg.ddr_peak_bytes_per_cycle(),
                cfg.ddr_sustained_bytes_per_cycle()
            ),
        ),
        (
            "DDR latency",
            format!("{} cycles", cfg.ddr_latency_cycles()),
        ),
    ];
    println!("\n# derived (not settable)");
    for (k, v) in derived {
        println!("# {k:<24} {v}");
    }
    Ok(())
}
