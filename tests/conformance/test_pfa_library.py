"""prob.dist.* and cast.* (fanouts, signed / unsigned) on the fast path against titus2, record by record.

One document per function, its arguments read from nullable input fields (a null stands for NaN,
so NaN reaches the function as titus2 would see it from a computation). Rows are the cross product
of edge values: negative numbers, zeros (signed too), values beside 0 and 1, huge and tiny
magnitudes (``pow`` overflow, underflow to zero before a division), infinities and NaN. Both
engines must refuse the same records (titus2's "invalid parameterization" / "invalid input" and
the Python errors on the way) and agree on the rest: rtol 1e-9 / atol 1e-12, as every PFA
conformance test here.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import numpy as np
import pytest

import interchange

RTOL, ATOL = 1e-9, 1e-12
X = [-3.5, -1.0, -0.0, 0.0, 1e-320, 0.3, 0.5, 1.0, 2.5, 7.0, 1e200, np.inf, -np.inf, None]
P = [-0.1, 0.0, 1e-300, 0.1, 0.5, 0.7, 0.999, 1.0, 1.5, None]
PARAM = [-1.0, 0.0, 1e-170, 0.5, 1.0, 2.0, 1e160, np.inf, None]
COUNT = [-3, 0, 1, 2, 5, 40]
DISTRIBUTIONS = {  # name: (argument kinds)
    "gaussianLL": ("x", "param", "param"),
    "gaussianCDF": ("x", "param", "param"),
    "gaussianQF": ("p", "param", "param"),
    "exponentialPDF": ("x", "param"),
    "exponentialCDF": ("x", "param"),
    "exponentialQF": ("p", "param"),
    "poissonPDF": ("count", "param"),
    "poissonCDF": ("count", "param"),
    "cauchyPDF": ("x", "param", "param"),
    "cauchyCDF": ("x", "param", "param"),
    "cauchyQF": ("p", "param", "param"),
    "lognormalPDF": ("x", "param", "param"),
    "lognormalCDF": ("x", "param", "param"),
    "uniformPDF": ("x", "param", "param"),
    "uniformCDF": ("x", "param", "param"),
    "uniformQF": ("p", "param", "param"),
    "geometricPDF": ("count", "param"),
    "geometricCDF": ("x", "param"),
    "geometricQF": ("p", "param"),
    "weibullPDF": ("x", "param", "param"),
    "weibullCDF": ("x", "param", "param"),
    "weibullQF": ("p", "param", "param"),
    "gammaPDF": ("x", "param", "param"),
    "gammaCDF": ("x", "param", "param"),
    "chi2PDF": ("x", "count"),
    "chi2CDF": ("x", "count"),
    "lognormalQF": ("p", "search", "search"),
    "gammaQF": ("p", "search", "search"),
    "chi2QF": ("p", "count"),
}
# searches (QFs titus2 finds by bisection / Newton): no 1e-170 or 1e160 parameters, where titus2's bisection
# never settles and each record runs into its time budget
SEARCH = [-1.0, 0.0, 0.5, 1.0, 2.0, 7.5, np.inf, None]
VALUES = {"x": X, "p": P, "param": PARAM, "count": COUNT, "search": SEARCH}


def _document(function: str, kinds: tuple[str, ...]) -> dict[str, Any]:
    fields = [{"name": f"a{i}", "type": "int" if k == "count" else ["null", "double"]} for i, k in enumerate(kinds)]
    args = [
        f"input.a{i}" if k == "count" else {"ifnotnull": {"v": f"input.a{i}"}, "then": "v", "else": "nan"}
        for i, k in enumerate(kinds)
    ]
    return {
        "name": function,
        "input": {"type": "record", "name": "In", "fields": fields},
        "output": "double",
        "action": [{"let": {"nan": {"/": [0.0, 0.0]}}}, {f"prob.dist.{function}": args}],
    }


def _rows(kinds: tuple[str, ...]) -> dict[str, np.ndarray]:
    grid = list(itertools.product(*(VALUES[k] for k in kinds)))
    return {
        f"a{i}": np.array([np.nan if row[i] is None else row[i] for row in grid], dtype=np.int64 if k == "count" else np.float64)
        for i, k in enumerate(kinds)
    }


def _compare(data: bytes, rows: dict[str, np.ndarray]) -> Any:
    fast = interchange.load(data)
    assert fast.info.engine == "interchange-fast", fast.info.reason
    ref = interchange.load(data, engine="reference")
    got, want = fast.score(rows), ref.score(rows)
    assert set(got.refused) == set(want.refused), sorted(set(got.refused) ^ set(want.refused))[:5]
    keep = np.array([i not in want.refused for i in range(len(next(iter(rows.values()))))])
    for name, expected in want.outputs.items():
        e, a = np.asarray(expected)[keep], np.asarray(got.outputs[name])[keep]
        if e.dtype == np.float64:
            np.testing.assert_allclose(a, e, rtol=RTOL, atol=ATOL, equal_nan=True, err_msg=name)
        else:
            assert a.tolist() == e.tolist(), name
    return fast


@pytest.mark.parametrize("function", sorted(DISTRIBUTIONS))
def test_distribution_functions_run_fast_and_agree_with_titus2(function: str) -> None:
    kinds = DISTRIBUTIONS[function]
    _compare(json.dumps(_document(function, kinds)).encode(), _rows(kinds))


def test_gaussian_with_a_record_of_mean_and_variance() -> None:
    doc = {
        "input": {
            "type": "record",
            "name": "In",
            "fields": [{"name": "x", "type": "double"}, {"name": "m", "type": "double"}, {"name": "v", "type": "double"}],
        },
        "output": {"type": "record", "name": "Out", "fields": [{"name": n, "type": "double"} for n in ("ll", "cdf", "qf")]},
        "action": [
            {"let": {"g": {"new": {"mean": "input.m", "variance": "input.v", "count": 3.0}, "type": {"type": "record", "name": "G", "fields": [{"name": "mean", "type": "double"}, {"name": "variance", "type": "double"}, {"name": "count", "type": "double"}]}}}},  # noqa: E501
            {"new": {
                "ll": {"prob.dist.gaussianLL": ["input.x", "g"]},
                "cdf": {"prob.dist.gaussianCDF": ["input.x", "g"]},
                "qf": {"prob.dist.gaussianQF": [{"/": [{"m.abs": "input.x"}, 4.0]}, "g"]},
            }, "type": "Out"},
        ],
    }  # fmt: skip
    grid = list(itertools.product([-2.0, 0.0, 0.5, 3.0, 1e200], [-1.0, 0.0, 2.0, 1e300], [-1.0, 0.0, 1e-320, 0.25, 4.0, np.inf]))
    rows = {k: np.array([r[i] for r in grid]) for i, k in enumerate(("x", "m", "v"))}
    _compare(json.dumps(doc).encode(), rows)


FANOUT_DOC = {
    "input": {
        "type": "record",
        "name": "In",
        "fields": [
            {"name": "colour", "type": {"type": "enum", "name": "Colour", "symbols": ["red", "green", "blue"]}},
            {"name": "word", "type": "string"},
            {"name": "n", "type": "long"},
        ],
    },
    "output": {
        "type": "record",
        "name": "Out",
        "fields": [{"name": n, "type": t} for n, t in [
            ("colour_at", "int"), ("word_hits", "double"), ("word_unknown", "boolean"), ("word_plain", "long"),
            ("n_at", "int"), ("n_outside", "double"), ("n_empty", "int"), ("signed3", "long"), ("unsigned4", "long"),
            ("signed64", "long"),
        ]],
    },
    "cells": {"words": {"type": {"type": "array", "items": "string"}, "init": ["cat", "dog", "", "Dog"]}},
    "action": [
        {"new": {
            "colour_at": {"a.argmax": {"cast.fanoutInt": "input.colour"}},
            "word_hits": {"a.sum": {"cast.fanoutDouble": ["input.word", {"cell": "words"}, True]}},
            "word_unknown": {"attr": {"cast.fanoutBoolean": ["input.word", {"cell": "words"}, True]}, "path": [4]},
            "word_plain": {"a.sum": {"cast.fanoutLong": ["input.word", {"cell": "words"}, False]}},
            "n_at": {"a.argmax": {"cast.fanoutInt": [{"cast.int": "input.n"}, -2, 3, True]}},
            "n_outside": {"attr": {"cast.fanoutFloat": [{"cast.int": "input.n"}, -2, 3, True]}, "path": [5]},
            "n_empty": {"a.len": {"cast.fanoutInt": [{"cast.int": "input.n"}, 3, 3, False]}},
            "signed3": {"cast.signed": ["input.n", 3]},
            "unsigned4": {"cast.unsigned": ["input.n", 4]},
            "signed64": {"cast.signed": ["input.n", 64]},
        }, "type": "Out"},
    ],
}  # fmt: skip


def test_fanouts_and_bit_casts_run_fast_and_agree_with_titus2() -> None:
    words = ["cat", "dog", "", "Dog", "bird", "CAT", " dog"]
    ns = [-9, -3, -2, -1, 0, 1, 2, 3, 7, 8, 15, 16, 2**31 - 1, -(2**31)]
    grid = list(itertools.product(["red", "green", "blue"], words, ns))
    rows = {
        "colour": np.array([g[0] for g in grid], dtype=object),
        "word": np.array([g[1] for g in grid], dtype=object),
        "n": np.array([g[2] for g in grid], dtype=np.int64),
    }
    _compare(json.dumps(FANOUT_DOC).encode(), rows)


def test_bit_widths_titus2_refuses_fail_the_same_records() -> None:
    doc = {
        "input": {"type": "record", "name": "In", "fields": [{"name": "n", "type": "long"}, {"name": "bits", "type": "int"}]},
        "output": {"type": "record", "name": "Out", "fields": [{"name": "s", "type": "long"}, {"name": "u", "type": "long"}]},
        "action": [
            {
                "new": {
                    "s": {"cast.signed": ["input.n", "input.bits"]},
                    "u": {"cast.unsigned": ["input.n", {"-": ["input.bits", 12]}]},
                },
                "type": "Out",
            }
        ],  # noqa: E501
    }
    # unsigned of bits - 12 (at most 53): an integer output column with refused rows is float64 (NaN where
    # refused) in both engines' scored batches, exact only up to 2**53
    grid = list(itertools.product([-(2**40), -5, -1, 0, 1, 6, 2**40 + 3], [-1, 0, 1, 2, 3, 8, 13, 14, 33, 63, 64, 65]))
    rows = {"n": np.array([g[0] for g in grid], dtype=np.int64), "bits": np.array([g[1] for g in grid], dtype=np.int64)}
    _compare(json.dumps(doc).encode(), rows)


def test_a_dictionary_with_repeated_words_fails_every_record_on_both_engines() -> None:
    doc = {
        "input": "string",
        "output": "double",
        "action": [
            {
                "a.sum": {
                    "cast.fanoutDouble": [
                        "input",
                        {"value": ["a", "b", "a"], "type": {"type": "array", "items": "string"}},
                        False,
                    ]
                }
            }
        ],  # noqa: E501
    }
    data = json.dumps(doc).encode()
    rows = {"input": np.array(["a", "c"], dtype=object)}
    fast, ref = interchange.load(data), interchange.load(data, engine="reference")
    assert fast.info.engine == "interchange-fast", fast.info.reason
    assert set(fast.score(rows).refused) == set(ref.score(rows).refused) == {0, 1}


TIME_FIELDS = ["year", "monthOfYear", "dayOfYear", "dayOfMonth", "dayOfWeek", "hourOfDay", "minuteOfHour", "secondOfMinute"]
TIME_TESTS = ["isSecondOfMinute", "isMinuteOfHour", "isHourOfDay", "isDayOfWeek", "isDayOfMonth", "isMonthOfYear", "isDayOfYear"]
# around the epoch, leap days, DST changes in Europe and America (2021), a minute's last microsecond, the range ends
STAMPS = [
    0.0, -1.0, -0.5, 0.4999995, 59.9999996, 59.9999994, 951782400.0, 951868799.5, 1616893199.0, 1616893200.0,
    1616893201.25, 1635642000.0, 1635638400.0, 1615705200.0, 1636264800.0, 1700000000.123, -2000000000.0,
    -62135596800.0, 253402300799.0, -62135596801.0, 253402300800.0, np.inf, -np.inf, None,
]  # fmt: skip


def _time_doc(zone: str) -> dict[str, Any]:
    fields = [{"name": f, "type": "int"} for f in TIME_FIELDS] + [{"name": f, "type": "boolean"} for f in TIME_TESTS]
    fields += [{"name": "weekend", "type": "boolean"}, {"name": "work", "type": "boolean"}]
    ts = {"ifnotnull": {"v": "input.ts"}, "then": "v", "else": {"/": [0.0, 0.0]}}
    new: dict[str, Any] = {f: {f"time.{f}": [ts, {"string": zone}]} for f in TIME_FIELDS}
    for f in TIME_TESTS:
        new[f] = {f"time.{f}": [ts, {"string": zone}, "input.low", "input.high"]}
    new["weekend"] = {"time.isWeekend": [ts, {"string": zone}]}
    new["work"] = {"time.isWorkHours": [ts, {"string": zone}]}
    return {
        "input": {
            "type": "record",
            "name": "In",
            "fields": [
                {"name": "ts", "type": ["null", "double"]},
                {"name": "low", "type": "double"},
                {"name": "high", "type": "double"},
            ],
        },
        "output": {"type": "record", "name": "Out", "fields": fields},
        "action": [{"new": new, "type": "Out"}],
    }


@pytest.mark.parametrize("zone", ["", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Nowhere/Atlantis"])
def test_time_fields_run_fast_and_agree_with_titus2(zone: str) -> None:
    # zones: 1966 to 2037 (earlier, some zones kept local mean time, in seconds, which pytz rounds: deferred)
    stamps = STAMPS if zone == "" else [s for s in STAMPS if s is None or -1e8 < s < 2.1e9]
    grid = list(itertools.product(stamps, [(0.0, 5.0), (3.0, 40.0), (5.0, 5.0)]))
    rows = {
        "ts": np.array([np.nan if s is None else s for s, _ in grid]),
        "low": np.array([r[0] for _, r in grid]),
        "high": np.array([r[1] for _, r in grid]),
    }
    fast = _compare(json.dumps(_time_doc(zone)).encode(), rows)
    assert fast.deferred == 0


def test_local_mean_time_defers_the_batch_to_titus2() -> None:
    data = json.dumps(_time_doc("Europe/Paris")).encode()
    rows = {"ts": np.array([0.0, -2000000000.0]), "low": np.array([0.0, 0.0]), "high": np.array([5.0, 5.0])}
    fast = _compare(data, rows)  # 1906 in Paris: +00:09:21, which pytz rounds to +00:09
    assert fast.deferred == 1


def test_cmp_and_boolean_inputs_run_fast_and_agree_with_titus2() -> None:
    doc = {
        "input": {
            "type": "record",
            "name": "In",
            "fields": [
                {"name": "b", "type": "boolean"},
                {"name": "nb", "type": ["null", "boolean"]},
                {"name": "s", "type": "string"},
                {"name": "x", "type": ["null", "double"]},
                {"name": "n", "type": "int"},
            ],
        },
        "output": {
            "type": "record",
            "name": "Out",
            "fields": [{"name": k, "type": "int"} for k in ("bools", "texts", "doubles", "mixed")]
            + [{"name": "both", "type": "boolean"}],
        },
        "action": [
            {"let": {"x": {"ifnotnull": {"v": "input.x"}, "then": "v", "else": {"/": [0.0, 0.0]}}}},
            {
                "new": {
                    "bools": {"cmp": ["input.b", {"ifnotnull": {"v": "input.nb"}, "then": "v", "else": True}]},
                    "texts": {"cmp": ["input.s", ["m"]]},
                    "doubles": {"cmp": ["x", 0.5]},
                    "mixed": {"cmp": ["input.n", "x"]},
                    "both": {"ifnotnull": {"v": "input.nb"}, "then": {"&&": ["v", "input.b"]}, "else": {"!": "input.b"}},
                },
                "type": "Out",
            },
        ],
    }
    grid = list(
        itertools.product(
            [True, False, None], [True, False, None], ["", "a", "m", "z", "M"], [None, -1.0, 0.5, 2.0, np.inf], [0, 2]
        )
    )
    rows = {k: [g[i] for g in grid] for i, k in enumerate(("b", "nb", "s", "x", "n"))}
    _compare(json.dumps(doc).encode(), rows)  # type: ignore[arg-type]


WHOLE = [0, 1, -1, 2**31 - 1, -(2**31), 2**31 - 2, 2**40, -(2**40), 2**62, -(2**62), 2**63 - 1, -(2**63), 3037000499, -3037000500]


@pytest.mark.parametrize("kind", ["int", "long"])
def test_int_and_long_arithmetic_overflows_where_titus2_does(kind: str) -> None:
    """+, -, * of ints and longs beside both ranges' ends: int64 on the fast path where no intermediate
    can overflow, Python's whole numbers near the long range; the same records refused, the rest equal."""
    cast = (lambda f: {"cast.int": f}) if kind == "int" else (lambda f: f)
    doc = {
        "input": {"type": "record", "name": "In", "fields": [{"name": "a", "type": "long"}, {"name": "b", "type": "long"}]},
        "output": {"type": "record", "name": "Out", "fields": [{"name": k, "type": kind} for k in ("s", "d", "p")]},
        "action": [
            {"let": {"a": cast("input.a"), "b": cast("input.b")}},
            {"new": {"s": {"+": ["a", "b"]}, "d": {"-": ["a", "b"]}, "p": {"*": ["a", "b"]}}, "type": "Out"},
        ],
    }
    inside = [v for v in WHOLE if kind == "long" or -(2**31) <= v < 2**31]
    grid = list(itertools.product(inside, inside))
    rows = {"a": np.array([g[0] for g in grid], dtype=np.int64), "b": np.array([g[1] for g in grid], dtype=np.int64)}
    data = json.dumps(doc).encode()
    fast = _compare(data, rows)
    ref = interchange.load(data, engine="reference")
    kept = np.array([i not in ref.score(rows).refused for i in range(len(grid))])
    assert 0 < kept.sum() < len(grid)
    clean = {k: v[kept] for k, v in rows.items()}  # no refusals: integer columns, compared exactly
    got, want = fast.predict(clean), ref.predict(clean)
    for k in ("s", "d", "p"):
        assert [int(v) for v in got[k]] == [int(v) for v in want[k]], k
