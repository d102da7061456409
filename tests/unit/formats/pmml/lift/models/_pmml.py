"""Small PMML documents for the lift unit tests: lift one, compare it with the reference engine, or read why not."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

import interchange


def document(fields: str, model: str) -> bytes:
    """A PMML 4.4 document of DataFields ``fields`` and one model element."""
    return f"""<?xml version="1.0"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/>
<DataDictionary>{fields}</DataDictionary>{model}</PMML>""".encode()


def continuous(*names: str) -> str:
    return "".join(f'<DataField name="{n}" optype="continuous" dataType="double"/>' for n in names)


def categorical(name: str, *values: str) -> str:
    inner = "".join(f'<Value value="{v}"/>' for v in values)
    return f'<DataField name="{name}" optype="categorical" dataType="string">{inner}</DataField>'


def schema(*inputs: str, target: str = "y") -> str:
    fields = "".join(f'<MiningField name="{n}"/>' for n in inputs)
    return f'<MiningSchema>{fields}<MiningField name="{target}" usageType="target"/></MiningSchema>'


def lift(data: bytes) -> interchange.Lifted:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return interchange.lift(data)


def lifted_outputs(data: bytes, rows: dict[str, Any]) -> dict[str, np.ndarray]:
    """The lifted IR's outputs, after checking them against the reference engine (pypmml) field by field."""
    lifted = lift(data)
    assert lifted.ok, lifted.report()
    got = lifted.predict(rows)
    assert_same(got, interchange.load(data, engine="reference").predict(rows))
    return got


def assert_same(got: dict[str, Any], want: dict[str, Any]) -> None:
    """Every output field equal: numbers to rtol 1e-9 / atol 1e-12, labels as text."""
    assert sorted(got) == sorted(want)
    for name, expected in want.items():
        e = np.asarray(expected)
        if e.dtype.kind in "fc":
            np.testing.assert_allclose(np.asarray(got[name], dtype=float), e, rtol=1e-9, atol=1e-12, err_msg=name)
        else:
            assert [str(v) for v in np.asarray(got[name]).tolist()] == [str(v) for v in e.tolist()], name


def reason(data: bytes) -> str:
    """The one reason the document did not lift (it must not have)."""
    lifted = lift(data)
    assert not lifted.ok and lifted.reasons, lifted.report()
    return str(lifted.reasons[0])


def jpmml(data: bytes, rows: dict[str, Any], field: str) -> list[Any]:
    """JPMML-Evaluator's ``field`` for ``rows`` (where pypmml departs from PMML 4.4, the second reference)."""
    import tempfile

    import pandas as pd
    from jpmml_evaluator import make_evaluator  # type: ignore[import-untyped]

    with tempfile.NamedTemporaryFile(suffix=".pmml") as tmp:
        tmp.write(data)
        tmp.flush()
        evaluator = make_evaluator(tmp.name, backend="jpype")
    return list(evaluator.evaluateAll(pd.DataFrame(rows))[field].tolist())


def fast_outputs(data: bytes, rows: dict[str, Any]) -> dict[str, np.ndarray]:
    """The fast engine's outputs (it must take the document), after checking them against pypmml field by field."""
    model = interchange.load(data)
    assert model.info.engine == "interchange-fast", model.info.reason
    got = model.predict(rows)
    assert_same(got, interchange.load(data, engine="reference").predict(rows))
    return got


def not_fast(data: bytes) -> str:
    """Why the fast engine left the document to the reference engine (it must have)."""
    model = interchange.load(data)
    assert model.info.engine != "interchange-fast"
    return str(model.info.reason)
