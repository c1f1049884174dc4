#!/usr/bin/env bash
# Installs everything the one-machine dev/test stack needs, except the wasm
# toolchain (scripts/install-frontend-toolchain.sh owns that).
#
#   Debian packages : nginx, chromium + chromium-driver, wrk, python3-venv,
#                     postgresql-15 (only if its initdb is missing)
#   .venv/          : moto_server and cargo-lambda (scripts/requirements-dev.txt)
#   .tools/bin/     : mailtutan (SMTP catcher with a web inbox and REST API)
#
# Idempotent and fast when everything is present (no network then). The
# system nginx/postgresql services are never started: the stack runs its own
# processes on 127.0.0.1 (see infra/README.md).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

MAILTUTAN_VERSION="0.3.0"
PG_BIN="/usr/lib/postgresql/15/bin"

say() { printf 'install-deps: %s\n' "$*" >&2; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
fi

# ---------------------------------------------------------------- apt ----
want=()
need_pkg() { dpkg -s "$1" >/dev/null 2>&1 || want+=("$1"); }
[ -x /usr/sbin/nginx ] || want+=(nginx)
need_pkg chromium
need_pkg chromium-driver
need_pkg wrk
need_pkg python3-venv
need_pkg ca-certificates
need_pkg curl
[ -x "$PG_BIN/initdb" ] || want+=(postgresql-15)

if [ "${#want[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ] && [ -z "$SUDO" ]; then
        say "missing Debian packages: ${want[*]} (run this script as root, or install them)"
        exit 1
    fi
    say "installing Debian packages: ${want[*]}"
    # Keep packaged services (nginx, postgresql) from starting: the stack runs
    # its own instances. A policy-rc.d that says 101 is the Debian way.
    added_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
        $SUDO chmod 755 /usr/sbin/policy-rc.d
        added_policy=1
    fi
    cleanup_policy() { if [ -n "$added_policy" ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi; }
    trap cleanup_policy EXIT
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
    cleanup_policy
    trap - EXIT
    # In case a service got started anyway (systemd hosts), stop and disable it.
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        for svc in nginx postgresql; do
            if systemctl is-enabled --quiet "$svc" 2>/dev/null || systemctl is-active --quiet "$svc" 2>/dev/null; then
                say "stopping and disabling the system $svc service"
                $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true
            fi
        done
    fi
fi

# nginx serves the wasm bundle: the MIME table must know .wasm. (Debian's
# mime.types has it; the generated config adds it itself if not.)
if [ -f /etc/nginx/mime.types ] && ! grep -q 'application/wasm' /etc/nginx/mime.types; then
    say "note: /etc/nginx/mime.types lacks application/wasm; kmx gateway-config adds it"
fi

# --------------------------------------------------------------- venv ----
REQ="$ROOT/scripts/requirements-dev.txt"
VENV="$ROOT/.venv"
stamp="$VENV/.requirements-dev.sha256"
req_sum="$(sha256sum "$REQ" | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/moto_server" ] || [ ! -x "$VENV/bin/cargo-lambda" ] \
    || [ "$(cat "$stamp" 2>/dev/null)" != "$req_sum" ]; then
    PY="${PYTHON:-}"
    if [ -z "$PY" ]; then
        if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY="$(command -v python3)"; fi
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating $VENV with $PY"
        "$PY" -m venv "$VENV"
    fi
    say "installing Python tools from scripts/requirements-dev.txt"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQ"
    "$VENV/bin/cargo-lambda" lambda --version >/dev/null  # invoked as `cargo lambda`
    "$VENV/bin/moto_server" --help >/dev/null
    echo "$req_sum" >"$stamp"
fi

# ---------------------------------------------------------- mailtutan ----
if [ ! -x "$ROOT/.tools/bin/mailtutan" ]; then
    say "building mailtutan $MAILTUTAN_VERSION into .tools/ (one-time, a few minutes)"
    # Its own target dir, so it never contends with the workspace build.
    CARGO_TARGET_DIR="$ROOT/.tools/build" \
        cargo install mailtutan --version "$MAILTUTAN_VERSION" --locked --root "$ROOT/.tools" --quiet
    rm -rf "$ROOT/.tools/build"
fi

say "ok: nginx $(/usr/sbin/nginx -v 2>&1 | sed 's/.*nginx\///'), $("$PG_BIN/postgres" --version | awk '{print $3}') postgres, $("$VENV/bin/cargo-lambda" lambda --version | cut -d" " -f1-2), mailtutan $MAILTUTAN_VERSION"
