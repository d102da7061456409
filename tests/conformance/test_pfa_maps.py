# ruff: noqa: E501  (tables of one-line documents and rows)
"""map.* on the fast path against titus2: one spec-style document per function, a batch of records
each holding its own maps (of numbers, of strings, of records).

Each document reads its maps from input fields and returns the function's result; both engines
must refuse the same records (titus2's "empty map", "n < 0", "misaligned maps", "map key not
found") and agree on the rest exactly (maps compare as dicts, in key order too). Batches whose
maps all have the same size run on the fast path without deferring (``deferred == 0``); a batch
of maps of different sizes where the result is an array per row is handed to titus2 (no
rectangular layout), and still agrees.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

import interchange

NUM = {"type": "map", "values": "double"}
TXT = {"type": "map", "values": "string"}
REC = {
    "type": "map",
    "values": {"type": "record", "name": "P", "fields": [{"name": "w", "type": "double"}, {"name": "tag", "type": "string"}]},
}
FIELDS = [
    {"name": "m", "type": NUM},
    {"name": "o", "type": NUM},
    {"name": "s", "type": TXT},
    {"name": "r", "type": REC},
    {"name": "k", "type": "string"},
    {"name": "x", "type": "double"},
    {"name": "n", "type": "int"},
]
ARR_S = {"type": "array", "items": "string"}
ARR_D = {"type": "array", "items": "double"}


def _f(params: list[tuple[str, Any]], ret: Any, body: Any) -> dict[str, Any]:
    return {"params": [{p: t} for p, t in params], "ret": ret, "do": body}


POSITIVE = _f([("v", "double")], "boolean", {">": ["v", 0.0]})
KEYED = _f([("key", "string"), ("v", "double")], "boolean", {"||": [{"==": ["key", "input.k"]}, {"<": ["v", "input.x"]}]})
CASES: dict[str, tuple[Any, Any]] = {  # name: (expression, output type)
    "len": ({"map.len": "input.m"}, "int"),
    "len_records": ({"map.len": "input.r"}, "int"),
    "keys": ({"map.keys": "input.m"}, ARR_S),
    "values": ({"map.values": "input.m"}, ARR_D),
    "values_text": ({"map.values": "input.s"}, ARR_S),
    "fromset": ({"map.fromset": "input.s"}, ARR_S),
    "get": ({"attr": "input.m", "path": ["input.k"]}, "double"),
    "get_record_field": ({"attr": "input.r", "path": ["input.k", {"string": "w"}]}, "double"),
    "contains_key": ({"map.containsKey": ["input.m", "input.k"]}, "boolean"),
    "contains_key_fcn": ({"map.containsKey": ["input.m", _f([("key", "string")], "boolean", {"==": [{"s.len": "key"}, 2]})]}, "boolean"),
    "contains_value": ({"map.containsValue": ["input.m", "input.x"]}, "boolean"),
    "contains_value_text": ({"map.containsValue": ["input.s", "input.k"]}, "boolean"),
    "contains_value_fcn": ({"map.containsValue": ["input.m", POSITIVE]}, "boolean"),
    "add": ({"map.add": ["input.m", "input.k", "input.x"]}, NUM),
    "add_item": ({"map.add": ["input.s", "input.k"]}, TXT),
    "remove": ({"map.remove": ["input.m", "input.k"]}, NUM),
    "only": ({"map.only": ["input.m", {"type": ARR_S, "value": ["a", "c", "zz"]}]}, NUM),
    "except": ({"map.except": ["input.m", {"new": ["input.k", {"string": "b"}], "type": ARR_S}]}, NUM),
    "update": ({"map.update": ["input.m", "input.o"]}, NUM),
    "union": ({"map.union": ["input.o", "input.m"]}, NUM),
    "intersection": ({"map.intersection": ["input.m", "input.o"]}, NUM),
    "diff": ({"map.diff": ["input.m", "input.o"]}, NUM),
    "symdiff": ({"map.symdiff": ["input.m", "input.o"]}, NUM),
    "subset": ({"map.subset": ["input.o", "input.m"]}, "boolean"),
    "disjoint": ({"map.disjoint": ["input.m", "input.o"]}, "boolean"),
    "split_join": ({"map.join": {"map.split": "input.m"}}, NUM),
    "argmax": ({"map.argmax": "input.m"}, "string"),
    "argmin": ({"map.argmin": "input.m"}, "string"),
    "argmax_text": ({"map.argmax": "input.s"}, "string"),
    "argmaxN": ({"map.argmaxN": ["input.m", 2]}, ARR_S),
    "argminN": ({"map.argminN": ["input.m", 2]}, ARR_S),
    "argmaxN_per_row": ({"a.len": {"map.argmaxN": ["input.m", "input.n"]}}, "int"),  # lengths differ: deferred
    "argmaxLT": ({"map.argmaxLT": ["input.m", _f([("a", "double"), ("b", "double")], "boolean", {"<": [{"m.abs": "a"}, {"m.abs": "b"}]})]}, "string"),
    "argminLT": ({"map.argminLT": ["input.r", _f([("a", "P"), ("b", "P")], "boolean", {"<": ["a.tag", "b.tag"]})]}, "string"),
    "argmaxNLT": ({"map.argmaxNLT": ["input.m", 2, _f([("a", "double"), ("b", "double")], "boolean", {"<": [{"m.abs": "a"}, {"m.abs": "b"}]})]}, ARR_S),
    "argminNLT_per_row": ({"a.len": {"map.argminNLT": ["input.m", "input.n", _f([("a", "double"), ("b", "double")], "boolean", {"<": ["a", "b"]})]}}, "int"),
    "toset_in": ({"map.in": [{"map.toset": {"map.values": "input.s"}}, "input.k"]}, "boolean"),
    "toset_double": ({"map.len": {"map.toset": {"map.values": "input.m"}}}, "int"),
    "map": ({"map.map": ["input.m", _f([("v", "double")], "double", {"/": ["v", "input.x"]})]}, NUM),
    "map_records": ({"map.map": ["input.r", _f([("p", "P")], "string", {"s.concat": ["p.tag", "input.k"]})]}, TXT),
    "map_records_number": ({"map.map": ["input.r", _f([("p", "P")], "double", {"*": ["p.w", "input.x"]})]}, NUM),
    "map_with_key": ({"map.mapWithKey": ["input.m", _f([("key", "string"), ("v", "double")], "double", {"+": ["v", {"s.len": "key"}]})]}, NUM),
    "filter": ({"map.filter": ["input.m", POSITIVE]}, NUM),
    "filter_with_key": ({"map.filterWithKey": ["input.m", KEYED]}, NUM),
    "filter_map": ({"map.filterMap": ["input.m", _f([("v", "double")], ["null", "double"], {"if": {">": ["v", 0.5]}, "then": {"*": ["v", 3.0]}, "else": None})]}, NUM),
    "filter_map_with_key": ({"map.filterMapWithKey": ["input.s", _f([("key", "string"), ("v", "string")], ["null", "string"], {"if": {"==": ["key", "input.k"]}, "then": None, "else": {"s.concat": ["v", "key"]}})]}, TXT),
    "flat_map": ({"map.flatMap": ["input.m", _f([("v", "double")], NUM, {"new": {"one": "v", "two": {"+": ["v", 1.0]}}, "type": NUM})]}, NUM),
    "flat_map_with_key": ({"map.flatMapWithKey": ["input.m", _f([("key", "string"), ("v", "double")], NUM, {"map.add": [{"type": NUM, "value": {}}, "key", {"u-": ["v"]}]})]}, NUM),
    "zipmap": ({"map.zipmap": ["input.m", "input.o", _f([("a", "double"), ("b", "double")], "double", {"-": ["a", "b"]})]}, NUM),
    "zipmap_with_key": ({"map.zipmapWithKey": ["input.m", "input.o", _f([("key", "string"), ("a", "double"), ("b", "double")], "double", {"if": {"==": ["key", "input.k"]}, "then": "a", "else": {"/": ["a", "b"]}})]}, NUM),
    "corresponds": ({"map.corresponds": ["input.m", "input.o", _f([("a", "double"), ("b", "double")], "boolean", {"<=": ["a", {"+": ["b", 1.0]}]})]}, "boolean"),
    "corresponds_with_key": ({"map.correspondsWithKey": ["input.m", "input.o", _f([("key", "string"), ("a", "double"), ("b", "double")], "boolean", {"||": [{"==": ["key", "input.k"]}, {"<": ["a", "b"]}]})]}, "boolean"),
    "forkey_forval": ({"do": [{"let": {"acc": 0.0}}, {"forkey": "key", "forval": "v", "in": "input.m", "do": [{"set": {"acc": {"+": [{"*": ["acc", 0.5]}, {"*": ["v", {"s.len": "key"}]}]}}}]}, "acc"]}, "double"),
    "forval_records": ({"do": [{"let": {"acc": {"string": ""}}}, {"forkey": "key", "forval": "p", "in": "input.r", "do": [{"set": {"acc": {"s.concat": ["acc", {"if": {">": ["p.w", 1.0]}, "then": "p.tag", "else": "key"}]}}}]}, "acc"]}, "string"),
    "new_map": ({"map.len": {"new": {"a": "input.x", "b": {"m.abs": "input.x"}}, "type": NUM}}, "int"),
}  # fmt: skip
# an array per row on the way (the result, or map.split / map.values inside): a ragged batch is titus2's
RAGGED_ARRAYS = {name for name, (_, t) in CASES.items() if isinstance(t, dict) and t["type"] == "array"} | {
    "split_join",
    "toset_in",
    "toset_double",
    "argmaxN_per_row",
    "argminNLT_per_row",
}


def _document(expr: Any, out: Any) -> dict[str, Any]:
    return {
        "input": {"type": "record", "name": "In", "fields": FIELDS},
        "output": {"type": "record", "name": "Out", "fields": [{"name": "out", "type": out}]},
        "action": [{"new": {"out": expr}, "type": "Out"}],
    }


def _rec(w: float, tag: str) -> dict[str, Any]:
    return {"w": w, "tag": tag}


# maps of three items per row (ties, zeros of both signs, negatives, empty strings; m and o with the same
# keys in some rows, other keys or another order in others) and a ragged batch with empty maps
SAME_SIZE = [
    ({"a": 1.0, "b": 2.0, "c": 2.0}, {"a": 0.5, "b": 2.0, "c": 9.0}, {"a": "x", "b": "", "c": "x"}, {"a": _rec(1.0, "p"), "b": _rec(-2.0, "q"), "c": _rec(0.0, "")}, "a", 2.0, 2),
    ({"z": -1.0, "y": 0.0, "x": -0.0}, {"x": 1.0, "y": 2.0, "z": 3.0}, {"q": "b", "p": "a", "r": "a"}, {"z": _rec(5.5, "t"), "y": _rec(1.0, "t"), "x": _rec(2.0, "u")}, "y", -0.0, 5),
    ({"b": 3.0, "a": 3.0, "cc": 0.75}, {"b": 1.0, "a": 1.0, "cc": 1.0}, {"k": "kk", "a": "bb", "b": "b"}, {"cc": _rec(1.5, "x"), "a": _rec(1.5, "y"), "b": _rec(1.5, "z")}, "cc", 0.75, 0),
    ({"a": 5.0, "b": -5.0, "zz": 1e300}, {"q": 1.0, "r": 2.0, "s": 3.0}, {"a": "k", "b": "y", "zz": "a"}, {"a": _rec(-1.0, "a"), "zz": _rec(2.0, "b"), "b": _rec(3.0, "c")}, "nope", 0.0, -1),
]  # fmt: skip
RAGGED = SAME_SIZE[:2] + [
    ({}, {}, {}, {}, "a", 1.0, 1),
    ({"only": 4.0}, {"only": 3.0, "more": 1.0}, {"only": "o"}, {"only": _rec(4.0, "o")}, "only", 4.0, 3),
]  # fmt: skip


def _rows(rows: list[tuple[Any, ...]]) -> dict[str, np.ndarray]:
    out = {}
    for i, field in enumerate(FIELDS):
        col = np.empty(len(rows), dtype=object)
        col[:] = [r[i] for r in rows]
        out[field["name"]] = (
            col.astype(np.float64) if field["type"] == "double" else (col.astype(np.int64) if field["type"] == "int" else col)
        )
    return out


def _compare(fast: Any, ref: Any, rows: dict[str, np.ndarray], deferred: bool) -> None:
    before = fast.deferred
    got, want = fast.score(rows), ref.score(rows)
    assert set(got.refused) == set(want.refused), (got.refused, want.refused)
    for i, (a, e) in enumerate(zip(got.outputs["out"].tolist(), want.outputs["out"].tolist(), strict=True)):
        if i in want.refused:
            continue
        assert type(a) is type(e) or (isinstance(a, float) and isinstance(e, float)), (i, a, e)
        assert json.dumps(a) == json.dumps(e), (i, a, e)  # dict key order, -0.0 and NaN included
    assert (fast.deferred > before) == deferred, fast.deferred


@pytest.mark.parametrize("case", sorted(CASES))
def test_map_function_runs_fast_and_agrees_with_titus2(case: str) -> None:
    data = json.dumps(_document(*CASES[case])).encode()
    fast = interchange.load(data)
    assert fast.info.engine == "interchange-fast", fast.info.reason
    ref = interchange.load(data, engine="reference")
    _compare(fast, ref, _rows(SAME_SIZE), deferred=case in ("argmaxN_per_row", "argminNLT_per_row"))
    _compare(fast, ref, _rows(RAGGED), deferred=case in RAGGED_ARRAYS)


def test_every_map_function_titus2_has_is_covered() -> None:
    """titus2's map.* (titus.lib.map.provides) against the fast library: every one is compiled (none
    left to a refusal with a reason)."""
    from interchange.formats.pfa.fast.engine import _library
    from interchange.formats.pfa.fast.library.refused import REASONS
    from interchange.formats.pfa.titus import engine_class

    engine_class()  # imports titus2 with its NumPy 2 shims
    import titus.lib.map as titus_map  # type: ignore[import-untyped]

    library = _library()
    names = set(titus_map.provides)
    covered = {n for n in names if n in library and n not in REASONS}
    assert names == covered and len(names) == 41
