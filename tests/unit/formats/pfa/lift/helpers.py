"""Small PFA documents for the lifter's unit tests, and a check of the IR against titus2 on given rows."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

import interchange
from interchange.formats.pfa.lift.document import lift_pfa
from interchange.ir.graph import evaluate
from interchange.ir.lifted import Lifted

RTOL, ATOL = 1e-9, 1e-12  # the IR and titus2 both compute in double


def doc(
    fields: dict[str, Any], action: list[Any], output: Any = "double", cells: dict[str, Any] | None = None, **more: Any
) -> bytes:
    """A document over an input record of ``fields`` (name -> Avro type)."""
    d: dict[str, Any] = {
        "input": {"type": "record", "name": "Input", "fields": [{"name": n, "type": t} for n, t in fields.items()]},
        "output": output,
        "action": action,
    }
    if cells:
        d["cells"] = cells
    d.update(more)
    return json.dumps(d).encode()


def lift(data: bytes) -> Lifted:
    return lift_pfa(data)


def agrees(data: bytes, columns: dict[str, Any]) -> Lifted:
    """Lift ``data``, check the IR's outputs equal titus2's on ``columns`` (labels exactly), return the lift."""
    lifted = lift_pfa(data)
    assert lifted.ok, lifted.report()
    assert lifted.graph is not None
    want = interchange.load(data, engine="reference").predict(columns)
    got = evaluate(lifted.graph, {k: np.asarray(v) for k, v in columns.items()})
    for f in lifted.signature.outputs:
        e, a = np.asarray(want[f.name]), np.asarray(got[f.name])
        if f.kind in ("label", "cluster") or f.type == "string":  # (a named text column)
            assert [str(x) for x in e] == [str(x) for x in a], f.name
        else:
            np.testing.assert_allclose(a.astype(float), e.astype(float), rtol=RTOL, atol=ATOL, err_msg=f.name)
    return lifted


def reason(data: bytes) -> str:
    """The lifter's reasons for a document that does not lift, as one text."""
    lifted = lift_pfa(data)
    assert not lifted.ok and lifted.graph is None
    return "; ".join(map(str, lifted.reasons))
