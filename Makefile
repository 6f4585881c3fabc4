# Two commands do everything: `make demo` (try the bot in the terminal) and `make test`.
# Both create the virtualenv and install the project on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test install clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/quizbot console $(ARGS)

# Two workers: the suite is mostly database round trips, and CI machines have 2 cores.
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 $(ARGS)

clean:
	rm -rf $(VENV) data .pytest_cache
