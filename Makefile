# Entry points for contributors and CI; each target is a thin call into scripts/ or a tool.
PYTHON ?= .venv/bin/python
HARNESS := rust/target/release/envelope-harness

.PHONY: setup run gen check-gen test lint conformance harness clean

setup: .venv/.installed
.venv/.installed: pyproject.toml
	python3 -m venv .venv
	$(PYTHON) -m pip install -q --upgrade pip
	$(PYTHON) -m pip install -q -e '.[dev]'
	touch $@

# The main job on the bundled default: 100 Rust-emitted events, checked byte for byte.
run: setup
	$(PYTHON) -m noetl_envelope validate --profile canonical --quiet fixtures/samples/events.ndjson

gen: setup
	$(PYTHON) scripts/gen.py

check-gen: setup
	$(PYTHON) scripts/gen.py --check

harness: $(HARNESS)
$(HARNESS): rust/Cargo.toml rust/Cargo.lock $(wildcard rust/src/*.rs)
	cd rust && cargo build --release --locked --quiet

test: setup harness
	$(PYTHON) -m pytest -q

lint: setup
	$(PYTHON) -m ruff check python scripts tests
	$(PYTHON) -m ruff format --check python scripts tests
	$(PYTHON) -m mypy

conformance: setup harness
	cd rust && cargo test --release --locked --quiet
	$(PYTHON) -m pytest -q -m "rust or slow"

clean:
	rm -rf .venv .tox dist build rust/target
