# trucewatch — set-up and everyday commands. Everything installs into ./.venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
OUT := out

.PHONY: demo test lint eval bench install dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

dev: $(VENV)/.dev

## demo: extract incidents from the bundled sample reports and print them as a table
demo: install
	@mkdir -p $(OUT)
	$(BIN)/trucewatch extract samples/reports.jsonl -o $(OUT)/demo.jsonl
	$(BIN)/trucewatch extract samples/reports.jsonl --format table
	@echo "JSONL written to $(OUT)/demo.jsonl"

## test: the whole test suite
test: dev
	$(BIN)/pytest

## lint: ruff and mypy
lint: dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

## eval: score extraction on the shared gold sets (needs ../shared)
eval: install
	@mkdir -p $(OUT)
	@for gold in seed dev; do \
		$(BIN)/trucewatch extract $(SHARED)/eval/$$gold.jsonl -o $(OUT)/$$gold.pred.jsonl || exit 1; \
		echo "== $$gold"; \
		$(BIN)/python $(SHARED)/eval/score.py $(SHARED)/eval/$$gold.jsonl $(OUT)/$$gold.pred.jsonl; \
	done

## bench: throughput and memory of extract vs bare spaCy (needs ../shared)
bench: install
	$(BIN)/python bench/extract_throughput.py $(SHARED)/bench/muc4_dev_texts.jsonl

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
