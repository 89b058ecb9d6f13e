//! `tellme generate`: the accelerator's Verilog, register map, constraints and manifest, written
//! whole or not at all.

use crate::linear::{controller::STATE_NAMES, top};
use crate::mem::LEAF_VERILOG;
use crate::regmap::RegMap;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tellme_config::Config;

/// Lint waivers for the generated Verilog (copied next to it).
pub const WAIVERS: &str = include_str!("../waivers.vlt");
const XDC_TEMPLATE: &str = include_str!("../../constraints/kv260.xdc.in");
const TCL_TEMPLATE: &str = include_str!("../../constraints/vivado_ooc.tcl.in");

/// Name of the top module: the convention-named wrapper around rust-hdl's `top`.
pub const TOP: &str = "tellme_top";
/// The Verilog files, in the order the tools read them.
pub const RTL_FILES: [&str; 3] = ["rtl/leaf.v", "rtl/top.v", "rtl/tellme_top.v"];

/// An AXI4 master of the top level, as the simulator and the board integration need to know it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MasterInfo {
    /// Port-name prefix, e.g. `m_w0_`.
    pub prefix: String,
    pub data_bits: usize,
    pub writable: bool,
    /// What it carries.
    pub role: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub bytes: usize,
    pub sha256: String,
}

/// `manifest.json`: what was generated, from what, and the facts a simulator or a board flow
/// needs about the top level.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub tool: String,
    pub top: String,
    /// sha256 over every generated file (path and contents), in path order.
    pub content_hash: String,
    pub axil_addr_bits: u32,
    pub masters: Vec<MasterInfo>,
    /// `dbg_state` codes, in order.
    pub state_names: Vec<String>,
    /// Modules rust-hdl emitted (one per instance) and modules written after merging identical
    /// ones.
    pub modules_emitted: usize,
    pub modules_written: usize,
    pub files: Vec<FileEntry>,
    pub config: Config,
}

/// A generated design in memory.
pub struct Design {
    /// (path relative to the output folder, contents).
    pub files: Vec<(String, String)>,
    pub regmap: RegMap,
    pub manifest: Manifest,
}

impl Design {
    pub fn file(&self, path: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, t)| t.as_str())
    }
}

/// The AXI masters of the BitLinear top for `cfg`.
pub fn masters(cfg: &Config) -> Vec<MasterInfo> {
    let mut m: Vec<MasterInfo> = (0..cfg.accel.axi_ports)
        .map(|p| MasterInfo {
            prefix: format!("m_w{p}_"),
            data_bits: cfg.accel.axi_data_bits,
            writable: false,
            role: format!("weights, port {p}"),
        })
        .collect();
    m.push(MasterInfo {
        prefix: "m_act_".into(),
        data_bits: cfg.accel.axi_data_bits,
        writable: true,
        role: "activations in (reads) and out (writes)".into(),
    });
    m
}

/// Can every block be built for `cfg`? `Config::validate` already enforces the hardware's
/// limits; this asks each block too, so a limit added to a block but not to the validation is
/// still a clear error, not a panic.
pub fn check(cfg: &Config) -> Result<(), String> {
    cfg.validate().map_err(|e| e.to_string())?;
    crate::tlmm::check(cfg)?;
    crate::quant::QuantGeom::new(cfg)?;
    crate::weight_buffer::WbufParams::from_config(cfg).map_err(|e| e.0)?;
    Ok(())
}

/// Generate everything for `cfg`, or say why the hardware cannot be built for it.
pub fn generate(cfg: &Config) -> Result<Design, String> {
    check(cfg)?;
    let regmap = RegMap::linear(cfg);
    let period_ns = 1e3 / cfg.accel.clock_mhz;
    let fill = |t: &str| {
        t.replace("@CLOCK_MHZ@", &format!("{}", cfg.accel.clock_mhz))
            .replace("@PERIOD_NS@", &format!("{period_ns:.3}"))
            .replace("@PART@", &cfg.board.part)
    };
    let (raw, wrapper) = top::verilog(cfg, &regmap);
    let (core, modules_emitted, modules_written) = crate::dedup::dedup_modules(&raw);
    let mut files = vec![
        ("rtl/top.v".to_string(), core),
        ("rtl/tellme_top.v".to_string(), wrapper),
        ("rtl/leaf.v".to_string(), LEAF_VERILOG.to_string()),
        ("lint/waivers.vlt".to_string(), WAIVERS.to_string()),
        ("regmap.json".to_string(), regmap.to_json()),
        ("tellme_regs.h".to_string(), regmap.to_c_header()),
        ("constraints/kv260.xdc".to_string(), fill(XDC_TEMPLATE)),
        ("constraints/vivado_ooc.tcl".to_string(), fill(TCL_TEMPLATE)),
    ];
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut all = Sha256::new();
    let entries = files
        .iter()
        .map(|(p, t)| {
            all.update(p.as_bytes());
            all.update([0]);
            all.update(t.as_bytes());
            FileEntry {
                path: p.clone(),
                bytes: t.len(),
                sha256: hex(&Sha256::digest(t.as_bytes())),
            }
        })
        .collect();
    let manifest = Manifest {
        tool: format!("tellme {}", env!("CARGO_PKG_VERSION")),
        top: TOP.into(),
        content_hash: hex(&all.finalize()),
        axil_addr_bits: regmap.addr_bits,
        masters: masters(cfg),
        state_names: STATE_NAMES.iter().map(|s| s.to_string()).collect(),
        modules_emitted,
        modules_written,
        files: entries,
        config: cfg.clone(),
    };
    files.push((
        "manifest.json".into(),
        serde_json::to_string_pretty(&manifest).expect("a manifest always serialises"),
    ));
    Ok(Design {
        files,
        regmap,
        manifest,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Write a design into `out`: everything goes to a temporary sibling first, which then replaces
/// `out` in one rename, so a failure never leaves half a design behind.
pub fn write_design(design: &Design, out: &Path) -> std::io::Result<()> {
    let name = out
        .file_name()
        .ok_or_else(|| std::io::Error::other(format!("{} is not a folder name", out.display())))?
        .to_string_lossy()
        .into_owned();
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let _ = std::fs::remove_dir_all(&tmp);
        for (path, text) in &design.files {
            let p = tmp.join(path);
            std::fs::create_dir_all(p.parent().expect("files live in a folder"))?;
            std::fs::write(&p, text)?;
        }
        if out.exists() {
            let old = parent.join(format!(".{name}.old-{}", std::process::id()));
            std::fs::rename(out, &old)?;
            std::fs::rename(&tmp, out)?;
            std::fs::remove_dir_all(&old)?;
        } else {
            std::fs::rename(&tmp, out)?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}
