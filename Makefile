# Entry points for contributors and CI; each target is a thin call into scripts/ or a tool.
PYTHON ?= .venv/bin/python
HARNESS := rust/target/release/envelope-harness

.PHONY: setup run gen check-gen test lint conformance compat harness bench dist clean

setup: .venv/.installed .venv/.accel
# The editable install builds the native engine too: maturin is the build backend (pyproject.toml),
# the extension lands in python/noetl_envelope_accel/ and the venv imports python/ in place.
.venv/.installed: pyproject.toml
	python3 -m venv .venv
	$(PYTHON) -m pip install -q --upgrade pip
	$(PYTHON) -m pip install -q -e '.[dev]'
	# The native engine used to be a distribution of its own; its old copy would shadow this one.
	$(PYTHON) -m pip uninstall -q -y noetl-envelope-accel 2>/dev/null || true
	touch $@

# After an edit under rust/accel, `make setup` rebuilds the native engine in place (maturin, a dev
# dependency, reads [tool.maturin] from pyproject.toml). A tree without rust/accel (the partial
# copies some tests make) skips it.
ACCEL_SOURCES := $(wildcard rust/accel/Cargo.toml rust/accel/Cargo.lock rust/accel/src/*.rs)
.venv/.accel: .venv/.installed $(ACCEL_SOURCES)
ifneq ($(ACCEL_SOURCES),)
	VIRTUAL_ENV=$(abspath .venv) $(PYTHON) -m maturin develop --release --locked --quiet
endif
	touch $@

# The main job on the bundled default: 100 Rust-emitted events (written by `make gen`), checked byte for byte.
run: setup
	$(PYTHON) -m noetl_envelope validate --profile canonical --quiet fixtures/samples/events.ndjson

gen: setup
	$(PYTHON) scripts/gen.py

check-gen: setup
	$(PYTHON) scripts/gen.py --check

harness: $(HARNESS)
$(HARNESS): rust/Cargo.toml rust/Cargo.lock $(wildcard rust/src/*.rs)
	cd rust && cargo build --release --locked --quiet

# The whole suite, the conformance tests below included (so CI runs `make test`, not both), one
# pytest-xdist worker per core; `worksteal` evens out what is left when a worker runs dry.
test: setup harness
	$(PYTHON) -m pytest -q -n auto --dist worksteal

lint: setup
	$(PYTHON) -m ruff check python scripts tests
	$(PYTHON) -m ruff format --check python scripts tests
	$(PYTHON) -m mypy
	$(dir $(PYTHON))lint-imports

# tests/test_conformance.py runs `cargo test`, Rust `emit --contract` -> `conform --producer rust`
# and Python `sample` -> Rust `check`; tests/test_drift.py builds drifted structs and expects them caught.
# A subset of `make test`, for running on its own.
conformance: setup harness
	$(PYTHON) -m pytest -q tests/test_conformance.py tests/test_drift.py
	$(PYTHON) -m pytest -q -m "rust or slow" --ignore=tests/test_conformance.py --ignore=tests/test_drift.py

# The schema compatibility gate: against the newest release, and against origin/main (or
# COMPAT_BASE) when that ref exists; see scripts/compat_gate.sh.
compat: setup
	PYTHON=$(PYTHON) scripts/compat_gate.sh

# Bulk validation speed (events/s as a ratio to orjson.loads) and, with --memory, peak RSS on 1 GB.
bench: setup harness
	$(PYTHON) scripts/bench.py --memory

# What users install: a platform wheel with the native engine inside, and the sdist (which builds
# it again from rust/accel wherever cargo is), both into dist/.
dist: setup
	rm -rf dist
	$(PYTHON) -m maturin build --release --locked --quiet --interpreter $(PYTHON) --out dist
	$(PYTHON) -m maturin sdist --out dist

clean:
	rm -rf .venv .tox dist build rust/target rust/accel/target
