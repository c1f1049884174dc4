#!/usr/bin/env bash
# `make bench`: release builds, then the benchmark driver (tests/src/bin/kmx-bench.rs)
# starts a stack of release binaries on free ports and prints the figures
# (also written to target/bench/latest.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --locked -p functions -p kmx-sandbox -p kmx-vapi-sandbox
cargo build --release --locked -p e2e --bin kmx-bench
target/release/kmx-bench
