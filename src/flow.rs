//! Flows that tie the pieces together: generate the design, build its simulator, drive it with
//! the host driver, compare with the golden model.

use anyhow::{Context, Result};
use serde::Serialize;
use std::path::Path;
use std::time::Instant;
use tellme_config::Config;
use tellme_hdl::generate::{generate, write_design, Manifest};
use tellme_hdl::regmap::RegMap;
use tellme_host::linear::{run_linear, Counters};
use tellme_model::fixed::Act;
use tellme_model::golden::bitlinear_tokens;
use tellme_model::TernaryMatrix;
use tellme_sim::{build, DdrParams, MasterSpec, Sim, SimBus, SimSpec, TraceKind};

/// Default cycles without progress before the watchdog stops a run.
pub const DEFAULT_WATCHDOG: u64 = 200_000;

/// A built, loaded BitLinear simulator for one configuration.
pub struct LinearRig {
    pub cfg: Config,
    pub regmap: RegMap,
    pub manifest: Manifest,
    pub bus: SimBus,
    /// Seconds spent building the simulator (0 when it came from the cache).
    pub build_s: f64,
    pub cached: bool,
}

/// One BitLinear run, compared with the golden model. Every cycle figure is simulated.
#[derive(Clone, Debug, Serialize)]
pub struct LinearReport {
    pub preset: String,
    pub k_in: usize,
    pub n_out: usize,
    pub tokens: usize,
    pub overlap: bool,
    pub mismatches: usize,
    /// The first differing output: (token, row, rtl, golden).
    pub first_mismatch: Option<(usize, usize, Act, Act)>,
    /// Accelerator cycles from START to done (its CYCLES counter).
    pub cycles: u64,
    pub clock_mhz: f64,
    /// `cycles` at the configured clock.
    pub simulated_us: f64,
    /// Bytes the accelerator moved to and from DDR (the memory model's count).
    pub ddr_bytes: u64,
    pub weight_bytes: u64,
    pub macs: u64,
    pub macs_per_cycle: f64,
    pub peak_macs_per_cycle: usize,
    pub ddr_bytes_per_cycle: f64,
    pub ddr_sustained_bytes_per_cycle: f64,
    pub stall_cycles: u64,
    /// Cycles the engine's schedule needs with weights always ready (every step of every tile,
    /// one period each); `cycles − compute_cycles` is loading, quantising and draining.
    pub compute_cycles: u64,
    pub tiles: usize,
    /// Simulator speed as a user sees it: simulated cycles per wall-clock second of the whole
    /// Rust-driven job (memory and register set-up, the run, reading results back).
    pub sim_cycles_per_s: f64,
    /// The same cycles per second of the run loop alone, which lives on the C++ side (model,
    /// DDR model and AXI handshakes; no Rust in the loop).
    pub sim_loop_cycles_per_s: f64,
    /// Wall-clock seconds of the whole job and of the C++ run loop.
    pub wall_s: f64,
    pub loop_s: f64,
    pub build_s: f64,
    pub counters: Counters,
}

impl LinearRig {
    /// Generate the design for `cfg`, build (or fetch) its Verilated model, load it.
    pub fn new(
        cfg: &Config,
        trace: Option<&Path>,
        progress: &mut dyn FnMut(&str),
    ) -> Result<LinearRig> {
        let design = generate(cfg).map_err(anyhow::Error::msg)?;
        let dir = tempfile::tempdir().context("cannot create a temporary folder")?;
        let out = dir.path().join("design");
        write_design(&design, &out).with_context(|| format!("cannot write {}", out.display()))?;
        let m = &design.manifest;
        let spec = SimSpec {
            rtl: tellme_hdl::generate::RTL_FILES
                .iter()
                .map(|f| out.join(f))
                .collect(),
            top: m.top.clone(),
            axil_addr_bits: m.axil_addr_bits,
            masters: m
                .masters
                .iter()
                .map(|x| MasterSpec::new(&x.prefix, x.data_bits as u32, x.writable))
                .collect(),
            state_names: m.state_names.clone(),
            verilator_args: vec![],
        };
        let kind = match trace {
            None => None,
            Some(p) => Some(match p.extension().and_then(|e| e.to_str()) {
                Some("vcd") => TraceKind::Vcd,
                Some("fst") => TraceKind::Fst,
                _ => anyhow::bail!(
                    "--trace {}: the file name must end in .vcd or .fst",
                    p.display()
                ),
            }),
        };
        let built = build(&spec, kind, progress)?;
        let mut sim = Sim::new(&built, trace)?;
        let b = &cfg.board;
        sim.set_ddr(DdrParams::from_board(
            b.ddr_peak_bytes_per_s / 1e9,
            b.ddr_efficiency,
            cfg.accel.clock_mhz,
            b.ddr_latency_ns,
        ));
        sim.reset(4)?;
        Ok(LinearRig {
            cfg: cfg.clone(),
            regmap: design.regmap,
            manifest: design.manifest,
            bus: SimBus::new(sim, u64::MAX, DEFAULT_WATCHDOG),
            build_s: built.build_s,
            cached: built.cached,
        })
    }

    /// Run `w · x` (`x` is `tokens × k_in`) on the simulated accelerator and compare every
    /// output with the golden model.
    pub fn run(&mut self, w: &TernaryMatrix, x: &[Act], overlap: bool) -> Result<LinearReport> {
        let cfg = &self.cfg;
        let want = bitlinear_tokens(w, x);
        self.bus.sim.reset_stats();
        let runs_before = self.bus.runs.len();
        // A generous cycle budget: the watchdog catches a stuck design long before this.
        let tokens = x.len() / w.k_in;
        let bytes = (w.n_out * w.k_in) as f64 / 3.0 + (x.len() * 8) as f64;
        self.bus.max_cycles = 1_000_000
            + 20 * (tokens as u64 * (w.k_in * w.n_out) as u64 / cfg.peak_macs_per_cycle() as u64
                + (bytes / cfg.ddr_sustained_bytes_per_cycle()) as u64);
        let t = Instant::now();
        let run = run_linear(&mut self.bus, cfg, &self.regmap, w, x, overlap)?;
        let wall_s = t.elapsed().as_secs_f64();
        let stats = self.bus.sim.stats();
        let (sim_cycles, sim_s) = self.bus.runs[runs_before..]
            .iter()
            .fold((0u64, 0f64), |(c, s), (o, secs)| (c + o.cycles, s + secs));
        let mut mismatches = 0;
        let mut first = None;
        for (i, (&got, &exp)) in run.y.iter().zip(&want).enumerate() {
            if got != exp {
                mismatches += 1;
                first.get_or_insert((i / w.n_out, i % w.n_out, got, exp));
            }
        }
        let c = &run.counters;
        let macs = (tokens * w.k_in * w.n_out) as u64;
        let ddr_bytes = stats.bytes_read() + stats.bytes_written();
        Ok(LinearReport {
            preset: cfg.preset.clone(),
            k_in: w.k_in,
            n_out: w.n_out,
            tokens,
            overlap,
            mismatches,
            first_mismatch: first,
            cycles: c.cycles,
            clock_mhz: cfg.accel.clock_mhz,
            simulated_us: c.cycles as f64 / cfg.accel.clock_mhz,
            ddr_bytes,
            weight_bytes: c.weight_bytes,
            macs,
            macs_per_cycle: macs as f64 / c.cycles.max(1) as f64,
            peak_macs_per_cycle: cfg.peak_macs_per_cycle(),
            ddr_bytes_per_cycle: ddr_bytes as f64 / c.cycles.max(1) as f64,
            ddr_sustained_bytes_per_cycle: cfg.ddr_sustained_bytes_per_cycle(),
            stall_cycles: c.stall_cycles,
            compute_cycles: run.plans.iter().map(|p| p.compute_cycles()).sum(),
            tiles: run.plans.iter().map(|p| p.tiles).sum(),
            sim_cycles_per_s: sim_cycles as f64 / wall_s.max(1e-9),
            sim_loop_cycles_per_s: sim_cycles as f64 / sim_s.max(1e-9),
            wall_s,
            loop_s: sim_s,
            build_s: self.build_s,
            counters: run.counters.clone(),
        })
    }
}
