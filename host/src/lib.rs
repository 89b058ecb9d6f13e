//! The host driver. It speaks to the accelerator only through [`Bus`]: registers by name from
//! the generated register map, buffers laid out by the generated plan. The simulator implements
//! `Bus` today (`tellme-sim`); a board back-end (UIO + mmap) implements the same trait.

pub mod bus;
pub mod linear;

pub use bus::{Bus, BusError};
