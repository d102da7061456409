"""PFA documents whose action writes cells and pools: state carried from record to record, as titus2 does.

The fast path refuses such documents (its batches have no record order), naming what it saw, and
titus2 serves them through one engine per loaded document: ``begin`` once, then ``action`` per
record in order. The reference here is titus2's own host loop written out (a fresh engine,
``begin()``, ``action`` per record, a failing record skipped), and ``Model.score`` must give the
same outputs and refuse the same records whether the rows come in one batch or several. A record
in the middle that fails (``impute.errorOnNull`` on a null) must not be evaluated twice: it
would move the counters on twice.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

import interchange

DOC: dict[str, Any] = {
    "name": "state_counter",
    "input": {"type": "record", "name": "In", "fields": [{"name": "x", "type": ["null", "double"]}]},
    "output": "double",
    "cells": {
        "count": {"type": "int", "init": 0},
        "total": {"type": "double", "init": 0.0},
        "start": {"type": "double", "init": 0.0},
        "guarded": {"type": "int", "init": 0, "rollback": True},
    },
    "pools": {"seen": {"type": "int", "init": {}}},
    "begin": [{"cell": "start", "to": 100.0}],
    "action": [
        {"cell": "count", "to": {"params": [{"c": "int"}], "ret": "int", "do": {"+": ["c", 1]}}},
        {"cell": "guarded", "to": {"params": [{"g": "int"}], "ret": "int", "do": {"+": ["g", 1]}}},
        {"let": {"x": {"impute.errorOnNull": "input.x"}}},
        {"cell": "total", "to": {"params": [{"t": "double"}], "ret": "double", "do": {"+": ["t", "x"]}}},
        {"let": {"key": {"if": {">": ["x", 0.0]}, "then": {"string": "pos"}, "else": {"string": "neg"}}}},
        {"pool": "seen", "path": ["key"], "to": {"params": [{"v": "int"}], "ret": "int", "do": {"+": ["v", 1]}}, "init": 0},
        {
            "+": [
                {"+": [{"cell": "start"}, {"cell": "total"}]},
                {
                    "+": [
                        {"*": [1000.0, {"cell": "count"}]},
                        {"+": [{"*": [0.5, {"pool": "seen", "path": ["key"]}]}, {"*": [1e6, {"cell": "guarded"}]}]},
                    ]
                },
            ]
        },
    ],
}
XS = [0.5, -1.25, None, 2.0, 3.5, None, None, -0.75, 4.0, 1.0, -2.0, None, 0.25]


def _titus_loop(doc: dict[str, Any], xs: list[Any]) -> list[Any]:
    """titus2's host loop: begin, then action per record; None where the record fails."""
    from interchange.formats.pfa.titus import engine_class

    engine = engine_class().fromJson(json.dumps(doc))[0]
    engine.begin()
    out = []
    for x in xs:
        try:
            out.append(engine.action({"x": x}))
        except Exception:
            out.append(None)
    return out


def _scored(model: interchange.Model, xs: list[Any]) -> list[Any]:
    scored = model.score({"x": np.array([np.nan if x is None else x for x in xs])})
    values = scored.outputs["output"].tolist()
    return [None if i in scored.refused else v for i, v in enumerate(values)]


@pytest.mark.parametrize("splits", [(), (4,), (2, 3, 9)], ids=["one batch", "two batches", "four batches"])
def test_cells_and_pools_carry_from_record_to_record_like_titus2(splits: tuple[int, ...]) -> None:
    data = json.dumps(DOC).encode()
    model = interchange.load(data)
    assert model.info.engine == "titus2"
    assert "begin" in model.info.reason or "pools" in model.info.reason, model.info.reason
    want = _titus_loop(DOC, XS)
    assert [v is None for v in want] == [x is None for x in XS]  # the nulls fail, the rest answer
    got: list[Any] = []
    bounds = [0, *splits, len(XS)]
    for a, b in zip(bounds, bounds[1:], strict=False):
        got += _scored(model, XS[a:b])
    assert got == want


def test_begin_runs_once_before_the_first_record() -> None:
    doc = {
        "input": "double",
        "output": "double",
        "cells": {"offset": {"type": "double", "init": 0.0}},
        "begin": [{"cell": "offset", "to": 10.0}],
        "action": [{"+": ["input", {"cell": "offset"}]}],
    }
    model = interchange.load(json.dumps(doc).encode())
    assert model.info.engine == "titus2" and "begin" in model.info.reason
    np.testing.assert_array_equal(model.predict({"input": np.array([1.0, 2.5])})["output"], [11.0, 12.5])


def test_a_cell_written_by_the_action_is_refused_by_the_fast_path_with_its_reason() -> None:
    from interchange.errors import DocumentError

    doc = {
        "input": "double",
        "output": "double",
        "cells": {"last": {"type": "double", "init": 0.0}},
        "action": [{"let": {"before": {"cell": "last"}}}, {"cell": "last", "to": "input"}, {"-": ["input", "before"]}],
    }
    data = json.dumps(doc).encode()
    model = interchange.load(data)
    assert model.info.engine == "titus2" and "cells written by the action" in model.info.reason
    with pytest.raises(DocumentError, match="cells written by the action"):
        interchange.load(data, engine="fast")
    xs = [1.0, 4.0, 2.5, -1.0]
    np.testing.assert_array_equal(model.predict({"input": np.array(xs[:2])})["output"], [1.0, 3.0])
    np.testing.assert_array_equal(model.predict({"input": np.array(xs[2:])})["output"], [-1.5, -3.5])
