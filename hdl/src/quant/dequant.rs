//! The dequantiser: the engine's row-group results back to Q16.16,
//! `y = sat_i32((acc · dq[tag] + 2^15) >> 16)` (`tellme_model::quant::dequantize`).
//!
//! A fixed-latency pipeline ([`DEQ_LATENCY`](super::DEQ_LATENCY) cycles, no stall): the token's
//! `dq` is read from a `max_tokens`-deep LUTRAM by `in_tag` (written by the Quantizer through
//! `dq_we`/`dq_tag`/`dq_value`), then one exact 24 × 49-bit product per lane ([`DeqMul`]).
use super::arith::{DeqMul, DMUL_LATENCY};
use super::{QuantGeom, ACC_BITS, DQ_BITS, TAG_BITS};
use crate::mem::LutRam;
use rust_hdl::prelude::*;
use tellme_config::Config;

#[derive(LogicBlock)]
pub struct Dequantizer {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // The engine's results.
    pub in_valid: Signal<In, Bit>,
    pub in_rg: Signal<In, Bits<TAG_BITS>>,
    pub in_tag: Signal<In, Bits<TAG_BITS>>,
    pub in_acc: Vec<Signal<In, Signed<ACC_BITS>>>,
    // The Quantizer's per-token multipliers.
    pub dq_we: Signal<In, Bit>,
    pub dq_tag: Signal<In, Bits<TAG_BITS>>,
    pub dq_value: Signal<In, Bits<DQ_BITS>>,
    // Results, DEQ_LATENCY cycles after the inputs.
    pub valid: Signal<Out, Bit>,
    pub rg: Signal<Out, Bits<TAG_BITS>>,
    pub tag: Signal<Out, Bits<TAG_BITS>>,
    pub y: Vec<Signal<Out, Bits<32>>>,
    dq_ram: LutRam<TAG_BITS, DQ_BITS>,
    mul: Vec<DeqMul>,
    v_pipe: Vec<DFF<Bit>>,
    rg_pipe: Vec<DFF<Bits<TAG_BITS>>>,
    tag_pipe: Vec<DFF<Bits<TAG_BITS>>>,
    _lanes: usize,
    _lat: usize,
    _lat_m1: usize,
}

impl Dequantizer {
    pub fn new(cfg: &Config) -> Self {
        let g = QuantGeom::new(cfg).unwrap_or_else(|e| panic!("{e}"));
        Self {
            clock: Default::default(),
            reset: Default::default(),
            in_valid: Default::default(),
            in_rg: Default::default(),
            in_tag: Default::default(),
            in_acc: (0..g.lanes).map(|_| Default::default()).collect(),
            dq_we: Default::default(),
            dq_tag: Default::default(),
            dq_value: Default::default(),
            valid: Default::default(),
            rg: Default::default(),
            tag: Default::default(),
            y: (0..g.lanes).map(|_| Default::default()).collect(),
            dq_ram: LutRam::new(g.max_tokens),
            mul: (0..g.lanes).map(|_| Default::default()).collect(),
            v_pipe: (0..DMUL_LATENCY).map(|_| Default::default()).collect(),
            rg_pipe: (0..DMUL_LATENCY).map(|_| Default::default()).collect(),
            tag_pipe: (0..DMUL_LATENCY).map(|_| Default::default()).collect(),
            _lanes: g.lanes,
            _lat: DMUL_LATENCY,
            _lat_m1: DMUL_LATENCY - 1,
        }
    }

    /// Mark every input as driven: for using the block as a simulation or lint top.
    pub fn connect_inputs(&mut self) {
        self.clock.connect();
        self.reset.connect();
        self.in_valid.connect();
        self.in_rg.connect();
        self.in_tag.connect();
        self.in_acc.iter_mut().for_each(|s| s.connect());
        self.dq_we.connect();
        self.dq_tag.connect();
        self.dq_value.connect();
    }
}

impl Logic for Dequantizer {
    #[hdl_gen]
    fn update(&mut self) {
        self.dq_ram.clock.next = self.clock.val();
        self.dq_ram.we.next = self.dq_we.val();
        self.dq_ram.waddr.next = self.dq_tag.val();
        self.dq_ram.wdata.next = self.dq_value.val();
        self.dq_ram.raddr.next = self.in_tag.val();
        for l in 0..self._lanes {
            self.mul[l].clock.next = self.clock.val();
            self.mul[l].acc.next = self.in_acc[l].val();
            self.mul[l].dq.next = self.dq_ram.rdata.val();
            self.y[l].next = self.mul[l].y.val();
        }
        for i in 0..self._lat {
            self.v_pipe[i].clock.next = self.clock.val();
            self.rg_pipe[i].clock.next = self.clock.val();
            self.tag_pipe[i].clock.next = self.clock.val();
        }
        self.v_pipe[0].d.next = self.in_valid.val() & !self.reset.val();
        self.rg_pipe[0].d.next = self.in_rg.val();
        self.tag_pipe[0].d.next = self.in_tag.val();
        for i in 1..self._lat {
            self.v_pipe[i].d.next = self.v_pipe[i - 1].q.val() & !self.reset.val();
            self.rg_pipe[i].d.next = self.rg_pipe[i - 1].q.val();
            self.tag_pipe[i].d.next = self.tag_pipe[i - 1].q.val();
        }
        for i in self._lat_m1..self._lat {
            self.valid.next = self.v_pipe[i].q.val();
            self.rg.next = self.rg_pipe[i].q.val();
            self.tag.next = self.tag_pipe[i].q.val();
        }
    }
}
