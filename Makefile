# The two commands of the README: `make run` and `make test`. Each installs what it needs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# The stamp changes with pyproject.toml and the core's sources, so either triggers a reinstall.
CORE_SRC := core/Cargo.toml core/Cargo.lock core/pyproject.toml core/edi_mesh_core.pyi $(wildcard core/src/*.rs)
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml $(CORE_SRC) | cksum | cut -d' ' -f1)

.PHONY: run test lint typecheck bench install clean core-test fuzz fuzz-ci

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The install step itself is scripts/install.sh, shared with the Dockerfile.
$(STAMP): pyproject.toml scripts/install.sh $(CORE_SRC) | $(BIN)/python
	sh scripts/install.sh --editable --python $(BIN)/python dev,bench
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/edi-mesh up --sftp-port 2222

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Three pytest processes on two cores: the end-to-end tests mostly wait on the broker and
# child processes; each process starts its own session broker (tests/conftest.py).
TEST_JOBS ?= 3
test: $(STAMP) lint core-test fuzz-ci
	$(BIN)/python -m pytest -q -n $(TEST_JOBS)
	# The parser suite again in pure Python (the reference and fallback path); test_core
	# test_core_body and test_core_keys compare the two implementations themselves: run once, above.
	EDI_MESH_PURE_PYTHON=1 $(BIN)/python -m pytest -q -n $(TEST_JOBS) tests/parsers \
	  --ignore=tests/parsers/test_core.py --ignore=tests/parsers/test_core_body.py \
	  --ignore=tests/parsers/test_core_keys.py

# The core's own unit tests (pure Rust, no Python); skipped without cargo.
core-test:
	@if command -v cargo >/dev/null 2>&1; then cd core && cargo test --quiet; \
	else echo "cargo not found: core tests skipped"; fi

# Bounded fuzzing of the core (cargo-fuzz, pinned, installed into the venv; nightly features
# via RUSTC_BOOTSTRAP on stable Rust): FUZZ_SECONDS per target. `make test` runs it briefly.
FUZZ_SECONDS ?= 120
FUZZ_TARGETS := scan split body keys
FUZZ_VERSION := 0.13.2
CARGO_FUZZ   := $(VENV)/cargo/bin/cargo-fuzz
# The pinned cargo-fuzz: the one on PATH when it is that version, else built into the venv.
$(CARGO_FUZZ): | $(BIN)/python
	@mkdir -p $(VENV)/cargo/bin
	@if cargo fuzz --version 2>/dev/null | grep -qx "cargo-fuzz $(FUZZ_VERSION)"; then \
	  ln -sf "$$(command -v cargo-fuzz)" $@; \
	else cargo install cargo-fuzz --locked --version =$(FUZZ_VERSION) --root $(VENV)/cargo --quiet; fi

fuzz: $(CARGO_FUZZ)
	cd core/fuzz && for t in $(FUZZ_TARGETS); do \
	  PATH="$(abspath $(VENV))/cargo/bin:$$PATH" RUSTC_BOOTSTRAP=1 \
	  cargo fuzz run $$t -- -max_total_time=$(FUZZ_SECONDS) || exit 1; done

# CI's share: every target for CI_FUZZ_SECONDS, output in core/fuzz/<target>.log (a crash
# fails the build, prints the log's end and leaves its input in core/fuzz/artifacts/ to become
# a regression test); skipped without cargo.
CI_FUZZ_SECONDS ?= 15
fuzz-ci:
	@if ! command -v cargo >/dev/null 2>&1; then echo "cargo not found: fuzzing skipped"; \
	else $(MAKE) --no-print-directory $(CARGO_FUZZ) && cd core/fuzz && for t in $(FUZZ_TARGETS); do \
	  echo "fuzz $$t: $(CI_FUZZ_SECONDS) s"; \
	  PATH="$(abspath $(VENV))/cargo/bin:$$PATH" RUSTC_BOOTSTRAP=1 cargo fuzz run $$t -- \
	    -max_total_time=$(CI_FUZZ_SECONDS) > $$t.log 2>&1 || { tail -40 $$t.log; exit 1; }; \
	  tail -1 $$t.log; done; fi

bench: $(STAMP)
	$(BIN)/edi-mesh bench all

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache core/target
