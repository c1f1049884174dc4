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
trap 'bash scripts/test-pg.sh stop "$PGDIR"' EXIT
TEST_DATABASE_URL="$(bash scripts/test-pg.sh start "$PGDIR")"
export TEST_DATABASE_URL
cargo nextest run --workspace --exclude e2e --locked --no-fail-fast

step "end-to-end tests"
KMX_E2E_FRONTEND=1 cargo test -p e2e --locked --no-fail-fast -- --test-threads=4

echo
echo "make test: all green in $(( $(date +%s) - started ))s"
