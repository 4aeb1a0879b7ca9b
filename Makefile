# Two commands do all the set-up: `make run` and `make test`. Both install the exact versions, checked against
# their hashes, that requirements.lock lists; pyproject.toml keeps the ranges they are chosen from (`make lock`).
PYTHON ?= python3
# the suite runs on this many processes (pytest-xdist; an idle one takes tests queued for the other: worksteal);
# PYTEST_WORKERS=0 runs it in this one
PYTEST_WORKERS ?= 2
# compiled modules are kept: without them every test process and every server a test starts compiles the app anew
unexport PYTHONDONTWRITEBYTECODE
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
LOCK   := requirements.lock
TOOLS  := $(VENV)/lock-tools

.PHONY: run test lock messages clean

# the lock file first (every package pinned and hashed, nothing resolved), then Rubrica itself without its
# dependencies; a changed lock file or pyproject.toml installs again
$(STAMP): $(LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(PY) main.py

test: $(STAMP)
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# requirements.lock again from pyproject.toml (its dependencies and the `test` extra), for this Python: pins that
# still satisfy the ranges are kept; `make lock LOCK_ARGS=--upgrade` moves everything to the newest allowed.
# pip-tools lives in its own venv under .venv, never in the one the app and the tests run in.
lock:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet pip-tools
	CUSTOM_COMPILE_COMMAND='make lock' $(TOOLS)/bin/pip-compile --quiet --generate-hashes --extra test \
		--strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_ARGS) -o $(LOCK) pyproject.toml

# the translation catalogs (locales/<lang>/LC_MESSAGES/messages.po) brought up to date with the texts in the code;
# then translate the empty entries (tests/test_messages.py fails until every one is)
messages: $(STAMP)
	$(PY) locales/refresh.py

clean:
	rm -rf $(VENV) .pytest_cache screenshots
