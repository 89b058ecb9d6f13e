//! The shared table builder: one three-term adder per table, broadcast to every lane's copy.
//!
//! Entry `m` of a table is `t0·a0 + t1·a1 + t2·a2` with the trits of `m`. The trits are the
//! same for every table in a cycle, so the selection is done with masks shared by all tables:
//! `t·a = (a ^ N) & E + n` (`E` all ones when `t ≠ 0`, `N` all ones and `n = 1` when
//! `t = −1`). For `m ≤ 13`, `t2` is never −1, so an entry is three masked terms plus the
//! bits `n0` and `n1`. The five trit flags are registered (decoded from the next `cnt`):
//! decoded combinationally from `cnt`, synthesis folds the decoder into every adder bit
//! (Yosys 0.23, 28 tables: ~1,430 LUTs instead of ~2,300).
use crate::tlmm::{BUILD_CYCLES, BUILD_WRITE_DELAY};
use rust_hdl::prelude::*;
use tellme_model::ternary;

/// On `start` (issue cycle `p`) latches `act` (`3·TB` int8) and `bank`; then writes entry
/// `m = Σ_i trit_i(m)·a_i` (balanced-ternary digits of `m`, `ternary::magnitude_trits`) of
/// every table to address `{bank, m}` in cycle `p + BUILD_WRITE_DELAY + m`, m = 0..=13. The
/// write port (`we`, `waddr`, `wdata[TB]`) is registered.
///
/// The activations are held from `p` to the last entry's computation in cycle
/// `p + BUILD_WRITE_DELAY + 12`, which the next `start` (≥ `p + BUILD_CYCLES`) may not
/// overwrite before.
#[derive(LogicBlock)]
pub struct TableBuilder {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub start: Signal<In, Bit>,
    pub bank: Signal<In, Bit>,
    /// `3·TB` activations, already sign-extended to 10 bits (by the engine's wiring).
    pub act: Vec<Signal<In, Bits<10>>>,
    pub we: Signal<Out, Bit>,
    pub waddr: Signal<Out, Bits<5>>,
    pub wdata: Vec<Signal<Out, Bits<10>>>,
    /// `start` / `bank` delayed by `BUILD_WRITE_DELAY − 1` (the write register adds the last one).
    dls: Vec<DFF<Bit>>,
    dlb: Vec<DFF<Bit>>,
    sd: Signal<Local, Bit>,
    sb: Signal<Local, Bit>,
    /// `sd` of the next cycle.
    sd_next: Signal<Local, Bit>,
    act_r: Vec<DFF<Bits<10>>>,
    /// The trit flags of the magnitude `cnt`: trit 0/1 is −1 (`fn*`), trit 0/1/2 is nonzero
    /// (`fe*`).
    fn0: DFF<Bit>,
    fn1: DFF<Bit>,
    fe0: DFF<Bit>,
    fe1: DFF<Bit>,
    fe2: DFF<Bit>,
    /// The masks and carries made from them (see the module docs).
    n0: Signal<Local, Bits<10>>,
    e0: Signal<Local, Bits<10>>,
    n1: Signal<Local, Bits<10>>,
    e1: Signal<Local, Bits<10>>,
    e2: Signal<Local, Bits<10>>,
    k0: Signal<Local, Bits<10>>,
    k1: Signal<Local, Bits<10>>,
    busy: DFF<Bit>,
    cnt: DFF<Bits<5>>,
    bank_r: DFF<Bit>,
    we_r: DFF<Bit>,
    waddr_r: DFF<Bits<5>>,
    wdata_r: Vec<DFF<Bits<10>>>,
    /// Bit `m` set: trit `i` of magnitude `m` is nonzero (`nz*`) / −1 (`neg*`).
    nz0: Constant<Bits<32>>,
    nz1: Constant<Bits<32>>,
    nz2: Constant<Bits<32>>,
    neg0: Constant<Bits<32>>,
    neg1: Constant<Bits<32>>,
    one: Constant<Bits<10>>,
    ones: Constant<Bits<10>>,
    zero: Constant<Bits<10>>,
    one5: Constant<Bits<5>>,
    last_m: Constant<Bits<5>>,
    bank_bit: Constant<Bits<5>>,
    zero5: Constant<Bits<5>>,
    _tables: usize,
    _acts: usize,
    _dl: usize,
    _dl_first: usize,
    _dl_tap: usize,
}

/// Bit mask of the magnitudes whose trit `i` satisfies `f`.
fn trit_mask(i: usize, f: impl Fn(i8) -> bool) -> Bits<32> {
    let mut m = 0u64;
    for mag in 0..BUILD_CYCLES as u8 {
        if f(ternary::magnitude_trits(mag)[i]) {
            m |= 1 << mag;
        }
    }
    m.into()
}

pub(crate) fn vec_of<T: Default>(n: usize) -> Vec<T> {
    (0..n).map(|_| T::default()).collect()
}

impl TableBuilder {
    pub fn new(tables: usize) -> Self {
        assert_eq!(BUILD_CYCLES, ternary::MAX_MAG as usize + 1);
        // Entry 0 is written as a constant zero in the start cycle; so must its trits be.
        assert_eq!(ternary::magnitude_trits(0), [0, 0, 0]);
        // The last trit of a magnitude is never −1 (one carry-in per adder suffices).
        assert_eq!(trit_mask(2, |t| t < 0), Bits::<32>::default());
        let acts = 3 * tables;
        let dl = BUILD_WRITE_DELAY - 1;
        // The trit flags are zeroed a cycle ahead of the start cycle: that needs the delay.
        assert!(dl >= 1);
        Self {
            clock: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            bank: Default::default(),
            act: vec_of(acts),
            we: Default::default(),
            waddr: Default::default(),
            wdata: vec_of(tables),
            dls: vec_of(dl),
            dlb: vec_of(dl),
            sd: Default::default(),
            sb: Default::default(),
            sd_next: Default::default(),
            act_r: vec_of(acts),
            fn0: Default::default(),
            fn1: Default::default(),
            fe0: Default::default(),
            fe1: Default::default(),
            fe2: Default::default(),
            n0: Default::default(),
            e0: Default::default(),
            n1: Default::default(),
            e1: Default::default(),
            e2: Default::default(),
            k0: Default::default(),
            k1: Default::default(),
            busy: Default::default(),
            cnt: Default::default(),
            bank_r: Default::default(),
            we_r: Default::default(),
            waddr_r: Default::default(),
            wdata_r: vec_of(tables),
            nz0: Constant::new(trit_mask(0, |t| t != 0)),
            nz1: Constant::new(trit_mask(1, |t| t != 0)),
            nz2: Constant::new(trit_mask(2, |t| t != 0)),
            neg0: Constant::new(trit_mask(0, |t| t < 0)),
            neg1: Constant::new(trit_mask(1, |t| t < 0)),
            one: Constant::new(1u64.into()),
            ones: Constant::new(0x3ffu64.into()),
            zero: Constant::new(0u64.into()),
            one5: Constant::new(1u64.into()),
            last_m: Constant::new((BUILD_CYCLES as u64 - 1).into()),
            bank_bit: Constant::new(16u64.into()),
            zero5: Constant::new(0u64.into()),
            _tables: tables,
            _acts: acts,
            _dl: dl,
            _dl_first: dl.min(1),
            _dl_tap: dl.saturating_sub(1),
        }
    }
}

impl Logic for TableBuilder {
    #[hdl_gen]
    fn update(&mut self) {
        // The start delay line (empty when BUILD_WRITE_DELAY = 1).
        for k in 0..self._dl {
            self.dls[k].clock.next = self.clock.val();
            self.dlb[k].clock.next = self.clock.val();
        }
        for k in 0..self._dl_first {
            self.dls[k].d.next = self.start.val() & !self.reset.val();
            self.dlb[k].d.next = self.bank.val();
        }
        for k in 1..self._dl {
            self.dls[k].d.next = self.dls[k - 1].q.val() & !self.reset.val();
            self.dlb[k].d.next = self.dlb[k - 1].q.val();
        }
        self.sd.next = self.start.val();
        self.sb.next = self.bank.val();
        self.sd_next.next = false;
        for k in self._dl_tap..self._dl {
            self.sd.next = self.dls[k].q.val();
            self.sb.next = self.dlb[k].q.val();
            self.sd_next.next = self.dls[k].d.val();
        }
        // Latched activations.
        for k in 0..self._acts {
            self.act_r[k].clock.next = self.clock.val();
            self.act_r[k].d.next = self.act_r[k].q.val();
            if self.start.val() {
                self.act_r[k].d.next = self.act[k].val();
            }
        }
        // The trits of magnitude `cnt` as masks and carries (all zero in the start cycle, so
        // the adders make entry 0 = 0).
        self.n0.next = self.zero.val();
        self.k0.next = self.zero.val();
        if self.fn0.q.val() {
            self.n0.next = self.ones.val();
            self.k0.next = self.one.val();
        }
        self.n1.next = self.zero.val();
        self.k1.next = self.zero.val();
        if self.fn1.q.val() {
            self.n1.next = self.ones.val();
            self.k1.next = self.one.val();
        }
        self.e0.next = self.zero.val();
        if self.fe0.q.val() {
            self.e0.next = self.ones.val();
        }
        self.e1.next = self.zero.val();
        if self.fe1.q.val() {
            self.e1.next = self.ones.val();
        }
        self.e2.next = self.zero.val();
        if self.fe2.q.val() {
            self.e2.next = self.ones.val();
        }
        // Sequencer: the start cycle queues entry 0; each busy cycle queues entry `cnt` =
        // 1..=13.
        self.busy.clock.next = self.clock.val();
        self.cnt.clock.next = self.clock.val();
        self.bank_r.clock.next = self.clock.val();
        self.we_r.clock.next = self.clock.val();
        self.waddr_r.clock.next = self.clock.val();
        // The entry registers load every cycle (they matter only while `we` is high).
        for j in 0..self._tables {
            self.wdata_r[j].clock.next = self.clock.val();
            self.wdata_r[j].d.next = ((self.act_r[3 * j].q.val() ^ self.n0.val()) & self.e0.val())
                + ((self.act_r[3 * j + 1].q.val() ^ self.n1.val()) & self.e1.val())
                + self.k0.val()
                + (self.act_r[3 * j + 2].q.val() & self.e2.val())
                + self.k1.val();
        }
        self.busy.d.next = self.busy.q.val();
        self.cnt.d.next = self.cnt.q.val();
        self.bank_r.d.next = self.bank_r.q.val();
        self.we_r.d.next = false;
        self.waddr_r.d.next = self.waddr_r.q.val();
        if self.busy.q.val() {
            self.we_r.d.next = true;
            self.waddr_r.d.next = self.cnt.q.val();
            if self.bank_r.q.val() {
                self.waddr_r.d.next = self.cnt.q.val() | self.bank_bit.val();
            }
            self.cnt.d.next = self.cnt.q.val() + self.one5.val();
            if self.cnt.q.val() == self.last_m.val() {
                self.busy.d.next = false;
            }
        }
        if self.sd.val() {
            self.we_r.d.next = true;
            self.waddr_r.d.next = self.zero5.val();
            if self.sb.val() {
                self.waddr_r.d.next = self.bank_bit.val();
            }
            self.cnt.d.next = self.one5.val();
            self.busy.d.next = true;
            self.bank_r.d.next = self.sb.val();
        }
        if self.reset.val() {
            self.we_r.d.next = false;
            self.busy.d.next = false;
        }
        // The trit flags follow `cnt` (decoded from its next value), zero for a start cycle.
        self.fn0.clock.next = self.clock.val();
        self.fn1.clock.next = self.clock.val();
        self.fe0.clock.next = self.clock.val();
        self.fe1.clock.next = self.clock.val();
        self.fe2.clock.next = self.clock.val();
        self.fn0.d.next = self.neg0.val().get_bit(self.cnt.d.val().index()) & !self.sd_next.val();
        self.fn1.d.next = self.neg1.val().get_bit(self.cnt.d.val().index()) & !self.sd_next.val();
        self.fe0.d.next = self.nz0.val().get_bit(self.cnt.d.val().index()) & !self.sd_next.val();
        self.fe1.d.next = self.nz1.val().get_bit(self.cnt.d.val().index()) & !self.sd_next.val();
        self.fe2.d.next = self.nz2.val().get_bit(self.cnt.d.val().index()) & !self.sd_next.val();
        self.we.next = self.we_r.q.val();
        self.waddr.next = self.waddr_r.q.val();
        for j in 0..self._tables {
            self.wdata[j].next = self.wdata_r[j].q.val();
        }
    }
}
