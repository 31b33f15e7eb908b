#!/usr/bin/env bash
# Builds pkg/: ONE npm package that works in Node (import and require), Cloudflare Workers
# (workerd), Deno and browsers, without bundler tricks.
#
#   scripts/build-pkg.sh [--crate DIR] [--out DIR] [--name NPM_NAME] [--js DIR] [--no-check]
#
#   --crate DIR   the Rust crate to build (env CRATE_DIR; default: the repository root)
#   --out DIR     where the package is assembled, replaced whole (env PKG_OUT; default DIR/pkg)
#   --name NAME   npm package name (env PKG_NAME; default: the crate's Cargo package name)
#   --js DIR      the hand-written JS layer (env PKG_JS_DIR; default: DIR/js when it has index.js;
#                 see scripts/assemble-pkg.mjs)
#   --no-check    skip the load check and the `npm pack --dry-run` file-list check
#
# Needs what scripts/setup.sh installs (run `make pkg`, which runs setup first). Nothing is
# downloaded: wasm-pack runs with `--mode no-install` and uses wasm-bindgen (exact Cargo.lock
# version) and wasm-opt (npm binaryen, node_modules/.bin) from PATH; the build fails if
# wasm-pack does not report using them.
#
# How (see scripts/assemble-pkg.mjs for the layout and the exports map):
#   1. wasm-pack build --release --target web     -> glue ESM + the optimized .wasm
#      (wasm-opt flags from [package.metadata.wasm-pack.profile.release] in Cargo.toml)
#   2. wasm-pack build --release --target nodejs --no-opt -> CommonJS glue only. wasm-bindgen
#      0.2.130 emits the same wasm imports/exports for both targets, so the CJS glue loads the
#      web build's .wasm: one .wasm ships. This is checked here (import and export lists of the
#      two .wasm files are compared) rather than assumed.
#      Both with the main module's features (Cargo.toml [package.metadata.pkg] main-features;
#      default features when absent).
#   3. when [package.metadata.pkg] has extra-features: wasm-pack build --target web --out-name
#      <stem>_extra with those features (and extra-opt-level): the extra module, code few
#      callers need, which the package loads on first use.
#   4. scripts/assemble-pkg.mjs writes the per-runtime entry files (each registers the extra
#      module's loader for its runtime), the type declarations and package.json into the
#      output folder, with the crate's JS layer (js/) if it has one.
#   5. checks: the package loads in Node by require() and by import, and `npm pack --dry-run`
#      lists exactly the intended files.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CRATE_DIR="${CRATE_DIR:-$ROOT}"
PKG_OUT="${PKG_OUT:-}"
PKG_NAME="${PKG_NAME:-}"
PKG_JS_DIR="${PKG_JS_DIR:-}"
CHECK=1
while [ $# -gt 0 ]; do
  case "$1" in
    --crate) CRATE_DIR="$2"; shift 2 ;;
    --out) PKG_OUT="$2"; shift 2 ;;
    --name) PKG_NAME="$2"; shift 2 ;;
    --js) PKG_JS_DIR="$2"; shift 2 ;;
    --no-check) CHECK=0; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "build-pkg: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

say() { echo "build-pkg: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

CRATE_DIR="$(cd "$CRATE_DIR" && pwd)" || die "crate folder not found"
[ -f "$CRATE_DIR/Cargo.toml" ] || die "no Cargo.toml in $CRATE_DIR"
PKG_OUT="${PKG_OUT:-$CRATE_DIR/pkg}"
mkdir -p "$PKG_OUT"
PKG_OUT="$(cd "$PKG_OUT" && pwd)"
[ "$PKG_OUT" != "$CRATE_DIR" ] && [ "$PKG_OUT" != "$ROOT" ] && [ "$PKG_OUT" != / ] \
  || die "refusing to use $PKG_OUT as the output folder (it is replaced whole)"

export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
for tool in cargo wasm-pack wasm-bindgen wasm-opt node npm; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found on PATH: run scripts/setup.sh (make setup)"
done
WASM_OPT="$(command -v wasm-opt)"
[ "$WASM_OPT" = "$ROOT/node_modules/.bin/wasm-opt" ] \
  || die "wasm-opt on PATH is $WASM_OPT, not npm binaryen's ($ROOT/node_modules/.bin/wasm-opt): run scripts/setup.sh"

T0=$(date +%s.%N)

# ------------------------------------------------------------ crate metadata
META="$(cargo metadata --no-deps --format-version 1 --manifest-path "$CRATE_DIR/Cargo.toml")"
CRATE_NAME="$(node -e '
  const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const p = m.packages.find(p => p.manifest_path === process.argv[1]) || m.packages[0];
  process.stdout.write(p.name);' "$CRATE_DIR/Cargo.toml" <<<"$META")"
PKG_NAME="${PKG_NAME:-$CRATE_NAME}"
STEM="${CRATE_NAME//-/_}"   # file stem of the glue: wechatpay_wasm.js, wechatpay_wasm_bg.wasm
# [package.metadata.pkg] main-features / extra-features: the cargo features of the main module
# and of the optional extra module (<stem>_extra: code few callers need, loaded on first use).
# Without them: the default features, and no extra module.
features_of() {
  node -e '
    const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const p = m.packages.find(p => p.manifest_path === process.argv[1]) || m.packages[0];
    const f = ((p.metadata || {}).pkg || {})[process.argv[2]];
    process.stdout.write(Array.isArray(f) ? f.join(",") : f === undefined ? "-" : String(f));' "$CRATE_DIR/Cargo.toml" "$1" <<<"$META"
}
MAIN_FEATURES="$(features_of main-features)"
EXTRA_FEATURES="$(features_of extra-features)"
EXTRA_OPT_LEVEL="$(features_of extra-opt-level)"   # [profile.release] opt-level for the extra module
feature_args() { [ "$1" = - ] || printf -- '-- --no-default-features --features %s' "$1"; }

WB_VERSION="$(wasm-bindgen --version | awk '{print $2}')"
if [ -f "$CRATE_DIR/Cargo.lock" ]; then
  LOCKED="$(awk '/^\[\[package\]\]/{n=""} /^name = /{gsub(/"/,"",$3); n=$3}
                 /^version = / && n=="wasm-bindgen" {gsub(/"/,"",$3); print $3}' "$CRATE_DIR/Cargo.lock" | sort -u)"
  [ -z "$LOCKED" ] || [ "$LOCKED" = "$WB_VERSION" ] \
    || die "wasm-bindgen on PATH is $WB_VERSION but $CRATE_DIR/Cargo.lock has $LOCKED: run scripts/setup.sh"
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/build-pkg.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# ------------------------------------------------------------ wasm-pack, twice
run_wasm_pack() { # target out-subdir out-name extra-args...
  local target="$1" sub="$2" name="$3"; shift 3
  say "wasm-pack build --release --target $target --out-name $name $*"
  if ! wasm-pack --log-level info build "$CRATE_DIR" --release --mode no-install --no-pack \
        --target "$target" --out-dir "$TMP/$sub" --out-name "$name" "$@" >"$TMP/$sub.log" 2>&1; then
    cat "$TMP/$sub.log" >&2
    die "wasm-pack build --target $target failed (log above)"
  fi
  # wasm-pack must not have downloaded or installed anything (its own [INFO]/[WARN] lines;
  # cargo's "Downloading crates" from crates.io is fine).
  if grep -Eq '^\[(INFO|WARN)\].*(Installing|[Dd]ownload)' "$TMP/$sub.log"; then
    cat "$TMP/$sub.log" >&2
    die "wasm-pack tried to download or install a tool (log above)"
  fi
}

# wasm-pack in no-install mode silently skips wasm-opt when it is not on PATH: insist on it.
check_opt() { # out-subdir
  grep -q "found wasm-opt at \"$WASM_OPT\"" "$TMP/$1.log" \
    || { cat "$TMP/$1.log" >&2; die "wasm-pack did not use $WASM_OPT (log above)"; }
  grep -q "Optimizing wasm binaries with \`wasm-opt\`" "$TMP/$1.log" \
    || { cat "$TMP/$1.log" >&2; die "wasm-pack did not run wasm-opt (log above)"; }
}

# shellcheck disable=SC2046 # feature_args is meant to split
run_wasm_pack web web "$STEM" $(feature_args "$MAIN_FEATURES")
check_opt web
say "wasm-pack used wasm-bindgen $WB_VERSION and $(wasm-opt --version | awk '{print $1, $2, $3}') ($WASM_OPT)"

# The nodejs target only contributes its CommonJS glue: skip wasm-opt there.
# shellcheck disable=SC2046
run_wasm_pack nodejs node "$STEM" --no-opt $(feature_args "$MAIN_FEATURES")

EXTRA_ARGS=()
if [ "$EXTRA_FEATURES" != - ]; then
  # The extra module: web glue only (every entry initialises it with initSync or init).
  # shellcheck disable=SC2046
  if [ "$EXTRA_OPT_LEVEL" != - ]; then export CARGO_PROFILE_RELEASE_OPT_LEVEL="$EXTRA_OPT_LEVEL"; fi
  run_wasm_pack web extra "${STEM}_extra" $(feature_args "$EXTRA_FEATURES")
  unset CARGO_PROFILE_RELEASE_OPT_LEVEL
  check_opt extra
  for f in "$TMP/extra/${STEM}_extra.js" "$TMP/extra/${STEM}_extra_bg.wasm"; do
    [ -f "$f" ] || die "wasm-pack did not produce $f"
  done
  EXTRA_ARGS=(--extra "$TMP/extra")
fi

for f in "$TMP/web/$STEM.js" "$TMP/web/$STEM.d.ts" "$TMP/web/${STEM}_bg.wasm" \
         "$TMP/node/$STEM.js" "$TMP/node/$STEM.d.ts" "$TMP/node/${STEM}_bg.wasm"; do
  [ -f "$f" ] || die "wasm-pack did not produce $f"
done

# ------------------------------------------------------------ assemble
node "$ROOT/scripts/assemble-pkg.mjs" \
  --web "$TMP/web" --node "$TMP/node" --out "$PKG_OUT" --stem "$STEM" \
  --name "$PKG_NAME" --crate "$CRATE_DIR" ${PKG_JS_DIR:+--js "$PKG_JS_DIR"} "${EXTRA_ARGS[@]}" <<<"$META"

# ------------------------------------------------------------ checks
if [ "$CHECK" = 1 ]; then
  # Loads through the package's own exports map (self-reference needs no node_modules), with
  # both module systems. Only export names are compared: what the API does is for the tests.
  (
    cd "$PKG_OUT"
    cjs="$(node -e "const m = require('$PKG_NAME'); console.log(Object.keys(m).filter(k => k !== 'default').sort().join(','))")"
    esm="$(node --input-type=module -e "const m = await import('$PKG_NAME'); console.log(Object.keys(m).filter(k => k !== 'default' && k !== 'initSync').sort().join(','))")"
    [ -n "$cjs" ] || die "require('$PKG_NAME') has no exports"
    [ "$cjs" = "$esm" ] || die "require() and import give different exports: [$cjs] vs [$esm]"
    say "node require() and import OK: $cjs"
  )
  node "$ROOT/scripts/assemble-pkg.mjs" --verify-pack --out "$PKG_OUT"
fi

# The repository's own package is also reachable by name from the repository (tests, demo,
# benches, emulator: `import 'wechatpay-wasm'` / `require(...)`), through a link in
# node_modules, so that they go through the same exports map as users do. `npm ci` removes the
# link; the next build puts it back.
if [ "$PKG_OUT" = "$ROOT/pkg" ] && [ -d "$ROOT/node_modules" ]; then
  mkdir -p "$(dirname "$ROOT/node_modules/$PKG_NAME")"
  ln -sfn "$PKG_OUT" "$ROOT/node_modules/$PKG_NAME"
  say "linked node_modules/$PKG_NAME -> pkg/"
fi

T1=$(date +%s.%N)
say "$PKG_NAME@$(node -p "require('$PKG_OUT/package.json').version") built in $PKG_OUT in $(awk "BEGIN{printf \"%.1f\", $T1 - $T0}")s:"
(cd "$PKG_OUT" && find . -type f -printf '  %-40P %8s bytes\n' | sort) >&2
