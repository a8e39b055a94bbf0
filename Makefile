# The newcomer's commands: `make demo` (90-day backfill against the embedded simulator) and
# `make test`. Both need only python3, pip and make: uv is installed when missing.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export UV_FROZEN := 1
# Install with bytecode compiled, as pip does: where PYTHONDONTWRITEBYTECODE is set (many CI and
# container images), every process would otherwise recompile Dagster's modules on import
# (about 1.8 s of CPU per process here, for each run, test worker and CLI call).
export UV_COMPILE_BYTECODE := 1

.PHONY: setup demo test lint format check-defs ui bench clean

setup:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv || python3 -m pip install --quiet --user --break-system-packages uv
	@$(UV) sync --locked --quiet
	@mkdir -p $(DAGSTER_HOME)
	@cp instance/dagster.yaml $(DAGSTER_HOME)/dagster.yaml

demo: setup
	$(UV) run codex-assets demo

# One worker per core, a test file per worker at a time (module fixtures stay whole): on the
# 2-core CI machine the suite took 5 min 55 s (1,060 tests, in a clean-clone .ci/run).
test: setup
	$(UV) run pytest -n auto --dist loadfile

# ruff, then the tree's import contracts (pyproject.toml [tool.importlinter]: lib below the
# sources, analytics and compliance independent, the simulator only behind the resources).
lint: setup
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run lint-imports

format: setup
	$(UV) run ruff check --fix .
	$(UV) run ruff format .

check-defs: setup
	$(UV) run dg check defs

ui: setup
	$(UV) run dg dev -w workspace.yaml -h 127.0.0.1 -p 3000

# Every speed figure beside its reference, in one table (docs/performance.md); the `bench`
# group (dlt, pyinstrument, py-spy) is installed here only, never by `setup` or CI.
# `make bench ARGS=--quick` keeps the sizes small.
bench: setup
	$(UV) run --group bench python benchmarks/bench.py $(ARGS)

clean:
	rm -rf data .dagster_home
