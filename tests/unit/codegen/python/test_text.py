"""Generated Python for TextDerive and ArrayItems: the IR's kernels, copied, compute the IR's columns."""

from __future__ import annotations

import numpy as np

from interchange.codegen.python.module import PyWriter
from interchange.codegen.python.runtime import HELPERS, IMPORTS
from interchange.codegen.registry import lookup
from interchange.ir.derive.arrays import ArrayItems
from interchange.ir.derive.expressions import Const, Ref
from interchange.ir.derive.text import TextDerive
from interchange.ir.kernels import text


def _run(lines: list[str], out: PyWriter, env: dict[str, np.ndarray], columns: dict[str, object]) -> dict[str, np.ndarray]:
    scope: dict[str, object] = {"np": np, "env": env, "n": 3, "columns": columns}
    imports = "\n".join(sorted({line for h in out.helpers for line in IMPORTS.get(h, ())}))
    helpers = "\n\n".join(HELPERS[h].strip() for h in out.helpers)
    exec(imports + "\n\n" + helpers + "\n\n" + "\n".join(out.constants), scope)
    exec("\n".join(lines), scope)
    return env


def test_text_derive_calls_the_copied_text_column() -> None:
    out = PyWriter()
    step = TextDerive(("o",), "s.substr", (Ref("t"), Const(1.0), Const(-1.0)))
    lines = lookup("python", step)(step, out)
    assert "text_column" in out.helpers and HELPERS["text_column"].strip().startswith("def text_column")
    env = _run(lines, out, {"t": np.array(["abcd", None, "xy"], dtype=object)}, {})
    assert env["o"].tolist() == ["bc", None, ""]
    assert text.TEXT_FUNCTIONS["s.substr"][1] == "sii"


def test_array_items_read_the_input_as_given_and_refuse_a_short_array() -> None:
    out = PyWriter()
    step = ArrayItems(("v",), ("v[0]", "v[1]"), 2)
    lines = lookup("python", step)(step, out)
    arrays = np.empty(3, dtype=object)
    arrays[:] = [[1.0, 2.0], None, [3.0, 4.0]]
    env = _run(lines, out, {}, {"v": arrays})
    np.testing.assert_array_equal(env["v[1]"], [2.0, np.nan, 4.0])
    arrays[2] = [1.0, 2.0, 3.0]
    try:
        _run(lines, out, {}, {"v": arrays})
    except ValueError as exc:
        assert "holds 3 items in row 2; the model reads 2" in str(exc)
    else:
        raise AssertionError("a 3-item array read as 2 items exactly was accepted")
