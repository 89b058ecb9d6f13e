//! A loaded, running model. This module holds every `unsafe` block of the project: the calls
//! through the C ABI of the library that [`crate::build`] produced (`sim/cpp/tellme_sim_abi.h`).

use crate::error::one_line;
use crate::shim::ABI_VERSION;
use crate::{Build, SimError, SimSpec, TraceKind};
use libloading::Library;
use std::ffi::{c_char, c_void, CString};
use std::path::{Path, PathBuf};
use std::ptr::NonNull;

// Status codes (tellme::Status in tellme_sim_core.h).
const OK: i32 = 0;
const TIMEOUT: i32 = 1;
const WATCHDOG: i32 = 2;
const FINISHED: i32 = 3;
const FATAL: i32 = 4;
const BAD_ARG: i32 = 5;
const DEAD: i32 = 6;

/// tellme::MasterStats.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
struct MasterStatsRaw {
    bytes_read: u64,
    bytes_written: u64,
    read_beats: u64,
    write_beats: u64,
    read_bursts: u64,
    write_bursts: u64,
    read_errors: u64,
    write_errors: u64,
    protocol_errors: u64,
    read_bw_stalls: u64,
    write_bw_stalls: u64,
    first_read_latency: u64,
}

/// tellme::GlobalStats.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
struct GlobalStatsRaw {
    cycles: u64,
    run_cycles: u64,
    reset_cycles: u64,
    axil_cycles: u64,
    axil_reads: u64,
    axil_writes: u64,
}

/// tellme::RunResult.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
struct RunResultRaw {
    cycles: u64,
    end_cycle: u64,
    last_activity: u64,
    state: u32,
    progress: u32,
    irq: u32,
    pad: u32,
}

type Handle = *mut c_void;

/// The library's entry points (plain function pointers, valid while `Sim::_lib` is loaded).
struct Api {
    free: unsafe extern "C" fn(Handle),
    master_count: unsafe extern "C" fn(Handle) -> u32,
    last_error: unsafe extern "C" fn(Handle, *mut c_char, usize) -> usize,
    describe: unsafe extern "C" fn(Handle, *mut c_char, usize) -> usize,
    reset: unsafe extern "C" fn(Handle, u64) -> i32,
    reg_write: unsafe extern "C" fn(Handle, u32, u32, u64, *mut u32) -> i32,
    reg_read: unsafe extern "C" fn(Handle, u32, u64, *mut u32, *mut u32) -> i32,
    mem_write: unsafe extern "C" fn(Handle, u64, *const u8, u64) -> i32,
    mem_read: unsafe extern "C" fn(Handle, u64, *mut u8, u64) -> i32,
    mem_resize: unsafe extern "C" fn(Handle, u64) -> i32,
    mem_size: unsafe extern "C" fn(Handle) -> u64,
    set_ddr: unsafe extern "C" fn(Handle, f64, u64, u32),
    run: unsafe extern "C" fn(Handle, u64, u64, *mut RunResultRaw) -> i32,
    step: unsafe extern "C" fn(Handle, u64) -> i32,
    freerun: unsafe extern "C" fn(Handle, u64, *mut f64) -> i32,
    cycles: unsafe extern "C" fn(Handle) -> u64,
    peek: unsafe extern "C" fn(Handle, *mut u32, *mut u32, *mut u32),
    stats: unsafe extern "C" fn(Handle, *mut GlobalStatsRaw, *mut MasterStatsRaw, u32),
    reset_stats: unsafe extern "C" fn(Handle),
    flush_trace: unsafe extern "C" fn(Handle),
}

/// The DDR model's timing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DdrParams {
    /// Sustained bytes per clock cycle for all masters together (peak × efficiency ÷ clock).
    /// `0`, negative or infinite means unlimited (one beat per cycle per master still holds).
    pub bytes_per_cycle: f64,
    /// Cycles from an address handshake to the first data handshake of that burst (reads), or
    /// from the last W beat to the B handshake (writes). At least 1.
    pub latency_cycles: u64,
    /// Bursts each master may have outstanding per direction before `arready`/`awready` drop.
    pub max_outstanding: u32,
}

impl Default for DdrParams {
    /// Ideal memory: unlimited bandwidth, 1-cycle latency, 16 outstanding bursts.
    fn default() -> Self {
        Self {
            bytes_per_cycle: 0.0,
            latency_cycles: 1,
            max_outstanding: 16,
        }
    }
}

impl DdrParams {
    /// From board figures: `peak_gb_s` (10⁹ bytes/s) × `efficiency` at `clock_mhz`, with
    /// `latency_ns` of access latency. KV260: `from_board(19.2, 0.75, 250.0, 300.0)` gives
    /// 57.6 bytes/cycle and 75 cycles.
    pub fn from_board(peak_gb_s: f64, efficiency: f64, clock_mhz: f64, latency_ns: f64) -> Self {
        Self {
            bytes_per_cycle: peak_gb_s * 1e3 * efficiency / clock_mhz,
            latency_cycles: ((latency_ns * clock_mhz / 1e3).round() as u64).max(1),
            max_outstanding: 16,
        }
    }
}

/// Traffic counters of one master.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MasterStats {
    /// The master's port prefix (`m_w0_`).
    pub name: String,
    pub bytes_read: u64,
    pub bytes_written: u64,
    pub read_beats: u64,
    pub write_beats: u64,
    pub read_bursts: u64,
    pub write_bursts: u64,
    /// Bursts answered SLVERR because they reached outside the memory.
    pub read_errors: u64,
    pub write_errors: u64,
    /// AXI rule violations seen: a burst crossing 4 KB, a non-INCR burst, a beat wider than
    /// the bus, WLAST on the wrong beat.
    pub protocol_errors: u64,
    /// Cycles a read beat was due but the shared bandwidth budget was spent.
    pub read_bw_stalls: u64,
    /// Cycles a write beat could have been accepted but the bandwidth budget was spent.
    pub write_bw_stalls: u64,
    /// Cycles from the first AR handshake to its first R handshake (since the last stats reset).
    pub first_read_latency: u64,
}

/// Counters of the whole simulation (since creation or [`Sim::reset_stats`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DdrStats {
    pub masters: Vec<MasterStats>,
    /// Every clock cycle.
    pub total_cycles: u64,
    /// Cycles clocked inside [`Sim::run`].
    pub run_cycles: u64,
    /// Cycles with `rst` high.
    pub reset_cycles: u64,
    /// Cycles clocked inside [`Sim::reg_read`] / [`Sim::reg_write`].
    pub axil_cycles: u64,
    pub axil_reads: u64,
    pub axil_writes: u64,
}

impl DdrStats {
    /// Bytes read by all masters together.
    pub fn bytes_read(&self) -> u64 {
        self.masters.iter().map(|m| m.bytes_read).sum()
    }
    /// Bytes written by all masters together.
    pub fn bytes_written(&self) -> u64 {
        self.masters.iter().map(|m| m.bytes_written).sum()
    }
    /// The counters of the master with this prefix.
    pub fn master(&self, name_prefix: &str) -> Option<&MasterStats> {
        self.masters.iter().find(|m| m.name == name_prefix)
    }
}

/// How a [`Sim::run`] ended (with `irq` high).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOutcome {
    /// Cycles clocked by this call.
    pub cycles: u64,
    /// The model's cycle counter afterwards.
    pub end_cycle: u64,
    /// `dbg_state` and its name.
    pub state: u32,
    pub state_name: String,
    /// `dbg_progress`.
    pub progress: u32,
}

/// A Verilated model loaded from a [`Build`], with its memory model and AXI4-Lite driver.
/// Dropping it frees the model and closes the trace file.
pub struct Sim {
    api: Api,
    h: NonNull<c_void>,
    spec: SimSpec,
    ddr: DdrParams,
    axil_timeout: u64,
    trace_path: Option<PathBuf>,
    // Declared last: unloaded only after `Drop::drop` has freed the model.
    _lib: Library,
}

// SAFETY: a `Sim` exclusively owns its model, and every call that evaluates or mutates it takes
// `&mut self`, so one thread at a time uses it; the harness re-binds Verilator's per-thread
// context pointer on each such call, so the model may move between threads. `Sim` is not
// `Sync`.
unsafe impl Send for Sim {}

fn load<T: Copy>(lib: &Library, path: &Path, name: &str) -> Result<T, SimError> {
    // SAFETY: `T` is the exact function-pointer type of the symbol as declared in
    // tellme_sim_abi.h (checked by the ABI version before any call); the pointer is copied out
    // and only used while `lib` stays loaded (it is stored in the same `Sim`).
    unsafe {
        lib.get::<T>(name.as_bytes())
            .map(|s| *s)
            .map_err(|e| SimError::Load {
                path: path.to_path_buf(),
                msg: format!("missing symbol {name}: {e}"),
            })
    }
}

impl Sim {
    /// Loads the model. With `trace_path`, the whole simulation is dumped there as VCD or FST
    /// (the build must have been made with a [`TraceKind`]; the folder is created if needed).
    pub fn new(build: &Build, trace_path: Option<&Path>) -> Result<Sim, SimError> {
        if trace_path.is_some() && build.trace.is_none() {
            return Err(SimError::NoTrace);
        }
        let path = &build.lib_path;
        let load_err = |msg: String| SimError::Load {
            path: path.clone(),
            msg,
        };
        // SAFETY: loading runs the library's static initialisers: those of the Verilator
        // runtime and of the generated model, which only set up process-local data.
        let lib = unsafe { Library::new(path) }.map_err(|e| load_err(one_line(&e.to_string())))?;
        let abi: unsafe extern "C" fn() -> u32 = load(&lib, path, "tellme_sim_abi_version")?;
        let kind: unsafe extern "C" fn() -> u32 = load(&lib, path, "tellme_sim_trace_kind")?;
        // SAFETY: both take no arguments and only return a constant.
        let (abi, kind) = unsafe { (abi(), kind()) };
        if abi != ABI_VERSION {
            return Err(load_err(format!(
                "ABI version {abi}, this crate speaks {ABI_VERSION}: rebuild"
            )));
        }
        let want_kind = match build.trace {
            None => 0,
            Some(TraceKind::Vcd) => 1,
            Some(TraceKind::Fst) => 2,
        };
        if kind != want_kind {
            return Err(load_err(format!(
                "library traces kind {kind}, the build says {want_kind}"
            )));
        }
        let new: unsafe extern "C" fn(*const c_char, *mut c_char, usize) -> Handle =
            load(&lib, path, "tellme_sim_new")?;
        let api = Api {
            free: load(&lib, path, "tellme_sim_free")?,
            master_count: load(&lib, path, "tellme_sim_master_count")?,
            last_error: load(&lib, path, "tellme_sim_last_error")?,
            describe: load(&lib, path, "tellme_sim_describe")?,
            reset: load(&lib, path, "tellme_sim_reset")?,
            reg_write: load(&lib, path, "tellme_sim_reg_write")?,
            reg_read: load(&lib, path, "tellme_sim_reg_read")?,
            mem_write: load(&lib, path, "tellme_sim_mem_write")?,
            mem_read: load(&lib, path, "tellme_sim_mem_read")?,
            mem_resize: load(&lib, path, "tellme_sim_mem_resize")?,
            mem_size: load(&lib, path, "tellme_sim_mem_size")?,
            set_ddr: load(&lib, path, "tellme_sim_set_ddr")?,
            run: load(&lib, path, "tellme_sim_run")?,
            step: load(&lib, path, "tellme_sim_step")?,
            freerun: load(&lib, path, "tellme_sim_freerun")?,
            cycles: load(&lib, path, "tellme_sim_cycles")?,
            peek: load(&lib, path, "tellme_sim_peek")?,
            stats: load(&lib, path, "tellme_sim_stats")?,
            reset_stats: load(&lib, path, "tellme_sim_reset_stats")?,
            flush_trace: load(&lib, path, "tellme_sim_flush_trace")?,
        };
        let trace_c = match trace_path {
            Some(p) => {
                if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|source| SimError::Io {
                        context: format!("cannot create trace folder {}", dir.display()),
                        source,
                    })?;
                }
                let s = p.to_str().ok_or_else(|| {
                    SimError::Spec(format!("trace path {} is not UTF-8", p.display()))
                })?;
                Some(
                    CString::new(s)
                        .map_err(|_| SimError::Spec("trace path contains a NUL byte".into()))?,
                )
            }
            None => None,
        };
        let mut err = vec![0u8; 1024];
        // SAFETY: `trace_c` (if any) is a valid NUL-terminated string that outlives the call;
        // `err` is a writable buffer of the stated length.
        let raw = unsafe {
            new(
                trace_c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
                err.as_mut_ptr().cast(),
                err.len(),
            )
        };
        let Some(h) = NonNull::new(raw) else {
            let end = err.iter().position(|&b| b == 0).unwrap_or(err.len());
            return Err(load_err(format!(
                "cannot create the model: {}",
                one_line(&String::from_utf8_lossy(&err[..end]))
            )));
        };
        let mut sim = Sim {
            api,
            h,
            spec: build.spec.clone(),
            ddr: DdrParams::default(),
            axil_timeout: 10_000,
            trace_path: trace_path.map(Path::to_path_buf),
            _lib: lib,
        };
        // SAFETY: `h` is a live model handle from `new`.
        let n = unsafe { (sim.api.master_count)(sim.h.as_ptr()) };
        if n as usize != sim.spec.masters.len() {
            return Err(load_err(format!(
                "library has {n} masters, the spec {}",
                sim.spec.masters.len()
            )));
        }
        sim.set_ddr(DdrParams::default());
        Ok(sim)
    }

    fn hp(&self) -> Handle {
        self.h.as_ptr()
    }

    fn text(&self, f: unsafe extern "C" fn(Handle, *mut c_char, usize) -> usize) -> String {
        let mut buf = vec![0u8; 4096];
        // SAFETY: `buf` is writable for its length; the callee writes a NUL-terminated string
        // of at most that many bytes.
        unsafe { f(self.hp(), buf.as_mut_ptr().cast(), buf.len()) };
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        one_line(&String::from_utf8_lossy(&buf[..end]))
    }

    /// Maps a non-OK status that needs no context to an error.
    fn status(&self, st: i32) -> Result<(), SimError> {
        match st {
            OK => Ok(()),
            FINISHED => Err(SimError::Finished {
                cycle: self.cycles(),
            }),
            BAD_ARG => Err(SimError::Memory(self.text(self.api.last_error))),
            DEAD => Err(SimError::Fatal(
                "the model was aborted by an earlier fatal error".into(),
            )),
            FATAL => Err(SimError::Fatal(self.text(self.api.last_error))),
            other => Err(SimError::Fatal(format!("unexpected status {other}"))),
        }
    }

    /// The spec the model was built from.
    pub fn spec(&self) -> &SimSpec {
        &self.spec
    }

    /// Where the waveform goes, if tracing.
    pub fn trace_path(&self) -> Option<&Path> {
        self.trace_path.as_deref()
    }

    /// Holds `rst` high for `cycles` cycles (at least 1), then low. In-flight memory traffic
    /// is dropped; the memory's contents and the counters are kept.
    pub fn reset(&mut self, cycles: u64) -> Result<(), SimError> {
        // SAFETY: live handle; plain integer argument.
        let st = unsafe { (self.api.reset)(self.hp(), cycles) };
        self.status(st)
    }

    /// Cycles an AXI4-Lite transaction may take before [`SimError::AxilTimeout`]
    /// (default 10 000).
    pub fn set_axil_timeout(&mut self, cycles: u64) {
        self.axil_timeout = cycles.max(1);
    }

    /// One AXI4-Lite write (all byte strobes set), executed cycle by cycle on the C++ side
    /// while the memory model keeps serving the masters. An error response is an error.
    pub fn reg_write(&mut self, addr: u32, data: u32) -> Result<(), SimError> {
        let mut resp = 0u32;
        // SAFETY: live handle; `resp` is a valid out-pointer for the call.
        let st =
            unsafe { (self.api.reg_write)(self.hp(), addr, data, self.axil_timeout, &mut resp) };
        match st {
            OK if resp == 0 => Ok(()),
            OK => Err(SimError::AxilResponse {
                write: true,
                addr,
                resp,
            }),
            TIMEOUT => Err(SimError::AxilTimeout {
                write: true,
                addr,
                cycles: self.axil_timeout,
                cycle: self.cycles(),
            }),
            other => self.status(other),
        }
    }

    /// One AXI4-Lite read. An error response is an error.
    pub fn reg_read(&mut self, addr: u32) -> Result<u32, SimError> {
        let (mut data, mut resp) = (0u32, 0u32);
        // SAFETY: live handle; `data` and `resp` are valid out-pointers for the call.
        let st = unsafe {
            (self.api.reg_read)(self.hp(), addr, self.axil_timeout, &mut data, &mut resp)
        };
        match st {
            OK if resp == 0 => Ok(data),
            OK => Err(SimError::AxilResponse {
                write: false,
                addr,
                resp,
            }),
            TIMEOUT => Err(SimError::AxilTimeout {
                write: false,
                addr,
                cycles: self.axil_timeout,
                cycle: self.cycles(),
            }),
            other => self.status(other).map(|_| 0),
        }
    }

    /// Copies `data` into the memory at `addr`, growing the memory (zero-filled) as needed.
    pub fn mem_write(&mut self, addr: u64, data: &[u8]) -> Result<(), SimError> {
        // SAFETY: live handle; `data` is readable for `data.len()` bytes.
        let st = unsafe { (self.api.mem_write)(self.hp(), addr, data.as_ptr(), data.len() as u64) };
        self.status(st)
    }

    /// Copies `len` bytes out of the memory; out of range is an error.
    pub fn mem_read(&self, addr: u64, len: usize) -> Result<Vec<u8>, SimError> {
        let mut out = vec![0u8; len];
        self.mem_read_into(addr, &mut out)?;
        Ok(out)
    }

    /// Like [`Sim::mem_read`], into a caller's buffer.
    pub fn mem_read_into(&self, addr: u64, out: &mut [u8]) -> Result<(), SimError> {
        // SAFETY: live handle; `out` is writable for `out.len()` bytes. The callee only reads
        // the model's memory (no evaluation), so `&self` suffices.
        let st =
            unsafe { (self.api.mem_read)(self.hp(), addr, out.as_mut_ptr(), out.len() as u64) };
        self.status(st)
    }

    /// Sets the memory size exactly (bytes; grows zero-filled or shrinks). Masters' accesses
    /// beyond it are answered SLVERR and counted.
    pub fn set_mem_size(&mut self, bytes: u64) -> Result<(), SimError> {
        // SAFETY: live handle; plain integer argument.
        let st = unsafe { (self.api.mem_resize)(self.hp(), bytes) };
        self.status(st)
    }

    /// The memory size in bytes.
    pub fn mem_size(&self) -> u64 {
        // SAFETY: live handle; reads a size.
        unsafe { (self.api.mem_size)(self.hp()) }
    }

    /// Sets the DDR model's bandwidth and latency (takes effect on the next cycle; the
    /// bandwidth budget starts full).
    pub fn set_ddr(&mut self, p: DdrParams) {
        self.ddr = p;
        // SAFETY: live handle; plain value arguments.
        unsafe {
            (self.api.set_ddr)(
                self.hp(),
                p.bytes_per_cycle,
                p.latency_cycles,
                p.max_outstanding,
            )
        };
    }

    /// The DDR parameters in force.
    pub fn ddr(&self) -> DdrParams {
        self.ddr
    }

    /// Clocks the model (memory model and all) until `irq` is high. Errors: `max_cycles`
    /// passed ([`SimError::Timeout`]); nothing observable (an AXI handshake on any channel, a
    /// change of `dbg_state` or `dbg_progress`) for `watchdog_cycles` ([`SimError::Watchdog`],
    /// naming the state and what the buses wait for; 0 disables the watchdog).
    pub fn run(&mut self, max_cycles: u64, watchdog_cycles: u64) -> Result<RunOutcome, SimError> {
        let mut r = RunResultRaw::default();
        // SAFETY: live handle; `r` is a valid out-pointer to a struct laid out as
        // tellme::RunResult.
        let st = unsafe { (self.api.run)(self.hp(), max_cycles, watchdog_cycles, &mut r) };
        let state_name = self.spec.state_name(r.state);
        match st {
            OK => Ok(RunOutcome {
                cycles: r.cycles,
                end_cycle: r.end_cycle,
                state: r.state,
                state_name,
                progress: r.progress,
            }),
            TIMEOUT => Err(SimError::Timeout {
                max_cycles,
                cycle: r.end_cycle,
                state: r.state,
                state_name,
                progress: r.progress,
            }),
            WATCHDOG => Err(SimError::Watchdog {
                cycle: r.end_cycle,
                idle_cycles: r.end_cycle - r.last_activity,
                state: r.state,
                state_name,
                waiting: self.text(self.api.describe),
            }),
            other => self
                .status(other)
                .map(|_| unreachable!("status() maps non-OK codes to errors")),
        }
    }

    /// Clocks `cycles` cycles with the memory model and AXI4-Lite driver active, ignoring `irq`.
    pub fn step(&mut self, cycles: u64) -> Result<(), SimError> {
        // SAFETY: live handle; plain integer argument.
        let st = unsafe { (self.api.step)(self.hp(), cycles) };
        self.status(st)
    }

    /// Benchmark helper: clocks `cycles` cycles from C++ with no testbench logic at all (the
    /// design's inputs are frozen) and returns cycles per second. It leaves the design out of
    /// step with the memory model: reset afterwards.
    pub fn freerun_cycles_per_s(&mut self, cycles: u64) -> Result<f64, SimError> {
        let mut secs = 0.0f64;
        // SAFETY: live handle; `secs` is a valid out-pointer.
        let st = unsafe { (self.api.freerun)(self.hp(), cycles, &mut secs) };
        self.status(st)?;
        Ok(cycles as f64 / secs.max(1e-9))
    }

    /// Clock cycles since the model was created.
    pub fn cycles(&self) -> u64 {
        // SAFETY: live handle; reads a counter.
        unsafe { (self.api.cycles)(self.hp()) }
    }

    /// `(irq, dbg_state, dbg_progress)` right now.
    pub fn peek(&self) -> (bool, u32, u32) {
        let (mut irq, mut state, mut progress) = (0u32, 0u32, 0u32);
        // SAFETY: live handle; three valid out-pointers; reads port values only.
        unsafe { (self.api.peek)(self.hp(), &mut irq, &mut state, &mut progress) };
        (irq != 0, state, progress)
    }

    /// Traffic counters (since creation or [`Sim::reset_stats`]).
    pub fn stats(&self) -> DdrStats {
        let mut g = GlobalStatsRaw::default();
        let mut ms = vec![MasterStatsRaw::default(); self.spec.masters.len()];
        // SAFETY: live handle; `g` and `ms` are valid, correctly laid out out-buffers and the
        // callee writes at most `ms.len()` entries.
        unsafe { (self.api.stats)(self.hp(), &mut g, ms.as_mut_ptr(), ms.len() as u32) };
        DdrStats {
            masters: self
                .spec
                .masters
                .iter()
                .zip(ms)
                .map(|(spec, m)| MasterStats {
                    name: spec.name_prefix.clone(),
                    bytes_read: m.bytes_read,
                    bytes_written: m.bytes_written,
                    read_beats: m.read_beats,
                    write_beats: m.write_beats,
                    read_bursts: m.read_bursts,
                    write_bursts: m.write_bursts,
                    read_errors: m.read_errors,
                    write_errors: m.write_errors,
                    protocol_errors: m.protocol_errors,
                    read_bw_stalls: m.read_bw_stalls,
                    write_bw_stalls: m.write_bw_stalls,
                    first_read_latency: m.first_read_latency,
                })
                .collect(),
            total_cycles: g.cycles,
            run_cycles: g.run_cycles,
            reset_cycles: g.reset_cycles,
            axil_cycles: g.axil_cycles,
            axil_reads: g.axil_reads,
            axil_writes: g.axil_writes,
        }
    }

    /// Zeroes every counter of [`Sim::stats`] (not [`Sim::cycles`]).
    pub fn reset_stats(&mut self) {
        // SAFETY: live handle.
        unsafe { (self.api.reset_stats)(self.hp()) }
    }

    /// Flushes the waveform file (it is closed on drop).
    pub fn flush_trace(&mut self) {
        // SAFETY: live handle.
        unsafe { (self.api.flush_trace)(self.hp()) }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        // SAFETY: `h` came from `tellme_sim_new`, is freed exactly once, here, and the library
        // that owns the code is still loaded (`_lib` is dropped after this).
        unsafe { (self.api.free)(self.hp()) }
    }
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim")
            .field("top", &self.spec.top)
            .field("cycles", &self.cycles())
            .finish()
    }
}
