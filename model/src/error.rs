//! Errors of the model crate: each one line, naming the file or input at fault.

/// Everything that can go wrong loading or running a model.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error(transparent)]
    Config(#[from] tellme_config::ConfigError),
    /// A checkpoint folder or file that is missing, truncated or does not match the config.
    #[error("{0}")]
    Checkpoint(String),
    /// A request the model cannot serve (prompt too long, no tokens to generate, ...).
    #[error("{0}")]
    Input(String),
}

pub type Result<T, E = ModelError> = std::result::Result<T, E>;
