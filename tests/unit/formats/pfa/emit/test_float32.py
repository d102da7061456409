"""``u.f32`` (formats/pfa/emit/float32.py): titus2 and the PFA fast path round doubles to float32
exactly as numpy's ``astype(np.float32)`` does, bit for bit, over random doubles, ties, float32's
largest and smallest values, its subnormals, overflow, NaN, infinities and signed zeros."""

from __future__ import annotations

import json

import numpy as np
import pytest

import interchange
from interchange.document import Document
from interchange.formats.pfa.emit.float32 import FCN, round_fcn, rounded


def _document() -> bytes:
    doc = {
        "input": {"type": "record", "name": "In", "fields": [{"name": "x", "type": "double"}]},
        "output": "double",
        "fcns": {FCN: round_fcn()},
        "action": [{f"u.{FCN}": ["input.x"]}],
    }
    return json.dumps(doc).encode()


def _values() -> np.ndarray:
    rng = np.random.default_rng(7)
    f32 = np.float32
    top, tiny, least = float(np.finfo(f32).max), float(np.finfo(f32).tiny), float(np.finfo(f32).smallest_subnormal)
    # doubles exactly halfway between adjacent float32 values (ties), in the normal and subnormal ranges
    grid = rng.uniform(-1e6, 1e6, 400).astype(f32)
    ties = (grid.astype(np.float64) + np.spacing(np.abs(grid)).astype(np.float64) / 2).tolist()
    sub = (rng.integers(1, 2**23, 200) * least).tolist()
    sub_ties = [s + least / 2 for s in sub[:100]]
    near_ties = [np.nextafter(t, np.inf) for t in ties[:100]] + [np.nextafter(t, -np.inf) for t in ties[:100]]
    special = [0.0, -0.0, np.inf, -np.inf, top, -top, np.nextafter(top, np.inf), top * (1 + 2.0**-25), -top * (1 + 2.0**-25)]
    special += [np.nextafter(top * (1 + 2.0**-25), 0.0), 2.0**128, 1e300, -1e300, 5e-324, -5e-324, tiny, np.nextafter(tiny, 0)]
    special += [least, least / 2, -least / 2, least * 0.75, 2.0**-150, 1.0, -1.0, 2.0**24 + 1, 16777217.0, 0.1, 1 / 3]
    special += [2.0**e for e in range(-160, 130)] + [np.nextafter(2.0**e, 0.0) for e in range(-160, 130)]
    wide = rng.standard_normal(1500) * 10.0 ** rng.integers(-45, 39, 1500)
    doubles = rng.integers(0, 2**63, 1000, dtype=np.int64).view(np.float64)  # any bit pattern
    return np.asarray([*ties, *sub, *sub_ties, *near_ties, *special, *wide, *doubles, *(-np.asarray(ties))], dtype=np.float64)


def _same(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    both_nan = np.isnan(got) & np.isnan(want)
    return both_nan | ((got == want) & (np.signbit(got) == np.signbit(want)))


@pytest.mark.parametrize("engine", ["reference", "fast"])
def test_f32_rounds_as_numpy(engine: str) -> None:
    x = _values()
    with np.errstate(over="ignore"):
        want = x.astype(np.float32).astype(np.float64)
    model = interchange.load(Document("pfa", _document(), "application/json"), engine=engine)
    scored = model.score({"x": x})
    assert not scored.refused
    got = np.asarray(next(iter(scored.outputs.values())), dtype=np.float64)
    bad = ~_same(got, want)
    assert not bad.any(), [
        (float(a), float(b), float(c)) for a, b, c in zip(x[bad][:5], got[bad][:5], want[bad][:5], strict=True)
    ]


def test_constants_are_rounded_when_written() -> None:
    from interchange.formats.pfa.emit.document import _Writer
    from interchange.signature import Signature

    w = _Writer(Signature((), ()))
    assert rounded(w, 0.1) == float(np.float32(0.1)) and not w.fcns
    assert rounded(w, "x") == {f"u.{FCN}": ["x"]} and FCN in w.fcns
    assert rounded(_Writer(Signature((), ())), 1e300) == {f"u.{FCN}": [1e300]}  # overflows to infinity: no JSON literal
