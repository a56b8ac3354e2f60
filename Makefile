# The two commands in the README: `make train` (the main job) and `make test` (the test suite).
# Both do all set-up first (scripts/setup.sh is idempotent and fast once done).
VENV ?= .venv

.PHONY: setup train test lint bench

setup:
	@bash scripts/setup.sh

train: setup
	$(VENV)/bin/anyclr train

test: setup
	$(VENV)/bin/python -m pytest -q

lint: setup
	$(VENV)/bin/ruff check anyclr tests benchmarks examples
