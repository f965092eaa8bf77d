# trucewatch — set-up and everyday commands. Everything installs into ./.venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
OUT := out

.PHONY: demo test lint eval eval-link bench-ingest bench install dev clean postgres audit fuzz bench-web browser train cli-reference

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

## demo: ingest the bundled sample reports into a fresh SQLite registry, link them into
## incidents, print the busiest day's bulletin and write every export format
demo: install
	@rm -f $(OUT)/demo.db $(OUT)/demo.db-wal $(OUT)/demo.db-shm
	@mkdir -p $(OUT)
	$(BIN)/trucewatch extract samples/reports.jsonl --format table
	$(BIN)/trucewatch extract samples/reports-ru-uk.jsonl --format table
	$(BIN)/trucewatch ingest samples/ --db $(OUT)/demo.db
	$(BIN)/trucewatch incidents --db $(OUT)/demo.db
	$(BIN)/trucewatch bulletin --db $(OUT)/demo.db
	@for fmt in csv geojson jsonl parquet; do \
		$(BIN)/trucewatch export --db $(OUT)/demo.db --format $$fmt -o $(OUT)/incidents.$$fmt || exit 1; \
	done
	@echo "registry: $(OUT)/demo.db; exports: $(OUT)/incidents.{csv,geojson,jsonl,parquet}"
	@echo "browse it: $(BIN)/trucewatch user add you --role admin --db $(OUT)/demo.db && $(BIN)/trucewatch serve --db $(OUT)/demo.db"

## test: the whole test suite (installs Debian's PostgreSQL server when missing, for the store
## tests that run on both backends, and Debian's Chromium for the browser tests in tests/e2e;
## without them those tests are skipped with the reason)
test: dev postgres browser
	$(BIN)/pytest

postgres:
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      postgresql >/dev/null || \
	    echo "PostgreSQL could not be installed: its tests will be skipped"; }

## browser: Debian's Chromium for the end-to-end tests (Playwright drives it; no browser download)
browser:
	@command -v chromium >/dev/null 2>&1 || \
	  { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      chromium >/dev/null || \
	    echo "Chromium could not be installed: the browser tests will be skipped"; }

## lint: ruff, mypy and the import contracts (layers, no cycles; pyproject.toml, docs/architecture.md)
lint: dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

## cli-reference: regenerate docs/cli-reference.md from the commands (tests/test_docs.py fails
## when it is stale)
cli-reference: install
	$(BIN)/python tools/cli_reference.py

## eval: score extraction on the shared gold sets (needs ../shared; skips without it): seed, dev,
## and the tune/check parts of train and ru_uk_dev (id lists in eval/; check prints figures only)
eval: install
	$(BIN)/python tools/run_eval.py --shared $(SHARED)

## train: rebuild the claim filter (src/trucewatch/extract/claim_filter.json) from the tune part
## of the shared train set (needs ../shared; scikit-learn from the dev extras; no network)
train: dev
	$(BIN)/python tools/train_claim_filter.py --shared $(SHARED)

## eval-link: ingest the shared linking gold set (all reports, then its tune and check parts)
## into fresh registries and score the incidents: pairwise and B³, all languages and English only
eval-link: install
	$(BIN)/python tools/eval_link.py --shared $(SHARED)

## audit: dependency audit with pip-audit (needs PyPI's per-version JSON API, which this
## workplace's PyPI mirror does not serve: there it fails rather than pass having checked nothing)
audit: dev
	$(BIN)/pip install --quiet pip-audit==2.10.1
	$(BIN)/pip-audit --local --skip-editable --strict --progress-spinner off

## fuzz: long fuzz campaign of the readers, feeds, HTML and the extractor (2000 inputs per
## property by default; FUZZ_EXAMPLES=N to change), and the attacker's grammar of reports
## (100,000 through the extractor and 2,000 through the web app; ATTACKER_EXAMPLES=N to change);
## prints inputs tried, failures found and the slowest input
FUZZ_EXAMPLES ?= 2000
ATTACKER_EXAMPLES ?= 100000
fuzz: dev
	TRUCEWATCH_FUZZ_ATTACKER_EXAMPLES=$(ATTACKER_EXAMPLES) \
	  $(BIN)/python tests/fuzz/run.py --examples $(FUZZ_EXAMPLES) --out $(OUT)/fuzz

## bench: throughput and memory of extract vs bare spaCy (needs ../shared), then extraction
## throughput in Russian and Ukrainian beside English on a generated corpus (needs nothing)
bench: install
	$(BIN)/python bench/extract_throughput.py $(SHARED)/bench/muc4_dev_texts.jsonl
	$(BIN)/python bench/language_throughput.py

## bench-ingest: per-report ingest cost (time, peak memory) into synthetic registries of 1k, 100k
## and 1M incidents (built once into out/; the 1M one takes a long time and about 5 GB)
bench-ingest: install
	$(BIN)/python bench/ingest_scaling.py

## bench-web: requests/s and p50/p95/p99 latency of the incident list, map data and dashboard on
## 100k synthetic incidents (registry built once into out/bench-web-100k.db), on 127.0.0.1
bench-web: dev
	$(BIN)/python bench/web_api.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
