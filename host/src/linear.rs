//! Run one BitLinear (`y = dequant(TLMM(quant(x)))`) on the accelerator.

use crate::bus::{Bus, BusError};
use serde::Serialize;
use tellme_config::Config;
use tellme_hdl::plan::{LinearPlan, PlanError};
use tellme_hdl::regmap::{ctrl, error, status, RegMap};
use tellme_model::fixed::Act;
use tellme_model::pack;
use tellme_model::quant::scale_q8_24;
use tellme_model::TernaryMatrix;

#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    #[error(transparent)]
    Bus(#[from] BusError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("the accelerator reports {0}")]
    Hardware(String),
    #[error("{0}")]
    Input(String),
}

/// The accelerator's performance counters for a job (summed over chunks).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Counters {
    pub cycles: u64,
    pub stall_cycles: u64,
    pub rd_bytes: u64,
    pub weight_bytes: u64,
    pub wr_bytes: u64,
    pub lookups: u64,
}

impl Counters {
    const NAMES: [&'static str; 6] = [
        "CYCLES",
        "STALL_CYCLES",
        "RD_BYTES",
        "WEIGHT_BYTES",
        "WR_BYTES",
        "LOOKUPS",
    ];

    fn add(&mut self, v: [u64; 6]) {
        self.cycles += v[0];
        self.stall_cycles += v[1];
        self.rd_bytes += v[2];
        self.weight_bytes += v[3];
        self.wr_bytes += v[4];
        self.lookups += v[5];
    }
}

/// The result of a BitLinear run: outputs (`tokens × n_out`, Q16.16) and the counters.
#[derive(Clone, Debug)]
pub struct LinearRun {
    pub y: Vec<Act>,
    pub counters: Counters,
    /// The plan of each chunk (one chunk per `accel.max_tokens` tokens).
    pub plans: Vec<LinearPlan>,
}

/// Run `w · x` for `x.len() / w.k_in` tokens; tokens beyond `accel.max_tokens` run in chunks,
/// each streaming the weights again.
pub fn run_linear(
    bus: &mut dyn Bus,
    cfg: &Config,
    map: &RegMap,
    w: &TernaryMatrix,
    x: &[Act],
    overlap: bool,
) -> Result<LinearRun, DriverError> {
    let k = w.k_in;
    if x.is_empty() || !x.len().is_multiple_of(k) {
        return Err(DriverError::Input(format!(
            "{} activations are not a whole number of {k}-wide tokens",
            x.len()
        )));
    }
    if overlap && !cfg.accel.double_buffer {
        return Err(DriverError::Input(
            "overlap needs accel.double_buffer = true (one weight buffer cannot load while it is read)".into(),
        ));
    }
    let tokens = x.len() / k;
    let image = pack::pack(cfg, w);
    let mut run = LinearRun {
        y: Vec::with_capacity(tokens * w.n_out),
        counters: Counters::default(),
        plans: Vec::new(),
    };
    for chunk in x.chunks(k * cfg.accel.max_tokens) {
        let plan = LinearPlan::new(cfg, k, w.n_out, chunk.len() / k)?;
        let (y, c) = run_chunk(bus, cfg, map, &plan, w, &image, chunk, overlap)?;
        run.y.extend(y);
        run.counters.add(c);
        run.plans.push(plan);
    }
    Ok(run)
}

#[allow(clippy::too_many_arguments)]
fn run_chunk(
    bus: &mut dyn Bus,
    cfg: &Config,
    map: &RegMap,
    plan: &LinearPlan,
    w: &TernaryMatrix,
    image: &[u64],
    x: &[Act],
    overlap: bool,
) -> Result<(Vec<Act>, [u64; 6]), DriverError> {
    for (p, region) in plan.weight_regions(cfg, image).iter().enumerate() {
        bus.mem_write(plan.w_addr[p], region)?;
    }
    let mut rows = vec![0u8; plan.tokens * plan.x_stride as usize];
    for (t, xt) in x.chunks(plan.k_in).enumerate() {
        for (i, v) in xt.iter().enumerate() {
            let at = t * plan.x_stride as usize + 4 * i;
            rows[at..at + 4].copy_from_slice(&v.to_le_bytes());
        }
    }
    bus.mem_write(plan.x_addr, &rows)?;
    // Clear the outputs, so nothing stale can pass for a result.
    bus.mem_write(
        plan.y_addr,
        &vec![0u8; plan.tokens * plan.y_stride as usize],
    )?;

    let mut set = |name: &str, v: u64| -> Result<(), BusError> {
        let v32 = u32::try_from(v)
            .map_err(|_| BusError(format!("{name} = {v} does not fit its 32-bit register")))?;
        bus.reg_write(map.offset(name), v32)
    };
    let params: [(&str, u64); 15] = [
        ("TOKENS", plan.tokens as u64),
        ("BLOCKS", plan.blocks as u64),
        ("TILES", plan.tiles as u64),
        ("TILE_RG", plan.tile_rg as u64),
        ("LAST_TILE_RG", plan.last_tile_rg as u64),
        ("TILE_U64S", plan.tile_u64s as u64),
        ("LAST_TILE_U64S", plan.last_tile_u64s as u64),
        ("TILE_BEATS", plan.tile_beats as u64),
        ("LAST_TILE_BEATS", plan.last_tile_beats as u64),
        ("PERIOD", plan.period as u64),
        ("LAST_PERIOD", plan.last_period as u64),
        ("W_SCALE", scale_q8_24(w.scale) as u64),
        ("X_BEATS", plan.x_beats as u64),
        ("X_STRIDE", plan.x_stride),
        ("Y_STRIDE", plan.y_stride),
    ];
    for (name, v) in params {
        set(name, v)?;
    }
    let mut addrs = vec![
        ("X_ADDR".to_string(), plan.x_addr),
        ("Y_ADDR".to_string(), plan.y_addr),
    ];
    addrs.extend(
        plan.w_addr
            .iter()
            .enumerate()
            .map(|(p, &a)| (format!("W{p}_ADDR"), a)),
    );
    for (name, a) in addrs {
        set(&format!("{name}_LO"), a & 0xFFFF_FFFF)?;
        set(&format!("{name}_HI"), a >> 32)?;
    }
    let go = ctrl::START | ctrl::IRQ_EN | if overlap { ctrl::OVERLAP } else { 0 };
    bus.reg_write(map.offset("CTRL"), go)?;
    bus.wait_irq()?;

    let st = bus.reg_read(map.offset("STATUS"))?;
    if st & status::DONE == 0 {
        return Err(DriverError::Hardware(format!(
            "irq without DONE (STATUS = 0x{st:x})"
        )));
    }
    if st & status::ERROR != 0 {
        let e = bus.reg_read(map.offset("ERROR"))?;
        let causes: Vec<&str> = [
            (error::WEIGHT_READ, "a weight read error"),
            (error::ACT_READ, "an activation read error"),
            (error::WRITE, "an output write error"),
            (error::PARAMS, "parameters outside what this build holds"),
        ]
        .iter()
        .filter(|(bit, _)| e & bit != 0)
        .map(|(_, s)| *s)
        .collect();
        return Err(DriverError::Hardware(format!(
            "{} (ERROR = 0x{e:x})",
            causes.join(", ")
        )));
    }
    let mut counters = [0u64; 6];
    for (c, name) in counters.iter_mut().zip(Counters::NAMES) {
        let lo = bus.reg_read(map.offset(name))? as u64;
        let hi = bus.reg_read(map.offset(name) + 4)? as u64;
        *c = hi << 32 | lo;
    }
    let raw = bus.mem_read(plan.y_addr, plan.tokens * plan.y_stride as usize)?;
    let mut y = Vec::with_capacity(plan.tokens * plan.n_out);
    for t in 0..plan.tokens {
        let row = &raw[t * plan.y_stride as usize..];
        y.extend(
            (0..plan.n_out)
                .map(|i| Act::from_le_bytes(row[4 * i..4 * i + 4].try_into().expect("4 bytes"))),
        );
    }
    Ok((y, counters))
}
