//! The register map: one table from which the AXI4-Lite register block is generated, and which
//! is written out as `regmap.json` and `tellme_regs.h` for software. The driver looks registers
//! up by name in the same table, so no offset is ever typed twice.

use serde::{Deserialize, Serialize};
use tellme_config::Config;

/// Value of the ID register: "TLM" and the register-map version.
pub const ID_VALUE: u32 = 0x544C_4D01;
/// AXI4-Lite address bits (a 4 KiB window).
pub const ADDR_BITS: u32 = 12;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Read-only constant.
    Const,
    /// Read-write, held in a flop, fed to the design.
    Param,
    /// Read-only, driven by the design.
    Status,
    /// Read-only 64-bit counter: `offset` is the low word, `offset + 4` the high word; reading
    /// the low word latches the high word, so LO then HI is a consistent pair.
    Counter,
}

/// A named bit field of a register.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    pub lsb: u32,
    pub width: u32,
    pub doc: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Register {
    pub name: String,
    pub offset: u32,
    pub kind: Kind,
    pub doc: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegMap {
    pub id: u32,
    pub addr_bits: u32,
    pub registers: Vec<Register>,
}

/// Bits of `CTRL`.
pub mod ctrl {
    /// Write 1: start a job (reads back 0).
    pub const START: u32 = 1 << 0;
    /// Overlap weight loading with compute (double-buffered weight buffer).
    pub const OVERLAP: u32 = 1 << 1;
    /// Raise `irq` when a job ends.
    pub const IRQ_EN: u32 = 1 << 2;
}

/// Bits of `STATUS`.
pub mod status {
    pub const BUSY: u32 = 1 << 0;
    /// Set when a job ends; cleared by the next START.
    pub const DONE: u32 = 1 << 1;
    /// Set with DONE when the job ended on an error (see ERROR).
    pub const ERROR: u32 = 1 << 2;
}

/// Bits of `ERROR`.
pub mod error {
    /// A weight read returned RRESP ≠ OKAY.
    pub const WEIGHT_READ: u32 = 1 << 0;
    /// An activation read returned RRESP ≠ OKAY.
    pub const ACT_READ: u32 = 1 << 1;
    /// An output write returned BRESP ≠ OKAY.
    pub const WRITE: u32 = 1 << 2;
    /// The job's parameters are outside what this build holds (see the driver's plan).
    pub const PARAMS: u32 = 1 << 3;
}

/// Lays registers out one after another.
#[derive(Default)]
struct Builder {
    regs: Vec<Register>,
    at: u32,
}

impl Builder {
    fn add(&mut self, name: &str, kind: Kind, doc: &str, fields: Vec<Field>) {
        self.regs.push(Register {
            name: name.into(),
            offset: self.at,
            kind,
            doc: doc.into(),
            fields,
        });
        self.at += if kind == Kind::Counter { 8 } else { 4 };
    }

    fn align(&mut self, to: u32) {
        self.at = self.at.next_multiple_of(to);
    }
}

fn field(name: &str, lsb: u32, width: u32, doc: &str) -> Field {
    Field {
        name: name.into(),
        lsb,
        width,
        doc: doc.into(),
    }
}

impl RegMap {
    /// The BitLinear accelerator's registers. The weight-port address registers depend on the
    /// number of ports in `cfg`.
    pub fn linear(cfg: &Config) -> RegMap {
        let mut b = Builder::default();
        let mut add =
            |name: &str, kind: Kind, doc: &str, fields: Vec<Field>| b.add(name, kind, doc, fields);
        add(
            "ID",
            Kind::Const,
            "identification: 0x544C4D01 ('TLM', map version 1)",
            vec![],
        );
        add(
            "CTRL",
            Kind::Param,
            "control",
            vec![
                field("START", 0, 1, "write 1 to start a job; reads 0"),
                field(
                    "OVERLAP",
                    1,
                    1,
                    "load the next weight tile while computing this one",
                ),
                field("IRQ_EN", 2, 1, "raise irq when the job ends"),
            ],
        );
        add(
            "STATUS",
            Kind::Status,
            "status",
            vec![
                field("BUSY", 0, 1, "a job is running"),
                field("DONE", 1, 1, "the last job ended (cleared by START)"),
                field("ERROR", 2, 1, "the last job ended on an error"),
            ],
        );
        add(
            "ERROR",
            Kind::Status,
            "error causes of the last job",
            vec![
                field("WEIGHT_READ", 0, 1, "weight read RRESP not OKAY"),
                field("ACT_READ", 1, 1, "activation read RRESP not OKAY"),
                field("WRITE", 2, 1, "output write BRESP not OKAY"),
                field("PARAMS", 3, 1, "parameters outside what this build holds"),
            ],
        );
        let params: [(&str, &str); 15] = [
            ("TOKENS", "tokens in this job (≤ max_tokens)"),
            (
                "BLOCKS",
                "engine blocks per input row: ceil(ceil(K/3)/tables)",
            ),
            ("TILES", "weight tiles"),
            ("TILE_RG", "row groups per full tile (≤ acc_depth)"),
            ("LAST_TILE_RG", "row groups in the last tile"),
            (
                "TILE_U64S",
                "u64s of a full tile's weight stream (padding excluded)",
            ),
            ("LAST_TILE_U64S", "u64s of the last tile's weight stream"),
            (
                "TILE_BEATS",
                "beats per weight port of a full tile (padding included)",
            ),
            ("LAST_TILE_BEATS", "beats per weight port of the last tile"),
            (
                "PERIOD",
                "cycles per engine step: max(TILE_RG, table build, pipeline minimum)",
            ),
            ("LAST_PERIOD", "cycles per engine step in the last tile"),
            ("W_SCALE", "weight scale, Q8.24"),
            ("X_BEATS", "beats of one input row"),
            ("X_STRIDE", "bytes between input rows"),
            ("Y_STRIDE", "bytes between output rows"),
        ];
        for (name, doc) in params {
            add(name, Kind::Param, doc, vec![]);
        }
        for (name, doc) in [("X_ADDR", "input rows (x)"), ("Y_ADDR", "output rows (y)")] {
            add(
                &format!("{name}_LO"),
                Kind::Param,
                &format!("{doc}: address bits 31..0"),
                vec![],
            );
            add(
                &format!("{name}_HI"),
                Kind::Param,
                &format!("{doc}: address bits 39..32"),
                vec![],
            );
        }
        for p in 0..cfg.accel.axi_ports {
            add(
                &format!("W{p}_ADDR_LO"),
                Kind::Param,
                &format!("weight port {p} region: address bits 31..0"),
                vec![],
            );
            add(
                &format!("W{p}_ADDR_HI"),
                Kind::Param,
                &format!("weight port {p} region: address bits 39..32"),
                vec![],
            );
        }
        // Counters in a page of their own.
        b.align(0x100);
        for (name, doc) in [
            ("CYCLES", "cycles busy in the last job"),
            ("STALL_CYCLES", "cycles the engine waited for a weight tile"),
            ("RD_BYTES", "bytes read from DDR (weights and activations)"),
            ("WEIGHT_BYTES", "weight bytes read from DDR"),
            ("WR_BYTES", "bytes written to DDR"),
            (
                "LOOKUPS",
                "table lookups issued (tables × lanes per engine op)",
            ),
        ] {
            b.add(name, Kind::Counter, doc, vec![]);
        }
        RegMap {
            id: ID_VALUE,
            addr_bits: ADDR_BITS,
            registers: b.regs,
        }
    }

    /// A register by name.
    pub fn get(&self, name: &str) -> Option<&Register> {
        self.registers.iter().find(|r| r.name == name)
    }

    /// A register's offset; panics on a name the map does not have (a programming error).
    pub fn offset(&self, name: &str) -> u32 {
        self.get(name)
            .unwrap_or_else(|| panic!("register map has no register {name}"))
            .offset
    }

    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Register> {
        self.registers.iter().filter(move |r| r.kind == kind)
    }

    /// Index of a register among those of its kind (the order of the register block's ports).
    pub fn index_of(&self, name: &str) -> usize {
        let r = self
            .get(name)
            .unwrap_or_else(|| panic!("register map has no register {name}"));
        self.of_kind(r.kind)
            .position(|x| x.name == name)
            .expect("present")
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a RegMap always serialises")
    }

    /// A C header for board software.
    pub fn to_c_header(&self) -> String {
        let mut h = String::from(
            "/* Generated by tellme from the register map; do not edit. */\n#ifndef TELLME_REGS_H\n#define TELLME_REGS_H\n\n",
        );
        h += &format!("#define TELLME_ID_VALUE 0x{:08X}u\n\n", self.id);
        for r in &self.registers {
            h += &format!("/* {} */\n", r.doc);
            match r.kind {
                Kind::Counter => {
                    h += &format!("#define TELLME_{}_LO 0x{:03X}u\n", r.name, r.offset);
                    h += &format!("#define TELLME_{}_HI 0x{:03X}u\n", r.name, r.offset + 4);
                }
                _ => h += &format!("#define TELLME_{} 0x{:03X}u\n", r.name, r.offset),
            }
            for f in &r.fields {
                let mask = ((1u64 << f.width) - 1) << f.lsb;
                h += &format!(
                    "#define TELLME_{}_{} 0x{:08X}u /* {} */\n",
                    r.name, f.name, mask, f.doc
                );
            }
        }
        h += "\n#endif\n";
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_unique_aligned_and_in_the_window() {
        for p in ["tiny", "kv260-0.7b"] {
            let m = RegMap::linear(&tellme_config::preset(p).unwrap());
            let mut seen = std::collections::HashSet::new();
            for r in &m.registers {
                assert_eq!(r.offset % 4, 0);
                assert!(r.offset + 8 <= 1 << ADDR_BITS);
                assert!(seen.insert(r.offset), "{} reuses 0x{:x}", r.name, r.offset);
                if r.kind == Kind::Counter {
                    assert_eq!(r.offset % 8, 0);
                    assert!(seen.insert(r.offset + 4));
                }
            }
            assert_eq!(m.offset("ID"), 0);
            assert!(m.get("W2_ADDR_HI").is_some() == (p == "kv260-0.7b"));
        }
    }

    #[test]
    fn header_and_json_carry_every_register() {
        let m = RegMap::linear(&tellme_config::preset("kv260-0.7b").unwrap());
        let h = m.to_c_header();
        assert!(h.contains("#define TELLME_CTRL 0x004u"));
        assert!(h.contains("#define TELLME_CTRL_OVERLAP 0x00000002u"));
        assert!(h.contains("#define TELLME_CYCLES_HI"));
        let back: RegMap = serde_json::from_str(&m.to_json()).unwrap();
        assert_eq!(back, m);
        assert_eq!(m.get("CTRL").unwrap().fields[1].lsb.trailing_zeros(), 0);
        assert_eq!(1 << m.get("CTRL").unwrap().fields[1].lsb, ctrl::OVERLAP);
    }
}
