//! The op pipeline shared by every lane: `op_*` delayed to the lookup, accumulate and output
//! stages, and the output registers for `out_valid` / `out_rg` / `out_tag`.
use crate::tlmm::table_build::vec_of;
use crate::tlmm::{tree_depth, LOOKUP_DELAY, RG_BITS, TAG_BITS};
use rust_hdl::prelude::*;

/// Delay lines for the op fields. Stage `k` (register `k − 1`) holds the fields of the op
/// issued `k` cycles ago; `S = LOOKUP_DELAY + tree_depth` stages in all.
#[derive(LogicBlock)]
pub struct OpPipe {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub op_valid: Signal<In, Bit>,
    pub op_bank: Signal<In, Bit>,
    pub op_rg: Signal<In, Bits<RG_BITS>>,
    pub op_clear: Signal<In, Bit>,
    pub op_last: Signal<In, Bit>,
    pub op_tag: Signal<In, Bits<TAG_BITS>>,
    /// Table bank of the op being looked up now (stage `LOOKUP_DELAY`).
    pub lk_bank: Signal<Out, Bit>,
    /// Accumulator row to read (stage `S − 1`).
    pub acc_raddr: Signal<Out, Bits<RG_BITS>>,
    /// Accumulate stage (stage `S`): write enable, row, clear, and "this sum is emitted".
    pub acc_we: Signal<Out, Bit>,
    pub acc_waddr: Signal<Out, Bits<RG_BITS>>,
    pub acc_clear: Signal<Out, Bit>,
    pub out_load: Signal<Out, Bit>,
    pub out_valid: Signal<Out, Bit>,
    pub out_rg: Signal<Out, Bits<RG_BITS>>,
    pub out_tag: Signal<Out, Bits<TAG_BITS>>,
    v: Vec<DFF<Bit>>,
    rg: Vec<DFF<Bits<RG_BITS>>>,
    clear: Vec<DFF<Bit>>,
    last: Vec<DFF<Bit>>,
    tag: Vec<DFF<Bits<TAG_BITS>>>,
    bank: Vec<DFF<Bit>>,
    ld: Signal<Local, Bit>,
    ov: DFF<Bit>,
    org: DFF<Bits<RG_BITS>>,
    otag: DFF<Bits<TAG_BITS>>,
    /// Stages in all, lookup stage, read stage (all ≥ 1).
    _s: usize,
    _w: usize,
    _rd: usize,
}

impl OpPipe {
    pub fn new(tables: usize) -> Self {
        let s = LOOKUP_DELAY + tree_depth(tables);
        Self {
            clock: Default::default(),
            reset: Default::default(),
            op_valid: Default::default(),
            op_bank: Default::default(),
            op_rg: Default::default(),
            op_clear: Default::default(),
            op_last: Default::default(),
            op_tag: Default::default(),
            lk_bank: Default::default(),
            acc_raddr: Default::default(),
            acc_we: Default::default(),
            acc_waddr: Default::default(),
            acc_clear: Default::default(),
            out_load: Default::default(),
            out_valid: Default::default(),
            out_rg: Default::default(),
            out_tag: Default::default(),
            v: vec_of(s),
            rg: vec_of(s),
            clear: vec_of(s),
            last: vec_of(s),
            tag: vec_of(s),
            bank: vec_of(LOOKUP_DELAY),
            ld: Default::default(),
            ov: Default::default(),
            org: Default::default(),
            otag: Default::default(),
            _s: s,
            _w: LOOKUP_DELAY,
            _rd: s - 1,
        }
    }
}

impl Logic for OpPipe {
    #[hdl_gen]
    fn update(&mut self) {
        for k in 0..self._s {
            self.v[k].clock.next = self.clock.val();
            self.rg[k].clock.next = self.clock.val();
            self.clear[k].clock.next = self.clock.val();
            self.last[k].clock.next = self.clock.val();
            self.tag[k].clock.next = self.clock.val();
        }
        for k in 0..self._w {
            self.bank[k].clock.next = self.clock.val();
        }
        self.v[0].d.next = self.op_valid.val();
        self.rg[0].d.next = self.op_rg.val();
        self.clear[0].d.next = self.op_clear.val();
        self.last[0].d.next = self.op_last.val();
        self.tag[0].d.next = self.op_tag.val();
        self.bank[0].d.next = self.op_bank.val();
        for k in 1..self._s {
            self.v[k].d.next = self.v[k - 1].q.val();
            self.rg[k].d.next = self.rg[k - 1].q.val();
            self.clear[k].d.next = self.clear[k - 1].q.val();
            self.last[k].d.next = self.last[k - 1].q.val();
            self.tag[k].d.next = self.tag[k - 1].q.val();
        }
        for k in 1..self._w {
            self.bank[k].d.next = self.bank[k - 1].q.val();
        }
        if self.reset.val() {
            for k in 0..self._s {
                self.v[k].d.next = false;
            }
        }
        // Taps (1-iteration loops: the stage numbers are run-time).
        self.lk_bank.next = false;
        for k in (self._w - 1)..self._w {
            self.lk_bank.next = self.bank[k].q.val();
        }
        self.acc_raddr.next = self.rg[0].q.val();
        for k in (self._rd - 1)..self._rd {
            self.acc_raddr.next = self.rg[k].q.val();
        }
        self.acc_we.next = false;
        self.acc_waddr.next = self.rg[0].q.val();
        self.acc_clear.next = false;
        self.ld.next = false;
        for k in (self._s - 1)..self._s {
            self.acc_we.next = self.v[k].q.val();
            self.acc_waddr.next = self.rg[k].q.val();
            self.acc_clear.next = self.clear[k].q.val();
            self.ld.next = self.v[k].q.val() & self.last[k].q.val();
        }
        self.out_load.next = self.ld.val();
        // Output registers: valid one cycle after the accumulate stage, with the lanes' sums.
        self.ov.clock.next = self.clock.val();
        self.org.clock.next = self.clock.val();
        self.otag.clock.next = self.clock.val();
        self.ov.d.next = self.ld.val() & !self.reset.val();
        self.org.d.next = self.org.q.val();
        self.otag.d.next = self.otag.q.val();
        for k in (self._s - 1)..self._s {
            if self.ld.val() {
                self.org.d.next = self.rg[k].q.val();
                self.otag.d.next = self.tag[k].q.val();
            }
        }
        self.out_valid.next = self.ov.q.val();
        self.out_rg.next = self.org.q.val();
        self.out_tag.next = self.otag.q.val();
    }
}
