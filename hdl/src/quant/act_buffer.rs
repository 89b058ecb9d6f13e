//! The activation buffer: `AR` URAM columns × `act_buffer_depth` rows of `3·TB` int8 values
//! (row `t·NB + b` holds block `b` of token `t`). One write port (a whole row per write, from the
//! Quantizer), one read port with [`ACT_LATENCY`](super::ACT_LATENCY) cycles of latency (the URAM
//! read and an output register that Vivado folds into the URAM's own pipeline register).
//!
//! Byte `p` of a row is byte `p mod 8` of column `p / 8`; the unused bytes of the last column are
//! written as zeros. The byte ↔ column wiring is 2-D, so `update`/`hdl` are written by hand.
use super::{QuantGeom, ACT_ADDR_BITS};
use crate::mem::UramSdp;
use rust_hdl::prelude::*;
use std::fmt::Write;
use tellme_config::Config;

#[derive(LogicBlock)]
pub struct ActBuffer {
    pub clock: Signal<In, Clock>,
    pub wr_en: Signal<In, Bit>,
    pub wr_row: Signal<In, Bits<ACT_ADDR_BITS>>,
    pub wr_data: Vec<Signal<In, Bits<8>>>,
    pub rd_en: Signal<In, Bit>,
    pub rd_row: Signal<In, Bits<ACT_ADDR_BITS>>,
    pub rd_data: Vec<Signal<Out, Bits<8>>>,
    cols: Vec<UramSdp<ACT_ADDR_BITS, 64>>,
    rd_q: Vec<DFF<Bits<64>>>,
    _rb: usize,
}

impl ActBuffer {
    pub fn new(cfg: &Config) -> Self {
        let g = QuantGeom::new(cfg).unwrap_or_else(|e| panic!("{e}"));
        Self {
            clock: Default::default(),
            wr_en: Default::default(),
            wr_row: Default::default(),
            wr_data: (0..g.rb).map(|_| Default::default()).collect(),
            rd_en: Default::default(),
            rd_row: Default::default(),
            rd_data: (0..g.rb).map(|_| Default::default()).collect(),
            cols: (0..g.ar).map(|_| UramSdp::new(g.act_depth)).collect(),
            rd_q: (0..g.ar).map(|_| Default::default()).collect(),
            _rb: g.rb,
        }
    }

    /// Mark every input as driven: for using the block as a simulation or lint top.
    pub fn connect_inputs(&mut self) {
        self.clock.connect();
        self.wr_en.connect();
        self.wr_row.connect();
        self.wr_data.iter_mut().for_each(|s| s.connect());
        self.rd_en.connect();
        self.rd_row.connect();
    }
}

impl Logic for ActBuffer {
    fn update(&mut self) {
        for (w, col) in self.cols.iter_mut().enumerate() {
            let mut word = 0u64;
            for j in 0..8 {
                if let Some(b) = self.wr_data.get(8 * w + j) {
                    word |= b.val().to_u64() << (8 * j);
                }
            }
            col.clock.next = self.clock.val();
            col.we_a.next = self.wr_en.val();
            col.addr_a.next = self.wr_row.val();
            col.din_a.next = word.into();
            col.en_b.next = self.rd_en.val();
            col.addr_b.next = self.rd_row.val();
            self.rd_q[w].clock.next = self.clock.val();
            self.rd_q[w].d.next = col.dout_b.val();
        }
        for (p, out) in self.rd_data.iter_mut().enumerate() {
            out.next = self.rd_q[p / 8].q.val().get_bits::<8>(8 * (p % 8));
        }
    }
    fn connect(&mut self) {
        for col in self.cols.iter_mut() {
            col.clock.connect();
            col.we_a.connect();
            col.addr_a.connect();
            col.din_a.connect();
            col.en_b.connect();
            col.addr_b.connect();
        }
        for r in self.rd_q.iter_mut() {
            r.clock.connect();
            r.d.connect();
        }
        self.rd_data.iter_mut().for_each(|s| s.connect());
    }
    fn hdl(&self) -> Verilog {
        let rb = self._rb;
        let ar = self.cols.len();
        let mut s = String::from("always @(*) begin\n");
        for w in 0..ar {
            writeln!(s, "    cols${w}$clock = clock;").unwrap();
            writeln!(s, "    cols${w}$we_a = wr_en;").unwrap();
            writeln!(s, "    cols${w}$addr_a = wr_row;").unwrap();
            let bytes: Vec<String> = (0..8)
                .rev()
                .map(|j| {
                    let p = 8 * w + j;
                    if p < rb {
                        format!("wr_data${p}")
                    } else {
                        "8'h00".to_string()
                    }
                })
                .collect();
            writeln!(s, "    cols${w}$din_a = {{{}}};", bytes.join(", ")).unwrap();
            writeln!(s, "    cols${w}$en_b = rd_en;").unwrap();
            writeln!(s, "    cols${w}$addr_b = rd_row;").unwrap();
            writeln!(s, "    rd_q${w}$clock = clock;").unwrap();
            writeln!(s, "    rd_q${w}$d = cols${w}$dout_b;").unwrap();
        }
        for p in 0..rb {
            writeln!(
                s,
                "    rd_data${p} = rd_q${}$q[{}:{}];",
                p / 8,
                8 * (p % 8) + 7,
                8 * (p % 8)
            )
            .unwrap();
        }
        s.push_str("end\n");
        if !rb.is_multiple_of(8) {
            // The last column's padding bytes are written as zeros and never read.
            writeln!(
                s,
                "wire unused_pad = |rd_q${}$q[63:{}];",
                ar - 1,
                8 * (rb % 8)
            )
            .unwrap();
        }
        Verilog::Custom(s)
    }
}
