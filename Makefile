# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench pdfs heldout realtext train clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip uninstall --quiet --yes extractor 2>/dev/null || true  # the old distribution name
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test,dev]"
	touch $(STAMP)

run: install
	mkdir -p out
	$(BIN)/extractor extract corpus --out out/extractions.csv
	$(BIN)/extractor score --gold gold --pred out/extractions.csv

test: install
	$(BIN)/python -m pytest -q

# ruff (lint and format) and mypy, as CI runs them
lint: install
	$(BIN)/ruff check extractor tests scripts
	$(BIN)/ruff format --check extractor tests scripts
	$(BIN)/mypy

heldout: install
	mkdir -p out
	$(BIN)/extractor extract heldout/corpus --out out/heldout.csv --quiet
	$(BIN)/extractor score --gold heldout/gold --pred out/heldout.csv

realtext: install
	mkdir -p out
	for set in shared16 dev dev2 test holdout final sealed blind last after fresh fresh2 closing coda envoi registry; do \
		$(BIN)/extractor extract realtext/$$set/docs --out out/realtext-$$set.csv --quiet --fresh; \
		echo "== realtext/$$set"; \
		$(BIN)/extractor score --gold realtext/$$set/gold --pred out/realtext-$$set.csv; \
	done

# The trained result filter: leave-one-set-out ablation, then a model trained on
# every gold set in out/learned/ (not shipped: the ablation shows no gain).
train: install
	$(BIN)/python scripts/train_result_filter.py --ablation
	$(BIN)/python scripts/train_result_filter.py --out out/learned/result_filter

bench: install
	$(BIN)/python scripts/bench.py

pdfs: install
	$(BIN)/python scripts/make_corpus_pdfs.py out/pdfs

clean:
	rm -rf out .pytest_cache
