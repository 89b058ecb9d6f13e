//! The simulator as the host driver's [`Bus`]: the same driver code that will run the board runs
//! the Verilated model.

use crate::{RunOutcome, Sim};
use tellme_host::{Bus, BusError};

/// A [`Sim`] with the limits a job may run under.
pub struct SimBus {
    pub sim: Sim,
    /// A job that has not raised `irq` after this many cycles is an error.
    pub max_cycles: u64,
    /// Cycles without any observable progress before the watchdog stops the run.
    pub watchdog_cycles: u64,
    /// Cycles and wall-clock seconds of every `wait_irq`, for the reports.
    pub runs: Vec<(RunOutcome, f64)>,
}

impl SimBus {
    pub fn new(sim: Sim, max_cycles: u64, watchdog_cycles: u64) -> SimBus {
        SimBus {
            sim,
            max_cycles,
            watchdog_cycles,
            runs: Vec::new(),
        }
    }
}

fn err(e: crate::SimError) -> BusError {
    BusError(e.to_string())
}

impl Bus for SimBus {
    fn reg_write(&mut self, offset: u32, value: u32) -> Result<(), BusError> {
        self.sim.reg_write(offset, value).map_err(err)
    }

    fn reg_read(&mut self, offset: u32) -> Result<u32, BusError> {
        self.sim.reg_read(offset).map_err(err)
    }

    fn mem_write(&mut self, addr: u64, data: &[u8]) -> Result<(), BusError> {
        self.sim.mem_write(addr, data).map_err(err)
    }

    fn mem_read(&mut self, addr: u64, len: usize) -> Result<Vec<u8>, BusError> {
        self.sim.mem_read(addr, len).map_err(err)
    }

    fn wait_irq(&mut self) -> Result<(), BusError> {
        let t = std::time::Instant::now();
        let out = self
            .sim
            .run(self.max_cycles, self.watchdog_cycles)
            .map_err(err)?;
        self.runs.push((out, t.elapsed().as_secs_f64()));
        Ok(())
    }
}
