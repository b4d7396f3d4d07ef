# 驻点台账 — the front door. `make` alone prints this help.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
ROOT    ?= .
ASOF    ?=
ASOF_ARG := $(if $(ASOF),--as-of $(ASOF),)

.DEFAULT_GOAL := help
.PHONY: help setup run demo templates validate test check lint types clean bench

help: ## show this help
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.lock
	@touch $(STAMP)

setup: $(STAMP) ## create .venv and install the pinned dependencies
	@echo "环境已就绪: $(VENV)"

run: $(STAMP) ## the nightly job: inbox -> master -> outbox (ROOT=. ASOF=YYYY-MM-DD)
	$(BIN)/python -m pipeline run --root $(ROOT) $(ASOF_ARG)

demo: $(STAMP) ## build the 龙凤街道 demo workspace in demo/ and run the whole job on it
	$(BIN)/python -m pipeline demo --root demo

templates: $(STAMP) ## write blank fill-in workbooks, one per community, to outbox/templates/
	$(BIN)/python -m pipeline templates --root $(ROOT)

validate: $(STAMP) ## check workbooks without touching anything: make validate FILE=a.xlsx
	$(BIN)/python -m pipeline validate $(FILE) --root $(ROOT)

test: $(STAMP) ## run the test suite
	$(BIN)/python -m pytest

lint: $(STAMP) ## ruff
	$(BIN)/ruff check pipeline schemas tests bench

types: $(STAMP) ## mypy
	$(BIN)/mypy pipeline schemas bench

check: lint types test ## lint + types + tests

bench: $(STAMP) ## measure speed and memory (bench/results/latest.md)
	$(BIN)/python -m bench.run

clean: ## remove generated outputs, the demo workspace and caches (keeps .venv)
	rm -rf outbox/templates outbox/public outbox/internal outbox/feedback demo .pytest_cache .mypy_cache .ruff_cache
