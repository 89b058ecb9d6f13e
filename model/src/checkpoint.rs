//! Hugging Face BitNet checkpoints (being written).
