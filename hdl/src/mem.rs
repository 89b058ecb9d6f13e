//! Memories as hand-written Verilog leaf modules, wrapped into rust-hdl with `Wrapper`.
//!
//! rust-hdl cannot attach `ram_style` attributes, so every memory is one of the parameterised
//! leaves in [`LEAF_VERILOG`] (written as `leaf.v` next to the generated top and given to
//! Verilator and Yosys). `Wrapper.cores` stays empty on purpose: rust-hdl appends `cores` once
//! per *instance*, which would define the module hundreds of times. Each wrapper also carries a
//! Rust model so rust-hdl's own simulator can run blocks that contain it.
use rust_hdl::prelude::*;

pub const LEAF_VERILOG: &str = r#"// Hand-written memory leaves for TeLLMe-RS (rust-hdl Wrapper targets): the only place the
// generated design names a RAM style.
// verilator lint_off DECLFILENAME
// Simple dual-port RAM: write port A, read port B, 1-cycle read latency (URAM288 on UltraScale+).
module tlmm_uram_sdp #(parameter DEPTH = 4096, parameter AW = 12, parameter DW = 72) (
    input  wire          clk,
    input  wire          we_a,
    input  wire [AW-1:0] addr_a,
    input  wire [DW-1:0] din_a,
    input  wire          en_b,
    input  wire [AW-1:0] addr_b,
    output reg  [DW-1:0] dout_b
);
    (* ram_style = "ultra" *) reg [DW-1:0] ram [0:DEPTH-1];
    always @(posedge clk) begin
        if (we_a) ram[addr_a] <= din_a;
    end
    always @(posedge clk) begin
        if (en_b) dout_b <= ram[addr_b];
    end
endmodule

// Distributed (LUT) RAM: one synchronous write port, one asynchronous read port.
module tlmm_lutram #(parameter DEPTH = 32, parameter AW = 5, parameter DW = 10) (
    input  wire          clk,
    input  wire          we,
    input  wire [AW-1:0] waddr,
    input  wire [DW-1:0] wdata,
    input  wire [AW-1:0] raddr,
    output wire [DW-1:0] rdata
);
    (* ram_style = "distributed" *) reg [DW-1:0] ram [0:DEPTH-1];
    always @(posedge clk) begin
        if (we) ram[waddr] <= wdata;
    end
    assign rdata = ram[raddr];
endmodule
// verilator lint_on DECLFILENAME
"#;

/// URAM simple dual-port RAM. Widths are compile-time (AW, DW); depth is run-time.
#[derive(LogicBlock)]
pub struct UramSdp<const AW: usize, const DW: usize> {
    pub clock: Signal<In, Clock>,
    pub we_a: Signal<In, Bit>,
    pub addr_a: Signal<In, Bits<AW>>,
    pub din_a: Signal<In, Bits<DW>>,
    pub en_b: Signal<In, Bit>,
    pub addr_b: Signal<In, Bits<AW>>,
    pub dout_b: Signal<Out, Bits<DW>>,
    _depth: usize,
    _mem: Vec<Bits<DW>>, // rust-hdl simulation model only
}

impl<const AW: usize, const DW: usize> UramSdp<AW, DW> {
    pub fn new(depth: usize) -> Self {
        assert!(depth <= 1 << AW);
        Self {
            clock: Default::default(),
            we_a: Default::default(),
            addr_a: Default::default(),
            din_a: Default::default(),
            en_b: Default::default(),
            addr_b: Default::default(),
            dout_b: Default::default(),
            _depth: depth,
            _mem: vec![Bits::default(); depth],
        }
    }
}

impl<const AW: usize, const DW: usize> Logic for UramSdp<AW, DW> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            if self.en_b.val() {
                let a = self.addr_b.val().index();
                self.dout_b.next = if a < self._depth {
                    self._mem[a]
                } else {
                    Bits::default()
                };
            }
            if self.we_a.val() {
                let a = self.addr_a.val().index();
                if a < self._depth {
                    self._mem[a] = self.din_a.val();
                }
            }
        }
    }
    fn connect(&mut self) {
        self.dout_b.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Wrapper(Wrapper {
            code: format!(
                "tlmm_uram_sdp #(.DEPTH({}), .AW({}), .DW({})) u_leaf(.clk(clock), .we_a(we_a), \
                 .addr_a(addr_a), .din_a(din_a), .en_b(en_b), .addr_b(addr_b), .dout_b(dout_b));",
                self._depth, AW, DW
            ),
            cores: String::new(),
        })
    }
}

/// Distributed-RAM table: sync write, async read.
#[derive(LogicBlock)]
pub struct LutRam<const AW: usize, const DW: usize> {
    pub clock: Signal<In, Clock>,
    pub we: Signal<In, Bit>,
    pub waddr: Signal<In, Bits<AW>>,
    pub wdata: Signal<In, Bits<DW>>,
    pub raddr: Signal<In, Bits<AW>>,
    pub rdata: Signal<Out, Bits<DW>>,
    _depth: usize,
    _mem: Vec<Bits<DW>>,
}

impl<const AW: usize, const DW: usize> LutRam<AW, DW> {
    pub fn new(depth: usize) -> Self {
        assert!(depth <= 1 << AW);
        Self {
            clock: Default::default(),
            we: Default::default(),
            waddr: Default::default(),
            wdata: Default::default(),
            raddr: Default::default(),
            rdata: Default::default(),
            _depth: depth,
            _mem: vec![Bits::default(); depth],
        }
    }
}

impl<const AW: usize, const DW: usize> Logic for LutRam<AW, DW> {
    fn update(&mut self) {
        if self.clock.pos_edge() && self.we.val() {
            let a = self.waddr.val().index();
            if a < self._depth {
                self._mem[a] = self.wdata.val();
            }
        }
        let a = self.raddr.val().index();
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
        Verilog::Wrapper(Wrapper {
            code: format!(
                "tlmm_lutram #(.DEPTH({}), .AW({}), .DW({})) u_leaf(.clk(clock), .we(we), \
                 .waddr(waddr), .wdata(wdata), .raddr(raddr), .rdata(rdata));",
                self._depth, AW, DW
            ),
            cores: String::new(),
        })
    }
}
