//! The golden model of the TeLLMe-RS accelerator, its f32 reference, and the model files.
//!
//! - [`golden`]: the bit-exact arithmetic the RTL implements (formats in `NUMERICS.md`).
//! - [`reference`]: an f32 BitNet forward pass written from the model's definition.
//! - [`fidelity`]: how far the golden model is from the reference.
//! - [`checkpoint`], [`synthetic`]: real Hugging Face checkpoints and seeded synthetic models.
//! - [`ternary`], [`pack`]: the 5-bit TLMM index and the accelerator's weight image.

pub mod checkpoint;
pub mod error;
pub mod fidelity;
pub mod fixed;
pub mod golden;
pub mod pack;
pub mod quant;
pub mod reference;
pub mod rng;
pub mod sample;
pub mod synthetic;
pub mod ternary;
pub mod tlmm;
pub mod weights;

pub use error::{ModelError, Result};
pub use weights::{LayerWeights, ModelWeights, TernaryMatrix};
