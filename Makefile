# Two commands do all the set-up on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Prefect in its local ephemeral mode, project-local, quiet and without telemetry.
export PREFECT_HOME := $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 120
export DO_NOT_TRACK := 1
export PREFECT_LOGGING_LEVEL ?= WARNING

.PHONY: install run test lint eval train clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## run: ingest the built-in demo (or the configured feeds) into warehouse/dossier.duckdb
run: $(STAMP)
	$(BIN)/dossier ingest

## test: the whole suite (core tests need nothing outside the repository)
test: $(STAMP)
	$(BIN)/python -m pytest -q

## lint: ruff (pyflakes, import order, bugbear, pyupgrade) over the code, tests and benchmarks, then the
## import contracts (layers; duckdb only in the store, httpx only in ingest, prefect only in the flows)
lint: $(STAMP)
	$(BIN)/ruff check src flows models warehouse tests bench
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/unit/test_import_contracts.py

## eval: real-news gold (by fold), the gold set, CoNLL-2003 dev and the extraction benchmark (table + .eval/results.json)
eval: $(STAMP)
	$(BIN)/dossier eval

## train: the learned claim detector -> models/claim_detector/ (seeded; reads ../shared/data;
## five fold models for cross-validation, thresholds and held-out figures in detector.json)
SHARED ?= ../shared/data
train: $(STAMP)
	nice $(BIN)/python -m dossier.training.claim_detector --shared $(SHARED) --out models/claim_detector

clean:
	rm -rf $(VENV) .prefect .pytest_cache warehouse/dossier.duckdb warehouse/dossier.duckdb.wal
	rm -f warehouse/dossier.duckdb.lock warehouse/dossier.snapshot.duckdb

## browser: Debian's chromium and chromium-driver for the review desk's browser test
## (installed only when missing; playwright drives this binary and never downloads its own)
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver

browser: $(CHROMIUM)
test: browser

## bench: throughput, stage shares, memory and warehouse queries -> docs/BENCHMARKS.md + docs/benchmarks.json
## (BENCH_ARGS='--large 10000' adds the 10,000-article memory run; `python -m bench --help` lists the options)
.PHONY: bench
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

## realnews: serve the business and tech stories of ../shared/data/bbc-news on loopback, ingest them with
## `dossier ingest --feed` into .realnews/ and print a profile report (also .realnews/report.md)
## (REALNEWS_ARGS='--top 30 --claims 40 --seed 14'; `python -m bench.realnews --help` lists the options)
.PHONY: realnews
REALNEWS_ARGS ?=
realnews: $(STAMP)
	$(BIN)/python -m bench.realnews $(REALNEWS_ARGS)
