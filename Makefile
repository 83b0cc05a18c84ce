# One target per thing a person does. Every target creates the virtualenv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := data/demo/client.yml
DEMO_CUSTOMERS ?= 20000

.PHONY: help venv sysdeps demo audit test bench bench-scale bench-audit lint format lab app clean

help:
	@echo "make audit   - create the venv, generate the demo client, run the audit, print audit.pdf"
	@echo "make test    - run the test suite (installs what it needs)"
	@echo "make lab     - JupyterLab on notebooks/ with the demo config ready"
	@echo "make app     - the notebooks as a Voila web app (controls, no code) on the demo"
	@echo "make bench   - model-fitting benchmark against lifetimes 0.11.3 (its own venv)"
	@echo "make bench-scale - rfm_summary on 1/10/50 M transactions vs DuckDB, pandas, lifetimes;"
	@echo "               then the whole audit on ~10 M order lines (an hour; GBs of memory)"
	@echo "make lint    - ruff check + format check"

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required (found %s); set PYTHON=python3.11" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev,spark]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $(STAMP)

venv: $(STAMP)

# Debian packages the PDF renderer and its tests need (pango for WeasyPrint, DejaVu fonts for
# Polish diacritics, poppler-utils for pdftotext/pdftoppm). Installed only when missing.
sysdeps:
	@bash .ci/sysdeps.sh

$(DEMO): | $(STAMP)
	$(BIN)/clv-audit demo --out data/demo --customers $(DEMO_CUSTOMERS) --seed 42

demo: $(DEMO)

audit: sysdeps $(STAMP) $(DEMO)
	$(BIN)/clv-audit run $(DEMO)

# Unit and end-to-end tests, plus every notebook run top to bottom on the demo (nbval-lax).
test: sysdeps $(STAMP) $(DEMO)
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env --durations=15 tests notebooks

# Side-by-side benchmarks (minutes; lifetimes gets its own venv in benchmarks/.venv-lifetimes).
# Writes benchmarks/results/models.md; BENCH_ARGS=--quick for 100,000 customers only.
bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

# Scale (not part of make test): the per-customer summary of 1 M, 10 M and 50 M transactions
# against a bare DuckDB group-by, plain pandas and lifetimes (benchmarks/results/scale.md), then
# the whole audit (bench-audit). Data cached in benchmarks/.data/ (~8 GB); one big benchmark at a
# time.
bench-scale: sysdeps $(STAMP)
	$(BIN)/python -m benchmarks scale $(SCALE_ARGS)
	$(BIN)/python -m benchmarks audit $(AUDIT_ARGS)

# The whole audit, first run, re-runs (nothing changed; margin changed) and a cold run, per part,
# beside the floor (bare DuckDB scan): the demo (CSV) and ~10 M order lines (Parquet);
# AUDIT_ARGS=--sizes demo,10m,50m adds 50 M lines (benchmarks/results/audit-scale.md); the 50 M
# size's four runs take over an hour: AUDIT_ARGS='--sizes 50m --runs first --out
# benchmarks/results/audit-50m.md' measures its first run alone (~19 min).
bench-audit: sysdeps $(STAMP)
	$(BIN)/python -m benchmarks audit $(AUDIT_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check clvlib tests benchmarks
	$(BIN)/ruff format --check clvlib tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format clvlib tests benchmarks
	$(BIN)/ruff check --fix clvlib tests benchmarks

lab: $(STAMP) $(DEMO)
	$(BIN)/jupyter lab --notebook-dir=notebooks

# The step notebooks as a web app for people who do not code: outputs and controls, no code
# (the classic tree: a plain, server-rendered list of the notebooks).
APP_PORT ?= 8866
app: $(STAMP) $(DEMO)
	$(BIN)/voila --port=$(APP_PORT) --Voila.ip=127.0.0.1 --VoilaConfiguration.classic_tree=True notebooks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache benchmarks/.venv-lifetimes benchmarks/.data
