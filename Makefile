# Two commands do all the set-up: `make edition` and `make test`.
# Each installs what it needs into .venv (once; again only when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
VOLDATA := $(VENV)/bin/voldata
INSTALLED := $(VENV)/.installed

YEAR ?= 2020
DEMO_SCALE ?= 0.01
DEMO_SEED ?= 2020
DEMO := data/demo
DEMO_RAW := $(DEMO)/raw
DEMO_STORE := $(DEMO)/store
DEMO_KEY := $(DEMO)/demo.key
OUT := reports/editions
# The demo edition's editors' text: an example folder (marked 示例) filling every slot.
EDITORIAL ?= data/editorial-example
SCALES ?= 1.0
RUNS ?= 3

.PHONY: install edition demo-store test lab bench clean-demo

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "voldata needs Python 3.11 or newer")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,spark]"
	$(PY) -m ipykernel install --sys-prefix --name voldata --display-name "voldata (Python 3)" > /dev/null
	touch $(INSTALLED)

# A random key for the demo store only; real data uses your own VOLDATA_KEY or --key-file.
$(DEMO_KEY):
	mkdir -p $(DEMO)
	$(PY) -c 'import secrets; print(secrets.token_hex(32))' > $(DEMO_KEY)

demo-store: $(INSTALLED) $(DEMO_KEY)
	$(VOLDATA) synth --out $(DEMO_RAW) --years 2018-$(YEAR) --scale $(DEMO_SCALE) --seed $(DEMO_SEED)
	$(VOLDATA) ingest $(DEMO_RAW) --store $(DEMO_STORE) --key-file $(DEMO_KEY)

edition: demo-store
	$(VOLDATA) build --year $(YEAR) --store $(DEMO_STORE) --out $(OUT) --editorial $(EDITORIAL) --lang zh,en

# Lint and format checks first (quick), then the suite; --durations lists the slowest tests in CI's log.
# worksteal: an idle worker takes tests queued on the other (the long edition builds make the run's tail).
test: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -n 2 --dist worksteal --durations=15

lab: $(INSTALLED)
	$(VENV)/bin/jupyter lab notebooks/

bench: $(INSTALLED)
	$(PY) -m pip install --quiet -e ".[bench]"
	$(PY) benchmarks/run.py --scales $(SCALES) --runs $(RUNS)

clean-demo:
	rm -rf $(DEMO) $(OUT)
