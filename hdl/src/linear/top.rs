//! The BitLinear accelerator's top level: every block, and the wiring between them.
//!
//! Two modules come out of here:
//! - `top` (this rust-hdl block): the blocks as rust-hdl children; the wiring between them is
//!   two-dimensional and full of width adaptations, so it is `Verilog::Custom` text generated
//!   from the configuration. Its AXI buses are vectors of 64-bit words (`w_rdata$5`, …), as
//!   rust-hdl names vector ports.
//! - `tellme_top` (text): the same ports under the names of the simulator's and the board's
//!   convention (`m_w0_rdata[255:0]`, `s_axil_awaddr`, `clk`, …), wrapping `top`.
//!
//! `top` is simulated with Verilator only: its behaviour is the Verilog text, written once.
//! Every block inside it has its own rust-hdl-simulator and Verilator tests.

use super::controller::{Controller, ControllerTiming, CW};
use crate::axi::ReadMaster;
use crate::axi_lite::{AxiLiteRegs, AW as AXIL_AW};
use crate::quant::{self, ActBuffer, Dequantizer, OutputWriter, Quantizer};
use crate::regmap::{Kind, RegMap};
use crate::tlmm::{self, Engine};
use crate::weight_buffer::{WbufParams, WeightStore};
use rust_hdl::prelude::*;
use std::fmt::Write;
use tellme_config::Config;

/// FIFO depth (log2 beats) and outstanding bursts of the activation read master: enough to
/// cover the DDR latency at full rate, so the quantiser is never starved.
const ACT_FIFO_AW: usize = 7;
const ACT_MAX_BURSTS: usize = 8;

#[derive(LogicBlock)]
pub struct LinearCore {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // AXI4-Lite slave.
    pub s_awaddr: Signal<In, Bits<AXIL_AW>>,
    pub s_awvalid: Signal<In, Bit>,
    pub s_awready: Signal<Out, Bit>,
    pub s_wdata: Signal<In, Bits<32>>,
    pub s_wstrb: Signal<In, Bits<4>>,
    pub s_wvalid: Signal<In, Bit>,
    pub s_wready: Signal<Out, Bit>,
    pub s_bresp: Signal<Out, Bits<2>>,
    pub s_bvalid: Signal<Out, Bit>,
    pub s_bready: Signal<In, Bit>,
    pub s_araddr: Signal<In, Bits<AXIL_AW>>,
    pub s_arvalid: Signal<In, Bit>,
    pub s_arready: Signal<Out, Bit>,
    pub s_rdata: Signal<Out, Bits<32>>,
    pub s_rresp: Signal<Out, Bits<2>>,
    pub s_rvalid: Signal<Out, Bit>,
    pub s_rready: Signal<In, Bit>,
    // Weight read masters, one element per port (rdata: ports × beat words).
    pub w_araddr: Vec<Signal<Out, Bits<40>>>,
    pub w_arlen: Vec<Signal<Out, Bits<8>>>,
    pub w_arsize: Vec<Signal<Out, Bits<3>>>,
    pub w_arburst: Vec<Signal<Out, Bits<2>>>,
    pub w_arvalid: Vec<Signal<Out, Bit>>,
    pub w_arready: Vec<Signal<In, Bit>>,
    pub w_rdata: Vec<Signal<In, Bits<64>>>,
    pub w_rresp: Vec<Signal<In, Bits<2>>>,
    pub w_rlast: Vec<Signal<In, Bit>>,
    pub w_rvalid: Vec<Signal<In, Bit>>,
    pub w_rready: Vec<Signal<Out, Bit>>,
    // Activation master: reads (x) and writes (y).
    pub a_araddr: Signal<Out, Bits<40>>,
    pub a_arlen: Signal<Out, Bits<8>>,
    pub a_arsize: Signal<Out, Bits<3>>,
    pub a_arburst: Signal<Out, Bits<2>>,
    pub a_arvalid: Signal<Out, Bit>,
    pub a_arready: Signal<In, Bit>,
    pub a_rdata: Vec<Signal<In, Bits<64>>>,
    pub a_rresp: Signal<In, Bits<2>>,
    pub a_rlast: Signal<In, Bit>,
    pub a_rvalid: Signal<In, Bit>,
    pub a_rready: Signal<Out, Bit>,
    pub a_awaddr: Signal<Out, Bits<40>>,
    pub a_awlen: Signal<Out, Bits<8>>,
    pub a_awsize: Signal<Out, Bits<3>>,
    pub a_awburst: Signal<Out, Bits<2>>,
    pub a_awvalid: Signal<Out, Bit>,
    pub a_awready: Signal<In, Bit>,
    pub a_wdata: Vec<Signal<Out, Bits<64>>>,
    pub a_wstrb: Vec<Signal<Out, Bits<8>>>,
    pub a_wlast: Signal<Out, Bit>,
    pub a_wvalid: Signal<Out, Bit>,
    pub a_wready: Signal<In, Bit>,
    pub a_bresp: Signal<In, Bits<2>>,
    pub a_bvalid: Signal<In, Bit>,
    pub a_bready: Signal<Out, Bit>,
    pub irq: Signal<Out, Bit>,
    pub dbg_state: Signal<Out, Bits<8>>,
    pub dbg_progress: Signal<Out, Bits<32>>,
    // The blocks.
    regs: AxiLiteRegs,
    ctrl: Controller,
    wstore: WeightStore,
    actrd: ReadMaster<ACT_FIFO_AW>,
    quant: Quantizer,
    actbuf: ActBuffer,
    engine: Engine,
    deq: Dequantizer,
    writer: OutputWriter,
    _wiring: String,
}

impl LinearCore {
    /// The whole BitLinear accelerator for `cfg` (validated).
    pub fn new(cfg: &Config, map: &RegMap) -> LinearCore {
        let a = &cfg.accel;
        let (ports, bu) = (a.axi_ports, a.axi_data_bits / 64);
        let wparams = WbufParams::from_config(cfg).unwrap_or_else(|e| panic!("{}", e.0));
        let timing = ControllerTiming {
            act_latency: quant::ACT_LATENCY,
            build_cycles: tlmm::BUILD_CYCLES,
            drain_cycles: tlmm::out_latency(a.tables) + quant::DEQ_LATENCY + 4,
        };
        let half = if a.double_buffer {
            a.weight_buffer_depth / 2
        } else {
            0
        };
        let mut core = LinearCore {
            clock: Default::default(),
            reset: Default::default(),
            s_awaddr: Default::default(),
            s_awvalid: Default::default(),
            s_awready: Default::default(),
            s_wdata: Default::default(),
            s_wstrb: Default::default(),
            s_wvalid: Default::default(),
            s_wready: Default::default(),
            s_bresp: Default::default(),
            s_bvalid: Default::default(),
            s_bready: Default::default(),
            s_araddr: Default::default(),
            s_arvalid: Default::default(),
            s_arready: Default::default(),
            s_rdata: Default::default(),
            s_rresp: Default::default(),
            s_rvalid: Default::default(),
            s_rready: Default::default(),
            w_araddr: v(ports),
            w_arlen: v(ports),
            w_arsize: v(ports),
            w_arburst: v(ports),
            w_arvalid: v(ports),
            w_arready: v(ports),
            w_rdata: v(ports * bu),
            w_rresp: v(ports),
            w_rlast: v(ports),
            w_rvalid: v(ports),
            w_rready: v(ports),
            a_araddr: Default::default(),
            a_arlen: Default::default(),
            a_arsize: Default::default(),
            a_arburst: Default::default(),
            a_arvalid: Default::default(),
            a_arready: Default::default(),
            a_rdata: v(bu),
            a_rresp: Default::default(),
            a_rlast: Default::default(),
            a_rvalid: Default::default(),
            a_rready: Default::default(),
            a_awaddr: Default::default(),
            a_awlen: Default::default(),
            a_awsize: Default::default(),
            a_awburst: Default::default(),
            a_awvalid: Default::default(),
            a_awready: Default::default(),
            a_wdata: v(bu),
            a_wstrb: v(bu),
            a_wlast: Default::default(),
            a_wvalid: Default::default(),
            a_wready: Default::default(),
            a_bresp: Default::default(),
            a_bvalid: Default::default(),
            a_bready: Default::default(),
            irq: Default::default(),
            dbg_state: Default::default(),
            dbg_progress: Default::default(),
            regs: AxiLiteRegs::new(map),
            ctrl: Controller::new(
                ports,
                timing,
                cfg.peak_macs_per_cycle() as u64 / 3,
                half,
                cfg.axi_beat_bytes(),
            ),
            wstore: WeightStore::new(&wparams),
            actrd: ReadMaster::new(bu, ACT_MAX_BURSTS),
            quant: Quantizer::new(cfg),
            actbuf: ActBuffer::new(cfg),
            engine: Engine::new(cfg),
            deq: Dequantizer::new(cfg),
            writer: OutputWriter::new(cfg),
            _wiring: String::new(),
        };
        core._wiring = wiring(cfg, map);
        core
    }
}

impl Logic for LinearCore {
    /// Not simulated in rust-hdl (see the module docs).
    fn update(&mut self) {}

    fn connect(&mut self) {
        self.s_awready.connect();
        self.s_wready.connect();
        self.s_bresp.connect();
        self.s_bvalid.connect();
        self.s_arready.connect();
        self.s_rdata.connect();
        self.s_rresp.connect();
        self.s_rvalid.connect();
        {
            let s = &mut self.w_araddr;
            s.iter_mut().for_each(|x| x.connect());
        }
        self.w_arlen.iter_mut().for_each(|x| x.connect());
        self.w_arsize.iter_mut().for_each(|x| x.connect());
        self.w_arburst.iter_mut().for_each(|x| x.connect());
        self.w_arvalid.iter_mut().for_each(|x| x.connect());
        self.w_rready.iter_mut().for_each(|x| x.connect());
        for s in [&mut self.a_araddr, &mut self.a_awaddr] {
            s.connect();
        }
        for s in [&mut self.a_arlen, &mut self.a_awlen] {
            s.connect();
        }
        for s in [&mut self.a_arsize, &mut self.a_awsize] {
            s.connect();
        }
        for s in [&mut self.a_arburst, &mut self.a_awburst] {
            s.connect();
        }
        for s in [
            &mut self.a_arvalid,
            &mut self.a_rready,
            &mut self.a_awvalid,
            &mut self.a_wlast,
            &mut self.a_wvalid,
            &mut self.a_bready,
            &mut self.irq,
        ] {
            s.connect();
        }
        self.a_wdata.iter_mut().for_each(|x| x.connect());
        self.a_wstrb.iter_mut().for_each(|x| x.connect());
        self.dbg_state.connect();
        self.dbg_progress.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(self._wiring.clone())
    }
}

/// `n` default signals.
fn v<T: Default>(n: usize) -> Vec<T> {
    (0..n).map(|_| T::default()).collect()
}

/// The wiring of `top`, as Verilog text.
fn wiring(cfg: &Config, map: &RegMap) -> String {
    let a = &cfg.accel;
    let (ports, bu) = (a.axi_ports, a.axi_data_bits / 64);
    let (tb3, cols, lanes) = (3 * a.tables, cfg.weight_word_u64s(), a.lanes);
    let param = |name: &str| format!("regs$param${}", map.index_of(name));
    let status = |name: &str| format!("regs$status${}", map.index_of(name));
    let counter = |name: &str| format!("regs$counter${}", map.index_of(name));
    let mut s = String::new();
    let mut w = |line: String| {
        s.push_str("        ");
        s.push_str(&line);
        s.push('\n');
    };
    // Per-job byte counters: the quantiser and the writer restart theirs at START; the loader
    // counts since reset, so a job reports the difference from START.
    let mut decl = String::from(
        "    reg [63:0] wbytes_base;\n    always @(posedge clock) begin\n        \
         if (regs$start) wbytes_base <= wstore$rd_bytes;\n    end\n",
    );
    let clk_rst = [
        "regs", "ctrl", "wstore", "actrd", "quant", "engine", "deq", "writer",
    ];
    for b in clk_rst {
        w(format!("{b}$clock = clock;"));
        w(format!("{b}$reset = reset;"));
    }
    w("actbuf$clock = clock;".into());

    // AXI4-Lite.
    for (sig, dir_in) in [
        ("awaddr", true),
        ("awvalid", true),
        ("awready", false),
        ("wdata", true),
        ("wstrb", true),
        ("wvalid", true),
        ("wready", false),
        ("bresp", false),
        ("bvalid", false),
        ("bready", true),
        ("araddr", true),
        ("arvalid", true),
        ("arready", false),
        ("rdata", false),
        ("rresp", false),
        ("rvalid", false),
        ("rready", true),
    ] {
        if dir_in {
            w(format!("regs${sig} = s_{sig};"));
        } else {
            w(format!("s_{sig} = regs${sig};"));
        }
    }

    // Registers → controller, quantiser, writer.
    let lo = |n: &str| format!("{}[{}:0]", param(n), CW - 1);
    for (port, reg) in [
        ("tokens", "TOKENS"),
        ("blocks", "BLOCKS"),
        ("tiles", "TILES"),
        ("tile_rg", "TILE_RG"),
        ("last_tile_rg", "LAST_TILE_RG"),
        ("period", "PERIOD"),
        ("last_period", "LAST_PERIOD"),
    ] {
        w(format!("ctrl${port} = {};", lo(reg)));
    }
    for (port, reg) in [
        ("tile_u64s", "TILE_U64S"),
        ("last_tile_u64s", "LAST_TILE_U64S"),
        ("last_tile_beats", "LAST_TILE_BEATS"),
    ] {
        w(format!("ctrl${port} = {};", param(reg)));
    }
    w(format!(
        "ctrl$tile_beats = {{8'd0, {}}};",
        param("TILE_BEATS")
    ));
    w(format!(
        "ctrl$tile_rows = {} * 32'd{lanes};",
        param("TILE_RG")
    ));
    w(format!("ctrl$overlap = {}[1];", param("CTRL")));
    w("ctrl$start = regs$start;".into());
    let addr40 = |n: &str| {
        format!(
            "{{{}[7:0], {}}}",
            param(&format!("{n}_HI")),
            param(&format!("{n}_LO"))
        )
    };
    for p in 0..ports {
        w(format!(
            "ctrl$w_addr${p} = {};",
            addr40(&format!("W{p}_ADDR"))
        ));
    }
    w("ctrl$load_done = wstore$load_done;".into());
    w(format!(
        "ctrl$tokens_ready = {{{}'d0, quant$tokens_ready}};",
        CW - quant::COUNT_BITS
    ));
    w("ctrl$quant_busy = quant$busy;".into());
    w(format!(
        "ctrl$fifo_free = {{{}'d0, writer$fifo_free}};",
        CW - quant::COUNT_BITS
    ));
    w("ctrl$writer_idle = writer$idle;".into());

    // Weight store: loads from the controller, reads by the controller, AXI to the ports.
    let wb_aw = crate::weight_buffer::WB_AW;
    w("wstore$load_start = ctrl$load_start;".into());
    w(format!(
        "wstore$load_base = ctrl$load_base[{}:0];",
        wb_aw - 1
    ));
    w("wstore$load_u64s = ctrl$load_u64s;".into());
    w("wstore$load_beats = ctrl$load_beats;".into());
    for p in 0..ports {
        w(format!("wstore$load_addr${p} = ctrl$load_addr${p};"));
    }
    w("wstore$rd_en = ctrl$wb_rd_en;".into());
    w(format!(
        "wstore$rd_addr = ctrl$wb_rd_addr[{}:0];",
        wb_aw - 1
    ));
    for p in 0..ports {
        for sig in ["araddr", "arlen", "arsize", "arburst", "arvalid", "rready"] {
            w(format!("w_{sig}${p} = wstore${sig}${p};"));
        }
        for sig in ["arready", "rresp", "rlast", "rvalid"] {
            w(format!("wstore${sig}${p} = w_{sig}${p};"));
        }
    }
    for i in 0..ports * bu {
        w(format!("wstore$rdata${i} = w_rdata${i};"));
    }

    // Quantiser and its read master; the activation buffer.
    w("quant$start = regs$start;".into());
    w(format!("quant$x_addr = {};", addr40("X_ADDR")));
    w(format!("quant$x_stride = {};", param("X_STRIDE")));
    w(format!("quant$x_beats = {};", param("X_BEATS")));
    w(format!(
        "quant$tokens = {}[{}:0];",
        param("TOKENS"),
        quant::COUNT_BITS - 1
    ));
    w(format!(
        "quant$blocks = {}[{}:0];",
        param("BLOCKS"),
        quant::COUNT_BITS - 1
    ));
    w(format!("quant$ws = {};", param("W_SCALE")));
    w("actrd$cmd_valid = quant$rd_cmd_valid;".into());
    w("quant$rd_cmd_ready = actrd$cmd_ready;".into());
    w("actrd$cmd_addr = quant$rd_cmd_addr;".into());
    w("actrd$cmd_beats = quant$rd_cmd_beats;".into());
    w("quant$rd_valid = actrd$data_valid;".into());
    w("actrd$data_ready = quant$rd_ready;".into());
    for i in 0..bu {
        w(format!("quant$rd_data${i} = actrd$data${i};"));
        w(format!("actrd$rdata${i} = a_rdata${i};"));
    }
    for sig in ["araddr", "arlen", "arsize", "arburst", "arvalid", "rready"] {
        w(format!("a_{sig} = actrd${sig};"));
    }
    for sig in ["arready", "rresp", "rlast", "rvalid"] {
        w(format!("actrd${sig} = a_{sig};"));
    }
    w("actbuf$wr_en = quant$act_we;".into());
    w("actbuf$wr_row = quant$act_row;".into());
    w("actbuf$rd_en = ctrl$act_rd_en;".into());
    w("actbuf$rd_row = ctrl$act_rd_row;".into());
    for i in 0..tb3 {
        w(format!("actbuf$wr_data${i} = quant$act_wdata${i};"));
        w(format!("engine$tb_act${i} = actbuf$rd_data${i};"));
    }

    // Engine.
    for sig in [
        "tb_start", "tb_bank", "op_valid", "op_bank", "op_rg", "op_clear", "op_last", "op_tag",
    ] {
        w(format!("engine${sig} = ctrl${sig};"));
    }
    for c in 0..cols {
        w(format!("engine$w_word${c} = wstore$rd_word${c};"));
    }

    // Dequantiser, writer.
    w("deq$in_valid = engine$out_valid;".into());
    w("deq$in_rg = engine$out_rg;".into());
    w("deq$in_tag = engine$out_tag;".into());
    for sig in ["dq_we", "dq_tag", "dq_value"] {
        w(format!("deq${sig} = quant${sig};"));
    }
    w("writer$clear = regs$start;".into());
    w(format!("writer$y_addr = {};", addr40("Y_ADDR")));
    w(format!("writer$y_stride = {};", param("Y_STRIDE")));
    w("writer$tile_row0 = ctrl$tile_row0;".into());
    w("writer$in_valid = deq$valid;".into());
    w("writer$in_rg = deq$rg;".into());
    w("writer$in_tag = deq$tag;".into());
    w("writer$claim = ctrl$op_valid & ctrl$op_last;".into());
    for l in 0..lanes {
        w(format!("deq$in_acc${l} = engine$out_acc${l};"));
        w(format!("writer$in_y${l} = deq$y${l};"));
    }
    for sig in [
        "awaddr", "awlen", "awsize", "awburst", "awvalid", "wlast", "wvalid", "bready",
    ] {
        w(format!("a_{sig} = writer${sig};"));
    }
    for sig in ["awready", "wready", "bresp", "bvalid"] {
        w(format!("writer${sig} = a_{sig};"));
    }
    for i in 0..bu {
        w(format!("a_wdata${i} = writer$wdata${i};"));
        w(format!("a_wstrb${i} = writer$wstrb${i};"));
    }

    // Status, errors, counters, irq, debug.
    let errs = "{28'd0, ctrl$params_err | quant$err, writer$err, actrd$err, wstore$err}";
    w(format!("{} = {errs};", status("ERROR")));
    w(format!(
        "{} = {{29'd0, ctrl$done & (ctrl$params_err | quant$err | writer$err | actrd$err | wstore$err), ctrl$done, ctrl$busy}};",
        status("STATUS")
    ));
    debug_assert_eq!(map.of_kind(Kind::Status).count(), 2);
    w(format!("{} = ctrl$cycles;", counter("CYCLES")));
    w(format!("{} = ctrl$stall_cycles;", counter("STALL_CYCLES")));
    w(format!(
        "{} = (wstore$rd_bytes - wbytes_base) + {{32'd0, quant$rd_bytes}};",
        counter("RD_BYTES")
    ));
    w(format!(
        "{} = wstore$rd_bytes - wbytes_base;",
        counter("WEIGHT_BYTES")
    ));
    w(format!(
        "{} = {{32'd0, writer$wr_bytes}};",
        counter("WR_BYTES")
    ));
    w(format!("{} = ctrl$lookups;", counter("LOOKUPS")));
    // irq is low in the START cycle so a driver never sees the previous job's DONE.
    w(format!(
        "irq = ctrl$done & {}[2] & ~regs$start;",
        param("CTRL")
    ));
    w("dbg_state = ctrl$state;".into());
    w("dbg_progress = ctrl$progress;".into());

    let _ = writeln!(decl, "    always @(*) begin\n{s}    end");
    decl
}

/// The convention-named wrapper `tellme_top` around `top`.
pub fn wrapper(cfg: &Config) -> String {
    let a = &cfg.accel;
    let (ports, bw, bu) = (a.axi_ports, a.axi_data_bits, a.axi_data_bits / 64);
    let aw = AXIL_AW;
    let mut p: Vec<String> = vec!["input wire clk".into(), "input wire rst".into()];
    let mut c: Vec<String> = vec![".clock(clk)".into(), ".reset(rst)".into()];
    for (sig, width, input) in [
        ("awaddr", aw, true),
        ("awvalid", 1, true),
        ("awready", 1, false),
        ("wdata", 32, true),
        ("wstrb", 4, true),
        ("wvalid", 1, true),
        ("wready", 1, false),
        ("bresp", 2, false),
        ("bvalid", 1, false),
        ("bready", 1, true),
        ("araddr", aw, true),
        ("arvalid", 1, true),
        ("arready", 1, false),
        ("rdata", 32, false),
        ("rresp", 2, false),
        ("rvalid", 1, false),
        ("rready", 1, true),
    ] {
        p.push(port_decl(input, width, &format!("s_axil_{sig}")));
        c.push(format!(".s_{sig}(s_axil_{sig})"));
    }
    let read_sigs = [
        ("araddr", 40, false),
        ("arlen", 8, false),
        ("arsize", 3, false),
        ("arburst", 2, false),
        ("arvalid", 1, false),
        ("arready", 1, true),
        ("rresp", 2, true),
        ("rlast", 1, true),
        ("rvalid", 1, true),
        ("rready", 1, false),
    ];
    for port in 0..ports {
        for (sig, width, input) in read_sigs {
            p.push(port_decl(input, width, &format!("m_w{port}_{sig}")));
            c.push(format!(".w_{sig}${port}(m_w{port}_{sig})"));
        }
        p.push(port_decl(true, bw, &format!("m_w{port}_rdata")));
        for i in 0..bu {
            c.push(format!(
                ".w_rdata${}(m_w{port}_rdata[{}:{}])",
                port * bu + i,
                64 * i + 63,
                64 * i
            ));
        }
    }
    for (sig, width, input) in read_sigs.into_iter().chain([
        ("awaddr", 40, false),
        ("awlen", 8, false),
        ("awsize", 3, false),
        ("awburst", 2, false),
        ("awvalid", 1, false),
        ("awready", 1, true),
        ("wlast", 1, false),
        ("wvalid", 1, false),
        ("wready", 1, true),
        ("bresp", 2, true),
        ("bvalid", 1, true),
        ("bready", 1, false),
    ]) {
        p.push(port_decl(input, width, &format!("m_act_{sig}")));
        c.push(format!(".a_{sig}(m_act_{sig})"));
    }
    p.push(port_decl(true, bw, "m_act_rdata"));
    p.push(port_decl(false, bw, "m_act_wdata"));
    p.push(port_decl(false, bw / 8, "m_act_wstrb"));
    for i in 0..bu {
        c.push(format!(
            ".a_rdata${i}(m_act_rdata[{}:{}])",
            64 * i + 63,
            64 * i
        ));
        c.push(format!(
            ".a_wdata${i}(m_act_wdata[{}:{}])",
            64 * i + 63,
            64 * i
        ));
        c.push(format!(
            ".a_wstrb${i}(m_act_wstrb[{}:{}])",
            8 * i + 7,
            8 * i
        ));
    }
    for (sig, width) in [("irq", 1), ("dbg_state", 8), ("dbg_progress", 32)] {
        p.push(port_decl(false, width, sig));
        c.push(format!(".{sig}({sig})"));
    }
    format!(
        "// The TeLLMe BitLinear accelerator under its port convention (generated; do not edit).\n\
         // clk/rst, AXI4-Lite slave s_axil_*, AXI4 read masters m_w<p>_* (weights), AXI4 master\n\
         // m_act_* (activations in and out), irq, dbg_state, dbg_progress.\n\
         module tellme_top (\n    {}\n);\n    top u_core (\n        {}\n    );\nendmodule\n",
        p.join(",\n    "),
        c.join(",\n        ")
    )
}

fn port_decl(input: bool, width: usize, name: &str) -> String {
    let dir = if input { "input wire " } else { "output wire" };
    if width == 1 {
        format!("{dir} {name}")
    } else {
        format!("{dir} [{}:0] {name}", width - 1)
    }
}

/// The Verilog of the whole design: rust-hdl's `top` (and every block inside) followed by the
/// `tellme_top` wrapper.
pub fn verilog(cfg: &Config, map: &RegMap) -> (String, String) {
    let mut core = LinearCore::new(cfg, map);
    core.clock.connect();
    core.reset.connect();
    core.connect_all();
    // The wiring is text (see the module docs), so rust-hdl's connectivity check cannot see it;
    // Verilator's -Wall lint (UNDRIVEN/UNUSED) checks the result instead.
    (generate_verilog_unchecked(&core), wrapper(cfg))
}
