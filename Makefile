# dagrad: build / run / test entry points.
# Needs only python3 (with venv) and make; everything else is installed here.

PYTHON      ?= python3
VENV        ?= .venv
PY          := $(VENV)/bin/python
PIP         := $(VENV)/bin/pip
STAMP       := $(VENV)/.stamp
EXTRAS      ?= test,viz,train,bench
ARGS        ?=
PYTEST_ARGS ?=

.DEFAULT_GOAL := help

.PHONY: help deps venv run test bench lint clean

help:
	@echo "make run    - run the demo (python -m autograd), ARGS=... passed through"
	@echo "make test   - run the test suite, PYTEST_ARGS=... passed through"
	@echo "make bench  - run the benchmarks (bench/run.py)"
	@echo "make lint   - ruff check"
	@echo "make venv   - create $(VENV) and install dagrad[$(EXTRAS)] (editable)"
	@echo "make deps   - install Debian packages that are missing (graphviz)"
	@echo "make clean  - remove $(VENV), caches and build output"

# System packages. Only touches apt when something is missing; never fails the
# build: without `dot` the rendering tests skip.
deps:
	@if command -v dot >/dev/null 2>&1; then \
		echo "deps: graphviz (dot) already installed"; \
	else \
		echo "deps: graphviz (dot) missing, installing with apt-get"; \
		if [ "$$(id -u)" -eq 0 ]; then SUDO=""; \
		elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; \
		else SUDO="__none__"; fi; \
		if [ "$$SUDO" = "__none__" ]; then \
			echo "WARNING: not root and no sudo: cannot install graphviz; tests that need 'dot' will skip." >&2; \
		elif command -v apt-get >/dev/null 2>&1 \
			&& $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
			&& $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends graphviz; then \
			echo "deps: graphviz installed ($$(dot -V 2>&1))"; \
		else \
			echo "WARNING: could not install graphviz with apt-get; tests that need 'dot' will skip." >&2; \
		fi; \
	fi

venv: $(STAMP)

# `deps` is order-only: it runs (cheaply) every time but never forces a reinstall.
$(STAMP): setup.cfg pyproject.toml | deps
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -e '.[$(EXTRAS)]'
	@touch $@

run: venv
	$(PY) -m autograd $(ARGS)

test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

bench: venv
	$(PY) bench/run.py $(ARGS)

lint: venv
	@if $(PY) -m ruff --version >/dev/null 2>&1; then \
		$(PY) -m ruff check .; \
	else \
		echo "ruff is not installed in $(VENV); skipping lint" >&2; \
	fi

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
