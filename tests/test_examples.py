"""The examples stay runnable: each runs as a script on the real local stack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.integration
def test_quickstart_runs_and_agrees(stack_config) -> None:
    done = subprocess.run([sys.executable, str(EXAMPLES / "quickstart.py")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "300 labels agree with the estimator" in done.stdout


# Each example and the test that runs it as a script on the stack (a new example needs an entry).
RUN_BY = {
    "quickstart.py": "tests/test_examples.py::test_quickstart_runs_and_agrees",
    "continuous_loop.py": "tests/integration/test_continuous_loop.py::test_continuous_loop_quick",
}


def test_every_example_is_run_by_a_test() -> None:
    root = EXAMPLES.parent
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(RUN_BY)
    for test in RUN_BY.values():
        path, name = test.split("::")
        assert f"def {name}(" in (root / path).read_text(), test
