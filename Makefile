# Two commands: `make demo` and `make test`. Both create .venv and install when needed.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# setuptools prints an information-only note for every editable install of a package whose
# folder is not named after it (ours is the repository root): nothing to act on.
QUIET_INSTALL := PYTHONWARNINGS="ignore:Editable installation"

.PHONY: demo test lint typecheck format bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(QUIET_INSTALL) $(BIN)/pip install --quiet -e '.[demo,test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ieiwatch demo

test: lint typecheck
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy resolves `ieiwatch.*` through a link named after the package (see pyproject.toml).
typecheck: $(STAMP)
	@mkdir -p build/typecheck && ln -sfn ../.. build/typecheck/ieiwatch
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python bench/classify_bench.py
	$(BIN)/python bench/classify_cli_memory.py

clean:
	rm -rf $(VENV) data build .pytest_cache .ruff_cache .mypy_cache
