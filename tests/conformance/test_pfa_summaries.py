"""``a.mode`` (a forest's vote), ``a.median``, ``a.product``, ``a.lnsum``, ``a.geomean`` and the item
pickers (``a.head``, ``a.last``, ``a.tail``, ``a.init``, ``a.reverse``, ``a.sort``, ``a.count``,
``a.contains``, ``a.mapWithIndex``, ``a.foldRight``) on the fast path against titus2, record by record.

Each document reads an array built from the record's fields (so rows hold ties, repeated votes,
zeros, negative numbers and large magnitudes) and returns the functions' results as one record;
both engines must refuse the same records (empty arrays, int overflow) and agree on the rest,
rtol 1e-9 / atol 1e-12.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import numpy as np
import pytest

from tests.conformance.test_pfa_library import _compare

VALUES = [-2.5, -1.0, 0.0, 1.0, 1.0, 3.0, 7.5, 1e100]
GRID = list(itertools.product(VALUES, repeat=3))
ROWS = {f"a{i}": np.array([r[i] for r in GRID]) for i in range(3)}


def _doc(fields: dict[str, Any]) -> dict[str, Any]:
    arr = {"new": ["input.a0", "input.a1", "input.a2", "input.a1"], "type": {"type": "array", "items": "double"}}
    return {
        "input": {"type": "record", "name": "In", "fields": [{"name": f"a{i}", "type": "double"} for i in range(3)]},
        "output": {"type": "record", "name": "Out", "fields": [{"name": k, "type": t} for k, (t, _) in fields.items()]},
        "action": [{"let": {"arr": arr}}, {"new": {k: e for k, (_, e) in fields.items()}, "type": "Out"}],
    }


THREE = {"new": ["input.a0", "input.a1", "input.a2"], "type": {"type": "array", "items": "double"}}
DOUBLES = _doc(  # fmt: skip
    {
        "mode": ("double", {"a.mode": "arr"}),
        "median": ("double", {"a.median": "arr"}),
        "product": ("double", {"a.product": "arr"}),
        "lnsum": ("double", {"a.lnsum": "arr"}),
        "head": ("double", {"a.head": "arr"}),
        "last": ("double", {"a.last": {"a.reverse": "arr"}}),
        "odd_median": ("double", {"a.median": THREE}),
        "odd_mode": ("double", {"a.mode": THREE}),
        "geomean": (
            "double",
            {"a.geomean": {"a.map": ["arr", {"params": [{"v": "double"}], "ret": "double", "do": {"m.abs": "v"}}]}},
        ),
        "sorted_second": ("double", {"attr": {"a.sort": "arr"}, "path": [1]}),
        "tail_sum": ("double", {"a.sum": {"a.tail": {"a.sort": "arr"}}}),
        "init_last": ("double", {"a.last": {"a.init": "arr"}}),
        "ones": ("int", {"a.count": ["arr", 1.0]}),
        "positives": ("int", {"a.count": ["arr", {"params": [{"v": "double"}], "ret": "boolean", "do": {">": ["v", 0.0]}}]}),
        "has_zero": ("boolean", {"a.contains": ["arr", 0.0]}),
        "has_big": ("boolean", {"a.contains": ["arr", {"params": [{"v": "double"}], "ret": "boolean", "do": {">": ["v", 5.0]}}]}),
        "weighted": (
            "double",
            {
                "a.sum": {
                    "a.mapWithIndex": [
                        "arr",
                        {"params": [{"i": "int"}, {"v": "double"}], "ret": "double", "do": {"*": ["i", "v"]}},
                    ]
                }
            },
        ),
        "logsumexp": ("double", {"a.logsumexp": "arr"}),
        "top_two_sum": ("double", {"a.sum": {"a.maxN": ["arr", 2]}}),
        "second_highest": ("double", {"attr": {"a.maxN": ["arr", 3]}, "path": [1]}),
        "second_lowest": ("double", {"attr": {"a.minN": ["arr", 9]}, "path": [1]}),
        "argmax_second": ("int", {"attr": {"a.argmaxN": ["arr", 2]}, "path": [1]}),
        "argmin_third": ("int", {"attr": {"a.argminN": ["arr", 3]}, "path": [2]}),
        "first_one": ("int", {"a.index": ["arr", 1.0]}),
        "last_one": ("int", {"a.rindex": ["arr", 1.0]}),
        "first_negative": ("int", {"a.index": ["arr", {"params": [{"v": "double"}], "ret": "boolean", "do": {"<": ["v", 0.0]}}]}),
        "last_negative": ("int", {"a.rindex": ["arr", {"params": [{"v": "double"}], "ret": "boolean", "do": {"<": ["v", 0.0]}}]}),
        "reduce_right": (
            "double",
            {
                "a.reduceRight": [
                    "arr",
                    {"params": [{"v": "double"}, {"acc": "double"}], "ret": "double", "do": {"-": ["v", {"*": ["acc", 0.5]}]}},
                ]
            },
        ),
        "concat_last": ("double", {"a.last": {"a.concat": ["arr", {"a.reverse": "arr"}]}}),
        "append_mean": ("double", {"a.mean": {"a.append": ["arr", "input.a2"]}}),
        "rotated": ("double", {"a.head": {"a.rotate": ["arr", {"cast.int": {"m.round": {"m.abs": {"/": ["input.a0", 1e99]}}}}]}}),
        "rotated_by_two": ("double", {"attr": {"a.rotate": ["arr", 6]}, "path": [1]}),
        "subseq_sum": ("double", {"a.sum": {"a.subseq": ["arr", 1, -1]}}),
        "horner": (
            "double",
            {
                "a.foldRight": [
                    "arr",
                    0.0,
                    {"params": [{"v": "double"}, {"acc": "double"}], "ret": "double", "do": {"+": ["v", {"*": ["acc", 0.5]}]}},
                ]
            },
        ),
    }
)
INTS = {
    "input": {"type": "record", "name": "In", "fields": [{"name": f"a{i}", "type": "double"} for i in range(3)]},
    "output": {
        "type": "record",
        "name": "Out",
        "fields": [{"name": "mode", "type": "int"}, {"name": "median", "type": "int"}, {"name": "product", "type": "int"}],
    },
    "action": [
        {
            "let": {
                "arr": {
                    "a.map": [
                        {
                            "new": ["input.a0", "input.a1", "input.a2", "input.a1", "input.a0"],
                            "type": {"type": "array", "items": "double"},
                        },
                        {
                            "params": [{"v": "double"}],
                            "ret": "int",
                            "do": {
                                "if": {"<": [{"m.abs": "v"}, 1e9]},
                                "then": {"cast.int": {"m.round": {"*": ["v", 1000.0]}}},
                                "else": 7,
                            },
                        },
                    ]
                }
            }
        },
        {
            "new": {
                "mode": {"a.mode": "arr"},
                "median": {
                    "a.median": {
                        "a.reverse": {
                            "new": [{"a.head": "arr"}, {"a.last": "arr"}, 5, -4],
                            "type": {"type": "array", "items": "int"},
                        }
                    }
                },
                "product": {"a.product": "arr"},
            },
            "type": "Out",
        },
    ],
}
VOTES = {  # a forest's vote: each tree's label, the most frequent one wins (ties: the median label)
    "input": {"type": "record", "name": "In", "fields": [{"name": f"a{i}", "type": "double"} for i in range(3)]},
    "output": "string",
    "action": [
        {"a.mode": {"a.map": [
            {"new": ["input.a0", "input.a1", "input.a2", {"+": ["input.a0", "input.a1"]}],
             "type": {"type": "array", "items": "double"}},
            {"params": [{"v": "double"}], "ret": "string", "do": {"if": {">": ["v", 0.5]}, "then": {"string": "yes"},
             "else": {"if": {"<": ["v", -0.5]}, "then": {"string": "no"}, "else": {"string": "maybe"}}}},
        ]}},
    ],
}  # fmt: skip


@pytest.mark.parametrize("doc", [DOUBLES, INTS, VOTES], ids=["doubles", "ints", "votes"])
def test_array_summaries_run_fast_and_agree_with_titus2(doc: dict[str, Any]) -> None:
    model = _compare(json.dumps(doc).encode(), ROWS)
    assert model.deferred == 0, "the fast path evaluated every batch itself"


def _signed_doc(items: str) -> dict[str, Any]:
    """a.mode / a.median over four items read from nullable fields (a null stands for NaN), of type ``items``."""
    value = [{"ifnotnull": {"v": f"input.a{i}"}, "then": "v", "else": {"/": [0.0, 0.0]}} for i in (0, 1, 2, 1)]
    arr: Any = {"new": value, "type": {"type": "array", "items": "double"}}
    if items == "float":  # titus2's float order: a plain comparison, NaN equal to everything
        arr = {"a.map": [arr, {"params": [{"v": "double"}], "ret": "float", "do": {"cast.float": "v"}}]}
    return {
        "input": {"type": "record", "name": "In", "fields": [{"name": f"a{i}", "type": ["null", "double"]} for i in range(3)]},
        "output": {"type": "record", "name": "Out", "fields": [{"name": n, "type": items} for n in ("mode", "median", "odd")]},
        "action": [
            {"let": {"arr": arr}},
            {
                "new": {"mode": {"a.mode": "arr"}, "median": {"a.median": "arr"}, "odd": {"a.median": {"a.tail": "arr"}}},
                "type": "Out",
            },
        ],
    }


@pytest.mark.parametrize("items", ["double", "float"])
def test_mode_and_median_over_nan_and_signed_zeros_run_fast_as_titus2(items: str) -> None:
    """Rows holding NaN, 0.0 and -0.0 (JSON text tells the zeros apart and NaN equal to NaN; titus2's
    stable sort keeps their order): computed item by item on the fast path, no batch deferred, and
    the zero's sign as titus2's."""
    values = [None, -0.0, 0.0, 1.0, -1.0, 2.5]
    grid = list(itertools.product(values, repeat=3))
    rows = {f"a{i}": np.array([np.nan if r[i] is None else r[i] for r in grid]) for i in range(3)}
    data = json.dumps(_signed_doc(items)).encode()
    model = _compare(data, rows)
    assert model.deferred == 0, "the fast path evaluated every batch itself"
    import interchange

    got, want = model.score(rows), interchange.load(data, engine="reference").score(rows)
    for name in ("mode", "median", "odd"):
        a, e = np.asarray(got.outputs[name], dtype=np.float64), np.asarray(want.outputs[name], dtype=np.float64)
        assert np.signbit(a).tolist() == np.signbit(e).tolist(), name
