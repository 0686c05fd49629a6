# Two commands: `make demo` and `make test`. Both create .venv and install when needed.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# setuptools prints an information-only note for every editable install of a package whose
# folder is not named after it (ours is the repository root): nothing to act on.
QUIET_INSTALL := PYTHONWARNINGS="ignore:Editable installation"

.PHONY: demo test lint typecheck format bench bench-farm bench-store bench-web bench-discover faults clean check-install

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

# A pass over a local farm of N news sites: ieiwatch against rss2email and a bare fetch.
N ?= 200
RUNS ?= 3
bench-farm: $(STAMP)
	@test -x bench/.venv-r2e/bin/r2e || { $(PYTHON) -m venv bench/.venv-r2e && bench/.venv-r2e/bin/pip install -q rss2email; } || echo "rss2email could not be installed: measuring without it"
	$(BIN)/python bench/farm_compare.py --n $(N) --runs $(RUNS)

# Storing alone: 4,000 farm articles into a database of 20,000, in parts of 1, 5 and 10.
bench-store: $(STAMP)
	$(BIN)/python bench/store_bench.py

# The items page over 100,000 stored articles; list discovery over the real list pages;
# runs killed at every stage (about 4 minutes).
bench-web: $(STAMP)
	$(BIN)/python bench/web_bench.py

bench-discover: $(STAMP)
	$(BIN)/python bench/discover_eval.py

faults: $(STAMP)
	$(BIN)/python bench/fault_suite.py

clean:
	rm -rf $(VENV) data build .pytest_cache .ruff_cache .mypy_cache

# A real (not editable) install with the pip that Python 3.11 ships (23.2), as a new user
# would do it: catches a package or data file left out and dependencies that older pips miss.
check-install:
	rm -rf build/install-check && $(PYTHON) -m venv build/install-check
	build/install-check/bin/pip install --quiet --progress-bar off .
	build/install-check/bin/python -c "import lxml.html.clean, trafilatura"
	build/install-check/bin/python -c "from ieiwatch.classify.learned import load_model; \
		assert load_model(), 'the learned layer (classify/data) was not installed'"
	build/install-check/bin/ieiwatch --help >/dev/null
	build/install-check/bin/ieiwatch init build/install-check/ieiwatch.yaml >/dev/null
