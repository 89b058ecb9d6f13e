//! Wide multipliers as hand-written Verilog (`Verilog::Custom`) with a Rust model each.
//!
//! rust-hdl 0.46 multiplies only `Bits<16> × Bits<16>`, so every wider product lives here. Each
//! block is a leaf: its Rust `update()` reads only its own inputs at the clock edge and keeps the
//! pipeline in plain fields, exactly like the memory leaves in `mem.rs`. The Verilog splits the
//! products into DSP48E2-sized partial products by hand (yosys 0.23 maps the split form to fewer
//! DSPs than a plain `*`), and the unit tests replay the Rust model against the Verilog.
use rust_hdl::prelude::*;

/// Cycles from `x`/`r` to `q` in [`QuantMul`].
pub const QMUL_LATENCY: usize = 4;
/// Cycles from `acc`/`dq` to `y` in [`DeqMul`].
pub const DMUL_LATENCY: usize = 5;
/// Cycles from `a`/`b` to `p` in [`UMul`].
pub const UMUL_LATENCY: usize = 2;

/// The quantiser's multiply: `q = (x · r + 2^47) >> 48` as an int8, for `x` an `i32` (Q16.16)
/// and `r < 2^56` the token's reciprocal. Only the low 56 bits of the product are formed: the
/// result is known to fit 8 bits (`|q| ≤ 127`, see `NUMERICS.md`), so wrapping modulo 2^56 gives
/// the same byte. Four DSP48E2 (26×17 tiles) plus two small LUT products.
#[derive(LogicBlock, Default)]
pub struct QuantMul {
    pub clock: Signal<In, Clock>,
    pub x: Signal<In, Bits<32>>,
    pub r: Signal<In, Bits<56>>,
    pub q: Signal<Out, Bits<8>>,
    _xr: u32,
    _rr: u64,
    _prod: u64,
    _p9: u64,
}

impl Logic for QuantMul {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            // Stages from last to first so each reads its predecessor's old value.
            let q = ((self._p9 >> 1) + (self._p9 & 1)) & 0xFF;
            self.q.next = q.into();
            self._p9 = (self._prod >> 47) & 0x1FF;
            let full = (self._xr as i32 as i128) * (self._rr as i128);
            self._prod = (full as u128 & ((1u128 << 56) - 1)) as u64;
            self._xr = self.x.val().to_u64() as u32;
            self._rr = self.r.val().to_u64();
        }
    }
    fn connect(&mut self) {
        self.q.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(
            "\
// q = (x*r + 2^47) >> 48 (int8), product formed modulo 2^56 from partial products:
// r = ra + rb*2^26 + rc*2^52, x = x0 + x1*2^17 (x1 signed).
reg [31:0] xr;
reg [55:0] rr;
reg [42:0] pa0;
reg signed [38:0] pa1;
reg [29:0] pb0;
reg [12:0] pb1;
reg [3:0] pc;
reg [8:0] p9;
wire [8:0] sum_hi;
wire [46:0] sum_lo_unused;
assign {sum_hi, sum_lo_unused} = {13'd0, pa0} + {pa1, 17'd0} + {pb0, 26'd0} + {pb1, 43'd0}
    + {pc, 52'd0};
initial begin
    xr = 32'd0;
    rr = 56'd0;
    pa0 = 43'd0;
    pa1 = 39'sd0;
    pb0 = 30'd0;
    pb1 = 13'd0;
    pc = 4'd0;
    p9 = 9'd0;
    q = 8'd0;
end
always @(posedge clock) begin
    xr <= x;
    rr <= r;
    pa0 <= rr[25:0] * xr[16:0];
    pa1 <= $signed({1'b0, rr[25:0]}) * $signed(xr[31:17]);
    pb0 <= rr[51:26] * xr[16:0];
    pb1 <= rr[38:26] * xr[29:17];
    pc <= rr[55:52] * xr[3:0];
    p9 <= sum_hi;
    q <= p9[8:1] + {7'd0, p9[0]};
end
"
            .into(),
        )
    }
}

/// The dequantiser's multiply: `y = sat_i32((acc · dq + 2^15) >> 16)` for a signed 24-bit
/// accumulator and `dq < 2^49`. The 73-bit product is exact; three DSP48E2 (24×17 tiles). The
/// rounding add, the range check and the saturating select get a stage each: yosys maps the
/// three in one cycle to ~2.5× the LUTs.
#[derive(LogicBlock, Default)]
pub struct DeqMul {
    pub clock: Signal<In, Clock>,
    pub acc: Signal<In, Signed<24>>,
    pub dq: Signal<In, Bits<49>>,
    pub y: Signal<Out, Bits<32>>,
    _ar: i64,
    _dr: u64,
    _prod: i128,
    _shifted: i128,
    _sat: i32,
}

impl Logic for DeqMul {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            // Stages from last to first so each reads its predecessor's old value.
            self.y.next = (self._sat as u32 as u64).into();
            self._sat = self._shifted.clamp(i32::MIN as i128, i32::MAX as i128) as i32;
            self._shifted = (self._prod + (1 << 15)) >> 16;
            self._prod = self._ar as i128 * self._dr as i128;
            self._ar = signed_to_i64(self.acc.val());
            self._dr = self.dq.val().to_u64();
        }
    }
    fn connect(&mut self) {
        self.y.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(
            "\
// y = sat((acc*dq + 2^15) >> 16), acc*dq exact (73 bits) from dq = d0 + d1*2^17 + d2*2^34.
reg signed [23:0] ar;
reg [48:0] dr;
reg signed [41:0] q0;
reg signed [41:0] q1;
reg signed [38:0] q2;
reg [56:0] rs;
reg ovf;
reg sg;
reg [31:0] lo;
wire [56:0] sum_hi;
wire [15:0] sum_lo_unused;
assign {sum_hi, sum_lo_unused} = {{31{q0[41]}}, q0} + {{14{q1[41]}}, q1, 17'd0} + {q2, 34'd0}
    + 73'd32768;
initial begin
    ar = 24'sd0;
    dr = 49'd0;
    q0 = 42'sd0;
    q1 = 42'sd0;
    q2 = 39'sd0;
    rs = 57'd0;
    ovf = 1'b0;
    sg = 1'b0;
    lo = 32'd0;
    y = 32'd0;
end
always @(posedge clock) begin
    ar <= acc;
    dr <= dq;
    q0 <= ar * $signed({1'b0, dr[16:0]});
    q1 <= ar * $signed({1'b0, dr[33:17]});
    q2 <= ar * $signed({1'b0, dr[48:34]});
    // (p + 2^15) >>> 16: a 57-bit signed value, in i32 range iff bits 56..31 agree.
    rs <= sum_hi;
    ovf <= rs[56:31] != {26{rs[56]}};
    sg <= rs[56];
    lo <= rs[31:0];
    y <= ovf ? {sg, {31{~sg}}} : lo;
end
"
            .into(),
        )
    }
}

/// An unsigned `A × B` multiply truncated to `P` bits, registered in and out.
#[derive(LogicBlock, Default)]
pub struct UMul<const A: usize, const B: usize, const P: usize> {
    pub clock: Signal<In, Clock>,
    pub a: Signal<In, Bits<A>>,
    pub b: Signal<In, Bits<B>>,
    pub p: Signal<Out, Bits<P>>,
    _ar: u64,
    _br: u64,
}

impl<const A: usize, const B: usize, const P: usize> Logic for UMul<A, B, P> {
    fn update(&mut self) {
        assert!(A <= 64 && B <= 64 && P <= 64);
        if self.clock.pos_edge() {
            let full = self._ar as u128 * self._br as u128;
            let mask = if P >= 128 {
                u128::MAX
            } else {
                (1u128 << P) - 1
            };
            self.p.next = ((full & mask) as u64).into();
            self._ar = self.a.val().to_u64();
            self._br = self.b.val().to_u64();
        }
    }
    fn connect(&mut self) {
        self.p.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "\
reg [{a}:0] ar;
reg [{b}:0] br;
initial begin
    ar = {a1}'d0;
    br = {b1}'d0;
    p = {p1}'d0;
end
always @(posedge clock) begin
    ar <= a;
    br <= b;
    p <= ar * br;
end
",
            a = A - 1,
            b = B - 1,
            a1 = A,
            b1 = B,
            p1 = P
        ))
    }
}

/// The value of a rust-hdl `Signed<N>` (N ≤ 64) as an `i64`.
pub fn signed_to_i64<const N: usize>(v: Signed<N>) -> i64 {
    let raw = unsigned_cast(v).to_u64();
    if N == 64 {
        raw as i64
    } else if raw >> (N - 1) & 1 == 1 {
        (raw | !((1u64 << N) - 1)) as i64
    } else {
        raw as i64
    }
}

/// An `i64` as a rust-hdl `Signed<N>` (two's complement, wrapped to N bits).
pub fn i64_to_signed<const N: usize>(v: i64) -> Signed<N> {
    let mask = if N == 64 { u64::MAX } else { (1u64 << N) - 1 };
    signed_cast(bits::<N>(v as u64 & mask))
}

/// `y = {hi, lo}`: two 32-bit values as one 64-bit word (`bit_cast` cannot take a loop-indexed
/// argument inside `#[hdl_gen]`, so 2-D packing goes through this leaf).
#[derive(LogicBlock, Default)]
pub struct Join32 {
    pub lo: Signal<In, Bits<32>>,
    pub hi: Signal<In, Bits<32>>,
    pub y: Signal<Out, Bits<64>>,
}

impl Logic for Join32 {
    fn update(&mut self) {
        self.y.next = ((self.hi.val().to_u64() << 32) | self.lo.val().to_u64()).into();
    }
    fn connect(&mut self) {
        self.y.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom("always @(*) y = {hi, lo};\n".into())
    }
}
