#!/usr/bin/env bash
# `make test`: the quality gates and every test, on a fresh machine too.
#   1. formatting and clippy (-D warnings), server workspace and frontend
#   2. build: every function binary, kmx, the dashboard
#   3. unit and integration tests (cargo nextest) against a throwaway PostgreSQL
#   4. end-to-end tests (cargo test -p e2e): each test binary starts a whole
#      stack on free ports (PostgreSQL, moto, mailtutan, functions, nginx) and
#      drives it through the gateway, the browser and the Lambda emulator.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
step() { printf '\n==> %s\n' "$*"; }
started=$(date +%s)

step "formatting"
cargo fmt --all --check
(cd frontend && cargo fmt --check)

step "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "build"
cargo build --workspace --all-targets --locked
bash scripts/build-frontend.sh

step "unit and integration tests"
PGDIR="$(mktemp -d /tmp/kmx-test-pg.XXXXXX)"
trap 'bash scripts/test-pg.sh stop "$PGDIR"; rm -rf "${LOGS:-}"' EXIT
TEST_DATABASE_URL="$(bash scripts/test-pg.sh start "$PGDIR")"
export TEST_DATABASE_URL
LOGS="$(mktemp -d /tmp/kmx-test-logs.XXXXXX)"
cargo nextest run --workspace --exclude e2e --locked --no-fail-fast 2>&1 | tee "$LOGS/unit.log"

step "end-to-end tests"
KMX_E2E_FRONTEND=1 cargo test -p e2e --locked --no-fail-fast --test '*' -- --test-threads=4 2>&1 | tee "$LOGS/e2e.log"

# One closing line for every runner together.
unit=$(grep -Eo '[0-9]+ tests run: [0-9]+ passed' "$LOGS/unit.log" | tail -1 | awk '{print $4}')
e2e=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$LOGS/e2e.log" | awk '{s += $4} END {print s + 0}')
echo
echo "make test: all green in $(( $(date +%s) - started ))s"
echo "$(( ${unit:-0} + e2e )) passed, 0 failed"
