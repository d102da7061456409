"""The PFA lifter's expression layer: each construct lifts into IR steps that evaluate like titus2,
and each construct it cannot hold gives its reason with the element's JSON pointer."""

from __future__ import annotations

import numpy as np
import pytest

from interchange.ir.derive.expressions import Derive
from interchange.ir.derive.transforms import Impute
from tests.unit.formats.pfa.lift.helpers import agrees, doc, lift, reason

X = np.array([-2.5, -1.0, -0.25, 0.0, 0.3, 1.0, 2.75, 10.0])
Y = np.array([0.5, 2.0, -3.0, 1.5, 0.0, -0.75, 4.0, 0.125])


def test_arithmetic_and_let_bindings_become_derive_steps() -> None:
    data = doc(
        {"x": "double", "y": "double"},
        [
            {"let": {"s": {"+": [{"*": ["input.x", 2.0]}, {"/": [{"-": ["input.y", 1.0]}, 3.0]}]}}},
            {"let": {"t": {"**": [{"m.abs": "s"}, 0.5]}}},
            {"+": [{"m.exp": {"u-": {"m.abs": "t"}}}, {"max": ["s", {"min": ["t", 2.0]}]}]},
        ],
    )
    lifted = agrees(data, {"x": X, "y": Y})
    assert [type(s) for s in lifted.graph.steps] == [Derive, Derive, Derive]  # s, t, the output
    assert [path for path, _ in lifted.lifted][:2] == ["/action/0/let/s", "/action/1/let/t"]


def test_functions_of_the_math_library() -> None:
    calls = [{f: {"+": [{"m.abs": "input.x"}, 1.0]}} for f in ("m.sqrt", "m.ln", "m.log10", "m.floor", "m.ceil", "m.tanh")]
    total = calls[0]
    for c in calls[1:]:
        total = {"+": [total, c]}
    data = doc({"x": "double"}, [{"+": [total, {"+": [{"m.link.logit": "input.x"}, {"m.round": "input.x"}]}]}])
    agrees(data, {"x": X})


def test_comparisons_logic_if_and_cond() -> None:
    data = doc(
        {"x": "double", "y": "double"},
        [
            {"let": {"inside": {"&&": [{">": ["input.x", -1.0]}, {"!": {">=": ["input.x", 2.0]}}]}}},
            {
                "cond": [
                    {"if": {"||": ["inside", {"==": ["input.y", 0.0]}]}, "then": {"-": ["input.x", "input.y"]}},
                    {"if": {"<": ["input.y", 0.0]}, "then": 7.0},
                ],
                "else": {"if": {"!=": ["input.x", 10.0]}, "then": 1.0, "else": {"*": ["input.y", 3.0]}},
            },
        ],
    )
    agrees(data, {"x": X, "y": Y})


def test_set_in_if_branches_becomes_a_conditional_column() -> None:
    data = doc(
        {"x": "double"},
        [
            {"let": {"acc": 0.0}},
            {
                "if": {">": ["input.x", 0.0]},
                "then": [{"set": {"acc": {"m.ln": {"+": ["input.x", 1.0]}}}}],
                "else": [{"set": {"acc": {"*": ["input.x", -2.0]}}}],
            },
            {"+": ["acc", 1.0]},
        ],
    )
    agrees(data, {"x": X})


def test_user_functions_are_inlined() -> None:
    fcns = {
        "square": {"params": [{"v": "double"}], "ret": "double", "do": {"*": ["v", "v"]}},
        "poly": {
            "params": [{"a": "double"}, {"b": "double"}],
            "ret": "double",
            "do": [{"let": {"q": {"u.square": ["a"]}}}, {"+": ["q", "b"]}],
        },
    }
    data = doc({"x": "double", "y": "double"}, [{"u.poly": ["input.x", "input.y"]}], fcns=fcns)
    agrees(data, {"x": X, "y": Y})


def test_nullable_inputs_impute_ifnotnull_and_casts() -> None:
    data = doc(
        {"x": ["null", "double"], "n": "int", "s": ["null", "string"]},
        [
            {"let": {"filled": {"impute.defaultOnNull": ["input.x", 0.5]}}},
            {
                "let": {
                    "red": {
                        "ifnotnull": {"v": "input.s"},
                        "then": {"if": {"==": ["v", {"string": "red"}]}, "then": 1.0, "else": 0.0},
                        "else": -1.0,
                    }
                }
            },
            {"let": {"half": {"/": [{"cast.double": "input.n"}, 2]}}},
            {"+": [{"+": ["filled", "red"]}, "half"]},
        ],
    )
    x = [None, 1.5, -2.0, None, 3.0]
    s = ["red", None, "blue", "red", "green"]
    lifted = agrees(data, {"x": np.array(x, dtype=object), "n": np.array([1, 2, 3, 4, 5]), "s": np.array(s, dtype=object)})
    assert isinstance(lifted.graph.steps[0], Impute)  # impute.defaultOnNull of an input: the IR's Impute step


def test_a_non_record_input_and_an_output_computed_by_expressions() -> None:
    data = b'{"input": "double", "output": "double", "action": [{"*": [{"+": ["input", 1.0]}, 2.5]}]}'
    lifted = agrees(data, {"input": X})
    assert lifted.signature.outputs[0].kind == "value"


def test_yaml_documents_lift() -> None:
    data = b"input: double\noutput: double\naction:\n  - {'+': [input, 3.0]}\n"
    lifted = lift(data)
    assert lifted.ok, lifted.report()


@pytest.mark.parametrize(
    "action,extra,why",
    [
        ([{"m.erf": "input.x"}], {}, r"/action/0/m.erf: m.erf has no IR form"),
        (
            [{"let": {"i": 0.0}}, {"while": {"<": ["i", "input.x"]}, "do": [{"set": {"i": {"+": ["i", 1.0]}}}]}, "input.x"],
            {},
            "a loop whose condition depends on the record",
        ),
        (
            [{"cell": "count", "to": 1.0}, "input.x"],
            {"cells": {"count": {"type": "double", "init": 0.0}}},
            "cell updated while scoring",
        ),
        (
            [{"pool": "seen", "path": [{"string": "k"}], "to": "input.x", "init": 0.0}, "input.x"],
            {},
            "pool updated while scoring",
        ),
        ([{"if": {"<": [{"string": "a"}, {"string": "b"}]}, "then": 1.0, "else": 0.0}], {}, "text compared with <"),
        ([{"cond": [{"if": {">": ["input.x", 0.0]}, "then": 1.0}]}], {}, "cond without else"),
        ([{"u.nothing": ["input.x"]}], {}, "no user function 'u.nothing'"),
        (["nowhere"], {}, "/action/0: unknown symbol 'nowhere'"),
        ([{"s.int": 5}], {}, "/action/0/s.int: s.int has no IR form yet"),
        (
            [{"a.argmax": {"new": ["input.x", {"string": "a"}], "type": {"type": "array", "items": "double"}}}],
            {},
            "a.argmax of an array of text",
        ),
        (["input.x"], {"begin": [{"log": {"string": "hi"}}]}, "/begin: begin"),
        (["input.x"], {"method": "emit"}, "method 'emit'"),
    ],
)
def test_constructs_without_an_ir_form_say_why(action: list, extra: dict, why: str) -> None:
    cells = extra.pop("cells", None)
    pools = {"pools": {"seen": {"type": "double", "init": {}}}} if "pool" in why else {}
    data = doc({"x": "double"}, action, cells=cells, **extra, **pools)
    assert why in reason(data) or __import__("re").search(why, reason(data)), reason(data)


def test_an_input_the_ir_cannot_hold_says_why() -> None:
    data = doc({"v": {"type": "map", "values": "double"}}, [{"map.len": "input.v"}])
    assert "/input/v: an input of type" in reason(data)


def test_a_pool_read_with_constant_keys_is_a_parameter() -> None:
    pools = {"scale": {"type": "double", "init": {"a": 2.5, "b": -0.5}}}
    action = [
        {"+": [{"*": ["input.x", {"pool": "scale", "path": [{"string": "a"}]}]}, {"pool": "scale", "path": [{"string": "b"}]}]}
    ]
    agrees(doc({"x": "double"}, action, pools=pools), {"x": X})


def test_error_on_null_is_read_as_the_value_and_says_so() -> None:
    """PFA fails a record whose value is missing at impute.errorOnNull; the IR has no such record error and
    computes with the missing value (NaN here). The lift says so once; titus2 raises for that row."""
    import interchange

    data = doc({"x": ["null", "double"]}, [{"*": [{"impute.errorOnNull": "input.x"}, 2.0]}])
    lifted = lift(data)
    assert lifted.ok and "impute.errorOnNull read as the value" in lifted.report()
    out = lifted.predict({"x": np.array([np.nan, 1.5])})["output"]
    assert np.isnan(out[0]) and out[1] == 3.0
    with pytest.raises(interchange.RecordError, match="errorOnNull"):
        interchange.load(data, engine="reference").predict({"x": np.array([np.nan, 1.5])})


def test_modulo_remainder_xor_and_cast_int_lift_as_titus2_computes_them() -> None:
    """PFA %: the divisor's sign; %%: the dividend's; ^^: exclusive or; cast.int of a double: floor(x + 0.5)."""
    import json

    import numpy as np

    import interchange

    doc = {
        "input": {"type": "record", "name": "In", "fields": [{"name": "x", "type": "double"}, {"name": "y", "type": "double"}]},
        "output": {
            "type": "record",
            "name": "Out",
            "fields": [
                {"name": "m", "type": "double"},
                {"name": "r", "type": "double"},
                {"name": "e", "type": "boolean"},
                {"name": "i", "type": "int"},
            ],
        },
        "action": [
            {
                "new": {
                    "m": {"%": ["input.x", "input.y"]},
                    "r": {"%%": ["input.x", "input.y"]},
                    "e": {"^^": [{">": ["input.x", 0.0]}, {">": ["input.y", 0.0]}]},
                    "i": {"cast.int": "input.x"},
                },
                "type": "Out",
            }
        ],
    }
    lifted = interchange.lift(json.dumps(doc).encode())
    assert lifted.ok, lifted.report()
    x, y = np.array([5.5, -5.5, 5.5, -2.5, 2.5]), np.array([2.0, 2.0, -2.0, 1.5, -1.5])
    out = interchange.ir.evaluate(lifted.graph, {"x": x, "y": y})
    np.testing.assert_array_equal(out["m"], [1.5, 0.5, -0.5, 0.5, -0.5])
    np.testing.assert_array_equal(out["r"], [1.5, -1.5, 1.5, -1.0, 1.0])
    np.testing.assert_array_equal(np.asarray(out["e"], dtype=float), [0.0, 1.0, 1.0, 1.0, 1.0])
    np.testing.assert_array_equal(out["i"], [6.0, -5.0, 6.0, -2.0, 3.0])


def test_items_of_an_array_input_become_columns() -> None:
    """``input.v[i]`` of an array input: one ArrayItems step, widened to the largest index read."""
    from interchange.ir.derive.arrays import ArrayItems

    data = doc(
        {"v": {"type": "array", "items": "double"}},
        [{"+": [{"attr": "input.v", "path": [2]}, {"*": [{"attr": "input.v", "path": [0]}, 2.0]}]}],
    )
    lifted = agrees(data, {"v": [[1.0, 2.0, 3.0, 0.5], [-0.5, 4.0, 0.25, 9.0], [2.0, 0.0, -1.0, 7.0]]})
    steps = [s for s in lifted.graph.steps if isinstance(s, ArrayItems)]
    assert len(steps) == 1 and steps[0].outputs == ("v[0]", "v[1]", "v[2]") and steps[0].length is None


def test_string_functions_become_text_derive_steps() -> None:
    """s.* calls (nested ones a step each) and the ["text"] literal shorthand, against titus2."""
    from interchange.ir.derive.text import TextDerive

    key = {"s.concat": [{"s.upper": {"s.lower": "input.t"}}, {"s.substr": [["-abc"], 0, "input.n"]}]}
    data = doc({"t": "string", "n": "int"}, [{"s.len": key}], output="int")
    lifted = agrees(data, {"t": ["Green", "bLUe", "", "red"], "n": [2, -1, 9, 0]})
    assert sum(isinstance(s, TextDerive) for s in lifted.graph.steps) == 5


def test_an_array_input_times_a_matrix_is_a_linear_model() -> None:
    """la.dot(matrix, input array): the array's items as columns, as many as the matrix has columns."""
    from interchange.ir.models.linear import Regression

    cells = {"w": {"type": {"type": "array", "items": {"type": "array", "items": "double"}}, "init": [[0.5, -1.0, 2.0]]}}
    data = doc(
        {"v": {"type": "array", "items": "double"}}, [{"attr": {"la.dot": [{"cell": "w"}, "input.v"]}, "path": [0]}], cells=cells
    )
    lifted = agrees(data, {"v": [[1.0, 2.0, 3.0], [-0.5, 4.0, 0.25], [2.0, 0.0, -1.0]]})
    assert isinstance(lifted.graph.model, Regression)
