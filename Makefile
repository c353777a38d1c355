# The two commands of the Quick start (`make demo`, `make test`) do all set-up themselves.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
OUT ?= out
STAMP := $(VENV)/.stamp

.PHONY: demo test lint typecheck pytest bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP)-run: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

$(STAMP)-test: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $@ $(STAMP)-run

demo: $(STAMP)-run
	$(VENV)/bin/gridpatrol demo --out $(OUT)

lint: $(STAMP)-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)-test
	$(VENV)/bin/mypy

pytest: $(STAMP)-test
	$(VENV)/bin/pytest

test: lint typecheck pytest

bench: $(STAMP)-test
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache *.egg-info
