"""PFA documents whose action writes cells and pools: state carried from record to record, as titus2 does.

``load`` gives such documents to titus2 (one engine per loaded document: ``begin`` once, then
``action`` per record in order), naming why: the fast path can evaluate them record by record in
input order (``fast.state``, ``load(..., engine="fast")``) but is slower than titus2 at that.
Both must agree; documents with ``begin`` or cells that roll back stay titus2's alone. The reference here is titus2's own
host loop written out (a fresh engine, ``begin()``, ``action`` per record, a failing record
skipped), and ``Model.score`` must give the same outputs and refuse the same records whether the
rows come in one batch or several. A record in the middle that fails (``impute.errorOnNull`` on a
null) must not be evaluated twice: it would move the counters on twice.
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


def test_a_cell_written_by_the_action_goes_to_titus2_or_runs_fast_when_asked() -> None:
    doc = {
        "input": "double",
        "output": "double",
        "cells": {"last": {"type": "double", "init": 0.0}},
        "action": [{"let": {"before": {"cell": "last"}}}, {"cell": "last", "to": "input"}, {"-": ["input", "before"]}],
    }
    data = json.dumps(doc).encode()
    auto = interchange.load(data)
    assert auto.info.engine == "titus2" and "written while scoring" in auto.info.reason
    model = interchange.load(data, engine="fast")
    assert model.info.engine == "interchange-fast", model.info.reason
    xs = [1.0, 4.0, 2.5, -1.0]
    np.testing.assert_array_equal(model.predict({"input": np.array(xs[:2])})["output"], [1.0, 3.0])
    np.testing.assert_array_equal(model.predict({"input": np.array(xs[2:])})["output"], [-1.5, -3.5])


# DOC without what the fast path leaves to titus2 (begin, a cell that rolls back): the same counters,
# a pool keyed per record and a failing record in the middle, on the fast path
FAST_DOC: dict[str, Any] = {
    **{k: v for k, v in DOC.items() if k not in ("begin", "cells", "action")},
    "name": "state_counter_fast",
    "cells": {k: v for k, v in DOC["cells"].items() if k != "guarded"},
    "action": [a for a in DOC["action"] if not (isinstance(a, dict) and a.get("cell") == "guarded")][:-1]
    + [
        {
            "+": [
                {"+": [{"cell": "start"}, {"cell": "total"}]},
                {"+": [{"*": [1000.0, {"cell": "count"}]}, {"*": [0.5, {"pool": "seen", "path": ["key"]}]}]},
            ]
        }
    ],
}


@pytest.mark.parametrize("splits", [(), (4,), (2, 3, 9)], ids=["one batch", "two batches", "four batches"])
def test_cells_and_pools_on_the_fast_path_carry_like_titus2(splits: tuple[int, ...]) -> None:
    data = json.dumps(FAST_DOC).encode()
    model = interchange.load(data, engine="fast")
    assert model.info.engine == "interchange-fast", model.info.reason
    want = _titus_loop(FAST_DOC, XS)
    assert [v is None for v in want] == [x is None for x in XS]
    got: list[Any] = []
    bounds = [0, *splits, len(XS)]
    for a, b in zip(bounds, bounds[1:], strict=False):
        got += _scored(model, XS[a:b])
    assert got == want


def test_a_failing_record_keeps_the_writes_before_its_error_as_titus2_does() -> None:
    """``count`` moves on before ``impute.errorOnNull`` fails the record; ``total`` after it does not."""
    data = json.dumps(FAST_DOC).encode()
    model = interchange.load(data, engine="fast")
    with pytest.raises(interchange.RecordError, match="row 1"):
        model.predict({"x": np.array([1.0, np.nan, 2.0])})
    # records 0 and 1 ran (1 failed after count); the next record sees count = 3, total = 1.0
    got = model.predict({"x": np.array([2.0])})["output"].tolist()
    assert got == [1000.0 * 3 + 1.0 + 2.0 + 0.5 * 2]
    assert _titus_loop(FAST_DOC, [1.0, None, 2.0]) == [1000.0 + 1.0 + 0.5, None, got[0]]


def test_a_record_the_fast_path_defers_hands_the_state_over_to_titus2() -> None:
    """Array rows of different lengths have no batch layout: titus2 takes over from the same counts."""
    doc = {
        "input": {"type": "array", "items": "double"},
        "output": "double",
        "cells": {"n": {"type": "int", "init": 0}},
        "pools": {"sums": {"type": "double", "init": {}}},
        "action": [
            {"cell": "n", "to": {"params": [{"c": "int"}], "ret": "int", "do": {"+": ["c", 1]}}},
            {"pool": "sums", "path": [{"string": "all"}], "to": {"params": [{"s": "double"}], "ret": "double",
             "do": {"+": ["s", {"a.sum": "input"}]}}, "init": 0.0},
            {"+": [{"cell": "n"}, {"pool": "sums", "path": [{"string": "all"}]}]},
        ],
    }  # fmt: skip
    data = json.dumps(doc).encode()
    model = interchange.load(data, engine="fast")
    assert model.info.engine == "interchange-fast", model.info.reason
    first = model.predict({"input": [[1.0, 2.0], [3.0, 4.0]]})["output"].tolist()
    second = model.predict({"input": [[1.0], [2.0, 2.0, 2.0]]})["output"].tolist()  # ragged: handed over
    third = model.predict({"input": [[0.5, 0.5]]})["output"].tolist()
    from interchange.formats.pfa.titus import engine_class

    engine = engine_class().fromJson(json.dumps(doc))[0]
    want = [engine.action(x) for x in ([1.0, 2.0], [3.0, 4.0], [1.0], [2.0, 2.0, 2.0], [0.5, 0.5])]
    assert first + second + third == want


POOL_WRITES = [  # (a pool-to statement on pool "p" of doubles, read back or not; the engine load picks)
    ({"pool": "p", "path": [{"string": "k"}], "to": "input", "init": 0.0}, False, "interchange-fast"),  # dropped
    ({"pool": "p", "path": [{"string": "k"}], "to": {"*": ["input", 2.0]}, "init": 0.0}, False, "titus2"),  # computed
    ({"pool": "p", "path": [{"string": "k"}], "to": "input", "init": 0.0}, True, "titus2"),  # read back: state
]


@pytest.mark.parametrize("write,read,engine", POOL_WRITES, ids=["write-only", "computed", "read back"])
def test_only_a_pool_write_no_record_can_see_or_fail_is_dropped(write: Any, read: bool, engine: str) -> None:
    doc = {
        "input": "double",
        "output": "double",
        "pools": {"p": {"type": "double", "init": {}}},
        "action": [write, {"+": ["input", {"pool": "p", "path": [{"string": "k"}]}]} if read else "input"],
    }
    data = json.dumps(doc).encode()
    model = interchange.load(data)
    assert model.info.engine == engine, model.info.reason
    ref = interchange.load(data, engine="reference")
    for seed in (1, 2):
        columns = {"input": np.random.default_rng(seed).normal(0.0, 1.0, 20)}
        np.testing.assert_array_equal(model.predict(columns)["output"], ref.predict(columns)["output"])


SPEC = __import__("pathlib").Path(__file__).parent
RUNNING_SUMS = ["pfa_spec/fallback_counter.pfa", "pfa_spec/pool_counts.pfa", "pfa_foreign/loops_state.pfa"]


def _titus_records(data: bytes, records: list[Any]) -> list[Any]:
    from interchange.formats.pfa.titus import engine_class

    engine = engine_class().fromJson(data.decode())[0]
    out = []
    for r in records:
        try:
            out.append(engine.action(r))
        except Exception:
            out.append(None)
    return out


@pytest.mark.parametrize("path", RUNNING_SUMS)
def test_running_sums_run_whole_batches_on_the_fast_path_by_default(path: str) -> None:
    """Cells and pools that only add to themselves (fast.scan): load picks the fast path, each batch is
    evaluated at once (prefix sums, none record by record) and every record agrees with titus2's host
    loop, batch after batch."""
    data = (SPEC / path).read_bytes()
    model = interchange.load(data)
    assert model.info.engine == "interchange-fast", model.info.reason
    rng = np.random.default_rng(3)
    if json.loads(data)["input"] == "double":
        records: list[Any] = rng.normal(0, 2, 60).tolist()
        batches = [{"input": np.array(records[a:b])} for a, b in ((0, 25), (25, 26), (26, 60))]
    else:
        colours = rng.choice(["red", "green", "blue"], 60).tolist()
        xs = rng.normal(0, 2, 60).tolist()
        records = [{"colour": c, "x": x} for c, x in zip(colours, xs, strict=True)]
        batches = [
            {"colour": np.array(colours[a:b], dtype=object), "x": np.array(xs[a:b])} for a, b in ((0, 25), (25, 26), (26, 60))
        ]
    got: list[Any] = []
    for batch in batches:
        out = model.predict(batch)
        got += (
            [dict(zip(out, values, strict=True)) for values in zip(*out.values(), strict=True)]
            if len(out) > 1
            else out["output"].tolist()
        )
    want = _titus_records(data, records)
    if isinstance(want[0], dict):
        got = [{k: float(v) for k, v in g.items()} for g in got]
        want = [{k: float(v) for k, v in w.items()} for w in want]
    assert got == want
    assert model.sequential_batches == 0 and model.deferred == 0  # type: ignore[attr-defined]


def test_a_running_int_sum_that_overflows_runs_that_batch_record_by_record_as_titus2() -> None:
    """An int counter near its range: the batch where it overflows goes record by record (titus2 fails
    each record from there, the cell staying where it was), the batch before runs whole."""
    doc = {
        "input": "double",
        "output": "double",
        "cells": {"n": {"type": "int", "init": 2**31 - 4}},
        "action": [
            {"cell": "n", "to": {"params": [{"c": "int"}], "ret": "int", "do": {"+": ["c", 2]}}},
            {"+": ["input", {"cell": "n"}]},
        ],
    }
    data = json.dumps(doc).encode()
    model = interchange.load(data)
    assert model.info.engine == "interchange-fast", model.info.reason
    first = model.score({"input": np.array([0.5])})
    second = model.score({"input": np.array([1.0, 2.0, 3.0])})
    assert model.sequential_batches == 1  # type: ignore[attr-defined]
    got = first.outputs["output"].tolist() + [
        None if i in second.refused else v for i, v in enumerate(second.outputs["output"].tolist())
    ]
    assert got == _titus_records(data, [0.5, 1.0, 2.0, 3.0])


def test_a_pool_entry_read_at_a_key_no_record_wrote_yet_fails_like_titus2() -> None:
    """A read at another key than the one written: an entry that does not exist yet fails the record
    ("map key not found"), so that batch runs record by record; entries written by earlier records are
    read at the point the record sees them."""
    doc = {
        "input": {
            "type": "record",
            "name": "In",
            "fields": [{"name": "k", "type": "string"}, {"name": "other", "type": "string"}],
        },
        "output": "int",
        "pools": {"p": {"type": "int", "init": {"a": 10}}},
        "action": [
            {"pool": "p", "path": ["input.k"], "to": {"params": [{"v": "int"}], "ret": "int", "do": {"+": ["v", 1]}}, "init": 0},
            {"pool": "p", "path": ["input.other"]},
        ],
    }
    data = json.dumps(doc).encode()
    model = interchange.load(data)
    assert model.info.engine == "interchange-fast", model.info.reason
    ks, others = ["b", "a", "b", "c", "c"], ["a", "b", "b", "b", "c"]
    whole = model.score({"k": np.array(ks[:3], dtype=object), "other": np.array(others[:3], dtype=object)})
    assert model.sequential_batches == 0  # type: ignore[attr-defined]
    rest = model.score({"k": np.array(["c", "c", "d"], dtype=object), "other": np.array(["d", "c", "a"], dtype=object)})
    assert model.sequential_batches == 1  # type: ignore[attr-defined]
    got = whole.outputs["output"].tolist() + [
        None if i in rest.refused else v for i, v in enumerate(rest.outputs["output"].tolist())
    ]
    want = _titus_records(
        data, [{"k": k, "other": o} for k, o in zip(ks[:3] + ["c", "c", "d"], others[:3] + ["d", "c", "a"], strict=True)]
    )
    assert [None if v is None else int(v) for v in got] == want
