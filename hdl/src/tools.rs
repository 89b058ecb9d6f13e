//! Running the external tools on a generated design: Verilator's lint and Yosys' resource
//! estimate.

use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::Command;
use tellme_config::Config;

#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error("{tool} not found on PATH: install it with `sudo apt-get install -y {package}`")]
    Missing { tool: String, package: String },
    #[error("{0}")]
    Failed(String),
}

/// The full path of a tool on `PATH`, or the install hint.
pub fn find(tool: &str, package: &str) -> Result<PathBuf, ToolError> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(tool))
        .find(|p| p.is_file())
        .ok_or_else(|| ToolError::Missing {
            tool: tool.into(),
            package: package.into(),
        })
}

fn rtl(dir: &Path) -> Result<Vec<PathBuf>, ToolError> {
    let files: Vec<PathBuf> = crate::generate::RTL_FILES
        .iter()
        .map(|f| dir.join(f))
        .collect();
    if let Some(f) = files.iter().find(|f| !f.is_file()) {
        return Err(ToolError::Failed(format!(
            "{} is missing: is {} a `tellme generate` output folder?",
            f.display(),
            dir.display()
        )));
    }
    Ok(files)
}

/// `verilator --lint-only -Wall` with the design's waiver file. Ok(number of files linted), or
/// the warnings as one error (first lines quoted).
pub fn lint(dir: &Path) -> Result<String, ToolError> {
    let verilator = find("verilator", "verilator")?;
    let files = rtl(dir)?;
    let out = Command::new(verilator)
        .args(["--lint-only", "-Wall", "--top-module", crate::generate::TOP])
        .arg(dir.join("lint/waivers.vlt"))
        .args(&files)
        .output()
        .map_err(|e| ToolError::Failed(format!("cannot run verilator: {e}")))?;
    let text =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    if out.status.success() {
        Ok(text)
    } else {
        let warnings: Vec<&str> = text.lines().filter(|l| l.starts_with('%')).collect();
        Err(ToolError::Failed(format!(
            "verilator lint reports {} problem(s); first: {}",
            warnings.len().saturating_sub(1).max(1),
            warnings.first().copied().unwrap_or("(no message)")
        )))
    }
}

/// Resource use as Yosys `synth_xilinx -family xcup` sees it, against the board budget.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Resources {
    /// LUTs used as logic.
    pub lut: u64,
    /// LUTs used as distributed RAM (RAM32M16 = 8, RAM64M8 = 8, RAM32M = 4, RAM64M = 4, RAM32X1D/RAM64X1D = 2, RAM16X1/32X1/64X1S = 1, SRL = 1).
    pub lutram: u64,
    pub ff: u64,
    pub carry: u64,
    pub dsp: u64,
    /// RAMB36E2 equivalents (a RAMB18E2 counts half).
    pub bram36: f64,
    pub uram: u64,
    /// Every cell type and count Yosys reported.
    pub cells: std::collections::BTreeMap<String, u64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SynthReport {
    pub resources: Resources,
    pub budget: Budget,
    /// (resource, used, available) that do not fit.
    pub over: Vec<(String, f64, f64)>,
    pub yosys_s: f64,
    pub log: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Budget {
    pub lut: u64,
    pub ff: u64,
    pub dsp: u64,
    pub bram36: u64,
    pub uram: u64,
}

/// Run Yosys on the design (hierarchically: rust-hdl makes every instance its own module, and
/// flattening the engine exhausts memory) and total the cells over the hierarchy.
pub fn synth(
    dir: &Path,
    cfg: &Config,
    progress: &mut dyn FnMut(&str),
) -> Result<SynthReport, ToolError> {
    let yosys = find("yosys", "yosys")?;
    let files = rtl(dir)?;
    let log = dir.join("synth/yosys.log");
    std::fs::create_dir_all(log.parent().expect("has a parent"))
        .map_err(|e| ToolError::Failed(format!("cannot write {}: {e}", log.display())))?;
    let script = format!(
        "read_verilog {}\nsynth_xilinx -family xcup -top {} -noiopad\nstat -top {}\n",
        files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(" "),
        crate::generate::TOP,
        crate::generate::TOP
    );
    progress("running yosys synth_xilinx -family xcup (hierarchical; about a minute for a full-size engine)");
    let t = std::time::Instant::now();
    let out = Command::new(yosys)
        .args(["-q", "-l"])
        .arg(&log)
        .args(["-p", &script])
        .output()
        .map_err(|e| ToolError::Failed(format!("cannot run yosys: {e}")))?;
    let yosys_s = t.elapsed().as_secs_f64();
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err
            .lines()
            .chain(text.lines())
            .find(|l| l.contains("ERROR"))
            .unwrap_or("(see the log)");
        return Err(ToolError::Failed(format!(
            "yosys failed: {} (log: {})",
            first.trim(),
            log.display()
        )));
    }
    let resources = parse_stat(&text);
    let b = &cfg.board;
    let budget = Budget {
        lut: b.luts as u64,
        ff: b.ffs as u64,
        dsp: b.dsp as u64,
        bram36: b.bram36 as u64,
        uram: b.uram as u64,
    };
    let over = [
        (
            "LUT",
            (resources.lut + resources.lutram) as f64,
            b.luts as f64,
        ),
        ("FF", resources.ff as f64, b.ffs as f64),
        ("DSP48E2", resources.dsp as f64, b.dsp as f64),
        ("RAMB36E2", resources.bram36, b.bram36 as f64),
        ("URAM288", resources.uram as f64, b.uram as f64),
    ]
    .into_iter()
    .filter(|(_, used, avail)| used > avail)
    .map(|(n, u, a)| (n.to_string(), u, a))
    .collect();
    Ok(SynthReport {
        resources,
        budget,
        over,
        yosys_s,
        log: log.display().to_string(),
    })
}

/// Total the cell counts of the last `stat` section that covers the whole hierarchy.
fn parse_stat(log: &str) -> Resources {
    // With `stat -top`, Yosys ends with a "design hierarchy" section whose cell list is the
    // total over every instance.
    let section = log.rsplit("=== design hierarchy ===").next().unwrap_or(log);
    let mut r = Resources::default();
    for line in section.lines() {
        let mut parts = line.split_whitespace();
        let (Some(name), Some(count)) = (parts.next(), parts.next()) else {
            continue;
        };
        let Ok(n) = count.parse::<u64>() else {
            continue;
        };
        if parts.next().is_some() || !name.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
            continue;
        }
        *r.cells.entry(name.to_string()).or_default() += n;
    }
    for (name, &n) in &r.cells {
        match name.as_str() {
            s if s.starts_with("LUT") => r.lut += n,
            "INV" => r.lut += n,
            s if s.starts_with("FD") => r.ff += n,
            s if s.starts_with("CARRY") => r.carry += n,
            s if s.starts_with("DSP48") => r.dsp += n,
            "RAMB36E2" => r.bram36 += n as f64,
            "RAMB18E2" => r.bram36 += n as f64 / 2.0,
            "URAM288" => r.uram += n,
            "RAM32M16" | "RAM64M8" => r.lutram += 8 * n,
            "RAM32M" | "RAM64M" => r.lutram += 4 * n,
            "RAM32X1D" | "RAM64X1D" => r.lutram += 2 * n,
            s if s.starts_with("RAM") && s.ends_with('S') => r.lutram += n,
            s if s.starts_with("SRL") => r.lutram += n,
            _ => {}
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_totals_come_from_the_hierarchy_section() {
        let log = "=== top$lanes$0 ===\n   Number of cells: 3\n     LUT2  99\n\n=== design hierarchy ===\n\n   top 1\n     top$lanes$0 2\n\n   Number of cells: 10\n     CARRY8 4\n     FDRE 30\n     LUT3 10\n     LUT6 2\n     RAM32M16 3\n     RAMB18E2 3\n     URAM288 5\n     DSP48E2 1\n";
        let r = parse_stat(log);
        assert_eq!(
            (r.lut, r.ff, r.carry, r.uram, r.dsp, r.lutram),
            (12, 30, 4, 5, 1, 24)
        );
        assert_eq!(r.bram36, 1.5);
    }

    #[test]
    fn a_missing_tool_names_its_package() {
        let e = find("surely-not-a-tool-xyz", "some-package")
            .unwrap_err()
            .to_string();
        assert!(e.contains("sudo apt-get install -y some-package"), "{e}");
    }
}
