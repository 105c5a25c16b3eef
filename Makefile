# Two commands do all the set-up on a fresh clone:
#   make serve   the site at http://127.0.0.1:8000/
#   make test    the whole suite
# Both create .venv and install the package with its docs and test dependency
# groups (PEP 735; pip >= 25.1 installs them with --group).
#   make check   the fast inner loop: ruff, the import contracts, the package tests
#                (no pages, no site build, no browser; under a minute on 2 cores)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

# The playground page runs the simulator in the browser with Pyodide, a pinned build
# dependency (docs/assets/playground/package.json and package-lock.json, with integrity
# hashes) installed by `npm ci` into this cache folder; the mkdocs hook copies the files
# the page needs into the built site. Without npm the site builds anyway, and the page
# says how to get the playground.
PLAYGROUND_NPM := docs/assets/playground
PLAYGROUND_DIR := .cache/playground
PLAYGROUND_STAMP := $(PLAYGROUND_DIR)/.installed

.PHONY: help serve test check lint build contract browser-deps playground-deps clean

help:
	@echo "make serve         build and serve the site at http://127.0.0.1:8000/"
	@echo "make test          run everything: lint, package tests, snippets, docs blocks, site build, browser"
	@echo "make check         the fast loop: ruff, import contracts, package tests (no site build, no browser)"
	@echo "make build         build the site into site/ (mkdocs build --strict)"
	@echo "make contract      check the docs contract only (fast)"
	@echo "make playground-deps  fetch Pyodide for the playground page (npm ci, once)"
	@echo "make clean         remove .venv, site/ and caches"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python >= 3.10 is needed; run make PYTHON=/path/to/python3.1x")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade 'pip>=25.1'
	$(BIN)/python -m pip install --quiet -e . --group test --group docs
	@touch $@

serve: $(STAMP) playground-deps
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

build: $(STAMP) playground-deps
	$(BIN)/mkdocs build --strict --site-dir site

# Idempotent: npm runs again only when the lock file changes. When npm is missing or
# fails (offline on a first run), the build goes on without the playground's simulator.
playground-deps: $(PLAYGROUND_STAMP)

$(PLAYGROUND_STAMP): $(PLAYGROUND_NPM)/package.json $(PLAYGROUND_NPM)/package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
	  echo "note: npm is not installed: the site builds without the playground's simulator"; \
	else \
	  mkdir -p $(PLAYGROUND_DIR) && \
	  cp $(PLAYGROUND_NPM)/package.json $(PLAYGROUND_NPM)/package-lock.json $(PLAYGROUND_DIR)/ && \
	  if npm ci --prefix $(PLAYGROUND_DIR) --ignore-scripts --no-audit --no-fund --loglevel=error; then \
	    touch $@; \
	  else \
	    echo "note: npm ci failed: the site builds without the playground's simulator"; \
	  fi; \
	fi

contract: $(STAMP)
	$(BIN)/python -m gilexamples site contract .

# ruff for the mistakes it catches; lint-imports for the house's layering (pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check gilexamples tests snippets
	$(BIN)/lint-imports

# The package's own tests: not the pages (tests/pages: chapter claims, snippets), not the
# site build, not the browser, not the multi-interpreter measurements (marked slow).
check: lint
	$(BIN)/python -m pytest tests -q --ignore=tests/pages -m "not build and not browser and not slow" -p no:cacheprovider

# The browser tests drive Debian's Chromium. Install it where we can (root with
# apt-get); elsewhere the browser tests skip and say why.
browser-deps:
	@if command -v chromium >/dev/null 2>&1; then \
	  :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "note: chromium is not installed and cannot be installed here; the browser tests will skip"; \
	fi

test: lint browser-deps playground-deps
	$(BIN)/python -m gilexamples site contract .
	$(BIN)/python -m pytest tests docs --codeblocks

clean:
	rm -rf $(VENV) site .pytest_cache $(PLAYGROUND_DIR)
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
