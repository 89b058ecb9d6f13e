//! The BitLinear accelerator: its controller and the top level that wires every block to the
//! AXI ports.

pub mod controller;
pub mod top;

#[cfg(test)]
mod controller_tests;
