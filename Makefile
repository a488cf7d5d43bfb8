# Two commands do all set-up on a fresh machine: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.lock | md5sum | cut -c1-8)
INDEX := data/index/corpus.json

.PHONY: run test eval bench build catalog setup

$(STAMP): requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	# CPU torch from its own wheel first, so no multi-GB CUDA build is pulled in
	$(PY) -m pip install -q --disable-pip-version-check torch==2.13.0
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.lock
	touch $(STAMP)

setup: $(STAMP)

$(INDEX): $(STAMP) $(wildcard corpus/raw/*) corpus/overrides.toml
	$(PY) -m assistant build

build: setup
	$(PY) -m assistant build

catalog: setup
	$(PY) -m assistant catalog

run: setup $(INDEX)
	$(PY) app.py

test: setup
	$(PY) -m pytest -q

eval: setup $(INDEX)
	$(PY) -m eval

bench: setup $(INDEX)
	$(PY) -m eval.bench
