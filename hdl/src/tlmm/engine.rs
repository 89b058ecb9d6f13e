//! The engine: op pipeline + table builder + `L` lanes. Its wiring is two-dimensional (lane
//! `l`, table `j`), which `#[hdl_gen]` cannot express, so `update`/`connect` are written by
//! hand and `hdl()` returns the same wiring as `Verilog::Custom` text generated from the
//! run-time configuration.
use crate::tlmm::table_build::vec_of;
use crate::tlmm::{
    check, out_latency, tree_depth, Lane, OpPipe, TableBuilder, ACC_BITS, RG_BITS, TAG_BITS,
};
use rust_hdl::prelude::*;
use std::fmt::Write;
use tellme_config::{Config, INDEX_BITS};

/// The TLMM engine (see the module docs for its timing and `ARCHITECTURE.md` for the
/// contract). `TB = accel.tables`, `L = accel.lanes`, `C = cfg.weight_word_u64s()`.
#[derive(LogicBlock)]
pub struct Engine {
    pub clock: Signal<In, Clock>,
    /// Synchronous, active high: clears the op pipeline, the builder and `out_valid`
    /// (tables and accumulators keep their contents).
    pub reset: Signal<In, Bit>,
    pub tb_start: Signal<In, Bit>,
    pub tb_bank: Signal<In, Bit>,
    /// `3·TB` int8 activations, group `j` = `tb_act[3j..3j+3]`; sampled with `tb_start`.
    pub tb_act: Vec<Signal<In, Bits<8>>>,
    pub op_valid: Signal<In, Bit>,
    pub op_bank: Signal<In, Bit>,
    pub op_rg: Signal<In, Bits<RG_BITS>>,
    pub op_clear: Signal<In, Bit>,
    pub op_last: Signal<In, Bit>,
    pub op_tag: Signal<In, Bits<TAG_BITS>>,
    /// `C` columns of the weight word, valid `WBUF_LATENCY` cycles after `op_valid`.
    pub w_word: Vec<Signal<In, Bits<64>>>,
    pub out_valid: Signal<Out, Bit>,
    pub out_rg: Signal<Out, Bits<RG_BITS>>,
    pub out_tag: Signal<Out, Bits<TAG_BITS>>,
    pub out_acc: Vec<Signal<Out, Signed<ACC_BITS>>>,
    /// The input register on the weight word (its index bits fan out to every lane).
    word: Vec<DFF<Bits<64>>>,
    ctl: OpPipe,
    bld: TableBuilder,
    lanes: Vec<Lane>,
    _tables: usize,
    _lanes: usize,
    _cols: usize,
}

impl Engine {
    /// Panics with a one-line reason if [`check`] rejects `cfg`.
    pub fn new(cfg: &Config) -> Self {
        if let Err(e) = check(cfg) {
            panic!("{e}");
        }
        let (tables, lanes) = (cfg.accel.tables, cfg.accel.lanes);
        let cols = cfg.weight_word_u64s();
        Self {
            clock: Default::default(),
            reset: Default::default(),
            tb_start: Default::default(),
            tb_bank: Default::default(),
            tb_act: vec_of(3 * tables),
            op_valid: Default::default(),
            op_bank: Default::default(),
            op_rg: Default::default(),
            op_clear: Default::default(),
            op_last: Default::default(),
            op_tag: Default::default(),
            w_word: vec_of(cols),
            out_valid: Default::default(),
            out_rg: Default::default(),
            out_tag: Default::default(),
            out_acc: vec_of(lanes),
            word: vec_of(cols),
            ctl: OpPipe::new(tables),
            bld: TableBuilder::new(tables),
            lanes: (0..lanes)
                .map(|_| Lane::new(tables, cfg.accel.acc_depth))
                .collect(),
            _tables: tables,
            _lanes: lanes,
            _cols: cols,
        }
    }

    /// An engine as the top of a design (every input marked as driven), ready for
    /// `generate_verilog` or rust-hdl's simulator.
    pub fn new_top(cfg: &Config) -> Self {
        let mut e = Self::new(cfg);
        e.clock.connect();
        e.reset.connect();
        e.tb_start.connect();
        e.tb_bank.connect();
        e.tb_act.iter_mut().for_each(|s| s.connect());
        e.op_valid.connect();
        e.op_bank.connect();
        e.op_rg.connect();
        e.op_clear.connect();
        e.op_last.connect();
        e.op_tag.connect();
        e.w_word.iter_mut().for_each(|s| s.connect());
        e.connect_all();
        e
    }

    pub fn tables(&self) -> usize {
        self._tables
    }
    pub fn lanes(&self) -> usize {
        self._lanes
    }
    /// Cycles from `op_valid` to `out_valid` for this engine.
    pub fn out_latency(&self) -> usize {
        out_latency(self._tables)
    }
    /// Registered adder-tree levels.
    pub fn tree_depth(&self) -> usize {
        tree_depth(self._tables)
    }

    /// Where the index of lane `l`, table `j` sits: (column, bit offset in it).
    fn index_pos(&self, l: usize, j: usize) -> (usize, usize) {
        let bit = INDEX_BITS * (l * self._tables + j);
        (bit / 64, bit % 64)
    }
}

impl Logic for Engine {
    fn update(&mut self) {
        let ctl = &mut self.ctl;
        ctl.clock.next = self.clock.val();
        ctl.reset.next = self.reset.val();
        ctl.op_valid.next = self.op_valid.val();
        ctl.op_bank.next = self.op_bank.val();
        ctl.op_rg.next = self.op_rg.val();
        ctl.op_clear.next = self.op_clear.val();
        ctl.op_last.next = self.op_last.val();
        ctl.op_tag.next = self.op_tag.val();
        let bld = &mut self.bld;
        bld.clock.next = self.clock.val();
        bld.reset.next = self.reset.val();
        bld.start.next = self.tb_start.val();
        bld.bank.next = self.tb_bank.val();
        for (d, s) in bld.act.iter_mut().zip(&self.tb_act) {
            // Sign-extend the int8 to the builder's 10 bits.
            d.next = ((s.val().to_u64() as u8 as i8 as i64 as u64) & 0x3ff).into();
        }
        for (r, w) in self.word.iter_mut().zip(&self.w_word) {
            r.clock.next = self.clock.val();
            r.d.next = w.val();
        }
        let words: Vec<u64> = self.word.iter().map(|w| w.q.val().to_u64()).collect();
        let bank = if self.ctl.lk_bank.val() { 16 } else { 0 };
        for l in 0..self._lanes {
            for j in 0..self._tables {
                let (c, o) = self.index_pos(l, j);
                let mut v = words[c] >> o;
                if o + INDEX_BITS > 64 {
                    v |= words[c + 1] << (64 - o);
                }
                let neg = v & 16 != 0;
                let lane = &mut self.lanes[l];
                lane.taddr[j].next = (bank | (v & 15)).into();
                lane.tmask[j].next = (if neg { 0x3ff } else { 0 }).into();
                lane.tsign[j].next = neg;
            }
            let lane = &mut self.lanes[l];
            lane.clock.next = self.clock.val();
            lane.tbl_we.next = self.bld.we.val();
            lane.tbl_waddr.next = self.bld.waddr.val();
            for (d, s) in lane.tbl_wdata.iter_mut().zip(&self.bld.wdata) {
                d.next = s.val();
            }
            lane.acc_raddr.next = self.ctl.acc_raddr.val();
            lane.acc_we.next = self.ctl.acc_we.val();
            lane.acc_waddr.next = self.ctl.acc_waddr.val();
            lane.acc_clear.next = self.ctl.acc_clear.val();
            lane.out_load.next = self.ctl.out_load.val();
            self.out_acc[l].next = lane.out_acc.val();
        }
        self.out_valid.next = self.ctl.out_valid.val();
        self.out_rg.next = self.ctl.out_rg.val();
        self.out_tag.next = self.ctl.out_tag.val();
    }

    fn connect(&mut self) {
        let ctl = &mut self.ctl;
        ctl.clock.connect();
        ctl.reset.connect();
        ctl.op_valid.connect();
        ctl.op_bank.connect();
        ctl.op_rg.connect();
        ctl.op_clear.connect();
        ctl.op_last.connect();
        ctl.op_tag.connect();
        let bld = &mut self.bld;
        bld.clock.connect();
        bld.reset.connect();
        bld.start.connect();
        bld.bank.connect();
        bld.act.iter_mut().for_each(|s| s.connect());
        for r in self.word.iter_mut() {
            r.clock.connect();
            r.d.connect();
        }
        for lane in self.lanes.iter_mut() {
            lane.clock.connect();
            lane.taddr.iter_mut().for_each(|s| s.connect());
            lane.tmask.iter_mut().for_each(|s| s.connect());
            lane.tsign.iter_mut().for_each(|s| s.connect());
            lane.tbl_we.connect();
            lane.tbl_waddr.connect();
            lane.tbl_wdata.iter_mut().for_each(|s| s.connect());
            lane.acc_raddr.connect();
            lane.acc_we.connect();
            lane.acc_waddr.connect();
            lane.acc_clear.connect();
            lane.out_load.connect();
        }
        self.out_valid.connect();
        self.out_rg.connect();
        self.out_tag.connect();
        self.out_acc.iter_mut().for_each(|s| s.connect());
    }

    fn hdl(&self) -> Verilog {
        let mut s = String::from("always @(*) begin\n");
        for p in ["clock", "reset"] {
            writeln!(s, "    ctl${p} = {p};\n    bld${p} = {p};").unwrap();
        }
        for p in [
            "op_valid", "op_bank", "op_rg", "op_clear", "op_last", "op_tag",
        ] {
            writeln!(s, "    ctl${p} = {p};").unwrap();
        }
        writeln!(s, "    bld$start = tb_start;\n    bld$bank = tb_bank;").unwrap();
        for k in 0..self._cols {
            writeln!(
                s,
                "    word${k}$clock = clock;\n    word${k}$d = w_word${k};"
            )
            .unwrap();
        }
        for k in 0..3 * self._tables {
            writeln!(
                s,
                "    bld$act${k} = {{{{2{{tb_act${k}[7]}}}}, tb_act${k}}};"
            )
            .unwrap();
        }
        for l in 0..self._lanes {
            let ln = format!("lanes${l}$");
            writeln!(s, "    {ln}clock = clock;").unwrap();
            writeln!(
                s,
                "    {ln}tbl_we = bld$we;\n    {ln}tbl_waddr = bld$waddr;"
            )
            .unwrap();
            for p in ["acc_raddr", "acc_we", "acc_waddr", "acc_clear", "out_load"] {
                writeln!(s, "    {ln}{p} = ctl${p};").unwrap();
            }
            for j in 0..self._tables {
                writeln!(s, "    {ln}tbl_wdata${j} = bld$wdata${j};").unwrap();
                let (c, o) = self.index_pos(l, j);
                // The index's magnitude bits 3..0 and sign bit 4 (an index may straddle two
                // columns).
                let bit = |b: usize| {
                    let p = o + b;
                    format!("word${}$q[{}]", c + p / 64, p % 64)
                };
                let mag = (0..4).rev().map(bit).collect::<Vec<_>>().join(", ");
                let sign = bit(4);
                writeln!(s, "    {ln}taddr${j} = {{ctl$lk_bank, {mag}}};").unwrap();
                writeln!(s, "    {ln}tmask${j} = {{10{{{sign}}}}};").unwrap();
                writeln!(s, "    {ln}tsign${j} = {sign};").unwrap();
            }
            writeln!(s, "    out_acc${l} = {ln}out_acc;").unwrap();
        }
        s.push_str("    out_valid = ctl$out_valid;\n    out_rg = ctl$out_rg;\n");
        s.push_str("    out_tag = ctl$out_tag;\nend\n");
        // Padding bits above the last index (synthesis drops their registers): Verilator's
        // unused lint skips "unused" names.
        let used = INDEX_BITS * self._tables * self._lanes;
        if used < 64 * self._cols {
            let (c, o) = (used / 64, used % 64);
            let mut pad: Vec<String> = vec![format!("word${c}$q[63:{o}]")];
            pad.extend((c + 1..self._cols).map(|k| format!("word${k}$q")));
            writeln!(s, "wire unused_w_pad = &{{1'b0, {}}};", pad.join(", ")).unwrap();
        }
        Verilog::Custom(s)
    }
}
