#!/usr/bin/env bash
# Run the main job on the built-in default (kv260-0.7b): the golden model on a synthetic
# bitnet_b1_58-large, prefill 16 tokens, decode 8, fidelity against the f32 reference.
# Extra arguments go to `tellme golden` (try --help).
cd "$(dirname "$0")"
source scripts/common.sh
cargo build --release --quiet
mkdir -p out
exec ./target/release/tellme golden --json out/golden.json "$@"
