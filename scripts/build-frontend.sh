#!/usr/bin/env bash
# Builds the Yew dashboard (frontend/) into frontend/dist/:
#   index.html, kametrix-<hash>.js, kametrix-<hash>_bg.wasm, style-<hash>.css
# Asset names carry a content hash, so index.html is the only file a browser
# may need to revalidate; everything else can be cached forever.
#
# rustup has no wasm32 target here, so the wasm is built by Debian's toolchain
# (/usr/bin/cargo + /usr/bin/rustc, with -Zbuild-std) into frontend/target,
# never sharing output with the server workspace. Everything else keeps the
# rustup toolchain first on PATH: this script calls Debian's by full path.
#
# Usage: scripts/build-frontend.sh [--debug | --clippy]
#   --debug    unoptimised build (faster to compile, much larger wasm)
#   --clippy   lint only (Debian's clippy, wasm target, -D warnings); no dist
#   KMX_SKIP_TOOLCHAIN_CHECK=1  do not run install-frontend-toolchain.sh when
#                               a tool is missing (fail instead)
set -euo pipefail

start_ns=$(date +%s%N)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FRONTEND="$ROOT/frontend"
DIST="$FRONTEND/dist"
TARGET_DIR="$FRONTEND/target"
TOOLS="${KMX_TOOLS_DIR:-$ROOT/.tools}"
WB="$TOOLS/bin/wasm-bindgen"
DEB_CARGO=/usr/bin/cargo
DEB_RUSTC=/usr/bin/rustc
PROFILE=release
MODE=build
case "${1:-}" in
    "") ;;
    --debug) PROFILE=debug ;;
    --clippy) MODE=clippy ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
esac

log() { printf '[build-frontend] %s\n' "$*"; }

# --- toolchain ---------------------------------------------------------------
lock_wb_version() {
    awk '
        /^\[\[package\]\]/ { name = "" }
        /^name = / { gsub(/"/, "", $3); name = $3 }
        /^version = / && name == "wasm-bindgen" { gsub(/"/, "", $3); print $3; exit }
    ' "$FRONTEND/Cargo.lock"
}
toolchain_ok() {
    [ -x "$DEB_CARGO" ] && [ -x "$DEB_RUSTC" ] && command -v wasm-ld >/dev/null 2>&1 &&
        [ -d /usr/lib/rustlib/src/rust/library ] && [ -x "$WB" ] &&
        [ "$("$WB" --version 2>/dev/null | awk '{print $2}')" = "$(lock_wb_version)" ]
}
if ! toolchain_ok; then
    if [ -n "${KMX_SKIP_TOOLCHAIN_CHECK:-}" ]; then
        log "toolchain incomplete; run scripts/install-frontend-toolchain.sh"; exit 1
    fi
    log "toolchain incomplete; running scripts/install-frontend-toolchain.sh"
    bash "$ROOT/scripts/install-frontend-toolchain.sh"
    toolchain_ok || { log "toolchain still incomplete after install"; exit 1; }
fi

# Runs Debian's cargo for the wasm target with build-std. Settings a caller
# may have exported for the server build must not leak into this one.
deb_cargo() {
    (
        cd "$FRONTEND"
        env -u RUSTC_WRAPPER -u RUSTFLAGS -u CARGO_ENCODED_RUSTFLAGS -u RUSTDOC \
            -u RUSTUP_TOOLCHAIN -u CARGO_BUILD_TARGET -u CARGO_BUILD_RUSTFLAGS \
            PATH="${DEB_PATH:-$PATH}" \
            RUSTC="$DEB_RUSTC" RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="${DEB_TARGET_DIR:-$TARGET_DIR}" \
            "$DEB_CARGO" "$1" \
            --target wasm32-unknown-unknown \
            -Zbuild-std=std,panic_abort \
            --config 'target.wasm32-unknown-unknown.linker="wasm-ld"' \
            "${@:2}"
    )
}

if [ "$MODE" = clippy ]; then
    if [ ! -x /usr/bin/cargo-clippy ]; then
        bash "$ROOT/scripts/install-frontend-toolchain.sh" --with-clippy
    fi
    # `cargo clippy` runs the first cargo-clippy on PATH: Debian's here, not
    # the rustup proxy. Own target dir: clippy's metadata is not a build's.
    DEB_PATH="/usr/bin:$PATH" DEB_TARGET_DIR="$TARGET_DIR/clippy" \
        deb_cargo clippy --all-targets -- -D warnings
    log "clippy clean"
    exit 0
fi

# --- wasm build (Debian toolchain) -------------------------------------------
profile_flag=()
[ "$PROFILE" = release ] && profile_flag=(--release)
log "cargo build ($PROFILE, wasm32-unknown-unknown, build-std) with $("$DEB_CARGO" --version)"
deb_cargo build ${profile_flag[@]+"${profile_flag[@]}"}
WASM_IN="$TARGET_DIR/wasm32-unknown-unknown/$PROFILE/kametrix.wasm"
[ -f "$WASM_IN" ] || { log "no $WASM_IN after cargo build"; exit 1; }

# --- wasm-bindgen, into a staging directory ----------------------------------
mkdir -p "$TARGET_DIR"
STAGE="$(mktemp -d "$TARGET_DIR/dist-stage.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT
"$WB" --target web --no-typescript --remove-name-section --remove-producers-section --out-dir "$STAGE" --out-name kametrix "$WASM_IN"

hash_of() { sha256sum "$1" | cut -c1-12; }

wasm_name="kametrix-$(hash_of "$STAGE/kametrix_bg.wasm")_bg.wasm"
mv "$STAGE/kametrix_bg.wasm" "$STAGE/$wasm_name"
# index.html passes the wasm URL to init(); fix the JS's own default too.
sed -i "s/kametrix_bg\.wasm/$wasm_name/g" "$STAGE/kametrix.js"
js_name="kametrix-$(hash_of "$STAGE/kametrix.js").js"
mv "$STAGE/kametrix.js" "$STAGE/$js_name"
css_name="style-$(hash_of "$FRONTEND/style.css").css"
cp "$FRONTEND/style.css" "$STAGE/$css_name"
sed -e "s|__JS__|$js_name|g" -e "s|__WASM__|$wasm_name|g" -e "s|__CSS__|$css_name|g" \
    "$FRONTEND/index.html" > "$STAGE/index.html"
rm -f "$STAGE/kametrix_bg.wasm.d.ts" "$STAGE/kametrix.d.ts"

# --- publish into dist/ ------------------------------------------------------
# New assets first, index.html last (atomic rename), stale files after: a
# server reading dist/ while this runs always finds a consistent set.
mkdir -p "$DIST"
keep=(index.html "$wasm_name" "$js_name" "$css_name")
cp "$STAGE/$wasm_name" "$STAGE/$js_name" "$STAGE/$css_name" "$DIST/"
if [ -d "$STAGE/snippets" ]; then
    rm -rf "$DIST/snippets.new"
    cp -r "$STAGE/snippets" "$DIST/snippets.new"
    rm -rf "$DIST/snippets" && mv "$DIST/snippets.new" "$DIST/snippets"
    keep+=(snippets)
fi
cp "$STAGE/index.html" "$DIST/.index.html.new"
mv -f "$DIST/.index.html.new" "$DIST/index.html"
for f in "$DIST"/* "$DIST"/.[!.]*; do
    [ -e "$f" ] || continue
    name="$(basename "$f")"
    stale=1
    for k in "${keep[@]}"; do [ "$name" = "$k" ] && stale=0 && break; done
    [ "$stale" = 1 ] && rm -rf "$f"
done

end_ns=$(date +%s%N)
secs=$(awk -v a="$start_ns" -v b="$end_ns" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
wasm_bytes=$(stat -c %s "$DIST/$wasm_name")
log "built $DIST in ${secs}s ($PROFILE)"
log "  index.html, $js_name, $css_name, $wasm_name ($wasm_bytes bytes)"
