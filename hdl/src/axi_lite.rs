//! The AXI4-Lite register block, generated from a [`RegMap`]: parameters are flops the design
//! reads, status words and 64-bit counters are inputs the driver reads. One transaction at a
//! time in each direction (a register interface needs no more); partial-word writes are
//! ignored.

use crate::regmap::{self, Kind, RegMap};
use rust_hdl::prelude::*;

/// Address width of the register window.
pub const AW: usize = regmap::ADDR_BITS as usize;

#[derive(LogicBlock)]
pub struct AxiLiteRegs {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub awaddr: Signal<In, Bits<AW>>,
    pub awvalid: Signal<In, Bit>,
    pub awready: Signal<Out, Bit>,
    pub wdata: Signal<In, Bits<32>>,
    pub wstrb: Signal<In, Bits<4>>,
    pub wvalid: Signal<In, Bit>,
    pub wready: Signal<Out, Bit>,
    pub bresp: Signal<Out, Bits<2>>,
    pub bvalid: Signal<Out, Bit>,
    pub bready: Signal<In, Bit>,
    pub araddr: Signal<In, Bits<AW>>,
    pub arvalid: Signal<In, Bit>,
    pub arready: Signal<Out, Bit>,
    pub rdata: Signal<Out, Bits<32>>,
    pub rresp: Signal<Out, Bits<2>>,
    pub rvalid: Signal<Out, Bit>,
    pub rready: Signal<In, Bit>,
    /// `Kind::Param` registers in map order.
    pub param: Vec<Signal<Out, Bits<32>>>,
    /// Pulse: CTRL was written with START set.
    pub start: Signal<Out, Bit>,
    /// `Kind::Status` registers in map order.
    pub status: Vec<Signal<In, Bits<32>>>,
    /// `Kind::Counter` registers in map order.
    pub counter: Vec<Signal<In, Bits<64>>>,
    regs: Vec<DFF<Bits<32>>>,
    shadow_hi: Vec<DFF<Bits<32>>>,
    bvalid_r: DFF<Bit>,
    rvalid_r: DFF<Bit>,
    rdata_r: DFF<Bits<32>>,
    start_r: DFF<Bit>,
    write_now: Signal<Local, Bit>,
    param_off: Vec<Constant<Bits<AW>>>,
    param_mask: Vec<Constant<Bits<32>>>,
    status_off: Vec<Constant<Bits<AW>>>,
    counter_lo: Vec<Constant<Bits<AW>>>,
    counter_hi: Vec<Constant<Bits<AW>>>,
    ctrl_off: Constant<Bits<AW>>,
    id_off: Constant<Bits<AW>>,
    id_value: Constant<Bits<32>>,
    // Literals as typed constants: rust-hdl writes bare literals 32 bits wide.
    all_strobes: Constant<Bits<4>>,
    okay: Constant<Bits<2>>,
    zero: Constant<Bits<32>>,
    _params: usize,
    _statuses: usize,
    _counters: usize,
}

impl AxiLiteRegs {
    pub fn new(map: &RegMap) -> AxiLiteRegs {
        let off = |k: Kind, add: u32| -> Vec<Constant<Bits<AW>>> {
            map.of_kind(k)
                .map(|r| Constant::new(((r.offset + add) as u64).into()))
                .collect()
        };
        let params: Vec<_> = map.of_kind(Kind::Param).collect();
        let n_status = map.of_kind(Kind::Status).count();
        let n_counter = map.of_kind(Kind::Counter).count();
        AxiLiteRegs {
            clock: Default::default(),
            reset: Default::default(),
            awaddr: Default::default(),
            awvalid: Default::default(),
            awready: Default::default(),
            wdata: Default::default(),
            wstrb: Default::default(),
            wvalid: Default::default(),
            wready: Default::default(),
            bresp: Default::default(),
            bvalid: Default::default(),
            bready: Default::default(),
            araddr: Default::default(),
            arvalid: Default::default(),
            arready: Default::default(),
            rdata: Default::default(),
            rresp: Default::default(),
            rvalid: Default::default(),
            rready: Default::default(),
            param: params.iter().map(|_| Default::default()).collect(),
            start: Default::default(),
            status: (0..n_status).map(|_| Default::default()).collect(),
            counter: (0..n_counter).map(|_| Default::default()).collect(),
            regs: params.iter().map(|_| Default::default()).collect(),
            shadow_hi: (0..n_counter).map(|_| Default::default()).collect(),
            bvalid_r: Default::default(),
            rvalid_r: Default::default(),
            rdata_r: Default::default(),
            start_r: Default::default(),
            write_now: Default::default(),
            param_off: off(Kind::Param, 0),
            // START reads back 0: it is a pulse, not a stored bit.
            param_mask: params
                .iter()
                .map(|r| {
                    let m = if r.name == "CTRL" {
                        !regmap::ctrl::START
                    } else {
                        u32::MAX
                    };
                    Constant::new((m as u64).into())
                })
                .collect(),
            status_off: off(Kind::Status, 0),
            counter_lo: off(Kind::Counter, 0),
            counter_hi: off(Kind::Counter, 4),
            ctrl_off: Constant::new((map.offset("CTRL") as u64).into()),
            id_off: Constant::new((map.offset("ID") as u64).into()),
            id_value: Constant::new((map.id as u64).into()),
            all_strobes: Constant::new(15.into()),
            okay: Constant::new(0.into()),
            zero: Constant::new(0.into()),
            _params: params.len(),
            _statuses: n_status,
            _counters: n_counter,
        }
    }
}

impl Logic for AxiLiteRegs {
    #[hdl_gen]
    fn update(&mut self) {
        self.bvalid_r.clock.next = self.clock.val();
        self.rvalid_r.clock.next = self.clock.val();
        self.rdata_r.clock.next = self.clock.val();
        self.start_r.clock.next = self.clock.val();
        self.bvalid_r.d.next = self.bvalid_r.q.val();
        self.rvalid_r.d.next = self.rvalid_r.q.val();
        self.rdata_r.d.next = self.rdata_r.q.val();
        self.start_r.d.next = false;
        for i in 0..self._params {
            self.regs[i].clock.next = self.clock.val();
            self.regs[i].d.next = self.regs[i].q.val();
            self.param[i].next = self.regs[i].q.val();
        }
        for i in 0..self._counters {
            self.shadow_hi[i].clock.next = self.clock.val();
            self.shadow_hi[i].d.next = self.shadow_hi[i].q.val();
        }

        // Write channel: address and data together, one response outstanding.
        self.write_now.next = self.awvalid.val() & self.wvalid.val() & !self.bvalid_r.q.val();
        self.awready.next = self.write_now.val();
        self.wready.next = self.write_now.val();
        if self.write_now.val() {
            self.bvalid_r.d.next = true;
            if self.wstrb.val() == self.all_strobes.val() {
                for i in 0..self._params {
                    if self.awaddr.val() == self.param_off[i].val() {
                        self.regs[i].d.next = self.wdata.val() & self.param_mask[i].val();
                    }
                }
                if (self.awaddr.val() == self.ctrl_off.val()) & self.wdata.val().get_bit(0) {
                    self.start_r.d.next = true;
                }
            }
        } else if self.bready.val() {
            self.bvalid_r.d.next = false;
        }
        self.bvalid.next = self.bvalid_r.q.val();
        self.bresp.next = self.okay.val();
        self.start.next = self.start_r.q.val();

        // Read channel.
        self.arready.next = !self.rvalid_r.q.val();
        if self.arvalid.val() & !self.rvalid_r.q.val() {
            self.rvalid_r.d.next = true;
            self.rdata_r.d.next = self.zero.val();
            if self.araddr.val() == self.id_off.val() {
                self.rdata_r.d.next = self.id_value.val();
            }
            for i in 0..self._params {
                if self.araddr.val() == self.param_off[i].val() {
                    self.rdata_r.d.next = self.regs[i].q.val();
                }
            }
            for i in 0..self._statuses {
                if self.araddr.val() == self.status_off[i].val() {
                    self.rdata_r.d.next = self.status[i].val();
                }
            }
            for i in 0..self._counters {
                if self.araddr.val() == self.counter_lo[i].val() {
                    self.rdata_r.d.next = self.counter[i].val().get_bits::<32>(0);
                    self.shadow_hi[i].d.next = self.counter[i].val().get_bits::<32>(32);
                }
                if self.araddr.val() == self.counter_hi[i].val() {
                    self.rdata_r.d.next = self.shadow_hi[i].q.val();
                }
            }
        } else if self.rready.val() {
            self.rvalid_r.d.next = false;
        }
        self.rvalid.next = self.rvalid_r.q.val();
        self.rdata.next = self.rdata_r.q.val();
        self.rresp.next = self.okay.val();

        if self.reset.val() {
            self.bvalid_r.d.next = false;
            self.rvalid_r.d.next = false;
            self.start_r.d.next = false;
            for i in 0..self._params {
                self.regs[i].d.next = self.zero.val();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drive one AXI-Lite write, then read it back, in rust-hdl's simulator.
    #[test]
    fn write_then_read_back_and_start_pulse() {
        let cfg = tellme_config::preset("tiny").unwrap();
        let map = RegMap::linear(&cfg);
        let mut uut = AxiLiteRegs::new(&map);
        uut.clock.connect();
        uut.reset.connect();
        uut.awaddr.connect();
        uut.awvalid.connect();
        uut.wdata.connect();
        uut.wstrb.connect();
        uut.wvalid.connect();
        uut.bready.connect();
        uut.araddr.connect();
        uut.arvalid.connect();
        uut.rready.connect();
        for s in &mut uut.status {
            s.connect();
        }
        for c in &mut uut.counter {
            c.connect();
        }
        uut.connect_all();
        let tokens = map.offset("TOKENS") as u64;
        let ctrl = map.offset("CTRL") as u64;
        let cycles_lo = map.offset("CYCLES") as u64;
        let tokens_idx = map.index_of("TOKENS");
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<AxiLiteRegs>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<AxiLiteRegs>| {
            let mut x = sim.init()?;
            x.wstrb.next = 15.into();
            x.bready.next = true;
            x.rready.next = true;
            x.counter[0].next = 0x1234_5678_9ABC_DEF0u64.into();
            let write = |x: &mut Box<AxiLiteRegs>, a: u64, v: u64| {
                x.awaddr.next = a.into();
                x.wdata.next = v.into();
                x.awvalid.next = true;
                x.wvalid.next = true;
            };
            write(&mut x, tokens, 37);
            x = sim.wait(10, x)?;
            x.awvalid.next = false;
            x.wvalid.next = false;
            x = sim.wait(20, x)?;
            sim_assert_eq!(sim, x.param[tokens_idx].val(), 37, x);
            // START is a one-cycle pulse and reads back as 0.
            write(&mut x, ctrl, 0b111);
            let mut pulses = 0;
            for _ in 0..6 {
                x = sim.wait(10, x)?;
                x.awvalid.next = false;
                x.wvalid.next = false;
                if x.start.val() {
                    pulses += 1;
                }
            }
            sim_assert_eq!(sim, pulses, 1, x);
            for (addr, want) in [
                (ctrl, 0b110u64),
                (0, regmap::ID_VALUE as u64),
                (cycles_lo, 0x9ABC_DEF0),
                (cycles_lo + 4, 0x1234_5678),
            ] {
                x.araddr.next = addr.into();
                x.arvalid.next = true;
                x = sim.wait(10, x)?;
                x.arvalid.next = false;
                x = sim.wait(10, x)?;
                sim_assert_eq!(sim, x.rdata.val(), want, x);
            }
            sim.done(x)
        });
        sim.run(Box::new(uut), 2_000).unwrap();
    }
}
