//! The BitLinear controller: schedules weight-tile loads, table builds and engine lookups (see
//! `ARCHITECTURE.md`, "linear::Controller").
//!
//! Time is cut into **periods**, one per engine step `(tile, token, block)` in that order. In the
//! period of step `s` the controller issues the `TRG` lookups of `s` (row groups `0..TRG`, one
//! per cycle) and builds the tables of step `s+1` into the other table bank; a prologue period
//! builds step 0. A period starts only when everything it needs is there: its tile loaded, the
//! next step's token quantised, room in the output FIFO for a last-block step, and — at a tile
//! change — the previous tile's results out of the pipeline. Loads run beside the periods: tile
//! `j` loads into bank `j mod 2` once tile `j−2` (overlap) or tile `j−1` (no overlap) is done.

use rust_hdl::prelude::*;

/// Width of counts: tokens, blocks, row groups, tiles, periods.
pub const CW: usize = 16;
/// Width of buffer addresses handed to the blocks (sliced to each memory's own width); equal to
/// [`CW`] so counts and addresses mix without casts.
pub const AW: usize = CW;

#[derive(LogicBlock)]
pub struct Controller {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub start: Signal<In, Bit>,
    pub overlap: Signal<In, Bit>,
    // Job parameters (registers).
    pub tokens: Signal<In, Bits<CW>>,
    pub blocks: Signal<In, Bits<CW>>,
    pub tiles: Signal<In, Bits<CW>>,
    pub tile_rg: Signal<In, Bits<CW>>,
    pub last_tile_rg: Signal<In, Bits<CW>>,
    pub tile_u64s: Signal<In, Bits<32>>,
    pub last_tile_u64s: Signal<In, Bits<32>>,
    /// 40 bits wide so it adds to addresses without a cast (the register is 32).
    pub tile_beats: Signal<In, Bits<40>>,
    pub last_tile_beats: Signal<In, Bits<32>>,
    pub period: Signal<In, Bits<CW>>,
    pub last_period: Signal<In, Bits<CW>>,
    /// Output rows per full tile (`tile_rg × lanes`).
    pub tile_rows: Signal<In, Bits<32>>,
    pub w_addr: Vec<Signal<In, Bits<40>>>,
    // Weight loader.
    pub load_start: Signal<Out, Bit>,
    pub load_base: Signal<Out, Bits<AW>>,
    pub load_u64s: Signal<Out, Bits<32>>,
    pub load_beats: Signal<Out, Bits<32>>,
    pub load_addr: Vec<Signal<Out, Bits<40>>>,
    pub load_done: Signal<In, Bit>,
    // Quantizer.
    pub tokens_ready: Signal<In, Bits<CW>>,
    pub quant_busy: Signal<In, Bit>,
    // Activation buffer read (the next step's block).
    pub act_rd_en: Signal<Out, Bit>,
    pub act_rd_row: Signal<Out, Bits<AW>>,
    // Engine.
    pub tb_start: Signal<Out, Bit>,
    pub tb_bank: Signal<Out, Bit>,
    pub op_valid: Signal<Out, Bit>,
    pub op_bank: Signal<Out, Bit>,
    pub op_rg: Signal<Out, Bits<12>>,
    pub op_clear: Signal<Out, Bit>,
    pub op_last: Signal<Out, Bit>,
    pub op_tag: Signal<Out, Bits<12>>,
    // Weight buffer read.
    pub wb_rd_en: Signal<Out, Bit>,
    pub wb_rd_addr: Signal<Out, Bits<AW>>,
    // Output writer.
    pub fifo_free: Signal<In, Bits<CW>>,
    pub writer_idle: Signal<In, Bit>,
    /// First output row of the tile whose results are in flight.
    pub tile_row0: Signal<Out, Bits<32>>,
    // Status.
    pub busy: Signal<Out, Bit>,
    pub done: Signal<Out, Bit>,
    pub params_err: Signal<Out, Bit>,
    pub cycles: Signal<Out, Bits<64>>,
    pub stall_cycles: Signal<Out, Bits<64>>,
    pub lookups: Signal<Out, Bits<64>>,
    /// State code for the simulator's watchdog (see [`STATE_NAMES`]).
    pub state: Signal<Out, Bits<8>>,
    /// Bumped on every lookup op and table build: progress for the watchdog.
    pub progress: Signal<Out, Bits<32>>,

    // --- state ---
    busy_r: DFF<Bit>,
    done_r: DFF<Bit>,
    err_r: DFF<Bit>,
    finishing: DFF<Bit>,
    in_period: DFF<Bit>,
    c: DFF<Bits<CW>>,
    // The lookup step of the current/next period.
    cur_valid: DFF<Bit>,
    cur_t: DFF<Bits<CW>>,
    cur_b: DFF<Bits<CW>>,
    cur_tile: DFF<Bits<CW>>,
    // The build step (one ahead).
    nxt_valid: DFF<Bit>,
    nxt_t: DFF<Bits<CW>>,
    nxt_b: DFF<Bits<CW>>,
    nxt_tile: DFF<Bits<CW>>,
    act_row: DFF<Bits<AW>>,
    tbank: DFF<Bit>,
    rg_addr: DFF<Bits<AW>>,
    last_tile_seen: DFF<Bits<CW>>,
    row0: DFF<Bits<32>>,
    drain: DFF<Bits<8>>,
    // Loads.
    loading: DFF<Bit>,
    load_next: DFF<Bits<CW>>,
    tiles_loaded: DFF<Bits<CW>>,
    tiles_computed: DFF<Bits<CW>>,
    load_off: DFF<Bits<40>>,
    load_start_r: DFF<Bit>,
    load_base_r: DFF<Bits<AW>>,
    load_u64s_r: DFF<Bits<32>>,
    load_beats_r: DFF<Bits<32>>,
    load_addr_r: Vec<DFF<Bits<40>>>,
    // Counters.
    cycles_r: DFF<Bits<64>>,
    stall_r: DFF<Bits<64>>,
    lookups_r: DFF<Bits<64>>,
    progress_r: DFF<Bits<32>>,
    // Combinational.
    cur_trg: Signal<Local, Bits<CW>>,
    cur_period: Signal<Local, Bits<CW>>,
    cur_base: Signal<Local, Bits<AW>>,
    cur_last_block: Signal<Local, Bit>,
    cur_last_step: Signal<Local, Bit>,
    ok_load: Signal<Local, Bit>,
    ok_token: Signal<Local, Bit>,
    ok_fifo: Signal<Local, Bit>,
    ok_drain: Signal<Local, Bit>,
    adv_valid: Signal<Local, Bit>,
    adv_t: Signal<Local, Bits<CW>>,
    adv_b: Signal<Local, Bits<CW>>,
    adv_tile: Signal<Local, Bits<CW>>,
    load_may: Signal<Local, Bit>,
    load_is_last: Signal<Local, Bit>,
    // Constants.
    c_zero_cw: Constant<Bits<CW>>,
    c_one_cw: Constant<Bits<CW>>,
    c_zero_aw: Constant<Bits<AW>>,
    c_zero_32: Constant<Bits<32>>,
    c_zero_40: Constant<Bits<40>>,
    c_zero_64: Constant<Bits<64>>,
    c_one_64: Constant<Bits<64>>,
    c_one_32: Constant<Bits<32>>,
    c_zero_8: Constant<Bits<8>>,
    c_one_8: Constant<Bits<8>>,
    c_one_aw: Constant<Bits<AW>>,
    c_drain: Constant<Bits<8>>,
    c_act_lat: Constant<Bits<CW>>,
    c_build_min: Constant<Bits<CW>>,
    c_half: Constant<Bits<AW>>,
    c_beat_shift: Constant<Bits<40>>,
    c_lookups_per_op: Constant<Bits<64>>,
    c_double: Constant<Bit>,
    c_state_idle: Constant<Bits<8>>,
    c_state_wait_load: Constant<Bits<8>>,
    c_state_wait_token: Constant<Bits<8>>,
    c_state_wait_fifo: Constant<Bits<8>>,
    c_state_wait_drain: Constant<Bits<8>>,
    c_state_period: Constant<Bits<8>>,
    c_state_finish: Constant<Bits<8>>,
    _ports: usize,
}

/// Names of the `state` codes, in code order (for the watchdog's error line).
pub const STATE_NAMES: [&str; 7] = [
    "idle",
    "waiting for a weight tile",
    "waiting for the quantiser",
    "waiting for room in the output FIFO",
    "draining the pipeline between tiles",
    "computing",
    "finishing (waiting for the last writes)",
];

/// Timing facts of the blocks around the controller.
#[derive(Clone, Copy, Debug)]
pub struct ControllerTiming {
    /// Activation-buffer read latency.
    pub act_latency: usize,
    /// Cycles from a table build's start until it is complete, in issue time.
    pub build_cycles: usize,
    /// Cycles after the last op until its results are in the output FIFO.
    pub drain_cycles: usize,
}

/// A typed constant (bare literals come out 32 bits wide in the Verilog).
fn k<const N: usize>(v: u64) -> Constant<Bits<N>> {
    Constant::new(v.into())
}

impl Controller {
    /// `lookups_per_op` = tables × lanes; `bank_half` = the weight buffer's second-half base (0
    /// without double buffering); `beat_bytes` must be a power of two.
    pub fn new(
        ports: usize,
        timing: ControllerTiming,
        lookups_per_op: u64,
        bank_half: usize,
        beat_bytes: usize,
    ) -> Controller {
        assert!(beat_bytes.is_power_of_two());
        Controller {
            clock: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            overlap: Default::default(),
            tokens: Default::default(),
            blocks: Default::default(),
            tiles: Default::default(),
            tile_rg: Default::default(),
            last_tile_rg: Default::default(),
            tile_u64s: Default::default(),
            last_tile_u64s: Default::default(),
            tile_beats: Default::default(),
            last_tile_beats: Default::default(),
            period: Default::default(),
            last_period: Default::default(),
            tile_rows: Default::default(),
            w_addr: (0..ports).map(|_| Default::default()).collect(),
            load_start: Default::default(),
            load_base: Default::default(),
            load_u64s: Default::default(),
            load_beats: Default::default(),
            load_addr: (0..ports).map(|_| Default::default()).collect(),
            load_done: Default::default(),
            tokens_ready: Default::default(),
            quant_busy: Default::default(),
            act_rd_en: Default::default(),
            act_rd_row: Default::default(),
            tb_start: Default::default(),
            tb_bank: Default::default(),
            op_valid: Default::default(),
            op_bank: Default::default(),
            op_rg: Default::default(),
            op_clear: Default::default(),
            op_last: Default::default(),
            op_tag: Default::default(),
            wb_rd_en: Default::default(),
            wb_rd_addr: Default::default(),
            fifo_free: Default::default(),
            writer_idle: Default::default(),
            tile_row0: Default::default(),
            busy: Default::default(),
            done: Default::default(),
            params_err: Default::default(),
            cycles: Default::default(),
            stall_cycles: Default::default(),
            lookups: Default::default(),
            state: Default::default(),
            progress: Default::default(),
            busy_r: Default::default(),
            done_r: Default::default(),
            err_r: Default::default(),
            finishing: Default::default(),
            in_period: Default::default(),
            c: Default::default(),
            cur_valid: Default::default(),
            cur_t: Default::default(),
            cur_b: Default::default(),
            cur_tile: Default::default(),
            nxt_valid: Default::default(),
            nxt_t: Default::default(),
            nxt_b: Default::default(),
            nxt_tile: Default::default(),
            act_row: Default::default(),
            tbank: Default::default(),
            rg_addr: Default::default(),
            last_tile_seen: Default::default(),
            row0: Default::default(),
            drain: Default::default(),
            loading: Default::default(),
            load_next: Default::default(),
            tiles_loaded: Default::default(),
            tiles_computed: Default::default(),
            load_off: Default::default(),
            load_start_r: Default::default(),
            load_base_r: Default::default(),
            load_u64s_r: Default::default(),
            load_beats_r: Default::default(),
            load_addr_r: (0..ports).map(|_| Default::default()).collect(),
            cycles_r: Default::default(),
            stall_r: Default::default(),
            lookups_r: Default::default(),
            progress_r: Default::default(),
            cur_trg: Default::default(),
            cur_period: Default::default(),
            cur_base: Default::default(),
            cur_last_block: Default::default(),
            cur_last_step: Default::default(),
            ok_load: Default::default(),
            ok_token: Default::default(),
            ok_fifo: Default::default(),
            ok_drain: Default::default(),
            adv_valid: Default::default(),
            adv_t: Default::default(),
            adv_b: Default::default(),
            adv_tile: Default::default(),
            load_may: Default::default(),
            load_is_last: Default::default(),
            c_zero_cw: k(0),
            c_one_cw: k(1),
            c_zero_aw: k(0),
            c_zero_32: k(0),
            c_zero_40: k(0),
            c_zero_64: k(0),
            c_one_64: k(1),
            c_one_32: k(1),
            c_zero_8: k(0),
            c_one_8: k(1),
            c_one_aw: k(1),
            c_drain: k(timing.drain_cycles as u64),
            c_act_lat: k(timing.act_latency as u64),
            c_build_min: k((timing.build_cycles + timing.act_latency + 1) as u64),
            c_half: k(bank_half as u64),
            c_beat_shift: k(beat_bytes.trailing_zeros() as u64),
            c_lookups_per_op: k(lookups_per_op),
            c_double: Constant::new(bank_half > 0),
            c_state_idle: k(0),
            c_state_wait_load: k(1),
            c_state_wait_token: k(2),
            c_state_wait_fifo: k(3),
            c_state_wait_drain: k(4),
            c_state_period: k(5),
            c_state_finish: k(6),
            _ports: ports,
        }
    }
}

impl Logic for Controller {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            busy_r,
            done_r,
            err_r,
            finishing,
            in_period,
            c,
            cur_valid,
            cur_t,
            cur_b,
            cur_tile,
            nxt_valid,
            nxt_t,
            nxt_b,
            nxt_tile,
            act_row,
            tbank,
            rg_addr,
            last_tile_seen,
            row0,
            drain,
            loading,
            load_next,
            tiles_loaded,
            tiles_computed,
            load_off,
            load_start_r,
            load_base_r,
            load_u64s_r,
            load_beats_r,
            cycles_r,
            stall_r,
            lookups_r,
            progress_r
        );
        for p in 0..self._ports {
            self.load_addr_r[p].clock.next = self.clock.val();
            self.load_addr_r[p].d.next = self.load_addr_r[p].q.val();
            self.load_addr[p].next = self.load_addr_r[p].q.val();
        }

        // ---- derived facts about the current step ----
        if self.cur_tile.q.val() + self.c_one_cw.val() == self.tiles.val() {
            self.cur_trg.next = self.last_tile_rg.val();
            self.cur_period.next = self.last_period.val();
        } else {
            self.cur_trg.next = self.tile_rg.val();
            self.cur_period.next = self.period.val();
        }
        if !self.cur_valid.q.val() {
            self.cur_period.next = self.c_build_min.val();
        }
        self.cur_base.next = self.c_zero_aw.val();
        if self.cur_tile.q.val().get_bit(0) & self.c_double.val() {
            self.cur_base.next = self.c_half.val();
        }
        self.cur_last_block.next = self.cur_b.q.val() + self.c_one_cw.val() == self.blocks.val();
        self.cur_last_step.next = self.cur_last_block.val()
            & (self.cur_t.q.val() + self.c_one_cw.val() == self.tokens.val());

        // The step after `nxt`, in (tile, token, block) order.
        self.adv_valid.next = self.nxt_valid.q.val();
        self.adv_t.next = self.nxt_t.q.val();
        self.adv_b.next = self.nxt_b.q.val() + self.c_one_cw.val();
        self.adv_tile.next = self.nxt_tile.q.val();
        if self.nxt_b.q.val() + self.c_one_cw.val() == self.blocks.val() {
            self.adv_b.next = self.c_zero_cw.val();
            self.adv_t.next = self.nxt_t.q.val() + self.c_one_cw.val();
            if self.nxt_t.q.val() + self.c_one_cw.val() == self.tokens.val() {
                self.adv_t.next = self.c_zero_cw.val();
                self.adv_tile.next = self.nxt_tile.q.val() + self.c_one_cw.val();
                if self.nxt_tile.q.val() + self.c_one_cw.val() == self.tiles.val() {
                    self.adv_valid.next = false;
                }
            }
        }

        // ---- conditions for starting a period ----
        self.ok_load.next =
            !self.cur_valid.q.val() | (self.tiles_loaded.q.val() > self.cur_tile.q.val());
        self.ok_token.next =
            !self.nxt_valid.q.val() | (self.tokens_ready.val() > self.nxt_t.q.val());
        self.ok_fifo.next = !(self.cur_valid.q.val() & self.cur_last_block.val())
            | (self.fifo_free.val() >= self.cur_trg.val());
        // A new tile's results must not overtake the previous tile's in the pipeline, since the
        // writer takes the tile's first row from `tile_row0`.
        self.ok_drain.next = !self.cur_valid.q.val()
            | (self.cur_tile.q.val() == self.last_tile_seen.q.val())
            | (self.drain.q.val() == self.c_zero_8.val());

        // ---- defaults ----
        self.act_rd_en.next = false;
        self.act_rd_row.next = self.act_row.q.val();
        self.tb_start.next = false;
        self.tb_bank.next = !self.tbank.q.val();
        self.op_valid.next = false;
        self.op_bank.next = self.tbank.q.val();
        self.op_rg.next = self.c.q.val().get_bits::<12>(0);
        self.op_clear.next = self.cur_b.q.val() == self.c_zero_cw.val();
        self.op_last.next = self.cur_last_block.val();
        self.op_tag.next = self.cur_t.q.val().get_bits::<12>(0);
        self.wb_rd_en.next = false;
        self.wb_rd_addr.next = self.cur_base.val() + self.rg_addr.q.val();
        self.load_start_r.d.next = false;
        if self.drain.q.val() != self.c_zero_8.val() {
            self.drain.d.next = self.drain.q.val() - self.c_one_8.val();
        }
        self.state.next = self.c_state_idle.val();

        // ---- the period machine ----
        if self.busy_r.q.val() & !self.finishing.q.val() {
            self.cycles_r.d.next = self.cycles_r.q.val() + self.c_one_64.val();
            if !self.in_period.q.val() {
                if self.ok_load.val()
                    & self.ok_token.val()
                    & self.ok_fifo.val()
                    & self.ok_drain.val()
                {
                    self.in_period.d.next = true;
                    self.c.d.next = self.c_zero_cw.val();
                    self.rg_addr.d.next = self.cur_b.q.val();
                    self.last_tile_seen.d.next = self.cur_tile.q.val();
                    if self.cur_valid.q.val()
                        & (self.cur_tile.q.val() != self.last_tile_seen.q.val())
                    {
                        self.row0.d.next = self.row0.q.val() + self.tile_rows.val();
                    }
                    self.state.next = self.c_state_period.val();
                } else if !self.ok_load.val() {
                    self.stall_r.d.next = self.stall_r.q.val() + self.c_one_64.val();
                    self.state.next = self.c_state_wait_load.val();
                } else if !self.ok_token.val() {
                    self.state.next = self.c_state_wait_token.val();
                } else if !self.ok_fifo.val() {
                    self.state.next = self.c_state_wait_fifo.val();
                } else {
                    self.state.next = self.c_state_wait_drain.val();
                }
            } else {
                self.state.next = self.c_state_period.val();
                self.c.d.next = self.c.q.val() + self.c_one_cw.val();
                // The next step's block: read at cycle 0, build once the data is out.
                if self.nxt_valid.q.val() & (self.c.q.val() == self.c_zero_cw.val()) {
                    self.act_rd_en.next = true;
                }
                if self.nxt_valid.q.val() & (self.c.q.val() == self.c_act_lat.val()) {
                    self.tb_start.next = true;
                    self.progress_r.d.next = self.progress_r.q.val() + self.c_one_32.val();
                }
                // This step's lookups, one row group per cycle.
                if self.cur_valid.q.val() & (self.c.q.val() < self.cur_trg.val()) {
                    self.op_valid.next = true;
                    self.wb_rd_en.next = true;
                    self.rg_addr.d.next = self.rg_addr.q.val() + self.blocks.val();
                    self.lookups_r.d.next = self.lookups_r.q.val() + self.c_lookups_per_op.val();
                    self.progress_r.d.next = self.progress_r.q.val() + self.c_one_32.val();
                }
                if self.c.q.val() + self.c_one_cw.val() >= self.cur_period.val() {
                    // End of the period: step forward.
                    self.in_period.d.next = false;
                    self.tbank.d.next = !self.tbank.q.val();
                    self.cur_valid.d.next = self.nxt_valid.q.val();
                    self.cur_t.d.next = self.nxt_t.q.val();
                    self.cur_b.d.next = self.nxt_b.q.val();
                    self.cur_tile.d.next = self.nxt_tile.q.val();
                    self.nxt_valid.d.next = self.adv_valid.val();
                    self.nxt_t.d.next = self.adv_t.val();
                    self.nxt_b.d.next = self.adv_b.val();
                    self.nxt_tile.d.next = self.adv_tile.val();
                    self.act_row.d.next = self.act_row.q.val() + self.c_one_aw.val();
                    if self.adv_tile.val() != self.nxt_tile.q.val() {
                        self.act_row.d.next = self.c_zero_aw.val();
                    }
                    if self.cur_valid.q.val() & self.cur_last_step.val() {
                        self.tiles_computed.d.next =
                            self.tiles_computed.q.val() + self.c_one_cw.val();
                        self.drain.d.next = self.c_drain.val();
                    }
                    if self.cur_valid.q.val() & !self.nxt_valid.q.val() {
                        self.finishing.d.next = true;
                        self.drain.d.next = self.c_drain.val();
                    }
                }
            }
        }

        // ---- weight loads, beside the periods ----
        self.load_is_last.next = self.load_next.q.val() + self.c_one_cw.val() == self.tiles.val();
        self.load_may.next = self.tiles_computed.q.val() >= self.load_next.q.val();
        if self.overlap.val() {
            self.load_may.next =
                self.tiles_computed.q.val() + self.c_one_cw.val() >= self.load_next.q.val();
        }
        if self.busy_r.q.val()
            & !self.loading.q.val()
            & (self.load_next.q.val() < self.tiles.val())
            & self.load_may.val()
        {
            self.loading.d.next = true;
            self.load_start_r.d.next = true;
            self.load_base_r.d.next = self.c_zero_aw.val();
            if self.load_next.q.val().get_bit(0) & self.c_double.val() {
                self.load_base_r.d.next = self.c_half.val();
            }
            self.load_u64s_r.d.next = self.tile_u64s.val();
            self.load_beats_r.d.next = self.tile_beats.val().get_bits::<32>(0);
            if self.load_is_last.val() {
                self.load_u64s_r.d.next = self.last_tile_u64s.val();
                self.load_beats_r.d.next = self.last_tile_beats.val();
            }
            for p in 0..self._ports {
                self.load_addr_r[p].d.next = self.w_addr[p].val() + self.load_off.q.val();
            }
            self.load_off.d.next =
                self.load_off.q.val() + (self.tile_beats.val() << self.c_beat_shift.val());
            self.load_next.d.next = self.load_next.q.val() + self.c_one_cw.val();
        }
        if self.load_done.val() {
            self.loading.d.next = false;
            self.tiles_loaded.d.next = self.tiles_loaded.q.val() + self.c_one_cw.val();
        }

        // ---- the end of a job ----
        if self.busy_r.q.val() & self.finishing.q.val() {
            self.cycles_r.d.next = self.cycles_r.q.val() + self.c_one_64.val();
            self.state.next = self.c_state_finish.val();
            if (self.drain.q.val() == self.c_zero_8.val())
                & self.writer_idle.val()
                & !self.quant_busy.val()
                & !self.loading.q.val()
            {
                self.busy_r.d.next = false;
                self.done_r.d.next = true;
            }
        }

        // ---- start ----
        if self.start.val() & !self.busy_r.q.val() {
            self.done_r.d.next = false;
            self.err_r.d.next = false;
            self.cycles_r.d.next = self.c_zero_64.val();
            self.stall_r.d.next = self.c_zero_64.val();
            self.lookups_r.d.next = self.c_zero_64.val();
            self.in_period.d.next = false;
            self.finishing.d.next = false;
            self.cur_valid.d.next = false;
            self.cur_t.d.next = self.c_zero_cw.val();
            self.cur_b.d.next = self.c_zero_cw.val();
            self.cur_tile.d.next = self.c_zero_cw.val();
            self.nxt_valid.d.next = true;
            self.nxt_t.d.next = self.c_zero_cw.val();
            self.nxt_b.d.next = self.c_zero_cw.val();
            self.nxt_tile.d.next = self.c_zero_cw.val();
            self.act_row.d.next = self.c_zero_aw.val();
            self.tbank.d.next = true;
            self.last_tile_seen.d.next = self.c_zero_cw.val();
            self.row0.d.next = self.c_zero_32.val();
            self.drain.d.next = self.c_zero_8.val();
            self.loading.d.next = false;
            self.load_next.d.next = self.c_zero_cw.val();
            self.tiles_loaded.d.next = self.c_zero_cw.val();
            self.tiles_computed.d.next = self.c_zero_cw.val();
            self.load_off.d.next = self.c_zero_40.val();
            if (self.tokens.val() == self.c_zero_cw.val())
                | (self.blocks.val() == self.c_zero_cw.val())
                | (self.tiles.val() == self.c_zero_cw.val())
                | (self.tile_rg.val() == self.c_zero_cw.val())
            {
                self.err_r.d.next = true;
                self.done_r.d.next = true;
            } else {
                self.busy_r.d.next = true;
            }
        }
        if self.reset.val() {
            self.busy_r.d.next = false;
            self.done_r.d.next = false;
            self.err_r.d.next = false;
            self.in_period.d.next = false;
            self.finishing.d.next = false;
            self.loading.d.next = false;
            self.drain.d.next = self.c_zero_8.val();
        }

        // ---- outputs ----
        self.load_start.next = self.load_start_r.q.val();
        self.load_base.next = self.load_base_r.q.val();
        self.load_u64s.next = self.load_u64s_r.q.val();
        self.load_beats.next = self.load_beats_r.q.val();
        self.tile_row0.next = self.row0.q.val();
        self.busy.next = self.busy_r.q.val();
        self.done.next = self.done_r.q.val();
        self.params_err.next = self.err_r.q.val();
        self.cycles.next = self.cycles_r.q.val();
        self.stall_cycles.next = self.stall_r.q.val();
        self.lookups.next = self.lookups_r.q.val();
        self.progress.next = self.progress_r.q.val();
    }
}
