//! The output writer: a FIFO of dequantised row groups, written to DDR over AXI4 (`m_act_`
//! AW/W/B).
//!
//! Row group `rg` of token `tag` (`L` values, `L·4` bytes = `BPE` beats) goes to
//! `y_addr + tag·y_stride + (tile_row0 + rg·L)·4`, in INCR bursts of at most 16 beats that never
//! cross a 4 KB boundary. `tile_row0` is sampled with `in_valid`.
//!
//! - **FIFO**: `acc_depth` slots. Each slot's `L` values sit in `L/2` 64-bit LUTRAMs (written on arrival);
//!   (two lanes per 64-bit word); its address is computed in [`UMUL_LATENCY`] cycles (two products on DSPs) and written to an
//!   address LUTRAM, which makes the slot visible to the AW side.
//! - **AW side**: takes visible slots in order, cuts them into bursts, pushes each burst's length
//!   into a 4-deep queue for the W side. Up to 48 bursts may await their B response.
//! - **W side**: a registered beat (`wdata`, `wlast`) per cycle while bursts are queued; a slot is
//!   free once its last beat is in the W register.
//! - `fifo_free = acc_depth − max(occupied, reserved)`: `claim` (one pulse per row group the
//!   controller has *issued*, e.g. `op_valid & op_last`) reserves a slot at issue time, so a
//!   controller that waits for `fifo_free ≥ TRG` before a last-block step never overflows the FIFO
//!   even with results still inside the engine. Without `claim` (tied low) `fifo_free` counts the
//!   occupied slots only.
//! - `idle`: nothing stored, nothing in flight, every B response received. `wr_bytes` counts the
//!   bytes of accepted W beats; `err` (sticky until `clear` or `reset`) on BRESP ≠ OKAY, on an
//!   arrival into a full FIFO (dropped), or on an address that is not beat-aligned (written
//!   aligned down).
use super::arith::{Join32, UMul, UMUL_LATENCY};
use super::{QuantGeom, ADDR_BITS, COUNT_BITS, TAG_BITS};
use crate::mem::LutRam;
use rust_hdl::prelude::*;
use tellme_config::Config;

/// Bursts the AW side may run ahead of the W side.
pub const WQ_DEPTH: usize = 4;
/// Bursts that may await their B response.
pub const MAX_OUTSTANDING: usize = 48;
/// Cycles from `in_valid` until the row group is visible to the AW side.
pub const WRITER_IN_LATENCY: usize = UMUL_LATENCY;

#[derive(LogicBlock)]
pub struct OutputWriter {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// Pulse at the start of a job: clears `wr_bytes` and `err`.
    pub clear: Signal<In, Bit>,
    pub y_addr: Signal<In, Bits<ADDR_BITS>>,
    pub y_stride: Signal<In, Bits<32>>,
    pub tile_row0: Signal<In, Bits<32>>,
    // Row groups from the Dequantizer.
    pub in_valid: Signal<In, Bit>,
    pub in_rg: Signal<In, Bits<TAG_BITS>>,
    pub in_tag: Signal<In, Bits<TAG_BITS>>,
    pub in_y: Vec<Signal<In, Bits<32>>>,
    /// One pulse per row group issued to the engine (reserves a FIFO slot).
    pub claim: Signal<In, Bit>,
    // AXI4 write address.
    pub awaddr: Signal<Out, Bits<ADDR_BITS>>,
    pub awlen: Signal<Out, Bits<8>>,
    pub awsize: Signal<Out, Bits<3>>,
    pub awburst: Signal<Out, Bits<2>>,
    pub awvalid: Signal<Out, Bit>,
    pub awready: Signal<In, Bit>,
    // AXI4 write data: `BU` words of 64 bits, strobes per word.
    pub wdata: Vec<Signal<Out, Bits<64>>>,
    pub wstrb: Vec<Signal<Out, Bits<8>>>,
    pub wlast: Signal<Out, Bit>,
    pub wvalid: Signal<Out, Bit>,
    pub wready: Signal<In, Bit>,
    // AXI4 write response.
    pub bresp: Signal<In, Bits<2>>,
    pub bvalid: Signal<In, Bit>,
    pub bready: Signal<Out, Bit>,
    // Status.
    pub fifo_free: Signal<Out, Bits<COUNT_BITS>>,
    pub idle: Signal<Out, Bit>,
    pub wr_bytes: Signal<Out, Bits<32>>,
    pub err: Signal<Out, Bit>,

    join: Vec<Join32>,
    data_ram: Vec<LutRam<TAG_BITS, 64>>,
    addr_ram: LutRam<TAG_BITS, ADDR_BITS>,
    m_tag: UMul<TAG_BITS, 32, ADDR_BITS>,
    m_rg: UMul<TAG_BITS, 16, 32>,
    s1_v: DFF<Bit>,
    s2_v: DFF<Bit>,
    s1_slot: DFF<Bits<TAG_BITS>>,
    s2_slot: DFF<Bits<TAG_BITS>>,
    s1_r0: DFF<Bits<ADDR_BITS>>,
    s2_r0: DFF<Bits<ADDR_BITS>>,
    wp: DFF<Bits<TAG_BITS>>,
    occ: DFF<Bits<COUNT_BITS>>,
    resv: DFF<Bits<COUNT_BITS>>,
    vis: DFF<Bits<COUNT_BITS>>,
    ap: DFF<Bits<TAG_BITS>>,
    aw_busy: DFF<Bit>,
    aw_addr: DFF<Bits<ADDR_BITS>>,
    aw_bl: DFF<Bits<16>>,
    awvalid_r: DFF<Bit>,
    awaddr_r: DFF<Bits<ADDR_BITS>>,
    awlen_r: DFF<Bits<8>>,
    wq: Vec<DFF<Bits<5>>>,
    wq_head: DFF<Bits<2>>,
    wq_tail: DFF<Bits<2>>,
    wq_cnt: DFF<Bits<3>>,
    rp: DFF<Bits<TAG_BITS>>,
    w_beat: DFF<Bits<16>>,
    w_left: DFF<Bits<5>>,
    wvalid_r: DFF<Bit>,
    wlast_r: DFF<Bit>,
    wdata_r: Vec<DFF<Bits<64>>>,
    ob: DFF<Bits<6>>,
    err_r: DFF<Bit>,
    bytes_r: DFF<Bits<32>>,
    // Combinational.
    arrive: Signal<Local, Bit>,
    s2_addr: Signal<Local, Bits<ADDR_BITS>>,
    aw_hs: Signal<Local, Bit>,
    aw_load: Signal<Local, Bit>,
    aw_issue: Signal<Local, Bit>,
    pgb: Signal<Local, Bits<16>>,
    len1: Signal<Local, Bits<16>>,
    blen: Signal<Local, Bits<16>>,
    blen_m1: Signal<Local, Bits<8>>,
    pg13: Signal<Local, Bits<13>>,
    pgs13: Signal<Local, Bits<13>>,
    wq_top: Signal<Local, Bits<5>>,
    w_take: Signal<Local, Bit>,
    w_pop: Signal<Local, Bit>,
    free: Signal<Local, Bit>,
    b_hs: Signal<Local, Bit>,
    // Constants.
    c_depth: Constant<Bits<COUNT_BITS>>,
    c_dm1: Constant<Bits<TAG_BITS>>,
    c_l4: Constant<Bits<16>>,
    c_bpe: Constant<Bits<16>>,
    c_bpe_m1: Constant<Bits<16>>,
    c_beat_idx: Vec<Constant<Bits<16>>>,
    c_16: Constant<Bits<16>>,
    c_4096: Constant<Bits<13>>,
    c_lg_bb: Constant<Bits<8>>,
    c_bb: Constant<Bits<32>>,
    c_beat_mask: Constant<Bits<ADDR_BITS>>,
    c_awsize: Constant<Bits<3>>,
    c_incr: Constant<Bits<2>>,
    c_strb: Constant<Bits<8>>,
    c_wq_idx: Vec<Constant<Bits<2>>>,
    c_wq_full: Constant<Bits<3>>,
    c_ob_max: Constant<Bits<6>>,
    c_zero_tag: Constant<Bits<TAG_BITS>>,
    k0_2: Constant<Bits<2>>,
    k0_40: Constant<Bits<40>>,
    k1_8: Constant<Bits<8>>,
    k1_2: Constant<Bits<2>>,
    k0_3: Constant<Bits<3>>,
    k1_3: Constant<Bits<3>>,
    k0_5: Constant<Bits<5>>,
    k1_5: Constant<Bits<5>>,
    k0_6: Constant<Bits<6>>,
    k1_6: Constant<Bits<6>>,
    k0_12: Constant<Bits<12>>,
    k1_12: Constant<Bits<12>>,
    k0_13: Constant<Bits<13>>,
    k1_13: Constant<Bits<13>>,
    k0_16: Constant<Bits<16>>,
    k1_16: Constant<Bits<16>>,
    k0_32: Constant<Bits<32>>,
    _pairs: usize,
    _bu: usize,
    _bu1: usize,
    _bpe: usize,
    _wq: usize,
}

impl OutputWriter {
    pub fn new(cfg: &Config) -> Self {
        let g = QuantGeom::new(cfg).unwrap_or_else(|e| panic!("{e}"));
        let bb = g.beat_bytes();
        Self {
            clock: Default::default(),
            reset: Default::default(),
            clear: Default::default(),
            y_addr: Default::default(),
            y_stride: Default::default(),
            tile_row0: Default::default(),
            in_valid: Default::default(),
            in_rg: Default::default(),
            in_tag: Default::default(),
            in_y: (0..g.lanes).map(|_| Default::default()).collect(),
            claim: Default::default(),
            awaddr: Default::default(),
            awlen: Default::default(),
            awsize: Default::default(),
            awburst: Default::default(),
            awvalid: Default::default(),
            awready: Default::default(),
            wdata: (0..g.bu).map(|_| Default::default()).collect(),
            wstrb: (0..g.bu).map(|_| Default::default()).collect(),
            wlast: Default::default(),
            wvalid: Default::default(),
            wready: Default::default(),
            bresp: Default::default(),
            bvalid: Default::default(),
            bready: Default::default(),
            fifo_free: Default::default(),
            idle: Default::default(),
            wr_bytes: Default::default(),
            err: Default::default(),
            join: (0..g.lanes / 2).map(|_| Default::default()).collect(),
            data_ram: (0..g.lanes / 2)
                .map(|_| LutRam::new(g.fifo_depth))
                .collect(),
            addr_ram: LutRam::new(g.fifo_depth),
            m_tag: Default::default(),
            m_rg: Default::default(),
            s1_v: Default::default(),
            s2_v: Default::default(),
            s1_slot: Default::default(),
            s2_slot: Default::default(),
            s1_r0: Default::default(),
            s2_r0: Default::default(),
            wp: Default::default(),
            occ: Default::default(),
            resv: Default::default(),
            vis: Default::default(),
            ap: Default::default(),
            aw_busy: Default::default(),
            aw_addr: Default::default(),
            aw_bl: Default::default(),
            awvalid_r: Default::default(),
            awaddr_r: Default::default(),
            awlen_r: Default::default(),
            wq: (0..WQ_DEPTH).map(|_| Default::default()).collect(),
            wq_head: Default::default(),
            wq_tail: Default::default(),
            wq_cnt: Default::default(),
            rp: Default::default(),
            w_beat: Default::default(),
            w_left: Default::default(),
            wvalid_r: Default::default(),
            wlast_r: Default::default(),
            wdata_r: (0..g.bu).map(|_| Default::default()).collect(),
            ob: Default::default(),
            err_r: Default::default(),
            bytes_r: Default::default(),
            arrive: Default::default(),
            s2_addr: Default::default(),
            aw_hs: Default::default(),
            aw_load: Default::default(),
            aw_issue: Default::default(),
            pgb: Default::default(),
            len1: Default::default(),
            blen: Default::default(),
            blen_m1: Default::default(),
            pg13: Default::default(),
            pgs13: Default::default(),
            wq_top: Default::default(),
            w_take: Default::default(),
            w_pop: Default::default(),
            free: Default::default(),
            b_hs: Default::default(),
            c_depth: Constant::new(bits(g.fifo_depth as u64)),
            c_dm1: Constant::new(bits(g.fifo_depth as u64 - 1)),
            c_l4: Constant::new(bits(4 * g.lanes as u64)),
            c_bpe: Constant::new(bits(g.beats_per_rg as u64)),
            c_bpe_m1: Constant::new(bits(g.beats_per_rg as u64 - 1)),
            c_beat_idx: (0..g.beats_per_rg)
                .map(|b| Constant::new(bits(b as u64)))
                .collect(),
            c_16: Constant::new(bits(16)),
            c_4096: Constant::new(bits(4096)),
            c_lg_bb: Constant::new(bits(bb.trailing_zeros() as u64)),
            c_bb: Constant::new(bits(bb as u64)),
            c_beat_mask: Constant::new(bits(bb as u64 - 1)),
            c_awsize: Constant::new(bits(bb.trailing_zeros() as u64)),
            c_incr: Constant::new(bits(1)),
            c_strb: Constant::new(bits(0xFF)),
            c_wq_idx: (0..WQ_DEPTH)
                .map(|i| Constant::new(bits(i as u64)))
                .collect(),
            c_wq_full: Constant::new(bits(WQ_DEPTH as u64)),
            c_ob_max: Constant::new(bits(MAX_OUTSTANDING as u64)),
            c_zero_tag: Constant::new(bits(0)),
            k0_2: Constant::new(bits(0)),
            k0_40: Constant::new(bits(0)),
            k1_8: Constant::new(bits(1)),
            k1_2: Constant::new(bits(1)),
            k0_3: Constant::new(bits(0)),
            k1_3: Constant::new(bits(1)),
            k0_5: Constant::new(bits(0)),
            k1_5: Constant::new(bits(1)),
            k0_6: Constant::new(bits(0)),
            k1_6: Constant::new(bits(1)),
            k0_12: Constant::new(bits(0)),
            k1_12: Constant::new(bits(1)),
            k0_13: Constant::new(bits(0)),
            k1_13: Constant::new(bits(1)),
            k0_16: Constant::new(bits(0)),
            k1_16: Constant::new(bits(1)),
            k0_32: Constant::new(bits(0)),
            _pairs: g.lanes / 2,
            _bu: g.bu,
            _bu1: g.bu + 1,
            _bpe: g.beats_per_rg,
            _wq: WQ_DEPTH,
        }
    }

    /// Mark every input as driven: for using the block as a simulation or lint top.
    pub fn connect_inputs(&mut self) {
        self.clock.connect();
        self.reset.connect();
        self.clear.connect();
        self.y_addr.connect();
        self.y_stride.connect();
        self.tile_row0.connect();
        self.in_valid.connect();
        self.in_rg.connect();
        self.in_tag.connect();
        self.in_y.iter_mut().for_each(|s| s.connect());
        self.claim.connect();
        self.awready.connect();
        self.wready.connect();
        self.bresp.connect();
        self.bvalid.connect();
    }
}

impl Logic for OutputWriter {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, s1_v, s2_v, s1_slot, s2_slot, s1_r0, s2_r0, wp, occ, resv, vis, ap,
            aw_busy, aw_addr, aw_bl, awvalid_r, awaddr_r, awlen_r, wq_head, wq_tail, wq_cnt, rp,
            w_beat, w_left, wvalid_r, wlast_r, ob, err_r, bytes_r
        );
        for i in 0..self._wq {
            self.wq[i].clock.next = self.clock.val();
            self.wq[i].d.next = self.wq[i].q.val();
        }
        for w in 0..self._bu {
            self.wdata_r[w].clock.next = self.clock.val();
            self.wdata_r[w].d.next = self.wdata_r[w].q.val();
        }

        // ---- arrival: values into the slot's LUTRAMs, address products started ----
        self.arrive.next = self.in_valid.val() & (self.occ.q.val() != self.c_depth.val());
        if self.in_valid.val() & (self.occ.q.val() == self.c_depth.val()) {
            self.err_r.d.next = true;
        }
        for l in 0..self._pairs {
            self.join[l].lo.next = self.in_y[2 * l].val();
            self.join[l].hi.next = self.in_y[2 * l + 1].val();
            self.data_ram[l].clock.next = self.clock.val();
            self.data_ram[l].we.next = self.arrive.val();
            self.data_ram[l].waddr.next = self.wp.q.val();
            self.data_ram[l].wdata.next = self.join[l].y.val();
            self.data_ram[l].raddr.next = self.rp.q.val();
        }
        self.m_tag.clock.next = self.clock.val();
        self.m_tag.a.next = self.in_tag.val();
        self.m_tag.b.next = self.y_stride.val();
        self.m_rg.clock.next = self.clock.val();
        self.m_rg.a.next = self.in_rg.val();
        self.m_rg.b.next = self.c_l4.val();
        self.s1_v.d.next = self.arrive.val();
        self.s1_slot.d.next = self.wp.q.val();
        self.s1_r0.d.next = bit_cast::<ADDR_BITS, 32>(self.tile_row0.val()) << 2;
        self.s2_v.d.next = self.s1_v.q.val();
        self.s2_slot.d.next = self.s1_slot.q.val();
        self.s2_r0.d.next = self.s1_r0.q.val();
        if self.arrive.val() {
            if self.wp.q.val() == self.c_dm1.val() {
                self.wp.d.next = self.c_zero_tag.val();
            } else {
                self.wp.d.next = self.wp.q.val() + self.k1_12.val();
            }
        }

        // ---- the address is known: the slot becomes visible ----
        self.s2_addr.next = self.y_addr.val()
            + self.m_tag.p.val()
            + bit_cast::<ADDR_BITS, 32>(self.m_rg.p.val())
            + self.s2_r0.q.val();
        self.addr_ram.clock.next = self.clock.val();
        self.addr_ram.we.next = self.s2_v.q.val();
        self.addr_ram.waddr.next = self.s2_slot.q.val();
        self.addr_ram.wdata.next = self.s2_addr.val();
        self.addr_ram.raddr.next = self.ap.q.val();
        if self.s2_v.q.val() & ((self.s2_addr.val() & self.c_beat_mask.val()) != self.k0_40.val()) {
            self.err_r.d.next = true;
        }

        // ---- AW side ----
        self.aw_hs.next = self.awvalid_r.q.val() & self.awready.val();
        if self.aw_hs.val() {
            self.awvalid_r.d.next = false;
        }
        self.aw_load.next = !self.aw_busy.q.val() & (self.vis.q.val() != self.k0_13.val());
        if self.aw_load.val() {
            self.aw_busy.d.next = true;
            self.aw_addr.d.next = self.addr_ram.rdata.val() & !self.c_beat_mask.val();
            self.aw_bl.d.next = self.c_bpe.val();
            if self.ap.q.val() == self.c_dm1.val() {
                self.ap.d.next = self.c_zero_tag.val();
            } else {
                self.ap.d.next = self.ap.q.val() + self.k1_12.val();
            }
        }
        // Burst length: min(beats left, 16, beats to the next 4 KB boundary).
        self.pg13.next =
            self.c_4096.val() - bit_cast::<13, 12>(self.aw_addr.q.val().get_bits::<12>(0));
        self.pgs13.next = self.pg13.val() >> self.c_lg_bb.val();
        self.pgb.next = bit_cast::<16, 13>(self.pgs13.val());
        if self.aw_bl.q.val() < self.c_16.val() {
            self.len1.next = self.aw_bl.q.val();
        } else {
            self.len1.next = self.c_16.val();
        }
        if self.pgb.val() < self.len1.val() {
            self.blen.next = self.pgb.val();
        } else {
            self.blen.next = self.len1.val();
        }
        self.blen_m1.next = self.blen.val().get_bits::<8>(0) - self.k1_8.val();
        self.aw_issue.next = self.aw_busy.q.val()
            & (!self.awvalid_r.q.val() | self.awready.val())
            & (self.wq_cnt.q.val() != self.c_wq_full.val())
            & (self.ob.q.val() < self.c_ob_max.val());
        if self.aw_issue.val() {
            self.awvalid_r.d.next = true;
            self.awaddr_r.d.next = self.aw_addr.q.val();
            self.awlen_r.d.next = self.blen_m1.val();
            self.aw_addr.d.next = self.aw_addr.q.val()
                + (bit_cast::<ADDR_BITS, 16>(self.blen.val()) << self.c_lg_bb.val());
            self.aw_bl.d.next = self.aw_bl.q.val() - self.blen.val();
            if self.aw_bl.q.val() == self.blen.val() {
                self.aw_busy.d.next = false;
            }
            for i in 0..self._wq {
                if self.wq_tail.q.val() == self.c_wq_idx[i].val() {
                    self.wq[i].d.next = self.blen.val().get_bits::<5>(0);
                }
            }
            self.wq_tail.d.next = self.wq_tail.q.val() + self.k1_2.val();
        }
        if self.s2_v.q.val() & !self.aw_load.val() {
            self.vis.d.next = self.vis.q.val() + self.k1_13.val();
        } else if !self.s2_v.q.val() & self.aw_load.val() {
            self.vis.d.next = self.vis.q.val() - self.k1_13.val();
        }

        // ---- W side ----
        self.wq_top.next = self.wq[0].q.val();
        for i in 1..self._wq {
            if self.wq_head.q.val() == self.c_wq_idx[i].val() {
                self.wq_top.next = self.wq[i].q.val();
            }
        }
        self.w_take.next = (!self.wvalid_r.q.val() | self.wready.val())
            & ((self.w_left.q.val() != self.k0_5.val()) | (self.wq_cnt.q.val() != self.k0_3.val()));
        self.w_pop.next = self.w_take.val() & (self.w_left.q.val() == self.k0_5.val());
        self.free.next = self.w_take.val() & (self.w_beat.q.val() == self.c_bpe_m1.val());
        if self.wvalid_r.q.val() & self.wready.val() {
            self.bytes_r.d.next = self.bytes_r.q.val() + self.c_bb.val();
            self.wvalid_r.d.next = false;
        }
        if self.w_take.val() {
            self.wvalid_r.d.next = true;
            for bu in self._bu..self._bu1 {
                for b in 0..self._bpe {
                    if self.w_beat.q.val() == self.c_beat_idx[b].val() {
                        for w in 0..self._bu {
                            self.wdata_r[w].d.next = self.data_ram[bu * b + w].rdata.val();
                        }
                    }
                }
            }
            if self.w_left.q.val() == self.k0_5.val() {
                self.wlast_r.d.next = self.wq_top.val() == self.k1_5.val();
                self.w_left.d.next = self.wq_top.val() - self.k1_5.val();
            } else {
                self.wlast_r.d.next = self.w_left.q.val() == self.k1_5.val();
                self.w_left.d.next = self.w_left.q.val() - self.k1_5.val();
            }
            if self.free.val() {
                self.w_beat.d.next = self.k0_16.val();
                if self.rp.q.val() == self.c_dm1.val() {
                    self.rp.d.next = self.c_zero_tag.val();
                } else {
                    self.rp.d.next = self.rp.q.val() + self.k1_12.val();
                }
            } else {
                self.w_beat.d.next = self.w_beat.q.val() + self.k1_16.val();
            }
        }
        if self.w_pop.val() {
            self.wq_head.d.next = self.wq_head.q.val() + self.k1_2.val();
        }
        if self.aw_issue.val() & !self.w_pop.val() {
            self.wq_cnt.d.next = self.wq_cnt.q.val() + self.k1_3.val();
        } else if !self.aw_issue.val() & self.w_pop.val() {
            self.wq_cnt.d.next = self.wq_cnt.q.val() - self.k1_3.val();
        }

        // ---- slots ----
        if self.arrive.val() & !self.free.val() {
            self.occ.d.next = self.occ.q.val() + self.k1_13.val();
        } else if !self.arrive.val() & self.free.val() {
            self.occ.d.next = self.occ.q.val() - self.k1_13.val();
        }
        if self.claim.val() & !(self.free.val() & (self.resv.q.val() != self.k0_13.val())) {
            self.resv.d.next = self.resv.q.val() + self.k1_13.val();
        } else if !self.claim.val() & self.free.val() & (self.resv.q.val() != self.k0_13.val()) {
            self.resv.d.next = self.resv.q.val() - self.k1_13.val();
        }
        if self.occ.q.val() > self.resv.q.val() {
            self.fifo_free.next = self.c_depth.val() - self.occ.q.val();
        } else {
            self.fifo_free.next = self.c_depth.val() - self.resv.q.val();
        }

        // ---- B side ----
        self.b_hs.next = self.bvalid.val();
        if self.b_hs.val() & (self.bresp.val() != self.k0_2.val()) {
            self.err_r.d.next = true;
        }
        if self.aw_hs.val() & !self.b_hs.val() {
            self.ob.d.next = self.ob.q.val() + self.k1_6.val();
        } else if !self.aw_hs.val() & self.b_hs.val() {
            self.ob.d.next = self.ob.q.val() - self.k1_6.val();
        }

        if self.clear.val() {
            self.err_r.d.next = false;
            self.bytes_r.d.next = self.k0_32.val();
        }
        if self.reset.val() {
            self.s1_v.d.next = false;
            self.s2_v.d.next = false;
            self.wp.d.next = self.k0_12.val();
            self.occ.d.next = self.k0_13.val();
            self.resv.d.next = self.k0_13.val();
            self.vis.d.next = self.k0_13.val();
            self.ap.d.next = self.k0_12.val();
            self.aw_busy.d.next = false;
            self.awvalid_r.d.next = false;
            self.wq_head.d.next = self.k0_2.val();
            self.wq_tail.d.next = self.k0_2.val();
            self.wq_cnt.d.next = self.k0_3.val();
            self.rp.d.next = self.k0_12.val();
            self.w_beat.d.next = self.k0_16.val();
            self.w_left.d.next = self.k0_5.val();
            self.wvalid_r.d.next = false;
            self.ob.d.next = self.k0_6.val();
            self.err_r.d.next = false;
            self.bytes_r.d.next = self.k0_32.val();
        }

        // ---- outputs ----
        self.awaddr.next = self.awaddr_r.q.val();
        self.awlen.next = self.awlen_r.q.val();
        self.awsize.next = self.c_awsize.val();
        self.awburst.next = self.c_incr.val();
        self.awvalid.next = self.awvalid_r.q.val();
        for w in 0..self._bu {
            self.wdata[w].next = self.wdata_r[w].q.val();
            self.wstrb[w].next = self.c_strb.val();
        }
        self.wlast.next = self.wlast_r.q.val();
        self.wvalid.next = self.wvalid_r.q.val();
        self.bready.next = true;
        self.idle.next = (self.occ.q.val() == self.k0_13.val())
            & !self.s1_v.q.val()
            & !self.s2_v.q.val()
            & (self.vis.q.val() == self.k0_13.val())
            & !self.aw_busy.q.val()
            & !self.awvalid_r.q.val()
            & !self.wvalid_r.q.val()
            & (self.ob.q.val() == self.k0_6.val());
        self.wr_bytes.next = self.bytes_r.q.val();
        self.err.next = self.err_r.q.val();
    }
}
