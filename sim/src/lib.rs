//! Cycle-accurate simulation of generated TeLLMe-RS Verilog under Verilator, driven from Rust.
//!
//! [`build`] turns a top module that follows the TeLLMe-RS interface convention (see
//! `sim/README.md`) into a shared library: a generated C++ shim binds the ports named in the
//! [`SimSpec`] to a harness (clocking, AXI4-Lite driver, DDR/AXI4 memory model) that lives on the
//! C++ side, Verilator and g++ compile it, and the result is cached by content hash. [`Sim`] loads
//! that library and drives it with a handful of FFI calls per job: every per-cycle decision is
//! taken in C++.
//!
//! ```no_run
//! use tellme_sim::{build, DdrParams, MasterSpec, Sim, SimSpec};
//! # fn main() -> Result<(), tellme_sim::SimError> {
//! let spec = SimSpec {
//!     rtl: vec!["out/rtl".into()],
//!     top: "tellme_top".into(),
//!     axil_addr_bits: 16,
//!     masters: vec![MasterSpec::new("m_w0_", 256, false), MasterSpec::new("m_act_", 128, true)],
//!     state_names: vec!["IDLE".into(), "LOAD".into(), "COMPUTE".into()],
//!     ..SimSpec::default()
//! };
//! let model = build(&spec, None, &mut |line| eprintln!("{line}"))?;
//! let mut sim = Sim::new(&model, None)?;
//! sim.set_ddr(DdrParams { bytes_per_cycle: 57.6, latency_cycles: 75, ..DdrParams::default() });
//! sim.reset(4)?;
//! sim.mem_write(0x1000, &[0u8; 4096])?;
//! sim.reg_write(0x00, 1)?;
//! let done = sim.run(10_000_000, 100_000)?;
//! println!("{} cycles, {:?}", done.cycles, sim.stats());
//! # Ok(()) }
//! ```

mod build;
mod bus;
mod error;
mod shim;
mod sim;

pub use build::{build, cache_root, Build};
pub use bus::SimBus;
pub use error::SimError;
pub use sim::{DdrParams, DdrStats, MasterStats, RunOutcome, Sim};

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// What to build: the Verilog, the top module and the ports that follow the convention.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimSpec {
    /// Verilog sources: files, or folders whose `*.v` / `*.sv` files are all compiled. Every
    /// `*.v`, `*.sv`, `*.vh`, `*.svh` file in those folders (or beside those files) is part of
    /// the cache key, so an edited include file triggers a rebuild.
    pub rtl: Vec<PathBuf>,
    /// Name of the top module.
    pub top: String,
    /// Width A of `s_axil_awaddr` / `s_axil_araddr` (1..=32).
    pub axil_addr_bits: u32,
    /// The AXI4 masters, in the order [`DdrStats::masters`] reports them.
    pub masters: Vec<MasterSpec>,
    /// `dbg_state` code → name, used in error messages.
    pub state_names: Vec<String>,
    /// Extra Verilator arguments (for example `-Wno-WIDTH` or `-DFOO=1`); part of the cache key.
    pub verilator_args: Vec<String>,
}

/// One AXI4 master of the top module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MasterSpec {
    /// Port-name prefix, for example `m_w0_` (ports are `m_w0_araddr`, `m_w0_rdata`, ...).
    pub name_prefix: String,
    /// Data width D in bits: a multiple of 64 in 64..=1024.
    pub data_bits: u32,
    /// Whether the master has the AW/W/B channels.
    pub writable: bool,
}

impl MasterSpec {
    pub fn new(name_prefix: &str, data_bits: u32, writable: bool) -> Self {
        Self {
            name_prefix: name_prefix.to_string(),
            data_bits,
            writable,
        }
    }

    /// The prefix without its trailing underscore, as used in messages (`m_w0`).
    pub fn display_name(&self) -> &str {
        self.name_prefix
            .strip_suffix('_')
            .unwrap_or(&self.name_prefix)
    }
}

impl SimSpec {
    /// Name of a `dbg_state` code: `state_names[code]`, or `state#code` when unnamed.
    pub fn state_name(&self, code: u32) -> String {
        self.state_names
            .get(code as usize)
            .cloned()
            .unwrap_or_else(|| format!("state#{code}"))
    }
}

/// Waveform format. A model built with a trace kind can dump a waveform of a whole run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TraceKind {
    /// Value change dump: large, readable by everything.
    Vcd,
    /// GTKWave's compressed format: much smaller and faster to write.
    Fst,
}

impl TraceKind {
    /// The usual file extension (`vcd` / `fst`).
    pub fn extension(self) -> &'static str {
        match self {
            TraceKind::Vcd => "vcd",
            TraceKind::Fst => "fst",
        }
    }
}
