//! The TeLLMe accelerator described in rust-hdl (see `ARCHITECTURE.md` for the blocks and
//! their contracts). Every count comes from the run-time `Config`.

pub mod axi;
pub mod axi_lite;
pub mod dedup;
pub mod generate;
pub mod linear;
pub mod mem;
pub mod plan;
pub mod quant;
pub mod regmap;
pub mod testing; // test support for `quant::tb` and `hdl/tests`, not used by the generator
pub mod tlmm;
pub mod tools;
pub mod weight_buffer;
