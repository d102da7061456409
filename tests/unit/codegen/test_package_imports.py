"""``interchange.codegen`` is both the documented callable and the importable subpackage.

The package root used to bind the function ``codegen`` over the subpackage attribute, so
``import interchange.codegen.python.kernels as k`` failed with "cannot import name 'python'
from 'codegen'". Each spelling runs in a fresh interpreter: no earlier import may help it.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

SPELLINGS = {
    "submodule-as": "import interchange.codegen.python.kernels as k; assert k.KERNELS",
    "java-submodule-as": "import interchange.codegen.java.klass as j; assert j.__name__ == 'interchange.codegen.java.klass'",
    "from-subpackage": "from interchange.codegen.python import kernels; assert kernels.KERNELS",
    "root-callable": (
        "import numpy as np, interchange\n"
        "from sklearn.linear_model import LinearRegression\n"
        "X = np.arange(20.0).reshape(10, 2); y = X @ [1.0, 2.0]\n"
        "g = interchange.codegen(LinearRegression().fit(X, y), 'python', sample=X)\n"
        "assert isinstance(g, interchange.Generated), type(g)\n"
        "import interchange.codegen.python.kernels as k\n"
        "assert interchange.codegen(LinearRegression().fit(X, y), lang='python', sample=X).source == g.source"
    ),
    "from-root": (
        "from interchange import codegen\n"
        "from interchange.codegen import codegen as function\n"
        "import inspect\n"
        "assert inspect.signature(codegen) == inspect.signature(function)\n"
        "assert 'codegen' in __import__('interchange').__all__"
    ),
}


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_codegen_spelling(spelling: str) -> None:
    run = subprocess.run([sys.executable, "-c", SPELLINGS[spelling]], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
