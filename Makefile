# hotelhub: `make demo` and `make test` set themselves up on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck serve worker bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/hotelhub demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy canonical pms_core connectors mappings routes hub
	$(BIN)/lint-imports
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy canonical pms_core connectors mappings routes hub

serve: $(STAMP)
	$(BIN)/hotelhub serve

worker: $(STAMP)
	$(BIN)/hotelhub worker

bench: $(STAMP)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/transport.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache hotelhub.db* hotelhub-vault.key
