//! The weight Loader: `P` AXI4 read masters, a lockstep merge and the column writer.
//!
//! Data path (one "super-beat" = one beat from every port = `S = P·BU` u64s, stream order
//! port-major: slot `p·BU + i` is word `i` of port `p`'s beat):
//!
//! ```text
//!  m_w{p} R ─▶ ReadMaster FIFO ─┐ all P valid → fire
//!                               ├─▶ [sb regs: S slots, col0, row0, ok] ─▶ ColumnXbar ─▶ [wr regs] ─▶ URAM
//!  (P ports)                  ──┘      (LoaderCtl)                      slot k → column (col0+k) mod C
//! ```
//!
//! `LoaderCtl` (rust-hdl `#[hdl_gen]`) holds the command/FSM logic, the merge, the stream
//! position (`col0` = i mod C, `row0` = base + i / C of the super-beat's first u64) and the
//! padding mask; `ColumnXbar` (hand-written Rust model + generated Verilog) is the `S → C`
//! rotation; `Loader` wires them to the masters (the 2-D `rdata` wiring that `#[hdl_gen]`
//! cannot express).

use super::{WbufParams, LOADER_FIFO_AW, LOADER_MAX_BURSTS, LOAD_COUNT_BITS, WB_AW};
use crate::axi::{ReadMaster, AXI_ADDR_BITS, CMD_BEATS_BITS};
use rust_hdl::prelude::*;

fn k<const N: usize>(v: u64) -> Constant<Bits<N>> {
    Constant::new(v.into())
}
use std::fmt::Write;

/// Control, merge and stream position of the Loader (see the module documentation).
#[derive(LogicBlock)]
pub struct LoaderCtl {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub load_start: Signal<In, Bit>,
    pub load_base: Signal<In, Bits<WB_AW>>,
    pub load_u64s: Signal<In, Bits<LOAD_COUNT_BITS>>,
    pub load_beats: Signal<In, Bits<LOAD_COUNT_BITS>>,
    pub load_addr: Vec<Signal<In, Bits<AXI_ADDR_BITS>>>,
    pub load_busy: Signal<Out, Bit>,
    pub load_done: Signal<Out, Bit>,
    pub waiting: Signal<Out, Bit>,
    pub rd_bytes: Signal<Out, Bits<64>>,
    pub err: Signal<Out, Bit>,
    // to / from the masters
    pub cmd_valid: Vec<Signal<Out, Bit>>,
    pub cmd_ready: Vec<Signal<In, Bit>>,
    pub cmd_addr: Vec<Signal<Out, Bits<AXI_ADDR_BITS>>>,
    pub cmd_beats: Signal<Out, Bits<CMD_BEATS_BITS>>,
    pub rm_err: Vec<Signal<In, Bit>>,
    pub rm_busy: Vec<Signal<In, Bit>>,
    pub in_valid: Vec<Signal<In, Bit>>,
    pub in_ready: Vec<Signal<Out, Bit>>,
    pub in_data: Vec<Signal<In, Bits<64>>>,
    // registered super-beat, to the crossbar
    pub sb_valid: Signal<Out, Bit>,
    pub sb_col: Signal<Out, Bits<16>>,
    pub sb_row: Signal<Out, Bits<WB_AW>>,
    pub sb_ok: Vec<Signal<Out, Bit>>,
    pub sb_data: Vec<Signal<Out, Bits<64>>>,
    busy: DFF<Bit>,
    pend: Vec<DFF<Bit>>,
    addr: Vec<DFF<Bits<AXI_ADDR_BITS>>>,
    beats: DFF<Bits<LOAD_COUNT_BITS>>,
    left: DFF<Bits<LOAD_COUNT_BITS>>,
    u64s_left: DFF<Bits<LOAD_COUNT_BITS>>,
    col: DFF<Bits<16>>,
    row: DFF<Bits<WB_AW>>,
    sbv: DFF<Bit>,
    sb_col_r: DFF<Bits<16>>,
    sb_row_r: DFF<Bits<WB_AW>>,
    sb_ok_r: Vec<DFF<Bit>>,
    sb_data_r: Vec<DFF<Bits<64>>>,
    wv: DFF<Bit>,
    bytes: DFF<Bits<64>>,
    all_valid: Signal<Local, Bit>,
    fire: Signal<Local, Bit>,
    pend_any: Signal<Local, Bit>,
    rm_busy_any: Signal<Local, Bit>,
    err_any: Signal<Local, Bit>,
    col_sum: Signal<Local, Bits<16>>,
    k_s16: Constant<Bits<16>>,
    k_c16: Constant<Bits<16>>,
    k_zero16: Constant<Bits<16>>,
    k_row1: Constant<Bits<WB_AW>>,
    k_s32: Constant<Bits<LOAD_COUNT_BITS>>,
    k_zero32: Constant<Bits<LOAD_COUNT_BITS>>,
    k_one32: Constant<Bits<LOAD_COUNT_BITS>>,
    k_slot: Vec<Constant<Bits<LOAD_COUNT_BITS>>>,
    k_sb_bytes: Constant<Bits<64>>,
    k_zero64: Constant<Bits<64>>,
    _p: usize,
    _s: usize,
}

impl LoaderCtl {
    pub fn new(p: &WbufParams) -> Self {
        let s = p.slots();
        let sig =
            |n: usize| -> Vec<Signal<In, Bit>> { (0..n).map(|_| Default::default()).collect() };
        Self {
            clock: Default::default(),
            reset: Default::default(),
            load_start: Default::default(),
            load_base: Default::default(),
            load_u64s: Default::default(),
            load_beats: Default::default(),
            load_addr: (0..p.ports).map(|_| Default::default()).collect(),
            load_busy: Default::default(),
            load_done: Default::default(),
            waiting: Default::default(),
            rd_bytes: Default::default(),
            err: Default::default(),
            cmd_valid: (0..p.ports).map(|_| Default::default()).collect(),
            cmd_ready: sig(p.ports),
            cmd_addr: (0..p.ports).map(|_| Default::default()).collect(),
            cmd_beats: Default::default(),
            rm_err: sig(p.ports),
            rm_busy: sig(p.ports),
            in_valid: sig(p.ports),
            in_ready: (0..p.ports).map(|_| Default::default()).collect(),
            in_data: (0..s).map(|_| Default::default()).collect(),
            sb_valid: Default::default(),
            sb_col: Default::default(),
            sb_row: Default::default(),
            sb_ok: (0..s).map(|_| Default::default()).collect(),
            sb_data: (0..s).map(|_| Default::default()).collect(),
            busy: Default::default(),
            pend: (0..p.ports).map(|_| Default::default()).collect(),
            addr: (0..p.ports).map(|_| Default::default()).collect(),
            beats: Default::default(),
            left: Default::default(),
            u64s_left: Default::default(),
            col: Default::default(),
            row: Default::default(),
            sbv: Default::default(),
            sb_col_r: Default::default(),
            sb_row_r: Default::default(),
            sb_ok_r: (0..s).map(|_| Default::default()).collect(),
            sb_data_r: (0..s).map(|_| Default::default()).collect(),
            wv: Default::default(),
            bytes: Default::default(),
            all_valid: Default::default(),
            fire: Default::default(),
            pend_any: Default::default(),
            rm_busy_any: Default::default(),
            err_any: Default::default(),
            col_sum: Default::default(),
            k_s16: k(s as u64),
            k_c16: k(p.columns as u64),
            k_zero16: k(0),
            k_row1: k(1),
            k_s32: k(s as u64),
            k_zero32: k(0),
            k_one32: k(1),
            k_slot: (0..s).map(|i| k(i as u64)).collect(),
            k_sb_bytes: k(8 * s as u64),
            k_zero64: k(0),
            _p: p.ports,
            _s: s,
        }
    }
}

impl Logic for LoaderCtl {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, busy, beats, left, u64s_left, col, row, sbv, sb_col_r, sb_row_r, wv, bytes
        );
        for p in 0..self._p {
            self.pend[p].clock.next = self.clock.val();
            self.pend[p].d.next = self.pend[p].q.val();
            self.addr[p].clock.next = self.clock.val();
            self.addr[p].d.next = self.addr[p].q.val();
        }
        for k in 0..self._s {
            self.sb_ok_r[k].clock.next = self.clock.val();
            self.sb_ok_r[k].d.next = self.sb_ok_r[k].q.val();
            self.sb_data_r[k].clock.next = self.clock.val();
            self.sb_data_r[k].d.next = self.sb_data_r[k].q.val();
        }
        // ---- lockstep merge: a super-beat moves when every port has a beat
        self.all_valid.next = true;
        self.pend_any.next = false;
        self.err_any.next = false;
        self.rm_busy_any.next = false;
        for p in 0..self._p {
            if self.rm_busy[p].val() {
                self.rm_busy_any.next = true;
            }
            if !self.in_valid[p].val() {
                self.all_valid.next = false;
            }
            if self.pend[p].q.val() {
                self.pend_any.next = true;
            }
            if self.rm_err[p].val() {
                self.err_any.next = true;
            }
        }
        self.fire.next = self.all_valid.val() & (self.left.q.val() != self.k_zero32.val());
        for p in 0..self._p {
            self.in_ready[p].next = self.fire.val();
        }
        // ---- commands to the masters (held until accepted)
        for p in 0..self._p {
            self.cmd_valid[p].next = self.pend[p].q.val();
            self.cmd_addr[p].next = self.addr[p].q.val();
            if self.cmd_ready[p].val() {
                self.pend[p].d.next = false;
            }
        }
        self.cmd_beats.next = self.beats.q.val();
        // ---- super-beat register and stream position
        self.col_sum.next = self.col.q.val() + self.k_s16.val();
        self.sbv.d.next = self.fire.val();
        if self.fire.val() {
            for k in 0..self._s {
                self.sb_data_r[k].d.next = self.in_data[k].val();
                self.sb_ok_r[k].d.next = self.u64s_left.q.val() > self.k_slot[k].val();
            }
            self.sb_col_r.d.next = self.col.q.val();
            self.sb_row_r.d.next = self.row.q.val();
            if self.col_sum.val() >= self.k_c16.val() {
                self.col.d.next = self.col_sum.val() - self.k_c16.val();
                self.row.d.next = self.row.q.val() + self.k_row1.val();
            } else {
                self.col.d.next = self.col_sum.val();
            }
            if self.u64s_left.q.val() >= self.k_s32.val() {
                self.u64s_left.d.next = self.u64s_left.q.val() - self.k_s32.val();
            } else {
                self.u64s_left.d.next = self.k_zero32.val();
            }
            self.left.d.next = self.left.q.val() - self.k_one32.val();
            self.bytes.d.next = self.bytes.q.val() + self.k_sb_bytes.val();
        }
        self.wv.d.next = self.sbv.q.val();
        // ---- done: every super-beat merged, the two register stages empty, commands taken,
        //      the masters idle
        self.load_done.next = false;
        if self.busy.q.val()
            & (self.left.q.val() == self.k_zero32.val())
            & !self.sbv.q.val()
            & !self.wv.q.val()
            & !self.pend_any.val()
            & !self.rm_busy_any.val()
        {
            self.load_done.next = true;
            self.busy.d.next = false;
        }
        // ---- start (ignored while busy)
        if self.load_start.val() & !self.busy.q.val() {
            self.busy.d.next = true;
            self.beats.d.next = self.load_beats.val();
            self.left.d.next = self.load_beats.val();
            self.u64s_left.d.next = self.load_u64s.val();
            self.col.d.next = self.k_zero16.val();
            self.row.d.next = self.load_base.val();
            for p in 0..self._p {
                self.pend[p].d.next = true;
                self.addr[p].d.next = self.load_addr[p].val();
            }
        }
        // ---- outputs
        self.load_busy.next = self.busy.q.val();
        self.waiting.next =
            self.busy.q.val() & (self.left.q.val() != self.k_zero32.val()) & !self.all_valid.val();
        self.rd_bytes.next = self.bytes.q.val();
        self.err.next = self.err_any.val();
        self.sb_valid.next = self.sbv.q.val();
        self.sb_col.next = self.sb_col_r.q.val();
        self.sb_row.next = self.sb_row_r.q.val();
        for k in 0..self._s {
            self.sb_ok[k].next = self.sb_ok_r[k].q.val();
            self.sb_data[k].next = self.sb_data_r[k].q.val();
        }
        // ---- synchronous reset
        if self.reset.val() {
            self.busy.d.next = false;
            self.left.d.next = self.k_zero32.val();
            self.sbv.d.next = false;
            self.wv.d.next = false;
            self.bytes.d.next = self.k_zero64.val();
            for p in 0..self._p {
                self.pend[p].d.next = false;
            }
        }
    }
}

/// The registered `S → C` column crossbar: slot `k` of a super-beat whose first u64 is column
/// `col0` of row `row0` is written to column `(col0 + k) mod C`, row `row0 + (col0 + k ≥ C)`,
/// when the super-beat is valid and the slot is not padding. One register stage.
#[derive(LogicBlock)]
pub struct ColumnXbar {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub in_valid: Signal<In, Bit>,
    pub in_col: Signal<In, Bits<16>>,
    pub in_row: Signal<In, Bits<WB_AW>>,
    pub in_ok: Vec<Signal<In, Bit>>,
    pub in_data: Vec<Signal<In, Bits<64>>>,
    pub wr_en: Vec<Signal<Out, Bit>>,
    pub wr_addr: Vec<Signal<Out, Bits<WB_AW>>>,
    pub wr_data: Vec<Signal<Out, Bits<64>>>,
    _s: usize,
    _c: usize,
}

impl ColumnXbar {
    pub fn new(slots: usize, columns: usize) -> Self {
        assert!(slots >= 1 && slots <= columns && columns < 1 << 15);
        Self {
            clock: Default::default(),
            reset: Default::default(),
            in_valid: Default::default(),
            in_col: Default::default(),
            in_row: Default::default(),
            in_ok: (0..slots).map(|_| Default::default()).collect(),
            in_data: (0..slots).map(|_| Default::default()).collect(),
            wr_en: (0..columns).map(|_| Default::default()).collect(),
            wr_addr: (0..columns).map(|_| Default::default()).collect(),
            wr_data: (0..columns).map(|_| Default::default()).collect(),
            _s: slots,
            _c: columns,
        }
    }
}

impl Logic for ColumnXbar {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let col0 = self.in_col.val().index() as u16;
            let row0 = self.in_row.val();
            let on = self.in_valid.val() && !self.reset.val();
            for c in 0..self._c {
                // the same 16-bit arithmetic as the Verilog below
                let k = if col0 <= c as u16 {
                    (c as u16).wrapping_sub(col0)
                } else {
                    ((c + self._c) as u16).wrapping_sub(col0)
                } as usize;
                let (d, ok) = if k < self._s {
                    (self.in_data[k].val(), self.in_ok[k].val())
                } else {
                    (Bits::default(), false)
                };
                self.wr_en[c].next = on && ok;
                self.wr_addr[c].next = if col0 > c as u16 { row0 + 1 } else { row0 };
                self.wr_data[c].next = d;
            }
        }
    }

    fn connect(&mut self) {
        for c in 0..self._c {
            self.wr_en[c].connect();
            self.wr_addr[c].connect();
            self.wr_data[c].connect();
        }
    }

    fn hdl(&self) -> Verilog {
        // A log rotator: position c of stage b+1 takes position (c − 2^b) mod C of stage b when
        // bit b of in_col is set; rotations mod C compose, so after the stages slot k sits at
        // (k + in_col) mod C. Positions ≥ S start as constant zero and fold away.
        let (s, c_n) = (self._s, self._c);
        let stages = usize::BITS as usize - (c_n - 1).leading_zeros() as usize;
        let mut v = String::new();
        let w = &mut v;
        writeln!(
            w,
            "// {s} slots -> {c_n} columns: column (in_col + k) mod {c_n} <- slot k"
        )
        .unwrap();
        for c in 0..c_n {
            if c < s {
                writeln!(
                    w,
                    "wire [63:0] xr0_{c} = in_data${c};\nwire xv0_{c} = in_ok${c};"
                )
                .unwrap();
            } else {
                writeln!(w, "wire [63:0] xr0_{c} = 64'd0;\nwire xv0_{c} = 1'b0;").unwrap();
            }
        }
        for b in 0..stages {
            let a = (1usize << b) % c_n;
            for c in 0..c_n {
                let from = (c + c_n - a) % c_n;
                writeln!(
                    w,
                    "wire [63:0] xr{n}_{c} = in_col[{b}] ? xr{b}_{from} : xr{b}_{c};\n\
                     wire xv{n}_{c} = in_col[{b}] ? xv{b}_{from} : xv{b}_{c};",
                    n = b + 1
                )
                .unwrap();
            }
        }
        writeln!(w, "always @(posedge clock) begin").unwrap();
        for c in 0..c_n {
            writeln!(
                w,
                "    wr_en${c} <= ~reset & in_valid & xv{stages}_{c};\n    \
                 wr_addr${c} <= in_row + {{{}'d0, (in_col > 16'd{c})}};\n    \
                 wr_data${c} <= xr{stages}_{c};",
                WB_AW - 1
            )
            .unwrap();
        }
        writeln!(w, "end").unwrap();
        Verilog::Custom(v)
    }
}

/// The weight Loader (see the module documentation and `hdl/ARCHITECTURE.md`).
///
/// AXI ports are per-port `Vec`s: `araddr[p]`, …, `rready[p]`; `rdata[p·BU + i]` is bits
/// `64i..64i+63` of port `p`'s R data. Column write ports `wr_en[C]`, `wr_addr[C]`,
/// `wr_data[C]` go to [`super::WeightBuffer`].
#[derive(LogicBlock)]
pub struct Loader {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub load_start: Signal<In, Bit>,
    pub load_base: Signal<In, Bits<WB_AW>>,
    pub load_u64s: Signal<In, Bits<LOAD_COUNT_BITS>>,
    pub load_beats: Signal<In, Bits<LOAD_COUNT_BITS>>,
    pub load_addr: Vec<Signal<In, Bits<AXI_ADDR_BITS>>>,
    pub load_busy: Signal<Out, Bit>,
    pub load_done: Signal<Out, Bit>,
    pub waiting: Signal<Out, Bit>,
    pub rd_bytes: Signal<Out, Bits<64>>,
    pub err: Signal<Out, Bit>,
    pub araddr: Vec<Signal<Out, Bits<AXI_ADDR_BITS>>>,
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
    pub wr_en: Vec<Signal<Out, Bit>>,
    pub wr_addr: Vec<Signal<Out, Bits<WB_AW>>>,
    pub wr_data: Vec<Signal<Out, Bits<64>>>,
    rm: Vec<ReadMaster<LOADER_FIFO_AW>>,
    ctl: LoaderCtl,
    xbar: ColumnXbar,
    _p: usize,
    _bu: usize,
    _c: usize,
}

fn sigs<D: Direction, T: Synth>(n: usize) -> Vec<Signal<D, T>> {
    (0..n).map(|_| Default::default()).collect()
}

impl Loader {
    pub fn new(p: &WbufParams) -> Self {
        let (np, s, c) = (p.ports, p.slots(), p.columns);
        Self {
            clock: Default::default(),
            reset: Default::default(),
            load_start: Default::default(),
            load_base: Default::default(),
            load_u64s: Default::default(),
            load_beats: Default::default(),
            load_addr: sigs(np),
            load_busy: Default::default(),
            load_done: Default::default(),
            waiting: Default::default(),
            rd_bytes: Default::default(),
            err: Default::default(),
            araddr: sigs(np),
            arlen: sigs(np),
            arsize: sigs(np),
            arburst: sigs(np),
            arvalid: sigs(np),
            arready: sigs(np),
            rdata: sigs(s),
            rresp: sigs(np),
            rlast: sigs(np),
            rvalid: sigs(np),
            rready: sigs(np),
            wr_en: sigs(c),
            wr_addr: sigs(c),
            wr_data: sigs(c),
            rm: (0..np)
                .map(|_| ReadMaster::new(p.beat_u64s, LOADER_MAX_BURSTS))
                .collect(),
            ctl: LoaderCtl::new(p),
            xbar: ColumnXbar::new(s, c),
            _p: np,
            _bu: p.beat_u64s,
            _c: c,
        }
    }
}

impl Logic for Loader {
    fn update(&mut self) {
        let bu = self._bu;
        let ctl = &mut self.ctl;
        ctl.clock.next = self.clock.val();
        ctl.reset.next = self.reset.val();
        ctl.load_start.next = self.load_start.val();
        ctl.load_base.next = self.load_base.val();
        ctl.load_u64s.next = self.load_u64s.val();
        ctl.load_beats.next = self.load_beats.val();
        for p in 0..self._p {
            let rm = &mut self.rm[p];
            rm.clock.next = self.clock.val();
            rm.reset.next = self.reset.val();
            rm.cmd_valid.next = ctl.cmd_valid[p].val();
            rm.cmd_addr.next = ctl.cmd_addr[p].val();
            rm.cmd_beats.next = ctl.cmd_beats.val();
            rm.arready.next = self.arready[p].val();
            rm.rresp.next = self.rresp[p].val();
            rm.rlast.next = self.rlast[p].val();
            rm.rvalid.next = self.rvalid[p].val();
            rm.data_ready.next = ctl.in_ready[p].val();
            for i in 0..bu {
                rm.rdata[i].next = self.rdata[p * bu + i].val();
                ctl.in_data[p * bu + i].next = rm.data[i].val();
            }
            ctl.load_addr[p].next = self.load_addr[p].val();
            ctl.cmd_ready[p].next = rm.cmd_ready.val();
            ctl.rm_err[p].next = rm.err.val();
            ctl.rm_busy[p].next = rm.busy.val();
            ctl.in_valid[p].next = rm.data_valid.val();
            self.araddr[p].next = rm.araddr.val();
            self.arlen[p].next = rm.arlen.val();
            self.arsize[p].next = rm.arsize.val();
            self.arburst[p].next = rm.arburst.val();
            self.arvalid[p].next = rm.arvalid.val();
            self.rready[p].next = rm.rready.val();
        }
        self.load_busy.next = ctl.load_busy.val();
        self.load_done.next = ctl.load_done.val();
        self.waiting.next = ctl.waiting.val();
        self.rd_bytes.next = ctl.rd_bytes.val();
        self.err.next = ctl.err.val();
        let x = &mut self.xbar;
        x.clock.next = self.clock.val();
        x.reset.next = self.reset.val();
        x.in_valid.next = ctl.sb_valid.val();
        x.in_col.next = ctl.sb_col.val();
        x.in_row.next = ctl.sb_row.val();
        for k in 0..ctl.sb_data.len() {
            x.in_ok[k].next = ctl.sb_ok[k].val();
            x.in_data[k].next = ctl.sb_data[k].val();
        }
        for c in 0..self._c {
            self.wr_en[c].next = x.wr_en[c].val();
            self.wr_addr[c].next = x.wr_addr[c].val();
            self.wr_data[c].next = x.wr_data[c].val();
        }
    }

    fn connect(&mut self) {
        let ctl = &mut self.ctl;
        ctl.clock.connect();
        ctl.reset.connect();
        ctl.load_start.connect();
        ctl.load_base.connect();
        ctl.load_u64s.connect();
        ctl.load_beats.connect();
        ctl.load_addr.iter_mut().for_each(|s| s.connect());
        ctl.cmd_ready.iter_mut().for_each(|s| s.connect());
        ctl.rm_err.iter_mut().for_each(|s| s.connect());
        ctl.rm_busy.iter_mut().for_each(|s| s.connect());
        ctl.in_valid.iter_mut().for_each(|s| s.connect());
        ctl.in_data.iter_mut().for_each(|s| s.connect());
        for rm in self.rm.iter_mut() {
            rm.clock.connect();
            rm.reset.connect();
            rm.cmd_valid.connect();
            rm.cmd_addr.connect();
            rm.cmd_beats.connect();
            rm.arready.connect();
            rm.rresp.connect();
            rm.rlast.connect();
            rm.rvalid.connect();
            rm.data_ready.connect();
            rm.rdata.iter_mut().for_each(|s| s.connect());
        }
        let x = &mut self.xbar;
        x.clock.connect();
        x.reset.connect();
        x.in_valid.connect();
        x.in_col.connect();
        x.in_row.connect();
        x.in_ok.iter_mut().for_each(|s| s.connect());
        x.in_data.iter_mut().for_each(|s| s.connect());
        for v in [&mut self.arvalid, &mut self.rready, &mut self.wr_en] {
            v.iter_mut().for_each(|s| s.connect());
        }
        self.araddr.iter_mut().for_each(|s| s.connect());
        self.arlen.iter_mut().for_each(|s| s.connect());
        self.arsize.iter_mut().for_each(|s| s.connect());
        self.arburst.iter_mut().for_each(|s| s.connect());
        self.wr_addr.iter_mut().for_each(|s| s.connect());
        self.wr_data.iter_mut().for_each(|s| s.connect());
        self.load_busy.connect();
        self.load_done.connect();
        self.waiting.connect();
        self.rd_bytes.connect();
        self.err.connect();
    }

    fn hdl(&self) -> Verilog {
        let (bu, s) = (self._bu, self._p * self._bu);
        let mut v = String::from("always @(*) begin\n");
        let w = &mut v;
        for n in [
            "clock",
            "reset",
            "load_start",
            "load_base",
            "load_u64s",
            "load_beats",
        ] {
            writeln!(w, "    ctl${n} = {n};").unwrap();
        }
        for p in 0..self._p {
            for n in ["clock", "reset"] {
                writeln!(w, "    rm${p}${n} = {n};").unwrap();
            }
            for (to, from) in [
                ("cmd_valid", format!("ctl$cmd_valid${p}")),
                ("cmd_addr", format!("ctl$cmd_addr${p}")),
                ("cmd_beats", "ctl$cmd_beats".to_string()),
                ("arready", format!("arready${p}")),
                ("rresp", format!("rresp${p}")),
                ("rlast", format!("rlast${p}")),
                ("rvalid", format!("rvalid${p}")),
                ("data_ready", format!("ctl$in_ready${p}")),
            ] {
                writeln!(w, "    rm${p}${to} = {from};").unwrap();
            }
            for i in 0..bu {
                writeln!(w, "    rm${p}$rdata${i} = rdata${};", p * bu + i).unwrap();
                writeln!(w, "    ctl$in_data${} = rm${p}$data${i};", p * bu + i).unwrap();
            }
            writeln!(w, "    ctl$load_addr${p} = load_addr${p};").unwrap();
            writeln!(w, "    ctl$cmd_ready${p} = rm${p}$cmd_ready;").unwrap();
            writeln!(w, "    ctl$rm_err${p} = rm${p}$err;").unwrap();
            writeln!(w, "    ctl$rm_busy${p} = rm${p}$busy;").unwrap();
            writeln!(w, "    ctl$in_valid${p} = rm${p}$data_valid;").unwrap();
            for n in ["araddr", "arlen", "arsize", "arburst", "arvalid", "rready"] {
                writeln!(w, "    {n}${p} = rm${p}${n};").unwrap();
            }
        }
        for n in ["load_busy", "load_done", "waiting", "rd_bytes", "err"] {
            writeln!(w, "    {n} = ctl${n};").unwrap();
        }
        for n in ["clock", "reset"] {
            writeln!(w, "    xbar${n} = {n};").unwrap();
        }
        writeln!(w, "    xbar$in_valid = ctl$sb_valid;").unwrap();
        writeln!(w, "    xbar$in_col = ctl$sb_col;").unwrap();
        writeln!(w, "    xbar$in_row = ctl$sb_row;").unwrap();
        for k in 0..s {
            writeln!(w, "    xbar$in_ok${k} = ctl$sb_ok${k};").unwrap();
            writeln!(w, "    xbar$in_data${k} = ctl$sb_data${k};").unwrap();
        }
        for c in 0..self._c {
            for n in ["wr_en", "wr_addr", "wr_data"] {
                writeln!(w, "    {n}${c} = xbar${n}${c};").unwrap();
            }
        }
        v.push_str("end\n");
        Verilog::Custom(v)
    }
}
