#!/usr/bin/env bash
# Installs what building the Yew dashboard (frontend/) needs, idempotently:
#   - Debian's Rust toolchain (rustc-web, cargo-web, rust-web-src, lld), which
#     can build wasm32-unknown-unknown with -Zbuild-std (rustup here has no
#     wasm32 target and cannot download one);
#   - wasm-bindgen-cli at exactly the version of the wasm-bindgen crate pinned
#     in frontend/Cargo.lock, into the project-local root .tools/.
# Everything is checked first; a second run installs nothing.
#
# Usage: scripts/install-frontend-toolchain.sh [--with-clippy]
#   --with-clippy  also Debian's clippy for that toolchain (rust-web-clippy),
#                  used by `scripts/build-frontend.sh --clippy`
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${KMX_TOOLS_DIR:-$ROOT/.tools}"
LOCK="$ROOT/frontend/Cargo.lock"

log() { printf '[frontend-toolchain] %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# --- Debian packages -------------------------------------------------------
APT_PKGS=(rustc-web cargo-web rust-web-src lld)
for arg in "$@"; do
    case "$arg" in
        --with-clippy) APT_PKGS+=(rust-web-clippy) ;;
        *) echo "unknown argument: $arg" >&2; exit 2 ;;
    esac
done
missing=()
for p in "${APT_PKGS[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! as_root apt-get install -y --no-install-recommends "${missing[@]}"; then
        as_root apt-get update
        as_root apt-get install -y --no-install-recommends "${missing[@]}"
    fi
else
    log "Debian packages present: ${APT_PKGS[*]}"
fi

for f in /usr/bin/rustc /usr/bin/cargo; do
    [ -x "$f" ] || { log "missing $f after install"; exit 1; }
done
if ! command -v wasm-ld >/dev/null 2>&1; then
    log "wasm-ld not found on PATH after installing lld"; exit 1
fi

# --- wasm-bindgen-cli ------------------------------------------------------
if [ ! -f "$LOCK" ]; then
    log "no $LOCK; cannot tell which wasm-bindgen version to install"; exit 1
fi
WB_VERSION="$(awk '
    /^\[\[package\]\]/ { name = "" }
    /^name = / { gsub(/"/, "", $3); name = $3 }
    /^version = / && name == "wasm-bindgen" { gsub(/"/, "", $3); print $3; exit }
' "$LOCK")"
if [ -z "$WB_VERSION" ]; then
    log "wasm-bindgen not found in $LOCK"; exit 1
fi

WB="$TOOLS/bin/wasm-bindgen"
if [ -x "$WB" ] && [ "$("$WB" --version 2>/dev/null | awk '{print $2}')" = "$WB_VERSION" ]; then
    log "wasm-bindgen-cli $WB_VERSION present at $WB"
else
    # The rustup cargo builds host tools; fall back to Debian's if absent.
    HOST_CARGO="${HOST_CARGO:-}"
    if [ -z "$HOST_CARGO" ]; then
        if [ -x "$HOME/.cargo/bin/cargo" ]; then HOST_CARGO="$HOME/.cargo/bin/cargo"
        else HOST_CARGO="$(command -v cargo)"; fi
    fi
    log "installing wasm-bindgen-cli $WB_VERSION into $TOOLS with $HOST_CARGO"
    # --locked first (the versions wasm-bindgen-cli was released with); if the
    # registry no longer serves one of them (yanked), resolve afresh.
    if ! "$HOST_CARGO" install wasm-bindgen-cli --version "=$WB_VERSION" --locked \
        --root "$TOOLS" --force; then
        log "install with --locked failed; retrying without --locked"
        "$HOST_CARGO" install wasm-bindgen-cli --version "=$WB_VERSION" \
            --root "$TOOLS" --force
    fi
fi
log "ok: $("$WB" --version)"
