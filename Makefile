# The two commands the README promises, plus the pieces they are made of.
PYTHON ?= python3.11
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: quickstart test install stack-up stack-down bench coverage lint browser

lint: install
	$(BIN)/ruff check interchange tests benchmarks examples
	$(BIN)/ruff format --check interchange tests benchmarks examples
	$(BIN)/mypy

$(BIN)/interchange: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(BIN)/interchange

stack-up: install
	$(BIN)/interchange stack up $(STACK_UP_FLAGS)

stack-down:
	-$(BIN)/interchange stack down

# Train, convert, register, publish and score on the local stack.
quickstart: stack-up
	$(BIN)/python examples/quickstart.py

# The status page test drives a real headless Chromium: Debian's packages (CI runs as root).
# Fails (and so fails `make test`) when they cannot be installed.
browser:
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || \
		{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; }

# Everything from a fresh clone: Python packages, Kafka + registry jars, Chromium, the whole suite.
test: STACK_UP_FLAGS = --sasl
test: stack-up browser
	$(BIN)/ruff check interchange tests benchmarks examples
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -p no:cacheprovider tests; status=$$?; $(MAKE) --no-print-directory stack-down; exit $$status

bench: stack-up
	$(BIN)/python benchmarks/run.py

coverage:
	$(BIN)/python benchmarks/coverage_table.py
