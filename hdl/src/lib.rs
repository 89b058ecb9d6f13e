//! The TeLLMe accelerator described in rust-hdl (see `ARCHITECTURE.md` for the blocks and
//! their contracts). Every count comes from the run-time `Config`.

pub mod mem;
