# gknb — two set-up commands: `make run` (the web workspace with the bundled sample reports) and `make test`.
# Needs CPython >= 3.11 with pip; override the interpreter with `make PYTHON=python3.12 …`.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ifeq ($(OS),Windows_NT)
BIN := $(VENV)/Scripts
endif
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: run test bench lint clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "gknb needs Python >= 3.11: run make PYTHON=python3.11 …" >&2; exit 1; }
	@echo "gknb: creating the virtual environment $(VENV) …"
	$(PYTHON) -m venv $(VENV)

# The review workspace on http://127.0.0.1:8000/ with the bundled sample reports in gknb.db (SQLite).
# The first start creates the user admin and prints its password (or takes GKNB_ADMIN_PASSWORD).
PORT ?= 8000
run: $(BIN)/python
	@echo "gknb: installing gknb and the web workspace's packages into $(VENV) (the first time takes a minute) …"
	$(PIP) -e '.[web]'
	@echo "gknb: starting the workspace on http://127.0.0.1:$(PORT)/ …"
	$(BIN)/gknb serve --samples --port $(PORT)

test: $(BIN)/python
	@echo "gknb: installing gknb with its test and OCR packages into $(VENV) (~360 MB: the first time takes about two minutes) …"
	$(PIP) -e '.[test,ocr]'
	@echo "gknb: ruff, then the test suite in parallel workers (10–14 minutes on two cores for 1781 tests) …"
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

# docs/performance.md; a few minutes. Each benchmark writes bench/out/<name>.json; report.py prints the tables
# (issue 15's Targets table first). The full run, with scans (OCR, ~10 s a page) and the store up to
# 100,000 reports, takes about an hour and a half on two cores:
#   make bench BENCH_MEDIA=text,html,docx,pdf,scan BENCH_SIZES=1000,2000,5000,10000,20000,50000,100000
BENCH_MEDIA ?= text,html,docx,pdf
BENCH_SIZES ?= 1000,5000
bench: $(BIN)/python
	$(PIP) -e '.[bench,ocr,postgres]'
	$(BIN)/python bench/bench_parse.py
	$(BIN)/python bench/bench_ratios.py
	$(BIN)/python bench/bench_throughput.py --media $(BENCH_MEDIA)
	$(BIN)/python bench/bench_naive.py
	$(BIN)/python bench/bench_media.py --ocr-reports 0
	$(BIN)/python bench/bench_store.py --sizes $(BENCH_SIZES)
	$(BIN)/python bench/bench_startup.py
	$(BIN)/python bench/bench_batch.py
	$(BIN)/python bench/bench_web_scale.py
	$(BIN)/python bench/bench_queue.py
	$(BIN)/python bench/bench_ocr.py --pages 3 --rounds 2
	$(BIN)/python bench/report.py

lint: $(BIN)/python
	$(PIP) -e '.[test]'
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) bench/out .pytest_cache .ruff_cache .hypothesis .import_linter_cache .grimp_cache build dist src/*.egg-info
