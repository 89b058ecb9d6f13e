//! AXI4 read master with a command interface, burst splitting, several bursts in flight and a
//! credit-checked R FIFO.
//!
//! Behaviour (all counts from the constructor, widths fixed):
//!
//! - **Command**: `cmd_valid/cmd_ready`, `cmd_addr` (40 bit, aligned to the beat), `cmd_beats`
//!   (32 bit; 0 is accepted and does nothing). `cmd_ready` is high while no command is being
//!   split; a new command may be accepted while the previous one's bursts are still in flight,
//!   and its data follows in order.
//! - **AR**: INCR bursts of `min(16, beats left, beats to the next 4 KB boundary)` beats,
//!   `arsize = log2(BW/8)`. A burst is issued only when fewer than `max_bursts` bursts are in
//!   flight **and** the R FIFO has room for every beat already requested plus this burst
//!   (credits), so `rready` is never needed as back-pressure (it is still `!full`). At most one
//!   AR every two cycles (plenty: a 16-beat burst takes 16 cycles of R).
//! - **R → stream**: beats go into a `2^FAW`-deep FIFO (distributed RAM, one `tlmm_lutram` per
//!   64-bit word) and come out on `data_valid/data_ready`, `data[BU]`, first-word-fall-through
//!   (`data` is valid whenever `data_valid` is high).
//! - `busy`: a command is being split or beats are in flight or buffered. `err`: sticky, set by
//!   any beat with `rresp ≠ OKAY` (cleared by `reset` only); the beat's data is delivered anyway.
//!
//! Timing: a command accepted at edge `t` issues its first AR at edge `t+2` (`arvalid` high in
//! the cycle after); a beat accepted on R at edge `t` is on `data` in the cycle after edge `t`.
//! The next burst's length is computed one cycle ahead into a register, so the issue decision
//! is one compare (`len ≤ free credits`) and a few gates.

use super::{AXI_ADDR_BITS, BURST_INCR, CMD_BEATS_BITS, MAX_BURST_BEATS, PAGE_BYTES};
use crate::mem::LutRam;
use rust_hdl::prelude::*;

fn k<const N: usize>(v: u64) -> Constant<Bits<N>> {
    Constant::new(v.into())
}

/// AXI4 read master; the R FIFO holds `2^FAW` beats.
#[derive(LogicBlock)]
pub struct ReadMaster<const FAW: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // command
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_ready: Signal<Out, Bit>,
    pub cmd_addr: Signal<In, Bits<AXI_ADDR_BITS>>,
    pub cmd_beats: Signal<In, Bits<CMD_BEATS_BITS>>,
    // AXI4 AR
    pub araddr: Signal<Out, Bits<AXI_ADDR_BITS>>,
    pub arlen: Signal<Out, Bits<8>>,
    pub arsize: Signal<Out, Bits<3>>,
    pub arburst: Signal<Out, Bits<2>>,
    pub arvalid: Signal<Out, Bit>,
    pub arready: Signal<In, Bit>,
    // AXI4 R (`rdata[i]` = bus bits 64i..64i+63)
    pub rdata: Vec<Signal<In, Bits<64>>>,
    pub rresp: Signal<In, Bits<2>>,
    pub rlast: Signal<In, Bit>,
    pub rvalid: Signal<In, Bit>,
    pub rready: Signal<Out, Bit>,
    // data stream
    pub data_valid: Signal<Out, Bit>,
    pub data_ready: Signal<In, Bit>,
    pub data: Vec<Signal<Out, Bits<64>>>,
    // status
    pub busy: Signal<Out, Bit>,
    pub err: Signal<Out, Bit>,
    // command being split
    active: DFF<Bit>,
    addr: DFF<Bits<AXI_ADDR_BITS>>,
    left: DFF<Bits<CMD_BEATS_BITS>>,
    // AR register
    ar_valid: DFF<Bit>,
    ar_addr: DFF<Bits<AXI_ADDR_BITS>>,
    ar_len: DFF<Bits<8>>,
    // bookkeeping
    bursts: DFF<Bits<8>>,
    free: DFFWithInit<Bits<32>>, // starts full (= DEPTH) even without a reset
    len_r: DFF<Bits<32>>,
    len_ok: DFF<Bit>,
    pg_end: DFF<Bit>,
    wptr: DFF<Bits<FAW>>,
    rptr: DFF<Bits<FAW>>,
    count: DFF<Bits<16>>,
    err_r: DFF<Bit>,
    fifo: Vec<LutRam<FAW, 64>>,
    to_page: Signal<Local, Bits<32>>,
    len_a: Signal<Local, Bits<32>>,
    len: Signal<Local, Bits<32>>,
    issue: Signal<Local, Bit>,
    accept: Signal<Local, Bit>,
    push: Signal<Local, Bit>,
    pop: Signal<Local, Bit>,
    k_size: Constant<Bits<3>>,
    k_incr: Constant<Bits<2>>,
    k_okay: Constant<Bits<2>>,
    k_shift: Constant<Bits<4>>,
    k_page: Constant<Bits<32>>,
    k_pmask: Constant<Bits<32>>,
    k_burst: Constant<Bits<32>>,
    k_depth32: Constant<Bits<32>>,
    k_depth16: Constant<Bits<16>>,
    k_maxb: Constant<Bits<8>>,
    k_pgoff: Constant<Bits<AXI_ADDR_BITS>>,
    k_one40: Constant<Bits<AXI_ADDR_BITS>>,
    k_burst_bytes: Constant<Bits<AXI_ADDR_BITS>>,
    k_one8: Constant<Bits<8>>,
    k_zero8: Constant<Bits<8>>,
    k_one16: Constant<Bits<16>>,
    k_zero16: Constant<Bits<16>>,
    k_one32: Constant<Bits<32>>,
    k_zero32: Constant<Bits<32>>,
    k_oneptr: Constant<Bits<FAW>>,
    k_zeroptr: Constant<Bits<FAW>>,
    _bu: usize,
}

impl<const FAW: usize> ReadMaster<FAW> {
    /// FIFO depth in beats.
    pub const DEPTH: usize = 1 << FAW;

    /// A master for a bus of `beat_u64s` 64-bit words (1, 2, 4, 8 or 16) that keeps up to
    /// `max_bursts` (1..=255) bursts in flight.
    pub fn new(beat_u64s: usize, max_bursts: usize) -> Self {
        assert!(
            beat_u64s.is_power_of_two() && beat_u64s <= 16,
            "beat_u64s must be 1, 2, 4, 8 or 16 (got {beat_u64s})"
        );
        assert!(
            (1..=255).contains(&max_bursts),
            "max_bursts must be 1..=255"
        );
        assert!(
            (4..=12).contains(&FAW) && Self::DEPTH >= MAX_BURST_BEATS,
            "the R FIFO must hold 16..4096 beats"
        );
        let beat_bytes = 8 * beat_u64s as u64;
        let shift = beat_bytes.trailing_zeros() as u64;
        let page_beats = PAGE_BYTES / beat_bytes;
        Self {
            clock: Default::default(),
            reset: Default::default(),
            cmd_valid: Default::default(),
            cmd_ready: Default::default(),
            cmd_addr: Default::default(),
            cmd_beats: Default::default(),
            araddr: Default::default(),
            arlen: Default::default(),
            arsize: Default::default(),
            arburst: Default::default(),
            arvalid: Default::default(),
            arready: Default::default(),
            rdata: (0..beat_u64s).map(|_| Default::default()).collect(),
            rresp: Default::default(),
            rlast: Default::default(),
            rvalid: Default::default(),
            rready: Default::default(),
            data_valid: Default::default(),
            data_ready: Default::default(),
            data: (0..beat_u64s).map(|_| Default::default()).collect(),
            busy: Default::default(),
            err: Default::default(),
            active: Default::default(),
            addr: Default::default(),
            left: Default::default(),
            ar_valid: Default::default(),
            ar_addr: Default::default(),
            ar_len: Default::default(),
            bursts: Default::default(),
            free: DFFWithInit::new((Self::DEPTH as u64).into()),
            len_r: Default::default(),
            len_ok: Default::default(),
            pg_end: Default::default(),
            wptr: Default::default(),
            rptr: Default::default(),
            count: Default::default(),
            err_r: Default::default(),
            fifo: (0..beat_u64s).map(|_| LutRam::new(Self::DEPTH)).collect(),
            to_page: Default::default(),
            len_a: Default::default(),
            len: Default::default(),
            issue: Default::default(),
            accept: Default::default(),
            push: Default::default(),
            pop: Default::default(),
            k_size: k(shift),
            k_incr: k(BURST_INCR),
            k_okay: k(super::RESP_OKAY),
            k_shift: k(shift),
            k_page: k(page_beats),
            k_pmask: k(page_beats - 1),
            k_burst: k(MAX_BURST_BEATS as u64),
            k_depth32: k(Self::DEPTH as u64),
            k_depth16: k(Self::DEPTH as u64),
            k_maxb: k(max_bursts as u64),
            k_pgoff: k(PAGE_BYTES - 1),
            k_one40: k(1),
            k_burst_bytes: k(MAX_BURST_BEATS as u64 * beat_bytes),
            k_one8: k(1),
            k_zero8: k(0),
            k_one16: k(1),
            k_zero16: k(0),
            k_one32: k(1),
            k_zero32: k(0),
            k_oneptr: k(1),
            k_zeroptr: k(0),
            _bu: beat_u64s,
        }
    }
}

impl<const FAW: usize> Logic for ReadMaster<FAW> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, active, addr, left, ar_valid, ar_addr, ar_len, bursts, free, len_r,
            len_ok, pg_end, wptr, rptr, count, err_r
        );
        // ---- next burst: min(16, beats left, beats to the 4 KB boundary), registered: `len_r`
        //      is valid (`len_ok`) one cycle after `addr`/`left` last changed
        self.to_page.next = self.k_page.val()
            - ((self.addr.q.val().get_bits::<32>(0) >> self.k_shift.val()) & self.k_pmask.val());
        self.len_a.next = self.k_burst.val();
        if self.left.q.val() < self.k_burst.val() {
            self.len_a.next = self.left.q.val();
        }
        self.len.next = self.len_a.val();
        if self.to_page.val() < self.len_a.val() {
            self.len.next = self.to_page.val();
        }
        self.len_r.d.next = self.len.val();
        self.pg_end.d.next = self.len.val() == self.to_page.val();
        self.accept.next = self.cmd_valid.val() & !self.active.q.val();
        self.issue.next = self.active.q.val()
            & self.len_ok.q.val()
            & !self.ar_valid.q.val()
            & (self.bursts.q.val() < self.k_maxb.val())
            & (self.len_r.q.val() <= self.free.q.val());
        self.len_ok.d.next = !(self.issue.val() | self.accept.val());
        // ---- R FIFO
        self.rready.next = self.count.q.val() != self.k_depth16.val();
        self.push.next = self.rvalid.val() & (self.count.q.val() != self.k_depth16.val());
        self.data_valid.next = self.count.q.val() != self.k_zero16.val();
        self.pop.next = self.data_ready.val() & (self.count.q.val() != self.k_zero16.val());
        for i in 0..self._bu {
            self.fifo[i].clock.next = self.clock.val();
            self.fifo[i].we.next = self.push.val();
            self.fifo[i].waddr.next = self.wptr.q.val();
            self.fifo[i].wdata.next = self.rdata[i].val();
            self.fifo[i].raddr.next = self.rptr.q.val();
            self.data[i].next = self.fifo[i].rdata.val();
        }
        if self.push.val() {
            self.wptr.d.next = self.wptr.q.val() + self.k_oneptr.val();
        }
        if self.pop.val() {
            self.rptr.d.next = self.rptr.q.val() + self.k_oneptr.val();
        }
        if self.push.val() & !self.pop.val() {
            self.count.d.next = self.count.q.val() + self.k_one16.val();
        } else if self.pop.val() & !self.push.val() {
            self.count.d.next = self.count.q.val() - self.k_one16.val();
        }
        if self.push.val() & (self.rresp.val() != self.k_okay.val()) {
            self.err_r.d.next = true;
        }
        // ---- bursts in flight (+1 at issue, -1 at the last beat) and free FIFO credits
        //      (-len at issue, +1 per beat leaving the FIFO)
        if self.issue.val() & !(self.push.val() & self.rlast.val()) {
            self.bursts.d.next = self.bursts.q.val() + self.k_one8.val();
        } else if !self.issue.val() & (self.push.val() & self.rlast.val()) {
            self.bursts.d.next = self.bursts.q.val() - self.k_one8.val();
        }
        if self.issue.val() {
            if self.pop.val() {
                self.free.d.next = self.free.q.val() - self.len_r.q.val() + self.k_one32.val();
            } else {
                self.free.d.next = self.free.q.val() - self.len_r.q.val();
            }
        } else if self.pop.val() {
            self.free.d.next = self.free.q.val() + self.k_one32.val();
        }
        // ---- AR channel
        if self.ar_valid.q.val() & self.arready.val() {
            self.ar_valid.d.next = false;
        }
        if self.issue.val() {
            self.ar_valid.d.next = true;
            self.ar_addr.d.next = self.addr.q.val();
            self.ar_len.d.next = self.len_r.q.val().get_bits::<8>(0) - self.k_one8.val();
            // Only the next burst's address matters: a burst ends at a page end (next page),
            // or is a full 16-beat burst, or is the command's last (address unused after it).
            if self.pg_end.q.val() {
                self.addr.d.next = (self.addr.q.val() | self.k_pgoff.val()) + self.k_one40.val();
            } else {
                self.addr.d.next = self.addr.q.val() + self.k_burst_bytes.val();
            }
            self.left.d.next = self.left.q.val() - self.len_r.q.val();
            if self.left.q.val() == self.len_r.q.val() {
                self.active.d.next = false;
            }
        }
        // ---- command
        self.cmd_ready.next = !self.active.q.val();
        if self.accept.val() {
            self.addr.d.next = self.cmd_addr.val();
            self.left.d.next = self.cmd_beats.val();
            self.active.d.next = self.cmd_beats.val() != self.k_zero32.val();
        }
        // ---- outputs
        self.araddr.next = self.ar_addr.q.val();
        self.arlen.next = self.ar_len.q.val();
        self.arsize.next = self.k_size.val();
        self.arburst.next = self.k_incr.val();
        self.arvalid.next = self.ar_valid.q.val();
        self.busy.next = self.active.q.val() | (self.free.q.val() != self.k_depth32.val());
        self.err.next = self.err_r.q.val();
        // ---- synchronous reset
        if self.reset.val() {
            self.active.d.next = false;
            self.ar_valid.d.next = false;
            self.bursts.d.next = self.k_zero8.val();
            self.free.d.next = self.k_depth32.val();
            self.len_ok.d.next = false;
            self.wptr.d.next = self.k_zeroptr.val();
            self.rptr.d.next = self.k_zeroptr.val();
            self.count.d.next = self.k_zero16.val();
            self.err_r.d.next = false;
        }
    }
}
