# make demo : create .venv, install lstm-doctor with TensorFlow, write report.html for the bundled example
# make test : create/update .venv and run the test suite (slow tests excluded; `make test-all` for all)
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: install demo test test-all lint bench browser clean

$(STAMP): pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# tensorflow-cpu provides the training extra's engine without the GPU wheels
	$(PY) -m pip install --quiet -e '.[dev,parquet]' 'tensorflow-cpu>=2.16'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(VENV)/bin/lstm-doctor demo --output report.html

# Chromium is used by the end-to-end report test; installed when apt is available (root).
browser:
	@command -v chromium >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1) \
	  || echo "chromium not installed: the browser test will be skipped"; }

test: install browser
	@$(PY) -m pytest -m "not slow" $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

test-all: install browser
	@$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

lint: install
	$(PY) -m ruff check lstm_doctor tests benchmarks

bench: install
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) build dist *.egg-info report.html
