//! One lane: `TB` lookup tables, the pipelined adder tree, the accumulator memory.
//!
//! Negation is `x ^ {s}` plus a pending `+s`: every tree node adds its left child's pending
//! bit as the adder's carry-in and passes its right child's up, so the root leaves one bit
//! that the accumulate stage adds. This keeps the lookup to a LUTRAM read and an XOR (the
//! prototype measured ~495 LUTs per 28-table lane this way against 928 for `s ? -x : x`).
use crate::mem::LutRam;
use crate::tlmm::{tree_depth, ACC_BITS, MAX_LEVELS, RG_BITS};
use rust_hdl::prelude::*;

/// One adder-tree level: `n_in` `I`-bit terms, each with a pending carry bit →
/// `ceil(n_in/2)` registered `O`-bit sums (`O = I + 1`, exact), each with one pending bit.
///
/// A pending bit travels as a signed value of the level's width holding 0 or 1, so that it
/// enters the sum through `signed_bit_cast` like the terms (`#[hdl_gen]` cannot `bit_cast` a
/// loop-indexed signal; an unsigned operand in Verilog's signed sum would zero-extend the
/// others; a narrower one trips Verilator's WIDTH lint). Synthesis drops the constant-zero
/// upper bits of its registers.
#[derive(LogicBlock)]
pub struct TreeLevel<const I: usize, const O: usize> {
    pub clock: Signal<In, Clock>,
    pub a: Vec<Signal<In, Signed<I>>>,
    pub ci: Vec<Signal<In, Signed<I>>>,
    pub y: Vec<Signal<Out, Signed<O>>>,
    pub co: Vec<Signal<Out, Signed<O>>>,
    r: Vec<DFF<Signed<O>>>,
    c: Vec<DFF<Signed<O>>>,
    _pairs: usize,
    _n_out: usize,
}

impl<const I: usize, const O: usize> TreeLevel<I, O> {
    pub fn new(n_in: usize) -> Self {
        let n_out = n_in.div_ceil(2);
        Self {
            clock: Default::default(),
            a: (0..n_in).map(|_| Default::default()).collect(),
            ci: (0..n_in).map(|_| Default::default()).collect(),
            y: (0..n_out).map(|_| Default::default()).collect(),
            co: (0..n_out).map(|_| Default::default()).collect(),
            r: (0..n_out).map(|_| Default::default()).collect(),
            c: (0..n_out).map(|_| Default::default()).collect(),
            _pairs: n_in / 2,
            _n_out: n_out,
        }
    }
}

impl<const I: usize, const O: usize> Logic for TreeLevel<I, O> {
    #[hdl_gen]
    fn update(&mut self) {
        for i in 0..self._n_out {
            self.r[i].clock.next = self.clock.val();
            self.c[i].clock.next = self.clock.val();
            self.y[i].next = self.r[i].q.val();
            self.co[i].next = self.c[i].q.val();
        }
        for i in 0..self._pairs {
            self.r[i].d.next = signed_bit_cast::<O, I>(self.a[2 * i].val())
                + signed_bit_cast::<O, I>(self.a[2 * i + 1].val())
                + signed_bit_cast::<O, I>(self.ci[2 * i].val());
            self.c[i].d.next = signed_bit_cast::<O, I>(self.ci[2 * i + 1].val());
        }
        // The odd term: a registered pass-through (a 0- or 1-iteration loop acts as
        // generate-if on the run-time count).
        for i in self._pairs..self._n_out {
            self.r[i].d.next = signed_bit_cast::<O, I>(self.a[2 * i].val());
            self.c[i].d.next = signed_bit_cast::<O, I>(self.ci[2 * i].val());
        }
    }
}

/// The accumulator memory of one lane: `depth` rows of 24 bits in distributed RAM, addressed
/// by the low `ceil(log2 depth)` bits of the 12-bit row address (rows ≥ `depth` are never
/// issued). The `tlmm_lutram` leaf of `mem::LEAF_VERILOG`, instantiated with a run-time
/// address width (mem.rs's `LutRam` fixes it at compile time).
#[derive(LogicBlock)]
pub struct AccRam {
    pub clock: Signal<In, Clock>,
    pub we: Signal<In, Bit>,
    pub waddr: Signal<In, Bits<RG_BITS>>,
    pub wdata: Signal<In, Bits<ACC_BITS>>,
    pub raddr: Signal<In, Bits<RG_BITS>>,
    pub rdata: Signal<Out, Bits<ACC_BITS>>,
    _depth: usize,
    _aw: usize,
    _mem: Vec<Bits<ACC_BITS>>, // rust-hdl simulation model only
}

impl AccRam {
    pub fn new(depth: usize) -> Self {
        assert!((1..=1 << RG_BITS).contains(&depth));
        // At least two rows: a one-row array would want a zero-bit address.
        let depth = depth.max(2);
        let aw = (usize::BITS - (depth - 1).leading_zeros()) as usize;
        Self {
            clock: Default::default(),
            we: Default::default(),
            waddr: Default::default(),
            wdata: Default::default(),
            raddr: Default::default(),
            rdata: Default::default(),
            _depth: depth,
            _aw: aw,
            _mem: vec![Bits::default(); depth],
        }
    }

    fn row(&self, a: Bits<RG_BITS>) -> usize {
        a.index() & ((1 << self._aw) - 1)
    }
}

impl Logic for AccRam {
    fn update(&mut self) {
        if self.clock.pos_edge() && self.we.val() {
            let a = self.row(self.waddr.val());
            if a < self._depth {
                self._mem[a] = self.wdata.val();
            }
        }
        let a = self.row(self.raddr.val());
        self.rdata.next = if a < self._depth {
            self._mem[a]
        } else {
            Bits::default()
        };
    }
    fn connect(&mut self) {
        self.rdata.connect();
    }
    fn hdl(&self) -> Verilog {
        let aw = self._aw;
        let (wa, ra, unused) = if aw < RG_BITS {
            (
                format!("waddr[{}:0]", aw - 1),
                format!("raddr[{}:0]", aw - 1),
                // Verilator's unused-signal lint skips names containing "unused".
                format!(
                    "wire unused_hi = &{{1'b0, waddr[{h}:{aw}], raddr[{h}:{aw}]}};\n",
                    h = RG_BITS - 1
                ),
            )
        } else {
            ("waddr".into(), "raddr".into(), String::new())
        };
        Verilog::Wrapper(Wrapper {
            code: format!(
                "{unused}tlmm_lutram #(.DEPTH({}), .AW({aw}), .DW({ACC_BITS})) u_leaf(.clk(clock), \
                 .we(we), .waddr({wa}), .wdata(wdata), .raddr({ra}), .rdata(rdata));",
                self._depth
            ),
            cores: String::new(),
        })
    }
}

/// One lane: `tables` lookups of one output row per cycle, summed and accumulated.
///
/// Inputs are already aligned and decoded by the engine: per table the read address
/// `{bank, mag}`, the sign as a 10-bit mask (plain wiring of the index's bit 4: selecting
/// `~x` or `x` here made Verilator's model branch on random data) and as a bit, and the
/// table write port, all in the lookup cycle; `acc_raddr` one cycle before the tree's sum;
/// `acc_we`/`acc_waddr`/`acc_clear`/`out_load` in the sum's cycle. `out_acc` changes only on
/// `out_load`.
#[derive(LogicBlock)]
pub struct Lane {
    pub clock: Signal<In, Clock>,
    /// `{bank, |v|}` of each table's index.
    pub taddr: Vec<Signal<In, Bits<5>>>,
    /// All ones when the index is negative (its bit 4), else zero.
    pub tmask: Vec<Signal<In, Bits<10>>>,
    /// The index is negative (its bit 4).
    pub tsign: Vec<Signal<In, Bit>>,
    pub tbl_we: Signal<In, Bit>,
    pub tbl_waddr: Signal<In, Bits<5>>,
    pub tbl_wdata: Vec<Signal<In, Bits<10>>>,
    pub acc_raddr: Signal<In, Bits<RG_BITS>>,
    pub acc_we: Signal<In, Bit>,
    pub acc_waddr: Signal<In, Bits<RG_BITS>>,
    pub acc_clear: Signal<In, Bit>,
    pub out_load: Signal<In, Bit>,
    pub out_acc: Signal<Out, Signed<ACC_BITS>>,
    tbl: Vec<LutRam<5, 10>>,
    l1: TreeLevel<10, 11>,
    l2: TreeLevel<11, 12>,
    l3: TreeLevel<12, 13>,
    l4: TreeLevel<13, 14>,
    l5: TreeLevel<14, 15>,
    l6: TreeLevel<15, 16>,
    l7: TreeLevel<16, 17>,
    sum: Signal<Local, Signed<ACC_BITS>>,
    carry: Signal<Local, Signed<ACC_BITS>>,
    base: Signal<Local, Signed<ACC_BITS>>,
    next: Signal<Local, Signed<ACC_BITS>>,
    acc: AccRam,
    rd: DFF<Signed<ACC_BITS>>,
    outr: DFF<Signed<ACC_BITS>>,
    zero: Constant<Signed<ACC_BITS>>,
    zero10: Constant<Signed<10>>,
    one10: Constant<Signed<10>>,
    _tables: usize,
    /// `_last[d] == 1` iff the tree has `d` levels: 0/1-iteration loops pick the root.
    _last: [usize; MAX_LEVELS + 1],
}

impl Lane {
    pub fn new(tables: usize, acc_depth: usize) -> Self {
        assert!((1..=1 << MAX_LEVELS).contains(&tables));
        let depth = tree_depth(tables);
        // Inputs of level k (1-based); 0 for levels past the root.
        let mut sizes = [0usize; MAX_LEVELS + 1];
        let mut n = tables;
        for (k, s) in sizes.iter_mut().enumerate().skip(1) {
            if k <= depth {
                *s = n;
                n = n.div_ceil(2);
            }
        }
        let mut last = [0usize; MAX_LEVELS + 1];
        last[depth] = 1;
        Self {
            clock: Default::default(),
            taddr: (0..tables).map(|_| Default::default()).collect(),
            tmask: (0..tables).map(|_| Default::default()).collect(),
            tsign: (0..tables).map(|_| Default::default()).collect(),
            tbl_we: Default::default(),
            tbl_waddr: Default::default(),
            tbl_wdata: (0..tables).map(|_| Default::default()).collect(),
            acc_raddr: Default::default(),
            acc_we: Default::default(),
            acc_waddr: Default::default(),
            acc_clear: Default::default(),
            out_load: Default::default(),
            out_acc: Default::default(),
            tbl: (0..tables).map(|_| LutRam::new(32)).collect(),
            l1: TreeLevel::new(sizes[1]),
            l2: TreeLevel::new(sizes[2]),
            l3: TreeLevel::new(sizes[3]),
            l4: TreeLevel::new(sizes[4]),
            l5: TreeLevel::new(sizes[5]),
            l6: TreeLevel::new(sizes[6]),
            l7: TreeLevel::new(sizes[7]),
            sum: Default::default(),
            carry: Default::default(),
            base: Default::default(),
            next: Default::default(),
            acc: AccRam::new(acc_depth),
            rd: Default::default(),
            outr: Default::default(),
            zero: Constant::new(Signed::default()),
            zero10: Constant::new(Signed::default()),
            one10: Constant::new(1i64.into()),
            _tables: tables,
            _last: last,
        }
    }
}

impl Logic for Lane {
    #[hdl_gen]
    fn update(&mut self) {
        // Tables (address {bank, mag}) and the conditional negation `(x ^ s) + s`: the XOR
        // here, the `+ s` as a pending carry through the tree.
        for t in 0..self._tables {
            self.tbl[t].clock.next = self.clock.val();
            self.tbl[t].we.next = self.tbl_we.val();
            self.tbl[t].waddr.next = self.tbl_waddr.val();
            self.tbl[t].wdata.next = self.tbl_wdata[t].val();
            self.tbl[t].raddr.next = self.taddr[t].val();
            self.l1.a[t].next = signed_cast(self.tbl[t].rdata.val() ^ self.tmask[t].val());
            self.l1.ci[t].next = self.zero10.val();
            if self.tsign[t].val() {
                self.l1.ci[t].next = self.one10.val();
            }
        }
        // Tree wiring: level k → level k+1 (sizes are run-time; empty levels have no ports).
        self.l1.clock.next = self.clock.val();
        self.l2.clock.next = self.clock.val();
        self.l3.clock.next = self.clock.val();
        self.l4.clock.next = self.clock.val();
        self.l5.clock.next = self.clock.val();
        self.l6.clock.next = self.clock.val();
        self.l7.clock.next = self.clock.val();
        for i in 0..self.l2.a.len() {
            self.l2.a[i].next = self.l1.y[i].val();
            self.l2.ci[i].next = self.l1.co[i].val();
        }
        for i in 0..self.l3.a.len() {
            self.l3.a[i].next = self.l2.y[i].val();
            self.l3.ci[i].next = self.l2.co[i].val();
        }
        for i in 0..self.l4.a.len() {
            self.l4.a[i].next = self.l3.y[i].val();
            self.l4.ci[i].next = self.l3.co[i].val();
        }
        for i in 0..self.l5.a.len() {
            self.l5.a[i].next = self.l4.y[i].val();
            self.l5.ci[i].next = self.l4.co[i].val();
        }
        for i in 0..self.l6.a.len() {
            self.l6.a[i].next = self.l5.y[i].val();
            self.l6.ci[i].next = self.l5.co[i].val();
        }
        for i in 0..self.l7.a.len() {
            self.l7.a[i].next = self.l6.y[i].val();
            self.l7.ci[i].next = self.l6.co[i].val();
        }
        // The root, sign-extended to the accumulator width, and its pending bit.
        self.sum.next = self.zero.val();
        self.carry.next = self.zero.val();
        for _k in 0..self._last[1] {
            self.sum.next = signed_bit_cast::<24, 11>(self.l1.y[0].val());
            self.carry.next = signed_bit_cast::<24, 11>(self.l1.co[0].val());
        }
        for _k in 0..self._last[2] {
            self.sum.next = signed_bit_cast::<24, 12>(self.l2.y[0].val());
            self.carry.next = signed_bit_cast::<24, 12>(self.l2.co[0].val());
        }
        for _k in 0..self._last[3] {
            self.sum.next = signed_bit_cast::<24, 13>(self.l3.y[0].val());
            self.carry.next = signed_bit_cast::<24, 13>(self.l3.co[0].val());
        }
        for _k in 0..self._last[4] {
            self.sum.next = signed_bit_cast::<24, 14>(self.l4.y[0].val());
            self.carry.next = signed_bit_cast::<24, 14>(self.l4.co[0].val());
        }
        for _k in 0..self._last[5] {
            self.sum.next = signed_bit_cast::<24, 15>(self.l5.y[0].val());
            self.carry.next = signed_bit_cast::<24, 15>(self.l5.co[0].val());
        }
        for _k in 0..self._last[6] {
            self.sum.next = signed_bit_cast::<24, 16>(self.l6.y[0].val());
            self.carry.next = signed_bit_cast::<24, 16>(self.l6.co[0].val());
        }
        for _k in 0..self._last[7] {
            self.sum.next = signed_bit_cast::<24, 17>(self.l7.y[0].val());
            self.carry.next = signed_bit_cast::<24, 17>(self.l7.co[0].val());
        }
        // Accumulate: registered read one cycle early, add, write back in the sum's cycle.
        self.acc.clock.next = self.clock.val();
        self.acc.raddr.next = self.acc_raddr.val();
        self.acc.we.next = self.acc_we.val();
        self.acc.waddr.next = self.acc_waddr.val();
        self.rd.clock.next = self.clock.val();
        self.rd.d.next = signed_cast(self.acc.rdata.val());
        self.base.next = self.rd.q.val();
        if self.acc_clear.val() {
            self.base.next = self.zero.val();
        }
        self.next.next = self.base.val() + self.sum.val() + self.carry.val();
        self.acc.wdata.next = unsigned_cast(self.next.val());
        self.outr.clock.next = self.clock.val();
        self.outr.d.next = self.outr.q.val();
        if self.out_load.val() {
            self.outr.d.next = self.next.val();
        }
        self.out_acc.next = self.outr.q.val();
    }
}
