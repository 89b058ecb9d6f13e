#!/usr/bin/env bash
# The main job on the built-in default (kv260-0.7b, bitnet_b1_58-large on the KV260):
#  1. the golden model on a synthetic 0.7B model: prefill 16 tokens, decode 8, fidelity;
#  2. the accelerator's sources (Verilog, register map, constraints, manifest) into out/kv260-0.7b;
#  3. two BitLinears of layer 0 on the Verilator model of that Verilog, bit-exact against the
#     golden model: gate_proj at decode (1 token; 1536→4096 on the default) and down_proj at
#     prefill (64 tokens; 4096→1536).
# Reports land in out/*.json. Extra arguments go to every `tellme` call (e.g. --preset tiny).
cd "$(dirname "$0")"
source scripts/common.sh
set -e
cargo build --release --quiet
mkdir -p out
t=./target/release/tellme
$t golden --json out/golden.json "$@"
echo
$t generate --out out/design "$@"
echo
$t sim linear --from-model gate --tokens 1 --json out/sim-decode.json "$@"
echo
$t sim linear --from-model down --tokens 64 --json out/sim-prefill.json "$@"
