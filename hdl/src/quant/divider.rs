//! The quantiser's two exact sequential dividers (restoring division, one quotient bit per
//! cycle): `recip = floor(127·2^48 / m)` and `dq = (m·ws + 127·2^7) / (127·2^8)`
//! (`tellme_model::quant::{recip, dequant_multiplier}`).
use rust_hdl::prelude::*;

fn k<const N: usize>(v: u64) -> Constant<Bits<N>> {
    Constant::new(v.into())
}

/// Bits of the reciprocal: `127·2^48 < 2^55`.
pub const RECIP_BITS: usize = 56;
/// Bits of the dequantisation multiplier: `dq ≤ (2^31·(2^32−1) + 127·2^7) / (127·2^8) < 2^49`.
pub const DQ_BITS: usize = 49;
/// Cycles from `start` until [`RecipDiv`]'s `busy` falls (`recip` valid from then on).
pub const RECIP_CYCLES: usize = 55;
/// Cycles from `start` until [`DqUnit`]'s `busy` falls: 32 multiply steps, one add, one
/// set-up, 49 division steps.
pub const DQ_CYCLES: usize = 83;

/// `recip = floor(127·2^48 / m)`, 0 for `m = 0`. `start` (pulse) latches `m`; `busy` is high
/// for [`RECIP_CYCLES`] cycles; `recip` holds its value until the next `start`.
#[derive(LogicBlock)]
pub struct RecipDiv {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub start: Signal<In, Bit>,
    pub m: Signal<In, Bits<32>>,
    pub busy: Signal<Out, Bit>,
    pub recip: Signal<Out, Bits<RECIP_BITS>>,
    run: DFF<Bit>,
    cnt: DFF<Bits<6>>,
    rmd: DFF<Bits<32>>,
    quo: DFF<Bits<RECIP_BITS>>,
    dvs: DFF<Bits<32>>,
    dvs_zero: DFF<Bit>,
    trial: Signal<Local, Bits<32>>,
    k_seven: Constant<Bits<6>>,
    k_last: Constant<Bits<6>>,
    k_one6: Constant<Bits<6>>,
    k_zero6: Constant<Bits<6>>,
    k_one32: Constant<Bits<32>>,
    k_zero32: Constant<Bits<32>>,
    k_one56: Constant<Bits<RECIP_BITS>>,
    k_zero56: Constant<Bits<RECIP_BITS>>,
}

impl Default for RecipDiv {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            m: Default::default(),
            busy: Default::default(),
            recip: Default::default(),
            run: Default::default(),
            cnt: Default::default(),
            rmd: Default::default(),
            quo: Default::default(),
            dvs: Default::default(),
            dvs_zero: Default::default(),
            trial: Default::default(),
            k_seven: k(7),
            k_last: k(RECIP_CYCLES as u64 - 1),
            k_one6: k(1),
            k_zero6: k(0),
            k_one32: k(1),
            k_zero32: k(0),
            k_one56: k(1),
            k_zero56: k(0),
        }
    }
}

impl Logic for RecipDiv {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, run, cnt, rmd, quo, dvs, dvs_zero);
        // The numerator 127·2^48 is seven 1 bits then 48 zeros, fed MSB first. The partial
        // remainder stays below m ≤ 2^31, so 2·rmd + 1 fits 32 bits.
        if self.cnt.q.val() < self.k_seven.val() {
            self.trial.next = (self.rmd.q.val() << 1) | self.k_one32.val();
        } else {
            self.trial.next = self.rmd.q.val() << 1;
        }
        if self.run.q.val() {
            if self.trial.val() >= self.dvs.q.val() {
                self.rmd.d.next = self.trial.val() - self.dvs.q.val();
                self.quo.d.next = (self.quo.q.val() << 1) | self.k_one56.val();
            } else {
                self.rmd.d.next = self.trial.val();
                self.quo.d.next = self.quo.q.val() << 1;
            }
            self.cnt.d.next = self.cnt.q.val() + self.k_one6.val();
            if self.cnt.q.val() == self.k_last.val() {
                self.run.d.next = false;
            }
        }
        if self.start.val() {
            self.run.d.next = true;
            self.cnt.d.next = self.k_zero6.val();
            self.rmd.d.next = self.k_zero32.val();
            self.quo.d.next = self.k_zero56.val();
            self.dvs.d.next = self.m.val();
            self.dvs_zero.d.next = self.m.val() == self.k_zero32.val();
        }
        if self.reset.val() {
            self.run.d.next = false;
        }
        self.busy.next = self.run.q.val();
        if self.dvs_zero.q.val() {
            self.recip.next = self.k_zero56.val();
        } else {
            self.recip.next = self.quo.q.val();
        }
    }
}

/// `dq = (m·ws + 127·2^7) / (127·2^8)`: a shift-add multiply (32 cycles) then a restoring
/// division by the constant 32512 (49 cycles). `start` latches `m` and `ws`; `busy` is high for
/// [`DQ_CYCLES`] cycles; `dq` holds its value until the next `start`.
#[derive(LogicBlock)]
pub struct DqUnit {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub start: Signal<In, Bit>,
    pub m: Signal<In, Bits<32>>,
    pub ws: Signal<In, Bits<32>>,
    pub busy: Signal<Out, Bit>,
    pub dq: Signal<Out, Bits<DQ_BITS>>,
    /// 0 idle, 1 multiply, 2 add the rounding term, 3 set up the division, 4 divide.
    phase: DFF<Bits<3>>,
    cnt: DFF<Bits<6>>,
    mcand: DFF<Bits<64>>,
    mplier: DFF<Bits<32>>,
    acc: DFF<Bits<64>>,
    rmd: DFF<Bits<16>>,
    quo: DFF<Bits<DQ_BITS>>,
    trial: Signal<Local, Bits<16>>,
    k_ph: Vec<Constant<Bits<3>>>,
    k_one6: Constant<Bits<6>>,
    k_zero6: Constant<Bits<6>>,
    k_mul_last: Constant<Bits<6>>,
    k_div_last: Constant<Bits<6>>,
    k_round: Constant<Bits<64>>,
    k_zero64: Constant<Bits<64>>,
    k_div: Constant<Bits<16>>,
    k_one16: Constant<Bits<16>>,
    k_one49: Constant<Bits<DQ_BITS>>,
    k_zero49: Constant<Bits<DQ_BITS>>,
}

impl Default for DqUnit {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            m: Default::default(),
            ws: Default::default(),
            busy: Default::default(),
            dq: Default::default(),
            phase: Default::default(),
            cnt: Default::default(),
            mcand: Default::default(),
            mplier: Default::default(),
            acc: Default::default(),
            rmd: Default::default(),
            quo: Default::default(),
            trial: Default::default(),
            k_ph: (0..5u64).map(k).collect(),
            k_one6: k(1),
            k_zero6: k(0),
            k_mul_last: k(31),
            k_div_last: k(DQ_BITS as u64 - 1),
            k_round: k(127 << 7),
            k_zero64: k(0),
            k_div: k(127 << 8),
            k_one16: k(1),
            k_one49: k(1),
            k_zero49: k(0),
        }
    }
}

impl Logic for DqUnit {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, phase, cnt, mcand, mplier, acc, rmd, quo);
        // Division step: the dividend's bit 48 enters the remainder (< 32512, so 2·rmd+1 < 2^16).
        if self.acc.q.val().get_bit(48) {
            self.trial.next = (self.rmd.q.val() << 1) | self.k_one16.val();
        } else {
            self.trial.next = self.rmd.q.val() << 1;
        }
        if self.phase.q.val() == self.k_ph[1].val() {
            // acc = 2·acc + (ws bit, MSB first) · m
            if self.mplier.q.val().get_bit(31) {
                self.acc.d.next = (self.acc.q.val() << 1) + self.mcand.q.val();
            } else {
                self.acc.d.next = self.acc.q.val() << 1;
            }
            self.mplier.d.next = self.mplier.q.val() << 1;
            self.cnt.d.next = self.cnt.q.val() + self.k_one6.val();
            if self.cnt.q.val() == self.k_mul_last.val() {
                self.phase.d.next = self.k_ph[2].val();
            }
        }
        if self.phase.q.val() == self.k_ph[2].val() {
            // + 127·2^7; the sum stays below 2^63.
            self.acc.d.next = self.acc.q.val() + self.k_round.val();
            self.phase.d.next = self.k_ph[3].val();
        }
        if self.phase.q.val() == self.k_ph[3].val() {
            // The dividend's bits 62..49 are below 2^14 < 32512: they are the first remainder
            // and every quotient bit above 48 is zero.
            self.rmd.d.next = bit_cast::<16, 14>(self.acc.q.val().get_bits::<14>(49));
            self.quo.d.next = self.k_zero49.val();
            self.cnt.d.next = self.k_zero6.val();
            self.phase.d.next = self.k_ph[4].val();
        }
        if self.phase.q.val() == self.k_ph[4].val() {
            if self.trial.val() >= self.k_div.val() {
                self.rmd.d.next = self.trial.val() - self.k_div.val();
                self.quo.d.next = (self.quo.q.val() << 1) | self.k_one49.val();
            } else {
                self.rmd.d.next = self.trial.val();
                self.quo.d.next = self.quo.q.val() << 1;
            }
            self.acc.d.next = self.acc.q.val() << 1;
            self.cnt.d.next = self.cnt.q.val() + self.k_one6.val();
            if self.cnt.q.val() == self.k_div_last.val() {
                self.phase.d.next = self.k_ph[0].val();
            }
        }
        if self.start.val() {
            self.phase.d.next = self.k_ph[1].val();
            self.cnt.d.next = self.k_zero6.val();
            self.acc.d.next = self.k_zero64.val();
            self.mcand.d.next = bit_cast::<64, 32>(self.m.val());
            self.mplier.d.next = self.ws.val();
        }
        if self.reset.val() {
            self.phase.d.next = self.k_ph[0].val();
        }
        self.busy.next = self.phase.q.val() != self.k_ph[0].val();
        self.dq.next = self.quo.q.val();
    }
}
