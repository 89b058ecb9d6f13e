//! Test support, not used by the generator: running the Verilog tools on one block's generated
//! Verilog. Shared by [`crate::quant::tb`] and the integration tests in `hdl/tests/` (their
//! Verilator testbench builds are in `hdl/tests/common`).
//!
//! - [`have`]: whether a tool is installed (tests skip with a notice when it is not).
//! - [`scratch_dir`]: a fresh folder under the system temp directory.
//! - [`waivers`]: the lint waivers for the generated Verilog (`hdl/waivers.vlt`).
//! - [`lint_in`] / [`lint`]: `verilator --lint-only -Wall` of a block as the top, with the leaf
//!   memories and the waivers.
use crate::mem::LEAF_VERILOG;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether a tool answers `--version` (or `-V`).
pub fn have(tool: &str) -> bool {
    ["--version", "-V"].iter().any(|a| {
        Command::new(tool)
            .arg(a)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    })
}

/// A fresh folder `{prefix}-{pid}-{n}` under the system temp directory (the caller removes it).
pub fn scratch_dir(prefix: &str) -> Result<PathBuf, String> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&d).map_err(|e| e.to_string())?;
    Ok(d)
}

/// The lint waivers for the generated Verilog (`hdl/waivers.vlt`); verilator must read them
/// before the `.v` files.
pub fn waivers() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("waivers.vlt");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What `verilator --lint-only -Wall` said.
#[derive(Clone, Debug)]
pub struct Lint {
    /// Verilator exited successfully.
    pub clean: bool,
    /// Its messages (stderr).
    pub log: String,
}

/// Write `top_v` (`top.v`, the block's `generate_verilog`), the leaf memories (`leaf.v`) and the
/// waivers (`waivers.vlt`) into `dir` and run `verilator --lint-only -Wall --top-module top
/// waivers.vlt top.v leaf.v` there. The files stay, so the run can be repeated by hand. Err when
/// a file cannot be written or verilator cannot be started.
pub fn lint_in(dir: &Path, top_v: &str) -> Result<Lint, String> {
    for (name, text) in [
        ("waivers.vlt", waivers().as_str()),
        ("top.v", top_v),
        ("leaf.v", LEAF_VERILOG),
    ] {
        std::fs::write(dir.join(name), text)
            .map_err(|e| format!("{}: {e}", dir.join(name).display()))?;
    }
    let out = Command::new("verilator")
        .current_dir(dir)
        .args(["--lint-only", "-Wall", "--top-module", "top"])
        .args(["waivers.vlt", "top.v", "leaf.v"])
        .output()
        .map_err(|e| format!("cannot run verilator: {e}"))?;
    Ok(Lint {
        clean: out.status.success(),
        log: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// [`lint_in`] in a scratch folder (removed afterwards). Ok(()) when clean; Err(log) otherwise;
/// Err starting with "SKIP" when verilator is missing.
pub fn lint(top_v: &str) -> Result<(), String> {
    if !have("verilator") {
        return Err("SKIP: verilator not found".into());
    }
    let dir = scratch_dir("tellme-lint")?;
    let res = lint_in(&dir, top_v);
    let _ = std::fs::remove_dir_all(&dir);
    match res? {
        Lint { clean: true, .. } => Ok(()),
        Lint { log, .. } => Err(log),
    }
}
