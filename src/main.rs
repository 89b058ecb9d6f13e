//! `tellme`: generate and simulate ternary-weight LLM accelerators for edge FPGAs.

mod cli;

use clap::Parser;

fn main() {
    let args = cli::Cli::parse();
    if let Err(e) = cli::run(args) {
        // One line, no backtrace: every error below us already names what was wrong.
        let msg = format!("{e:#}").replace('\n', " ");
        eprintln!("error: {msg}");
        std::process::exit(1);
    }
}
