# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
CLUSTER_STAMP := $(VENV)/.installed-cluster

# Dagster's home is the git-ignored .dagster/, whose dagster.yaml links to the top-level one: the
# instance config is versioned, everything Dagster writes (runs, logs, queues) stays out of the sources.
export DAGSTER_STATE_DIR := $(CURDIR)/.dagster
export DAGSTER_HOME := $(DAGSTER_STATE_DIR)
export DAGSTER_STORAGE_DIR := $(DAGSTER_STATE_DIR)/storage
export DAGSTER_ARTIFACT_DIR := $(DAGSTER_STATE_DIR)/artifacts
export DAGSTER_COMPUTE_LOG_DIR := $(DAGSTER_STATE_DIR)/logs
export DISCLOSURE_RAW_DIR ?= data/raw
export DISCLOSURE_DB_PATH ?= data/warehouse/disclosure.duckdb

.PHONY: install install-dev install-cluster run dev test test-fast test-cluster lint ddl clean dagster-home accuracy-ocr bench \
	bench-cluster bench-pdf retry-quarantined accuracy fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The OCR engine (issue 17), pinned: 1.4.4 carries its models in the wheel (later `rapidocr` releases
# download them at run time, never allowed here). Installed without its declared dependencies: it asks for
# opencv-python, which shares the cv2 folder with opencv-python-headless (installing both breaks OpenCV)
# and needs libGL; pyproject.toml lists what its code really imports (opencv-python-headless among them).
# Its metadata stops at Python 3.12; the wheel is pure Python and runs on newer ones.
OCR_ENGINE := rapidocr-onnxruntime==1.4.4

# Installs only when pyproject.toml changes. install-dev and install-cluster build on this stamp, so every
# install (and `make test`, hence .ci/run) gets the OCR engine.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/pip install --quiet --no-deps --ignore-requires-python $(OCR_ENGINE)
	touch $@

$(DEV_STAMP): pyproject.toml $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(CLUSTER_STAMP): pyproject.toml $(DEV_STAMP)
	$(BIN)/pip install --quiet -e '.[dev,cluster,cluster-test]'
	touch $@

install: $(STAMP)
install-dev: $(DEV_STAMP)
install-cluster: $(CLUSTER_STAMP)

# Dagster's run storage is created once, here: two runs creating it at the same moment would race.
dagster-home:
	@mkdir -p $(DAGSTER_STATE_DIR)
	@ln -sf ../dagster.yaml $(DAGSTER_STATE_DIR)/dagster.yaml
	@test -d $(DAGSTER_STORAGE_DIR) || $(BIN)/dagster instance migrate > /dev/null

## Materialize every asset (and run every check) on $(DISCLOSURE_RAW_DIR) into $(DISCLOSURE_DB_PATH).
run: install dagster-home
	$(BIN)/dagster job execute -m pipelines.definitions -j ingest
	@$(BIN)/python -m pipelines.warehouse.summary

## An ingest run that parses every quarantined file again (the Dagster job `retry_quarantined` does the same).
retry-quarantined: install dagster-home
	$(BIN)/dagster job execute -m pipelines.definitions -j retry_quarantined
	@$(BIN)/python -m pipelines.warehouse.summary

## The Dagster UI on http://127.0.0.1:3000 (schedule, sensor, reruns). SIGTERM (systemd, docker stop)
## stops it whole: the webserver, the daemon and the code servers (pipelines/defs/dev.py).
dev: install dagster-home
	exec $(BIN)/python -m pipelines.defs.dev -h 127.0.0.1 -p 3000

## The whole test suite (ruff, definitions load, every test) but the cluster tests (make test-cluster).
test: install-dev lint
	$(BIN)/pytest -q -m "not cluster"

## The cluster profile on this machine: installs Postgres and Redis (Debian packages) and the `cluster`
## extra when missing, then the tests start them on loopback with two Celery workers, and stop them.
test-cluster: install-cluster
	bash deploy/install-cluster-services.sh
	$(BIN)/pytest -q -m cluster

## Quick iteration: skips tests marked slow.
test-fast: install-dev
	$(BIN)/pytest -q -m "not slow and not cluster"

lint: install-dev
	$(BIN)/ruff check pipelines tests tools

## Regenerate sql/ddl/create_tables.sql from pipelines/warehouse/schema.py.
ddl: install
	$(BIN)/python -m pipelines.warehouse.schema > sql/ddl/create_tables.sql

clean:
	rm -rf $(DAGSTER_STATE_DIR) $(DISCLOSURE_DB_PATH) $(DISCLOSURE_DB_PATH).wal \
		$(dir $(DISCLOSURE_DB_PATH))published $(dir $(DISCLOSURE_DB_PATH))staging \
		$(dir $(DISCLOSURE_DB_PATH)).scans $(dir $(DISCLOSURE_DB_PATH)).review-sections

## Benchmark of the cluster profile (Postgres, Redis, Celery workers on loopback): files/s per worker,
## loader rate. BENCH_FILES=20000 BENCH_WORKERS=2 BENCH_PROCS_PER_WORKER=1 make bench-cluster
bench-cluster: install-cluster
	bash deploy/install-cluster-services.sh
	$(BIN)/python -m tools.bench_cluster

## Accuracy on the real reports of tests/real/ (hand-keyed truth): prints the table, writes docs/accuracy.md.
accuracy: install-dev
	$(BIN)/python -m tools.accuracy.real
	$(BIN)/python -m tools.accuracy.ocr

## Only the scans' row of `make accuracy` (real reports printed, rasterized at 150/200/300 dpi, degraded, OCR'd).
accuracy-ocr: install-dev
	$(BIN)/python -m tools.accuracy.ocr

## Fuzz every reader with mutated real files (minutes; `make test` runs a short slice): prints the files
## tried per reader and the crashes, hangs and memory blow-ups found; new ones are reduced and saved under
## tests/fuzz_crashes/<reader>/, which the tests replay. FUZZ_SECONDS=900 FUZZ_READERS=docx,pdf make fuzz
## (more settings: python -m tools.fuzz --help).
fuzz: install-dev
	$(BIN)/python -m tools.fuzz

## Benchmark (not a test): generates corpora, prints a table, writes docs/benchmarks.md (and, by
## bench-pdf's part, docs/benchmarks_pdf.md). Smaller runs: BENCH_SIZES=2000,10000 make bench
bench: install-dev
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m tools.bench
	$(BIN)/python -m tools.pdf_bench

## Only the PDF readers side by side (ours, pdfplumber extract_tables(), camelot lattice, PDFium's bare
## character pass) on the real corpus's PDFs and generated ones: writes docs/benchmarks_pdf.md.
## Quick look: BENCH_PDF_REAL=5 BENCH_PDF_SYNTH=10 BENCH_PDF_ONLY=ours,pdfplumber,pdfium make bench-pdf
## (every setting: python -m tools.pdf_bench's docstring)
bench-pdf: install-dev
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m tools.pdf_bench
