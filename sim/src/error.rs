//! The crate's error type. Every message is a single line.

use std::path::PathBuf;

/// Everything that can go wrong while building or running a simulation.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// `verilator` is not on `PATH`.
    #[error("verilator not found on PATH; install it with: sudo apt-get install -y verilator")]
    VerilatorMissing,
    /// Another build tool (`make`, `g++`) is not on `PATH`.
    #[error("{tool} not found on PATH; install it with: sudo apt-get install -y {package}")]
    ToolMissing {
        tool: &'static str,
        package: &'static str,
    },
    /// The [`crate::SimSpec`] is malformed.
    #[error("invalid simulation spec: {0}")]
    Spec(String),
    /// Verilator or the C++ compiler failed; the log is kept on disk.
    #[error("{stage} failed for top module `{top}`: {first_error} (full log: {})", .log.display())]
    BuildFailed {
        stage: &'static str,
        top: String,
        first_error: String,
        log: PathBuf,
    },
    /// A file-system operation failed.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// The shared library could not be loaded or does not match this crate.
    #[error("cannot load simulation library {}: {msg}", .path.display())]
    Load { path: PathBuf, msg: String },
    /// A trace path was given but the model was built without a [`crate::TraceKind`].
    #[error("a trace file was requested but this model was built without tracing; pass Some(TraceKind) to build()")]
    NoTrace,
    /// `run` reached `max_cycles` without `irq`.
    #[error("simulation timed out: irq not raised within {max_cycles} cycles (cycle {cycle}, state {state_name} ({state}), progress {progress})")]
    Timeout {
        max_cycles: u64,
        cycle: u64,
        state: u32,
        state_name: String,
        progress: u32,
    },
    /// Nothing observable changed for `idle_cycles` cycles.
    #[error("simulation stuck in state {state_name} ({state}) at cycle {cycle}: nothing changed for {idle_cycles} cycles; {waiting}")]
    Watchdog {
        cycle: u64,
        idle_cycles: u64,
        state: u32,
        state_name: String,
        waiting: String,
    },
    /// An AXI4-Lite transaction got no response in time.
    #[error("AXI4-Lite {} of address 0x{addr:x} got no response within {cycles} cycles (cycle {cycle})", rw(.write))]
    AxilTimeout {
        write: bool,
        addr: u32,
        cycles: u64,
        cycle: u64,
    },
    /// An AXI4-Lite transaction was answered with an error response.
    #[error("AXI4-Lite {} of address 0x{addr:x} answered {} ({resp})", rw(.write), resp_name(.resp))]
    AxilResponse { write: bool, addr: u32, resp: u32 },
    /// The design executed `$finish`.
    #[error("the design executed $finish at cycle {cycle}")]
    Finished { cycle: u64 },
    /// `$stop`, `$fatal` or a Verilator runtime error; the model cannot be used any more.
    #[error("simulation aborted: {0}")]
    Fatal(String),
    /// A memory access from the host was out of range or too large.
    #[error("{0}")]
    Memory(String),
}

fn rw(write: &bool) -> &'static str {
    if *write {
        "write"
    } else {
        "read"
    }
}

fn resp_name(resp: &u32) -> &'static str {
    match *resp {
        0 => "OKAY",
        1 => "EXOKAY",
        2 => "SLVERR",
        _ => "DECERR",
    }
}

/// Collapse any line breaks so that every error stays on one line.
pub(crate) fn one_line(s: &str) -> String {
    s.split(['\n', '\r'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" | ")
}
