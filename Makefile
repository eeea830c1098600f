# The README's two commands: `make demo` and `make test`. Everything else here serves them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install browser axe demo test fuzz soak bench clean

# torch comes from PyPI, the only Python registry reachable here; its Linux wheel pulls the CUDA
# libraries (measured: about 6 GB in .venv, 2 minutes). pip's cache keeps a re-install cheap.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The UI tests drive Debian's headless Chromium through its chromedriver (no browser downloads).
# Measured here: 25 s to install both. Skipped when both are already on PATH.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium chromium-driver; }

# axe-core (npm, MPL-2.0), pinned: the accessibility tests inject it into each page they check.
AXE_VERSION := 4.14.1
AXE := .cache/axe/node_modules/axe-core/axe.min.js
$(AXE):
	npm install --no-save --no-audit --no-fund --silent --prefix .cache/axe axe-core@$(AXE_VERSION)
axe: $(AXE)

# Start the local node, index the sample archive (idempotent), serve the API and UI on :8000.
demo: install
	$(BIN)/morgue es start
	$(BIN)/morgue index sample_archive
	$(BIN)/morgue serve --host 0.0.0.0 --port 8000

# The test session starts its own ephemeral node (free port, own data directory) and stops it at the end,
# pass or fail; set MORGUE_ES_URL to run against an existing cluster instead. Browser screenshots land
# in artifacts/.
test: install browser axe
	$(BIN)/pytest -q

# Schemathesis with 300 examples per operation, valid and invalid (make test runs 25).
fuzz: install
	MORGUE_FUZZ_EXAMPLES=300 $(BIN)/pytest -q -s tests/test_fuzz.py

# The slow reliability runs: 16 clients × 60 s on BBC (indexed into the alias `bbc` when not there yet),
# then every battery with fuzz at 300 examples; results in bench/results/load-bbc.md and reliability.md.
MORGUE_SHARED ?= ../shared
soak: install
	$(BIN)/morgue es start
	MORGUE_INDEX=bbc $(BIN)/morgue index $(MORGUE_SHARED)/data/bbc --quiet --no-watches || test $$? -eq 1
	$(BIN)/python -m bench.load --alias bbc --clients 16 --seconds 60
	$(BIN)/python -m bench.reliability

# Every benchmark, then bench/RESULTS.md (needs MORGUE_SHARED, default ../shared; see bench/run_all.py).
bench: install
	$(BIN)/morgue es start
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) .pytest_cache
