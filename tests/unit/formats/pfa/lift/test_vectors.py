"""The array library over arrays built in the action, item by item, against titus2; and documents
whose outputs come from several models read as expressions (named columns)."""

from __future__ import annotations

import numpy as np

from interchange.ir.columns import Columns
from tests.unit.formats.pfa.lift.helpers import agrees, doc

ARRAY = {"type": "array", "items": "double"}
X = {"let": {"x": {"new": ["input.a", "input.b", "input.c"], "type": ARRAY}}}
FIELDS = {"a": "double", "b": "double", "c": "double"}
RNG = np.random.default_rng(7)
COLUMNS = {k: np.round(RNG.normal(0, 3, 40), 1) for k in FIELDS}  # (rounded: ties between items)
COLUMNS["a"][:4] = [-30.0, 5.0, -2.0, 0.0]  # a negative item of largest magnitude: titus2 shifts by the minimum


def _outputs(fields: dict[str, object]) -> tuple[dict, dict]:
    out = {"type": "record", "name": "Output", "fields": [{"name": n, "type": "double"} for n in fields]}
    return out, {"new": fields, "type": "Output"}


def test_reductions_indexes_and_links_of_an_array() -> None:
    fields = {
        "argmax": {"cast.double": {"a.argmax": "x"}},
        "argmin": {"cast.double": {"a.argmin": "x"}},
        "mean": {"a.mean": "x"},
        "spread": {"-": [{"a.max": "x"}, {"a.min": "x"}]},
        "len": {"cast.double": {"a.len": "x"}},
        "softmax": {"attr": {"m.link.softmax": "x"}, "path": [{"a.argmin": "x"}]},
        "softplus": {"attr": {"m.link.softplus": "x"}, "path": [-1]},
        "probit": {"attr": {"m.link.probit": "x"}, "path": [1]},
        "relu": {"a.sum": {"m.link.relu": "x"}},
        "cloglog": {"m.link.cloglog": "input.b"},
        "label": {
            "cast.double": {
                "attr": {"cell": "codes"},
                "path": [{"a.argmax": "x"}],
            }
        },
        "any": {
            "cast.double": {
                "if": {"a.any": ["x", {"params": [{"v": "double"}], "ret": "boolean", "do": {">": ["v", 2.0]}}]},
                "then": 1,
                "else": 0,
            }
        },
    }
    out, new = _outputs(fields)
    codes = {"codes": {"type": {"type": "array", "items": "int"}, "init": [10, 20, 30]}}
    lifted = agrees(doc(FIELDS, [X, new], out, codes), COLUMNS)
    assert isinstance(lifted.graph.model, Columns)


def test_outputs_of_two_models_become_columns() -> None:
    """The spec's regression document: one linear model's value, another's softmax and class label."""
    one = {
        "type": {
            "type": "record",
            "name": "One",
            "fields": [{"name": "coeff", "type": ARRAY}, {"name": "const", "type": "double"}],
        }
    }
    many = {
        "type": {
            "type": "record",
            "name": "Many",
            "fields": [{"name": "coeff", "type": {"type": "array", "items": ARRAY}}, {"name": "const", "type": ARRAY}],
        }
    }
    cells = {
        "one": {**one, "init": {"coeff": [0.5, -1.25, 2.0], "const": 0.75}},
        "many": {**many, "init": {"coeff": [[1.0, 0.5, -0.5], [-0.3, 0.2, 0.9]], "const": [0.1, -0.2]}},
    }
    fields = {
        "value": {"model.reg.linear": ["x", {"cell": "one"}]},
        "p1": {"attr": {"m.link.softmax": {"model.reg.linear": ["x", {"cell": "many"}]}}, "path": [1]},
    }
    out, new = _outputs(fields)
    lifted = agrees(doc(FIELDS, [X, new], out, cells), COLUMNS)
    assert isinstance(lifted.graph.model, Columns)


def test_a_typed_literal_array_is_a_constant() -> None:
    ints = {"type": "array", "items": "int"}
    action = [X, {"cast.double": {"attr": {"value": [10, 20, 30], "type": ints}, "path": [{"a.argmin": "x"}]}}]
    agrees(doc(FIELDS, action), COLUMNS)
