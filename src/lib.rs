//! The `tellme` library: the flows behind the command line (generate → simulate → compare), so
//! tests and benchmarks can run them without the CLI.

pub mod flow;
