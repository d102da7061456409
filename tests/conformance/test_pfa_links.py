"""PFA ``m.link.*`` on the fast path (the shared kernels of ``interchange.ir.links``) against titus2.

Compared with a relative precision of 1e-12 and no absolute slack, so that the PFA choices
passed to the shared kernels show: titus2's erf-based probit reaches 0 in the left tail where
an erfc-based one does not, and PFA's loglog is exp(-exp(y)), not PMML's exp(-exp(-y)).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import interchange
from interchange.errors import RecordError

LINKS = ["logit", "probit", "cloglog", "loglog", "cauchit", "softplus", "relu", "tanh"]
VALUES = np.array([-40.0, -30.0, -9.5, -1.25, -0.0, 0.0, 0.3, 2.5, 9.5, 30.0, 40.0])


def _document(link: str) -> bytes:
    return json.dumps({"input": "double", "output": "double", "action": [{f"m.link.{link}": "input"}]}).encode()


@pytest.mark.parametrize("link", LINKS)
def test_links_agree_with_titus2(link: str) -> None:
    data = _document(link)
    fast, ref = interchange.load(data, engine="fast"), interchange.load(data, engine="reference")
    assert fast.info.engine == "interchange-fast", fast.info.reason
    got, want = fast.predict({"input": VALUES}), ref.predict({"input": VALUES})
    (name,) = want
    np.testing.assert_allclose(got[name], want[name], rtol=1e-12, atol=0.0, err_msg=link)


@pytest.mark.parametrize("link,value", [("logit", -800.0), ("cloglog", 800.0), ("loglog", 800.0), ("softplus", 800.0)])
def test_exp_overflow_fails_the_record_as_in_titus2(link: str, value: float) -> None:
    data = _document(link)
    fast, ref = interchange.load(data, engine="fast"), interchange.load(data, engine="reference")
    batch = {"input": np.array([0.5, value])}
    with pytest.raises(RecordError):
        ref.predict(batch)
    with pytest.raises(RecordError) as caught:
        fast.predict(batch)
    assert caught.value.context["row"] == 1


def test_softmax_agrees_with_titus2_on_large_scores() -> None:
    """titus2 shifts by the score of largest magnitude: all-negative rows far from zero stay finite."""
    doc = {
        "input": {"type": "record", "name": "In", "fields": [{"name": "a", "type": "double"}, {"name": "b", "type": "double"}]},
        "output": "double",
        "action": [
            {"let": {"s": {"new": ["input.a", "input.b"], "type": {"type": "array", "items": "double"}}}},
            {"attr": {"m.link.softmax": "s"}, "path": [0]},
        ],
    }
    data = json.dumps(doc).encode()
    fast, ref = interchange.load(data, engine="fast"), interchange.load(data, engine="reference")
    batch = {"a": np.array([-1000.0, 1.0, -700.0, 300.0]), "b": np.array([-1001.0, 2.0, 5.0, 299.5])}
    got, want = fast.predict(batch), ref.predict(batch)
    (name,) = want
    np.testing.assert_allclose(got[name], want[name], rtol=1e-12, atol=0.0)
