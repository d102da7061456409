# The two commands the README promises, plus the pieces they are made of.
PYTHON ?= python3.11
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: quickstart test install stack-up stack-down bench coverage lint

lint: install
	$(BIN)/ruff check interchange tests benchmarks examples
	$(BIN)/ruff format --check interchange tests benchmarks examples

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

# Everything from a fresh clone: Python packages, Kafka + registry jars, the whole suite.
test: STACK_UP_FLAGS = --sasl
test: stack-up
	$(BIN)/ruff check interchange tests benchmarks examples
	$(BIN)/python -m pytest -q -p no:cacheprovider tests; status=$$?; $(MAKE) --no-print-directory stack-down; exit $$status

bench: stack-up
	$(BIN)/python benchmarks/run.py

coverage:
	$(BIN)/python benchmarks/coverage_table.py
