//! What the driver needs from a back-end.

/// A back-end failure, as one line (the simulator's watchdog, a board's missing device, …).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BusError(pub String);

/// Memory-mapped registers, device memory and the interrupt.
pub trait Bus {
    /// Write a 32-bit register at a byte offset of the register window.
    fn reg_write(&mut self, offset: u32, value: u32) -> Result<(), BusError>;
    /// Read a 32-bit register.
    fn reg_read(&mut self, offset: u32) -> Result<u32, BusError>;
    /// Copy bytes into device memory (DDR) at a physical address.
    fn mem_write(&mut self, addr: u64, data: &[u8]) -> Result<(), BusError>;
    /// Copy bytes out of device memory.
    fn mem_read(&mut self, addr: u64, len: usize) -> Result<Vec<u8>, BusError>;
    /// Block until the accelerator raises its interrupt.
    fn wait_irq(&mut self) -> Result<(), BusError>;
}
