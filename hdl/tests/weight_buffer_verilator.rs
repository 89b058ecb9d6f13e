//! The generated Loader + WeightBuffer (`WeightStore` as top) under Verilator 5, with the DDR /
//! AXI slave model on the C++ side: packed `TernaryMatrix` images are laid out with
//! `image_port_regions`, every tile is loaded into alternating banks and read back through the
//! read port, and every column word is compared with the image. Also reports load cycles with
//! the KV260's DDR figures. Skipped (with a notice) when verilator is not installed.
//!
//! The Verilated harness is built once per (Verilog, harness) content hash under
//! `CARGO_TARGET_TMPDIR` and reused.

mod common;

use common::{build_testbench, port_ptrs, require, Testbench};
use rust_hdl::prelude::*;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use tellme_config::Config;
use tellme_hdl::weight_buffer::{
    ideal_load_cycles, image_port_regions, le_bytes, WbufParams, WeightStore, LOADER_MAX_BURSTS,
    LOADER_START_TO_AR, WBUF_LATENCY,
};
use tellme_model::pack::pack;
use tellme_model::rng::Rng;
use tellme_model::TernaryMatrix;

/// The C++ testbench: DDR model (latency, optional shared bandwidth, random gaps), AXI rule
/// checks, loads from `loads.txt`, read-back of every loaded tile and of the whole buffer.
fn harness_cpp(p: &WbufParams) -> String {
    let (np, bu, c) = (p.ports, p.beat_u64s, p.columns);
    let mut s = String::new();
    writeln!(
        s,
        r#"// generated: DDR/AXI model + load/readback driver for the WeightStore top
#include "Vtop.h"
#include "verilated.h"
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

static const int P = {np}, BU = {bu}, C = {c}, LAT = {lat};
static const uint64_t BEAT = 8 * BU;

struct Burst {{ uint64_t addr, beats, sent, ready_at; }};

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t xs() {{ rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }}

int main(int argc, char** argv) {{
    if (argc < 2) return 2;
    std::string dir = argv[1];
    unsigned long long latency = 0, stall = 0, seed = 1, depth = 0;
    double bpc = 0;
    FILE* f = fopen((dir + "/params.txt").c_str(), "r");
    if (!f || fscanf(f, "%llu %lf %llu %llu %llu", &latency, &bpc, &stall, &seed, &depth) != 5) return 3;
    fclose(f);
    rng ^= seed * 0x2545F4914F6CDD1Dull;
    std::vector<uint8_t> mem;
    f = fopen((dir + "/ddr.bin").c_str(), "rb");
    if (!f) return 4;
    fseek(f, 0, SEEK_END); long n = ftell(f); fseek(f, 0, SEEK_SET);
    mem.resize(n);
    if (fread(mem.data(), 1, n, f) != (size_t)n) return 5;
    fclose(f);
    struct Load {{ unsigned long long base, u64s, beats, addr[P]; }};
    std::vector<Load> loads;
    f = fopen((dir + "/loads.txt").c_str(), "r");
    if (!f) return 6;
    for (;;) {{
        Load l;
        if (fscanf(f, "%llu %llu %llu", &l.base, &l.u64s, &l.beats) != 3) break;
        for (int p = 0; p < P; p++) if (fscanf(f, "%llu", &l.addr[p]) != 1) return 7;
        loads.push_back(l);
    }}
    fclose(f);

    VerilatedContext ctx;
    Vtop* t = new Vtop(&ctx, "top");
    QData* araddr[P] = {{ {araddr} }};
    CData* arlen[P] = {{ {arlen} }};
    CData* arsize[P] = {{ {arsize} }};
    CData* arburst[P] = {{ {arburst} }};
    CData* arvalid[P] = {{ {arvalid} }};
    CData* arready[P] = {{ {arready} }};
    QData* rdata[P * BU] = {{ {rdata} }};
    CData* rresp[P] = {{ {rresp} }};
    CData* rlast[P] = {{ {rlast} }};
    CData* rvalid[P] = {{ {rvalid} }};
    CData* rready[P] = {{ {rready} }};
    QData* load_addr[P] = {{ {load_addr} }};
    QData* rd_word[C] = {{ {rd_word} }};"#,
        lat = WBUF_LATENCY,
        araddr = port_ptrs("araddr", np),
        arlen = port_ptrs("arlen", np),
        arsize = port_ptrs("arsize", np),
        arburst = port_ptrs("arburst", np),
        arvalid = port_ptrs("arvalid", np),
        arready = port_ptrs("arready", np),
        rdata = port_ptrs("rdata", np * bu),
        rresp = port_ptrs("rresp", np),
        rlast = port_ptrs("rlast", np),
        rvalid = port_ptrs("rvalid", np),
        rready = port_ptrs("rready", np),
        load_addr = port_ptrs("load_addr", np),
        rd_word = port_ptrs("rd_word", c),
    )
    .unwrap();
    s.push_str(
        r#"
    std::deque<Burst> q[P];
    uint64_t cycle = 0, violations = 0, rready_low = 0, max_out[P] = {0};
    double tokens = 0;
    int rr = 0;
    auto edge = [&]() { t->clock = 0; t->eval(); t->clock = 1; t->eval(); cycle++; };
    // one cycle of the DDR model + AXI slaves; returns after the rising edge
    auto step = [&](bool& any_ar, bool& any_r) {
        if (bpc > 0) { tokens += bpc; double cap = 2.0 * BEAT * P + bpc; if (tokens > cap) tokens = cap; }
        bool offer[P];
        for (int k = 0; k < P; k++) {
            int p = (rr + k) % P;
            offer[p] = false;
            *arready[p] = !(stall && xs() % 1000 < stall);
            if (!q[p].empty() && cycle >= q[p].front().ready_at && !(stall && xs() % 1000 < stall)
                && (bpc <= 0 || tokens >= BEAT)) {
                Burst& b = q[p].front();
                uint64_t a = b.addr + b.sent * BEAT;
                for (int i = 0; i < BU; i++) {
                    uint64_t w = 0;
                    if (a + 8 * i + 8 <= mem.size()) memcpy(&w, &mem[a + 8 * i], 8);
                    *rdata[p * BU + i] = w;
                }
                *rresp[p] = 0;
                *rlast[p] = b.sent + 1 == b.beats;
                offer[p] = true;
                if (bpc > 0) tokens -= BEAT;
            }
            *rvalid[p] = offer[p];
            if (!offer[p]) *rlast[p] = 0;
        }
        rr = (rr + 1) % P;
        t->clock = 0; t->eval();
        for (int p = 0; p < P; p++) {
            if (*arvalid[p] && *arready[p]) {
                uint64_t a = *araddr[p], beats = (uint64_t)*arlen[p] + 1;
                if (*arburst[p] != 1 || (1ull << *arsize[p]) != BEAT || beats > 16 || a % BEAT
                    || a / 4096 != (a + beats * BEAT - 1) / 4096) violations++;
                q[p].push_back(Burst{a, beats, 0, cycle + 1 + latency});
                if (q[p].size() > max_out[p]) max_out[p] = q[p].size();
                any_ar = true;
            }
            if (offer[p]) {
                if (*rready[p]) {
                    any_r = true;
                    Burst& b = q[p].front();
                    if (++b.sent == b.beats) q[p].pop_front();
                } else {
                    rready_low++;
                    if (bpc > 0) tokens += BEAT;
                }
            }
        }
        t->clock = 1; t->eval();
        cycle++;
    };

    t->reset = 1; t->load_start = 0; t->rd_en = 0;
    for (int p = 0; p < P; p++) { *arready[p] = 0; *rvalid[p] = 0; *rlast[p] = 0; *rresp[p] = 0; }
    edge(); edge();
    t->reset = 0;
    FILE* tiles = fopen((dir + "/tiles.bin").c_str(), "wb");
    FILE* done_rd = fopen((dir + "/done.bin").c_str(), "wb");
    FILE* st = fopen((dir + "/stats.txt").c_str(), "w");
    std::vector<uint64_t> row(C);
    for (size_t k = 0; k < loads.size(); k++) {
        Load& l = loads[k];
        uint64_t start = cycle, first_ar = 0, first_r = 0, done = 0, waiting = 0;
        bool got_ar = false, got_r = false;
        t->load_start = 1; t->load_base = l.base; t->load_u64s = l.u64s; t->load_beats = l.beats;
        for (int p = 0; p < P; p++) *load_addr[p] = l.addr[p];
        uint64_t last_row = l.base + (l.u64s ? (l.u64s - 1) / C : 0);
        for (;;) {
            bool any_ar = false, any_r = false;
            uint64_t now = cycle - start;
            t->rd_en = 0;
            bool is_done = t->load_done;
            if (is_done) { t->rd_en = 1; t->rd_addr = last_row; done = now; }
            if (t->waiting) waiting++;
            step(any_ar, any_r);
            t->load_start = 0;
            if (any_ar && !got_ar) { got_ar = true; first_ar = now; }
            if (any_r && !got_r) { got_r = true; first_r = now; }
            if (is_done) break;
            if (now > 4000000ull) { fprintf(st, "HUNG load %zu\n", k); fclose(st); return 8; }
        }
        t->rd_en = 0;
        for (int i = 1; i < LAT; i++) edge();
        for (int c = 0; c < C; c++) row[c] = *rd_word[c];
        fwrite(row.data(), 8, C, done_rd);
        fprintf(st, "load %zu start %llu first_ar %llu first_r %llu done %llu waiting %llu\n", k,
                (unsigned long long)start, (unsigned long long)first_ar,
                (unsigned long long)first_r, (unsigned long long)done, (unsigned long long)waiting);
        // read the tile back
        uint64_t rows = (l.u64s + C - 1) / C;
        for (uint64_t i = 0; i < rows + LAT; i++) {
            t->rd_en = i < rows; if (i < rows) t->rd_addr = l.base + i;
            edge();
            if (i + 1 >= (uint64_t)LAT && i + 1 - LAT < rows) {
                for (int c = 0; c < C; c++) row[c] = *rd_word[c];
                fwrite(row.data(), 8, C, tiles);
            }
        }
    }
    // the whole buffer
    FILE* buf = fopen((dir + "/buf.bin").c_str(), "wb");
    for (uint64_t i = 0; i < depth + LAT; i++) {
        t->rd_en = i < depth; if (i < depth) t->rd_addr = i;
        edge();
        if (i + 1 >= (uint64_t)LAT && i + 1 - LAT < depth) {
            for (int c = 0; c < C; c++) row[c] = *rd_word[c];
            fwrite(row.data(), 8, C, buf);
        }
    }
    uint64_t mo = 0;
    for (int p = 0; p < P; p++) if (max_out[p] > mo) mo = max_out[p];
    fprintf(st, "end rd_bytes %llu err %d violations %llu rready_low %llu max_outstanding %llu cycles %llu\n",
            (unsigned long long)t->rd_bytes, (int)t->err, (unsigned long long)violations,
            (unsigned long long)rready_low, (unsigned long long)mo, (unsigned long long)cycle);
    fclose(buf); fclose(tiles); fclose(done_rd); fclose(st);
    t->final();
    delete t;
    return 0;
}
"#,
    );
    s
}

fn verilog(p: &WbufParams) -> String {
    let mut uut = WeightStore::new(p);
    uut.connect_top_inputs();
    uut.connect_all();
    generate_verilog(&uut)
}

/// Build (or reuse) the Verilated harness for `p`; returns the executable.
fn build(p: &WbufParams) -> PathBuf {
    build_testbench(&Testbench {
        cache: "wbuf-verilator",
        what: &format!(
            "the weight store (C = {}, P = {}, BU = {})",
            p.columns, p.ports, p.beat_u64s
        ),
        top_v: &verilog(p),
        tb_cpp: &harness_cpp(p),
        vflags: &["-Wall"],
        makeflags: "-j2",
    })
}

struct Ddr {
    latency: u64,
    bytes_per_cycle: f64,
    stall_permille: u64,
}

#[derive(Debug, Default)]
struct LoadStat {
    first_ar: u64,
    first_r: u64,
    done: u64,
    waiting: u64,
}

/// Load every tile of a packed `n_out × k_in` matrix (tiles of `tile_rg` row groups, banks
/// alternating) through the Verilated store and compare every word. Returns per-load stats.
fn full_check(
    cfg: &Config,
    n_out: usize,
    k_in: usize,
    tile_rg: usize,
    ddr: &Ddr,
    seed: u64,
) -> Vec<LoadStat> {
    let p = WbufParams::from_config(cfg).unwrap();
    let c = p.columns;
    let mut rng = Rng::new(seed);
    let trits: Vec<i8> = (0..n_out * k_in)
        .map(|_| rng.range_i64(-1, 1) as i8)
        .collect();
    let image = pack(cfg, &TernaryMatrix::from_trits(n_out, k_in, &trits, 1.0));
    let blocks = cfg.tiling(k_in, n_out).blocks;
    let tile_words = tile_rg * blocks;
    let half = cfg.weight_bank_depth();
    assert!(tile_words <= half);
    let img = image_port_regions(cfg, &image, tile_words);
    let exe = build(&p);
    let dir = tempfile::tempdir().unwrap();
    // port regions at unaligned addresses: 4 KB-aligned + 0x7C0, one after the other
    let mut ddr_img = vec![];
    let mut w_addr = vec![];
    for region in &img.ports {
        let at = (ddr_img.len() as u64).next_multiple_of(4096) + 0x7C0;
        ddr_img.resize(at as usize, 0);
        w_addr.push(at);
        ddr_img.extend(le_bytes(region));
    }
    ddr_img.resize(ddr_img.len() + 4096, 0);
    let beat_bytes = 8 * p.beat_u64s as u64;
    let mut loads = String::new();
    for (k, t) in img.tiles.iter().enumerate() {
        write!(loads, "{} {} {}", (k % 2) * half, t.u64s, t.beats).unwrap();
        for a in &w_addr {
            write!(loads, " {}", a + (t.beat_offset as u64) * beat_bytes).unwrap();
        }
        loads.push('\n');
    }
    let d = cfg.accel.weight_buffer_depth;
    std::fs::write(dir.path().join("ddr.bin"), &ddr_img).unwrap();
    std::fs::write(dir.path().join("loads.txt"), loads).unwrap();
    std::fs::write(
        dir.path().join("params.txt"),
        format!(
            "{} {} {} {} {}\n",
            ddr.latency, ddr.bytes_per_cycle, ddr.stall_permille, seed, d
        ),
    )
    .unwrap();
    let t0 = std::time::Instant::now();
    let out = Command::new(&exe).arg(dir.path()).output().unwrap();
    let secs = t0.elapsed().as_secs_f64();
    let stats = std::fs::read_to_string(dir.path().join("stats.txt")).unwrap_or_default();
    assert!(
        out.status.success(),
        "harness failed ({:?}): {stats}",
        out.status
    );
    let words = |name: &str| -> Vec<u64> {
        std::fs::read(dir.path().join(name))
            .unwrap()
            .chunks(8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap()))
            .collect()
    };
    // every tile, read back right after its load
    let tiles = words("tiles.bin");
    let done_rows = words("done.bin");
    let mut buf = vec![0u64; d * c];
    let mut at = 0;
    for (k, t) in img.tiles.iter().enumerate() {
        let base = (k % 2) * half;
        let src = &image[t.first_word * c..(t.first_word + t.words) * c];
        buf[base * c..base * c + src.len()].copy_from_slice(src);
        let rows = t.u64s.div_ceil(c);
        assert_eq!(
            &tiles[at..at + rows * c],
            &buf[base * c..(base + rows) * c],
            "tile {k} differs from the image"
        );
        at += rows * c;
        let last = base + rows - 1;
        assert_eq!(
            &done_rows[k * c..(k + 1) * c],
            &buf[last * c..(last + 1) * c],
            "tile {k}: the row read in the load_done cycle is incomplete"
        );
    }
    assert_eq!(words("buf.bin"), buf, "final buffer");
    let end = stats
        .lines()
        .find(|l| l.starts_with("end"))
        .unwrap()
        .to_string();
    let field = |line: &str, key: &str| -> u64 {
        let mut it = line.split_whitespace();
        while let Some(k) = it.next() {
            if k == key {
                return it.next().unwrap().parse().unwrap();
            }
        }
        panic!("{key} missing in {line}")
    };
    assert_eq!(field(&end, "violations"), 0, "AXI rule violations: {end}");
    assert_eq!(field(&end, "err"), 0);
    assert_eq!(field(&end, "rready_low"), 0, "R back-pressured: {end}");
    assert!(field(&end, "max_outstanding") <= LOADER_MAX_BURSTS as u64);
    let beats: usize = img.tiles.iter().map(|t| t.beats).sum();
    assert_eq!(field(&end, "rd_bytes") as usize, beats * p.slots() * 8);
    let cycles = field(&end, "cycles");
    let res: Vec<LoadStat> = stats
        .lines()
        .filter(|l| l.starts_with("load"))
        .map(|l| LoadStat {
            first_ar: field(l, "first_ar"),
            first_r: field(l, "first_r"),
            done: field(l, "done"),
            waiting: field(l, "waiting"),
        })
        .collect();
    eprintln!(
        "{} {n_out}x{k_in}: {} tiles of {} words ({} beats/port), DDR latency {} bpc {}: loads took {:?} cycles \
         (first AR +{}, first R +{}), waiting {:?}; {} cycles simulated in {:.2} s ({:.0} cycles/s), max {} bursts in flight",
        cfg.preset,
        img.tiles.len(),
        tile_words,
        img.tile_beats,
        ddr.latency,
        ddr.bytes_per_cycle,
        res.iter().map(|r| r.done).collect::<Vec<_>>(),
        res[0].first_ar,
        res[0].first_r,
        res.iter().map(|r| r.waiting).collect::<Vec<_>>(),
        cycles,
        secs,
        cycles as f64 / secs,
        field(&end, "max_outstanding"),
    );
    res
}

#[test]
fn verilated_tiny_matrices_load_bit_exact() {
    if !require("verilator", "Verilated weight-buffer check") {
        return;
    }
    let cfg = tellme_config::preset("tiny").unwrap();
    // gate_proj 512×192 in tiles of 16 row groups (8 tiles, banks alternating); a ragged
    // 70×500 map (NB 21, tiles of 12 and 6 row groups) with random gaps on AR and R.
    let ddr = Ddr {
        latency: 75,
        bytes_per_cycle: 0.0,
        stall_permille: 0,
    };
    let st = full_check(&cfg, 512, 192, 16, &ddr, 1);
    assert_eq!(st[0].first_ar, LOADER_START_TO_AR as u64);
    assert_eq!(st[0].first_r, LOADER_START_TO_AR as u64 + 1 + 75);
    assert_eq!(st[0].done, ideal_load_cycles(192, 75));
    let gappy = Ddr {
        latency: 30,
        bytes_per_cycle: 0.0,
        stall_permille: 250,
    };
    full_check(&cfg, 70, 500, 12, &gappy, 2);
}

#[test]
fn verilated_kv260_tiles_load_bit_exact() {
    if !require("verilator", "Verilated weight-buffer check") {
        return;
    }
    let cfg = tellme_config::preset("kv260-0.7b").unwrap();
    let lat = cfg.ddr_latency_cycles();
    // q_proj 1536×1536: tiles of 64 row groups × 19 blocks = 1216 words (42,560 u64s,
    // 3,547 beats per port) and 32 row groups; every port at full rate.
    let full_rate = Ddr {
        latency: lat,
        bytes_per_cycle: 0.0,
        stall_permille: 0,
    };
    let st = full_check(&cfg, 1536, 1536, 64, &full_rate, 3);
    let beats = (64 * 19 * 35usize).div_ceil(12) as u64;
    // data-bound: one super-beat per cycle once the first beats are back
    assert_eq!(st[0].done, ideal_load_cycles(beats, lat), "{:?}", st[0]);
    // the KV260's sustained DDR rate (0.75 × 19.2 GB/s at 250 MHz = 57.6 B/cycle) shared by the
    // three ports, down_proj shape (1536×4096: 32-row-group tiles of 49 blocks), random gaps.
    let kv = Ddr {
        latency: lat,
        bytes_per_cycle: cfg.ddr_sustained_bytes_per_cycle(),
        stall_permille: 0,
    };
    full_check(&cfg, 1536, 4096, 32, &kv, 4);
    let gappy = Ddr {
        latency: lat,
        bytes_per_cycle: 0.0,
        stall_permille: 200,
    };
    full_check(&cfg, 256, 1536, 7, &gappy, 5);
}
