//! The per-token int8 absmax quantiser (`tellme_model::quant::quantize`, bit for bit).
//!
//! Per token `t` (in order) it reads the token's x row twice through a simple read-request
//! interface (`rd_cmd_*`: byte address + beats, then a ready/valid beat stream `rd_valid`,
//! `rd_ready`, `rd_data[BU]`), which an AXI4 read master turns into `m_act_` AR/R bursts:
//!
//! 1. **pass 1**: `m = max |x_i|` over the row's first `KP = blocks·3·TB` values (anything the
//!    last beat carries past `KP` is masked to zero). Every lane keeps its own running maximum
//!    (one compare per value per cycle); the `VPB` lane maxima are folded in `VPB` cycles.
//! 2. **dividers**: `recip = floor(127·2^48/m)` ([`RecipDiv`], 55 cycles) gates pass 2; `dq`
//!    ([`DqUnit`], 83 cycles) runs beside pass 2.
//! 3. **pass 2**: `q = (x·recip + 2^47) >> 48` for `VPB` values per cycle ([`QuantMul`]), packed
//!    into act-buffer rows of `3·TB` bytes (row `t·NB + b`). Values straddle rows; a shift
//!    register of `3·TB + VPB − gcd(VPB, 3·TB)` bytes takes one beat per cycle at its top and a
//!    row leaves from one of `VPB/gcd` positions at its bottom.
//! 4. `dq[t]` goes out on `dq_we`/`dq_tag`/`dq_value` (the Dequantizer stores it) and
//!    `tokens_ready` becomes `t + 1`.
//!
//! Both read commands of every token are issued as early as the read master takes them, so the
//! DDR latency of pass 2 hides behind the dividers (the beat stream is simply held off, `rd_ready`
//! low, until `recip` is known). A token costs `2·x_beats + VPB + RECIP_CYCLES + 9` cycles when
//! beats arrive back to back, or `x_beats + VPB + DQ_CYCLES + 3` for rows shorter than ~22 beats
//! ([`Quantizer::cycles_per_token`]).
//!
//! `start` (ignored while `busy`) latches the parameters; 13 cycles later they are checked:
//! `blocks = 0`, `tokens > max_tokens`, `tokens·blocks >` buffer rows, or `x_beats·VPB < KP`
//! raise `err` and end the job without reading anything. `tokens = 0` ends it at once.
use super::arith::{QuantMul, QMUL_LATENCY};
use super::divider::{DqUnit, RecipDiv, DQ_BITS, DQ_CYCLES, RECIP_CYCLES};
use super::{QuantGeom, ACT_ADDR_BITS, ADDR_BITS, COUNT_BITS, TAG_BITS};
use rust_hdl::prelude::*;
use tellme_config::Config;

#[derive(LogicBlock)]
pub struct Quantizer {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // Job parameters, latched by `start`.
    pub start: Signal<In, Bit>,
    pub x_addr: Signal<In, Bits<ADDR_BITS>>,
    pub x_stride: Signal<In, Bits<32>>,
    pub x_beats: Signal<In, Bits<32>>,
    pub tokens: Signal<In, Bits<COUNT_BITS>>,
    pub blocks: Signal<In, Bits<COUNT_BITS>>,
    pub ws: Signal<In, Bits<32>>,
    // Status.
    pub busy: Signal<Out, Bit>,
    pub err: Signal<Out, Bit>,
    pub tokens_ready: Signal<Out, Bits<COUNT_BITS>>,
    /// Bytes received on the beat stream since `start`.
    pub rd_bytes: Signal<Out, Bits<32>>,
    // Read requests (to the read master).
    pub rd_cmd_valid: Signal<Out, Bit>,
    pub rd_cmd_ready: Signal<In, Bit>,
    pub rd_cmd_addr: Signal<Out, Bits<ADDR_BITS>>,
    pub rd_cmd_beats: Signal<Out, Bits<32>>,
    // Beat stream (from the read master).
    pub rd_valid: Signal<In, Bit>,
    pub rd_ready: Signal<Out, Bit>,
    pub rd_data: Vec<Signal<In, Bits<64>>>,
    // Activation-buffer write port: one whole row per write.
    pub act_we: Signal<Out, Bit>,
    pub act_row: Signal<Out, Bits<ACT_ADDR_BITS>>,
    pub act_wdata: Vec<Signal<Out, Bits<8>>>,
    // The token's dequantisation multiplier (pulse), to the Dequantizer's dq register file.
    pub dq_we: Signal<Out, Bit>,
    pub dq_tag: Signal<Out, Bits<TAG_BITS>>,
    pub dq_value: Signal<Out, Bits<DQ_BITS>>,
    /// The token's absmax `m`, valid with `dq_we`.
    pub m_value: Signal<Out, Bits<32>>,

    state: DFF<Bits<4>>,
    busy_r: DFF<Bit>,
    err_r: DFF<Bit>,
    ready_r: DFF<Bits<COUNT_BITS>>,
    rd_bytes_r: DFF<Bits<32>>,
    p_addr: DFF<Bits<ADDR_BITS>>,
    p_stride: DFF<Bits<32>>,
    p_beats: DFF<Bits<32>>,
    p_tokens: DFF<Bits<COUNT_BITS>>,
    p_blocks: DFF<Bits<COUNT_BITS>>,
    p_ws: DFF<Bits<32>>,
    // Init: KP = blocks·rb and tokens·blocks by shift-and-add.
    i_cnt: DFF<Bits<4>>,
    i_mplier: DFF<Bits<COUNT_BITS>>,
    i_kp_mc: DFF<Bits<24>>,
    i_tr_mc: DFF<Bits<26>>,
    kp: DFF<Bits<24>>,
    trows: DFF<Bits<26>>,
    // Read commands.
    cmd_left: DFF<Bits<COUNT_BITS>>,
    cmd_second: DFF<Bit>,
    cmd_addr: DFF<Bits<ADDR_BITS>>,
    // Beat consumer.
    tok: DFF<Bits<COUNT_BITS>>,
    bcnt: DFF<Bits<32>>,
    vleft: DFF<Bits<24>>,
    // Pass 1.
    absr: Vec<DFF<Bits<32>>>,
    a_valid: DFF<Bit>,
    lmax: Vec<DFF<Bits<32>>>,
    mval: DFF<Bits<32>>,
    fcnt: DFF<Bits<6>>,
    // Dividers.
    rdiv: RecipDiv,
    dqu: DqUnit,
    // Pass 2.
    qmul: Vec<QuantMul>,
    q_valid: Vec<DFF<Bit>>,
    sreg: Vec<DFF<Bits<8>>>,
    pend: DFF<Bits<16>>,
    rows_left: DFF<Bits<COUNT_BITS>>,
    arow: DFF<Bits<ACT_ADDR_BITS>>,
    // Outputs of the token's end.
    dq_we_r: DFF<Bit>,
    dq_tag_r: DFF<Bits<TAG_BITS>>,
    dq_val_r: DFF<Bits<DQ_BITS>>,
    m_val_r: DFF<Bits<32>>,
    // Combinational.
    beat: Signal<Local, Bit>,
    rdy: Signal<Local, Bit>,
    emit: Signal<Local, Bit>,
    q_in: Signal<Local, Bit>,
    xin: Vec<Signal<Local, Bits<32>>>,
    // Constants from the configuration.
    s_idle: Constant<Bits<4>>,
    s_init: Constant<Bits<4>>,
    s_check: Constant<Bits<4>>,
    s_pass1: Constant<Bits<4>>,
    s_fold: Constant<Bits<4>>,
    s_div_start: Constant<Bits<4>>,
    s_div_wait: Constant<Bits<4>>,
    s_pass2: Constant<Bits<4>>,
    s_finish: Constant<Bits<4>>,
    c_zero32: Constant<Bits<32>>,
    c_lane: Vec<Constant<Bits<24>>>,
    c_vpb24: Constant<Bits<24>>,
    c_vpb16: Constant<Bits<16>>,
    c_vpb6: Constant<Bits<6>>,
    c_rb16: Constant<Bits<16>>,
    c_rb24: Constant<Bits<24>>,
    c_cand: Vec<Constant<Bits<16>>>,
    c_max_tokens: Constant<Bits<COUNT_BITS>>,
    c_depth: Constant<Bits<26>>,
    c_lg_vpb: Constant<Bits<8>>,
    c_beat_bytes: Constant<Bits<32>>,
    k0_4: Constant<Bits<4>>,
    k1_4: Constant<Bits<4>>,
    k12_4: Constant<Bits<4>>,
    k0_6: Constant<Bits<6>>,
    k1_6: Constant<Bits<6>>,
    k0_13: Constant<Bits<13>>,
    k1_13: Constant<Bits<13>>,
    k0_16: Constant<Bits<16>>,
    k1_16: Constant<Bits<16>>,
    k0_24: Constant<Bits<24>>,
    k0_26: Constant<Bits<26>>,
    k0_32: Constant<Bits<32>>,
    k1_32: Constant<Bits<32>>,
    _bu: usize,
    _vpb: usize,
    _vpb_m1: usize,
    _vpb1: usize,
    _rb: usize,
    _sb: usize,
    _s_keep: usize,
    _s_keep1: usize,
    _g: usize,
    _g1: usize,
    _nc: usize,
    _ql: usize,
    _ql_m1: usize,
}

impl Quantizer {
    /// Panics with the reason if `cfg` cannot be built (see [`QuantGeom::new`]).
    pub fn new(cfg: &Config) -> Self {
        let g = QuantGeom::new(cfg).unwrap_or_else(|e| panic!("{e}"));
        let (vpb, rb, sb, gc) = (g.vpb, g.rb, g.shift_bytes(), g.gcd());
        let nc = vpb / gc;
        let c16 = |v: usize| Constant::new(bits::<16>(v as u64));
        Self {
            clock: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            x_addr: Default::default(),
            x_stride: Default::default(),
            x_beats: Default::default(),
            tokens: Default::default(),
            blocks: Default::default(),
            ws: Default::default(),
            busy: Default::default(),
            err: Default::default(),
            tokens_ready: Default::default(),
            rd_bytes: Default::default(),
            rd_cmd_valid: Default::default(),
            rd_cmd_ready: Default::default(),
            rd_cmd_addr: Default::default(),
            rd_cmd_beats: Default::default(),
            rd_valid: Default::default(),
            rd_ready: Default::default(),
            rd_data: (0..g.bu).map(|_| Default::default()).collect(),
            act_we: Default::default(),
            act_row: Default::default(),
            act_wdata: (0..rb).map(|_| Default::default()).collect(),
            dq_we: Default::default(),
            dq_tag: Default::default(),
            dq_value: Default::default(),
            m_value: Default::default(),
            state: Default::default(),
            busy_r: Default::default(),
            err_r: Default::default(),
            ready_r: Default::default(),
            rd_bytes_r: Default::default(),
            p_addr: Default::default(),
            p_stride: Default::default(),
            p_beats: Default::default(),
            p_tokens: Default::default(),
            p_blocks: Default::default(),
            p_ws: Default::default(),
            i_cnt: Default::default(),
            i_mplier: Default::default(),
            i_kp_mc: Default::default(),
            i_tr_mc: Default::default(),
            kp: Default::default(),
            trows: Default::default(),
            cmd_left: Default::default(),
            cmd_second: Default::default(),
            cmd_addr: Default::default(),
            tok: Default::default(),
            bcnt: Default::default(),
            vleft: Default::default(),
            absr: (0..vpb).map(|_| Default::default()).collect(),
            a_valid: Default::default(),
            lmax: (0..vpb).map(|_| Default::default()).collect(),
            mval: Default::default(),
            fcnt: Default::default(),
            rdiv: Default::default(),
            dqu: Default::default(),
            qmul: (0..vpb).map(|_| Default::default()).collect(),
            q_valid: (0..QMUL_LATENCY).map(|_| Default::default()).collect(),
            sreg: (0..sb).map(|_| Default::default()).collect(),
            pend: Default::default(),
            rows_left: Default::default(),
            arow: Default::default(),
            dq_we_r: Default::default(),
            dq_tag_r: Default::default(),
            dq_val_r: Default::default(),
            m_val_r: Default::default(),
            beat: Default::default(),
            rdy: Default::default(),
            emit: Default::default(),
            q_in: Default::default(),
            xin: (0..vpb).map(|_| Default::default()).collect(),
            s_idle: Constant::new(bits(0)),
            s_init: Constant::new(bits(1)),
            s_check: Constant::new(bits(2)),
            s_pass1: Constant::new(bits(3)),
            s_fold: Constant::new(bits(4)),
            s_div_start: Constant::new(bits(5)),
            s_div_wait: Constant::new(bits(6)),
            s_pass2: Constant::new(bits(7)),
            s_finish: Constant::new(bits(8)),
            c_zero32: Constant::new(bits(0)),
            c_lane: (0..vpb).map(|v| Constant::new(bits(v as u64))).collect(),
            c_vpb24: Constant::new(bits(vpb as u64)),
            c_vpb16: c16(vpb),
            c_vpb6: Constant::new(bits(vpb as u64)),
            c_rb16: c16(rb),
            c_rb24: Constant::new(bits(rb as u64)),
            // c_cand[k-1]: the pending count when the oldest byte sits at position k·gcd (k ≥ 1).
            c_cand: (1..nc).map(|k| c16(sb - k * gc)).collect(),
            c_max_tokens: Constant::new(bits(g.max_tokens as u64)),
            c_depth: Constant::new(bits(g.act_depth as u64)),
            c_lg_vpb: Constant::new(bits(vpb.trailing_zeros() as u64)),
            c_beat_bytes: Constant::new(bits(g.beat_bytes() as u64)),
            k0_4: Constant::new(bits(0)),
            k1_4: Constant::new(bits(1)),
            k12_4: Constant::new(bits(12)),
            k0_6: Constant::new(bits(0)),
            k1_6: Constant::new(bits(1)),
            k0_13: Constant::new(bits(0)),
            k1_13: Constant::new(bits(1)),
            k0_16: Constant::new(bits(0)),
            k1_16: Constant::new(bits(1)),
            k0_24: Constant::new(bits(0)),
            k0_26: Constant::new(bits(0)),
            k0_32: Constant::new(bits(0)),
            k1_32: Constant::new(bits(1)),
            _bu: g.bu,
            _vpb: vpb,
            _vpb_m1: vpb - 1,
            _vpb1: vpb + 1,
            _rb: rb,
            _sb: sb,
            _s_keep: sb - vpb,
            _s_keep1: sb - vpb + 1,
            _g: gc,
            _g1: gc + 1,
            _nc: nc,
            _ql: QMUL_LATENCY,
            _ql_m1: QMUL_LATENCY - 1,
        }
    }

    /// Cycles one token takes when beats arrive back to back and the read commands are ahead:
    /// pass 1 (+1 for the |x| register), the fold (`VPB`), the divider start, then the longer of
    /// {reciprocal, pass 2, multiplier and packer tail} and the `dq` unit, and the hand-over.
    pub fn cycles_per_token(cfg: &Config, x_beats: usize) -> usize {
        let g = QuantGeom::new(cfg).unwrap_or_else(|e| panic!("{e}"));
        let pass2 = RECIP_CYCLES + 1 + x_beats + QMUL_LATENCY + 1;
        x_beats + 1 + g.vpb + 1 + pass2.max(DQ_CYCLES) + 1
    }

    /// Mark every input as driven: for using the block as a simulation or lint top.
    pub fn connect_inputs(&mut self) {
        self.clock.connect();
        self.reset.connect();
        self.start.connect();
        self.x_addr.connect();
        self.x_stride.connect();
        self.x_beats.connect();
        self.tokens.connect();
        self.blocks.connect();
        self.ws.connect();
        self.rd_cmd_ready.connect();
        self.rd_valid.connect();
        self.rd_data.iter_mut().for_each(|s| s.connect());
    }
}

impl Logic for Quantizer {
    // One `if` per state reads like the state machine it is.
    #[allow(clippy::collapsible_else_if, clippy::collapsible_if)]
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, state, busy_r, err_r, ready_r, rd_bytes_r, p_addr, p_stride, p_beats,
            p_tokens, p_blocks, p_ws, i_cnt, i_mplier, i_kp_mc, i_tr_mc, kp, trows, cmd_left,
            cmd_second, cmd_addr, tok, bcnt, vleft, a_valid, mval, fcnt, pend, rows_left, arow,
            dq_we_r, dq_tag_r, dq_val_r, m_val_r
        );
        for v in 0..self._vpb {
            self.absr[v].clock.next = self.clock.val();
            self.lmax[v].clock.next = self.clock.val();
            self.lmax[v].d.next = self.lmax[v].q.val();
            self.qmul[v].clock.next = self.clock.val();
        }
        for i in 0..self._ql {
            self.q_valid[i].clock.next = self.clock.val();
        }
        for j in 0..self._sb {
            self.sreg[j].clock.next = self.clock.val();
            self.sreg[j].d.next = self.sreg[j].q.val();
        }
        self.rdiv.clock.next = self.clock.val();
        self.rdiv.reset.next = self.reset.val();
        self.rdiv.start.next = false;
        self.rdiv.m.next = self.mval.q.val();
        self.dqu.clock.next = self.clock.val();
        self.dqu.reset.next = self.reset.val();
        self.dqu.start.next = false;
        self.dqu.m.next = self.mval.q.val();
        self.dqu.ws.next = self.p_ws.q.val();
        self.dq_we_r.d.next = false;

        // ---- the beat stream ----
        self.rdy.next =
            (self.state.q.val() == self.s_pass1.val()) | (self.state.q.val() == self.s_pass2.val());
        self.beat.next = self.rdy.val() & self.rd_valid.val();
        // Value v of the beat; values at or past KP count as zero.
        for w in 0..self._bu {
            self.xin[2 * w].next = self.rd_data[w].val().get_bits::<32>(0);
            self.xin[2 * w + 1].next = self.rd_data[w].val().get_bits::<32>(32);
        }
        for v in 0..self._vpb {
            if self.vleft.q.val() <= self.c_lane[v].val() {
                self.xin[v].next = self.c_zero32.val();
            }
        }
        if self.beat.val() {
            self.rd_bytes_r.d.next = self.rd_bytes_r.q.val() + self.c_beat_bytes.val();
            self.bcnt.d.next = self.bcnt.q.val() + self.k1_32.val();
            if self.vleft.q.val() > self.c_vpb24.val() {
                self.vleft.d.next = self.vleft.q.val() - self.c_vpb24.val();
            } else {
                self.vleft.d.next = self.k0_24.val();
            }
        }

        // ---- pass 1: |x| registered, then one running maximum per lane ----
        for v in 0..self._vpb {
            if self.xin[v].val().get_bit(31) {
                self.absr[v].d.next = !self.xin[v].val() + self.k1_32.val();
            } else {
                self.absr[v].d.next = self.xin[v].val();
            }
        }
        self.a_valid.d.next = self.beat.val() & (self.state.q.val() == self.s_pass1.val());
        if self.a_valid.q.val() {
            for v in 0..self._vpb {
                if self.absr[v].q.val() > self.lmax[v].q.val() {
                    self.lmax[v].d.next = self.absr[v].q.val();
                }
            }
        }

        // ---- pass 2: multiply, then pack into rows ----
        for v in 0..self._vpb {
            self.qmul[v].x.next = self.xin[v].val();
            self.qmul[v].r.next = self.rdiv.recip.val();
        }
        self.q_valid[0].d.next = self.beat.val() & (self.state.q.val() == self.s_pass2.val());
        for i in 1..self._ql {
            self.q_valid[i].d.next = self.q_valid[i - 1].q.val();
        }
        for i in self._ql_m1..self._ql {
            self.q_in.next = self.q_valid[i].q.val() & (self.rows_left.q.val() != self.k0_13.val());
        }
        self.emit.next =
            (self.pend.q.val() >= self.c_rb16.val()) & (self.rows_left.q.val() != self.k0_13.val());
        if self.q_in.val() {
            for n in self._vpb..self._vpb1 {
                for j in 0..self._s_keep {
                    self.sreg[j].d.next = self.sreg[j + n].q.val();
                }
            }
            for k in self._s_keep..self._s_keep1 {
                for v in 0..self._vpb {
                    self.sreg[k + v].d.next = self.qmul[v].q.val();
                }
            }
        }
        if self.q_in.val() & self.emit.val() {
            self.pend.d.next = self.pend.q.val() + self.c_vpb16.val() - self.c_rb16.val();
        } else if self.q_in.val() {
            self.pend.d.next = self.pend.q.val() + self.c_vpb16.val();
        } else if self.emit.val() {
            self.pend.d.next = self.pend.q.val() - self.c_rb16.val();
        }
        // The row leaves from position sb − pend (a multiple of gcd).
        for p in 0..self._rb {
            self.act_wdata[p].next = self.sreg[p].q.val();
        }
        for g in self._g..self._g1 {
            for k in 1..self._nc {
                if self.pend.q.val() == self.c_cand[k - 1].val() {
                    for p in 0..self._rb {
                        self.act_wdata[p].next = self.sreg[k * g + p].q.val();
                    }
                }
            }
        }
        self.act_we.next = self.emit.val();
        self.act_row.next = self.arow.q.val();
        if self.emit.val() {
            self.arow.d.next = self.arow.q.val() + self.k1_16.val();
            self.rows_left.d.next = self.rows_left.q.val() - self.k1_13.val();
        }

        // ---- read commands: pass 1 and pass 2 of every token, as early as accepted ----
        self.rd_cmd_valid.next = self.busy_r.q.val() & (self.cmd_left.q.val() != self.k0_13.val());
        self.rd_cmd_addr.next = self.cmd_addr.q.val();
        self.rd_cmd_beats.next = self.p_beats.q.val();
        if self.busy_r.q.val()
            & (self.cmd_left.q.val() != self.k0_13.val())
            & self.rd_cmd_ready.val()
        {
            self.cmd_second.d.next = !self.cmd_second.q.val();
            if self.cmd_second.q.val() {
                self.cmd_left.d.next = self.cmd_left.q.val() - self.k1_13.val();
                self.cmd_addr.d.next =
                    self.cmd_addr.q.val() + bit_cast::<ADDR_BITS, 32>(self.p_stride.q.val());
            }
        }

        // ---- the token machine ----
        if self.state.q.val() == self.s_init.val() {
            if self.i_mplier.q.val().get_bit(0) {
                self.kp.d.next = self.kp.q.val() + self.i_kp_mc.q.val();
                self.trows.d.next = self.trows.q.val() + self.i_tr_mc.q.val();
            }
            self.i_kp_mc.d.next = self.i_kp_mc.q.val() << 1;
            self.i_tr_mc.d.next = self.i_tr_mc.q.val() << 1;
            self.i_mplier.d.next = self.i_mplier.q.val() >> 1;
            self.i_cnt.d.next = self.i_cnt.q.val() + self.k1_4.val();
            if self.i_cnt.q.val() == self.k12_4.val() {
                self.state.d.next = self.s_check.val();
            }
        } else if self.state.q.val() == self.s_check.val() {
            if (self.p_blocks.q.val() == self.k0_13.val())
                | (self.p_tokens.q.val() > self.c_max_tokens.val())
                | (self.trows.q.val() > self.c_depth.val())
                | ((bit_cast::<40, 32>(self.p_beats.q.val()) << self.c_lg_vpb.val())
                    < bit_cast::<40, 24>(self.kp.q.val()))
            {
                self.err_r.d.next = true;
                self.busy_r.d.next = false;
                self.state.d.next = self.s_idle.val();
            } else if self.p_tokens.q.val() == self.k0_13.val() {
                self.busy_r.d.next = false;
                self.state.d.next = self.s_idle.val();
            } else {
                self.cmd_left.d.next = self.p_tokens.q.val();
                self.cmd_second.d.next = false;
                self.cmd_addr.d.next = self.p_addr.q.val();
                self.bcnt.d.next = self.k0_32.val();
                self.vleft.d.next = self.kp.q.val();
                self.mval.d.next = self.k0_32.val();
                self.state.d.next = self.s_pass1.val();
            }
        } else if self.state.q.val() == self.s_pass1.val() {
            if self.beat.val() & (self.bcnt.q.val() + self.k1_32.val() == self.p_beats.q.val()) {
                self.fcnt.d.next = self.k0_6.val();
                self.state.d.next = self.s_fold.val();
            }
        } else if self.state.q.val() == self.s_fold.val() {
            // After the last |x| is in: m = max over the lanes, one lane per cycle. Zeros
            // shift in, so the lanes start the next token cleared.
            if !self.a_valid.q.val() {
                if self.lmax[0].q.val() > self.mval.q.val() {
                    self.mval.d.next = self.lmax[0].q.val();
                }
                for v in 0..self._vpb_m1 {
                    self.lmax[v].d.next = self.lmax[v + 1].q.val();
                }
                for v in self._vpb_m1..self._vpb {
                    self.lmax[v].d.next = self.c_zero32.val();
                }
                self.fcnt.d.next = self.fcnt.q.val() + self.k1_6.val();
                if self.fcnt.q.val() + self.k1_6.val() == self.c_vpb6.val() {
                    self.state.d.next = self.s_div_start.val();
                }
            }
        } else if self.state.q.val() == self.s_div_start.val() {
            self.rdiv.start.next = true;
            self.dqu.start.next = true;
            self.state.d.next = self.s_div_wait.val();
        } else if self.state.q.val() == self.s_div_wait.val() {
            if !self.rdiv.busy.val() {
                self.bcnt.d.next = self.k0_32.val();
                self.vleft.d.next = self.kp.q.val();
                self.pend.d.next = self.k0_16.val();
                self.rows_left.d.next = self.p_blocks.q.val();
                self.state.d.next = self.s_pass2.val();
            }
        } else if self.state.q.val() == self.s_pass2.val() {
            if self.beat.val() & (self.bcnt.q.val() + self.k1_32.val() == self.p_beats.q.val()) {
                self.state.d.next = self.s_finish.val();
            }
        } else if self.state.q.val() == self.s_finish.val() {
            if (self.rows_left.q.val() == self.k0_13.val()) & !self.dqu.busy.val() {
                self.dq_we_r.d.next = true;
                self.dq_tag_r.d.next = self.tok.q.val().get_bits::<TAG_BITS>(0);
                self.dq_val_r.d.next = self.dqu.dq.val();
                self.m_val_r.d.next = self.mval.q.val();
                self.ready_r.d.next = self.tok.q.val() + self.k1_13.val();
                self.tok.d.next = self.tok.q.val() + self.k1_13.val();
                self.bcnt.d.next = self.k0_32.val();
                self.vleft.d.next = self.kp.q.val();
                self.mval.d.next = self.k0_32.val();
                if self.tok.q.val() + self.k1_13.val() == self.p_tokens.q.val() {
                    self.busy_r.d.next = false;
                    self.state.d.next = self.s_idle.val();
                } else {
                    self.state.d.next = self.s_pass1.val();
                }
            }
        }

        if self.start.val() & !self.busy_r.q.val() & !self.dq_we_r.q.val() {
            self.busy_r.d.next = true;
            self.err_r.d.next = false;
            self.ready_r.d.next = self.k0_13.val();
            self.rd_bytes_r.d.next = self.k0_32.val();
            self.p_addr.d.next = self.x_addr.val();
            self.p_stride.d.next = self.x_stride.val();
            self.p_beats.d.next = self.x_beats.val();
            self.p_tokens.d.next = self.tokens.val();
            self.p_blocks.d.next = self.blocks.val();
            self.p_ws.d.next = self.ws.val();
            self.i_cnt.d.next = self.k0_4.val();
            self.i_mplier.d.next = self.blocks.val();
            self.i_kp_mc.d.next = self.c_rb24.val();
            self.i_tr_mc.d.next = bit_cast::<26, COUNT_BITS>(self.tokens.val());
            self.kp.d.next = self.k0_24.val();
            self.trows.d.next = self.k0_26.val();
            self.cmd_left.d.next = self.k0_13.val();
            self.tok.d.next = self.k0_13.val();
            self.arow.d.next = self.k0_16.val();
            self.state.d.next = self.s_init.val();
        }
        if self.reset.val() {
            self.state.d.next = self.s_idle.val();
            self.busy_r.d.next = false;
            self.err_r.d.next = false;
            self.ready_r.d.next = self.k0_13.val();
            self.cmd_left.d.next = self.k0_13.val();
            self.a_valid.d.next = false;
            self.dq_we_r.d.next = false;
            for i in 0..self._ql {
                self.q_valid[i].d.next = false;
            }
        }

        // ---- outputs ----
        self.rd_ready.next = self.rdy.val();
        // busy covers the last token's dq_we pulse.
        self.busy.next = self.busy_r.q.val() | self.dq_we_r.q.val();
        self.err.next = self.err_r.q.val();
        self.tokens_ready.next = self.ready_r.q.val();
        self.rd_bytes.next = self.rd_bytes_r.q.val();
        self.dq_we.next = self.dq_we_r.q.val();
        self.dq_tag.next = self.dq_tag_r.q.val();
        self.dq_value.next = self.dq_val_r.q.val();
        self.m_value.next = self.m_val_r.q.val();
    }
}
