//! The URAM weight buffer, its Loader and the weight image's layout across the AXI ports
//! (contract: `hdl/ARCHITECTURE.md`, "weight_buffer and its Loader").
//!
//! - [`WeightBuffer`]: `C = cfg.weight_word_u64s()` URAM columns, each one `tlmm_uram_sdp`
//!   (64 bits used) instantiated at the full URAM288 depth (4096; `D` rows are used). Per-column
//!   write ports (`wr_en[c]`, `wr_addr[c]`, `wr_data[c]`), one shared read port
//!   `rd_en`, `rd_addr` → `rd_word[C]` after [`WBUF_LATENCY`] cycles.
//! - [`Loader`]: `P` [`crate::axi::ReadMaster`]s, lockstep merge, column writer.
//! - [`WeightStore`]: Loader + WeightBuffer wired together (what a top level instantiates).
//! - [`port_regions`], [`image_port_regions`]: how the driver lays a weight image out in DDR.
//!
//! Loader timing (cycle 0 = the cycle `load_start` is high; measured in
//! `hdl/tests/weight_buffer*.rs`): the masters take their commands at the end of cycle 1, compute
//! the first burst in cycle 2 and raise `arvalid` in cycle [`LOADER_START_TO_AR`] = 4. An R beat
//! taken at the end of cycle `r` is written into the URAM [`LOADER_WRITE_LATENCY`] = 3 edges
//! later, at the end of cycle `r + 3` (FIFO, super-beat register, column register), once every
//! port has delivered its beat of that super-beat; `load_done` is high
//! for one cycle, `r_last + 4`, the cycle after the last write (a read issued in that cycle
//! already sees the whole tile); `load_busy` is high from cycle 1 through the `load_done` cycle.
//! With a DDR latency of `L` cycles (AR handshake → first beat offered `L + 1` cycles later) and
//! every port delivering one beat per cycle, a load of `B` beats per port takes
//! [`ideal_load_cycles`] = `B + L + 8` cycles (kv260 q_proj tile: 3,547 beats, L = 75 → 3,630).
//! `waiting` is high while beats are still expected and not every port has one (DDR-bound
//! cycles, including the initial latency). A `load_start` while `load_busy` is ignored. Do not
//! assert `reset` while bursts are in flight (their beats would land in the next load).

mod layout;
mod loader;

pub use layout::{
    image_port_bytes, image_port_regions, le_bytes, port_regions, tile_beats, PortImage, TileLoad,
};
pub use loader::{ColumnXbar, Loader, LoaderCtl};

use crate::mem::UramSdp;
use rust_hdl::prelude::*;
use tellme_config::{Config, URAM_DEPTH};

/// Row address width of the weight buffer (one URAM288 is 4096 deep).
pub const WB_AW: usize = 12;
/// Cycles from `rd_en`/`rd_addr` to `rd_word` (the leaf's registered output).
pub const WBUF_LATENCY: usize = 1;
/// Width of `load_u64s` and `load_beats`.
pub const LOAD_COUNT_BITS: usize = 32;
/// Each Loader port's R FIFO holds `2^LOADER_FIFO_AW` beats (128: 8 bursts of 16).
pub const LOADER_FIFO_AW: usize = 7;
/// Bursts each Loader port keeps in flight at most.
pub const LOADER_MAX_BURSTS: usize = 8;
/// Edges from an R beat's handshake to its URAM write, when the other ports keep up.
pub const LOADER_WRITE_LATENCY: usize = 3;
/// Cycles from `load_start` (cycle 0) to the first `arvalid`.
pub const LOADER_START_TO_AR: usize = 4;

/// Cycles from `load_start` to `load_done` for `beats` beats per port when every port delivers
/// one beat per cycle after a DDR latency of `ddr_latency` cycles (the Loader's own overhead is
/// 8 cycles; fewer bytes per cycle from DDR stretch the `beats` term).
pub fn ideal_load_cycles(beats: u64, ddr_latency: u64) -> u64 {
    if beats == 0 {
        return 2;
    }
    beats + ddr_latency + 8
}

/// A configuration the weight buffer cannot be built for.
#[derive(Debug, thiserror::Error)]
#[error("weight buffer: {0}")]
pub struct WbufError(pub String);

/// The weight buffer's dimensions, from the configuration (or chosen freely for unit tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WbufParams {
    /// `C`: 64-bit columns of a weight word.
    pub columns: usize,
    /// `D`: rows used (≤ 4096).
    pub depth: usize,
    /// `P`: AXI read ports.
    pub ports: usize,
    /// `BU`: u64s per AXI beat.
    pub beat_u64s: usize,
}

impl WbufParams {
    pub fn from_config(cfg: &Config) -> Result<WbufParams, WbufError> {
        WbufParams::new(
            cfg.weight_word_u64s(),
            cfg.accel.weight_buffer_depth,
            cfg.accel.axi_ports,
            cfg.accel.axi_data_bits / 64,
        )
    }

    pub fn new(
        columns: usize,
        depth: usize,
        ports: usize,
        beat_u64s: usize,
    ) -> Result<WbufParams, WbufError> {
        let bad = |m: String| Err(WbufError(m));
        if depth == 0 || depth > URAM_DEPTH {
            return bad(format!(
                "accel.weight_buffer_depth = {depth}: the buffer supports 1..={URAM_DEPTH} rows \
                 (one URAM288 deep per column)"
            ));
        }
        if !beat_u64s.is_power_of_two() || beat_u64s > 16 {
            return bad(format!(
                "{} u64s per AXI beat: the read masters take 64..1024-bit buses",
                beat_u64s
            ));
        }
        if ports == 0 || ports * beat_u64s > columns {
            return bad(format!(
                "{ports} ports × {beat_u64s} u64s per beat must be 1..={columns} (the columns \
                 of a weight word): each column takes at most one write per cycle"
            ));
        }
        if columns >= 1 << 15 {
            return bad(format!("{columns} columns: at most 32767 supported"));
        }
        Ok(WbufParams {
            columns,
            depth,
            ports,
            beat_u64s,
        })
    }

    /// `S = P·BU`: u64s per super-beat.
    pub fn slots(&self) -> usize {
        self.ports * self.beat_u64s
    }
}

/// `C` URAM columns, per-column write ports, one read port (see the module documentation).
#[derive(LogicBlock)]
pub struct WeightBuffer {
    pub clock: Signal<In, Clock>,
    pub wr_en: Vec<Signal<In, Bit>>,
    pub wr_addr: Vec<Signal<In, Bits<WB_AW>>>,
    pub wr_data: Vec<Signal<In, Bits<64>>>,
    pub rd_en: Signal<In, Bit>,
    pub rd_addr: Signal<In, Bits<WB_AW>>,
    pub rd_word: Vec<Signal<Out, Bits<64>>>,
    cols: Vec<UramSdp<WB_AW, 64>>,
    _c: usize,
}

impl WeightBuffer {
    pub fn new(p: &WbufParams) -> Self {
        let c = p.columns;
        Self {
            clock: Default::default(),
            wr_en: (0..c).map(|_| Default::default()).collect(),
            wr_addr: (0..c).map(|_| Default::default()).collect(),
            wr_data: (0..c).map(|_| Default::default()).collect(),
            rd_en: Default::default(),
            rd_addr: Default::default(),
            rd_word: (0..c).map(|_| Default::default()).collect(),
            // Full URAM depth: the same URAM288 count as `D` rows, and a lint-clean leaf.
            cols: (0..c).map(|_| UramSdp::new(URAM_DEPTH)).collect(),
            _c: c,
        }
    }
}

impl Logic for WeightBuffer {
    #[hdl_gen]
    fn update(&mut self) {
        for c in 0..self._c {
            self.cols[c].clock.next = self.clock.val();
            self.cols[c].we_a.next = self.wr_en[c].val();
            self.cols[c].addr_a.next = self.wr_addr[c].val();
            self.cols[c].din_a.next = self.wr_data[c].val();
            self.cols[c].en_b.next = self.rd_en.val();
            self.cols[c].addr_b.next = self.rd_addr.val();
            self.rd_word[c].next = self.cols[c].dout_b.val();
        }
    }
}

/// [`Loader`] + [`WeightBuffer`]: load ports, per-port AXI read ports (as on [`Loader`]) and the
/// buffer's read port.
#[derive(LogicBlock)]
pub struct WeightStore {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub load_start: Signal<In, Bit>,
    pub load_base: Signal<In, Bits<WB_AW>>,
    pub load_u64s: Signal<In, Bits<LOAD_COUNT_BITS>>,
    pub load_beats: Signal<In, Bits<LOAD_COUNT_BITS>>,
    pub load_addr: Vec<Signal<In, Bits<40>>>,
    pub load_busy: Signal<Out, Bit>,
    pub load_done: Signal<Out, Bit>,
    pub waiting: Signal<Out, Bit>,
    pub rd_bytes: Signal<Out, Bits<64>>,
    pub err: Signal<Out, Bit>,
    pub araddr: Vec<Signal<Out, Bits<40>>>,
    pub arlen: Vec<Signal<Out, Bits<8>>>,
    pub arsize: Vec<Signal<Out, Bits<3>>>,
    pub arburst: Vec<Signal<Out, Bits<2>>>,
    pub arvalid: Vec<Signal<Out, Bit>>,
    pub arready: Vec<Signal<In, Bit>>,
    pub rdata: Vec<Signal<In, Bits<64>>>,
    pub rresp: Vec<Signal<In, Bits<2>>>,
    pub rlast: Vec<Signal<In, Bit>>,
    pub rvalid: Vec<Signal<In, Bit>>,
    pub rready: Vec<Signal<Out, Bit>>,
    pub rd_en: Signal<In, Bit>,
    pub rd_addr: Signal<In, Bits<WB_AW>>,
    pub rd_word: Vec<Signal<Out, Bits<64>>>,
    loader: Loader,
    wbuf: WeightBuffer,
    _p: usize,
    _s: usize,
    _c: usize,
}

impl WeightStore {
    pub fn new(p: &WbufParams) -> Self {
        let (np, s, c) = (p.ports, p.slots(), p.columns);
        Self {
            clock: Default::default(),
            reset: Default::default(),
            load_start: Default::default(),
            load_base: Default::default(),
            load_u64s: Default::default(),
            load_beats: Default::default(),
            load_addr: (0..np).map(|_| Default::default()).collect(),
            load_busy: Default::default(),
            load_done: Default::default(),
            waiting: Default::default(),
            rd_bytes: Default::default(),
            err: Default::default(),
            araddr: (0..np).map(|_| Default::default()).collect(),
            arlen: (0..np).map(|_| Default::default()).collect(),
            arsize: (0..np).map(|_| Default::default()).collect(),
            arburst: (0..np).map(|_| Default::default()).collect(),
            arvalid: (0..np).map(|_| Default::default()).collect(),
            arready: (0..np).map(|_| Default::default()).collect(),
            rdata: (0..s).map(|_| Default::default()).collect(),
            rresp: (0..np).map(|_| Default::default()).collect(),
            rlast: (0..np).map(|_| Default::default()).collect(),
            rvalid: (0..np).map(|_| Default::default()).collect(),
            rready: (0..np).map(|_| Default::default()).collect(),
            rd_en: Default::default(),
            rd_addr: Default::default(),
            rd_word: (0..c).map(|_| Default::default()).collect(),
            loader: Loader::new(p),
            wbuf: WeightBuffer::new(p),
            _p: np,
            _s: s,
            _c: c,
        }
    }

    /// Mark every top-level input as driven (before simulation or Verilog generation when this
    /// block is the top).
    pub fn connect_top_inputs(&mut self) {
        self.clock.connect();
        self.reset.connect();
        self.load_start.connect();
        self.load_base.connect();
        self.load_u64s.connect();
        self.load_beats.connect();
        self.load_addr.iter_mut().for_each(|s| s.connect());
        self.arready.iter_mut().for_each(|s| s.connect());
        self.rdata.iter_mut().for_each(|s| s.connect());
        self.rresp.iter_mut().for_each(|s| s.connect());
        self.rlast.iter_mut().for_each(|s| s.connect());
        self.rvalid.iter_mut().for_each(|s| s.connect());
        self.rd_en.connect();
        self.rd_addr.connect();
    }
}

impl Logic for WeightStore {
    #[hdl_gen]
    fn update(&mut self) {
        self.loader.clock.next = self.clock.val();
        self.loader.reset.next = self.reset.val();
        self.loader.load_start.next = self.load_start.val();
        self.loader.load_base.next = self.load_base.val();
        self.loader.load_u64s.next = self.load_u64s.val();
        self.loader.load_beats.next = self.load_beats.val();
        self.load_busy.next = self.loader.load_busy.val();
        self.load_done.next = self.loader.load_done.val();
        self.waiting.next = self.loader.waiting.val();
        self.rd_bytes.next = self.loader.rd_bytes.val();
        self.err.next = self.loader.err.val();
        for p in 0..self._p {
            self.loader.load_addr[p].next = self.load_addr[p].val();
            self.araddr[p].next = self.loader.araddr[p].val();
            self.arlen[p].next = self.loader.arlen[p].val();
            self.arsize[p].next = self.loader.arsize[p].val();
            self.arburst[p].next = self.loader.arburst[p].val();
            self.arvalid[p].next = self.loader.arvalid[p].val();
            self.loader.arready[p].next = self.arready[p].val();
            self.loader.rresp[p].next = self.rresp[p].val();
            self.loader.rlast[p].next = self.rlast[p].val();
            self.loader.rvalid[p].next = self.rvalid[p].val();
            self.rready[p].next = self.loader.rready[p].val();
        }
        for k in 0..self._s {
            self.loader.rdata[k].next = self.rdata[k].val();
        }
        self.wbuf.clock.next = self.clock.val();
        self.wbuf.rd_en.next = self.rd_en.val();
        self.wbuf.rd_addr.next = self.rd_addr.val();
        for c in 0..self._c {
            self.wbuf.wr_en[c].next = self.loader.wr_en[c].val();
            self.wbuf.wr_addr[c].next = self.loader.wr_addr[c].val();
            self.wbuf.wr_data[c].next = self.loader.wr_data[c].val();
            self.rd_word[c].next = self.wbuf.rd_word[c].val();
        }
    }
}
