"""ir.reported.Reported: figures computed after the model from its prediction and the inputs."""

from __future__ import annotations

import numpy as np
import pytest

from interchange.errors import ModelError
from interchange.ir.derive.expressions import Call, Const, Ref
from interchange.ir.models.linear import Regression
from interchange.ir.reported import Reported


def _model() -> Regression:
    return Regression(("x",), np.array([[2.0]]), np.array([1.0]))  # value = 2x + 1


def test_expressions_read_the_prediction_the_inputs_and_earlier_figures() -> None:
    step = Reported(
        _model(),
        (("v", "value", None),),
        (("twice", Call("*", (Ref("v"), Const(2.0))), None), ("plus_x", Call("+", (Ref("twice"), Ref("x"))), None)),
    )
    pred = step.predict({"x": np.array([0.0, 1.5])})
    assert pred.extra["twice"].tolist() == [2.0, 8.0]
    assert pred.extra["plus_x"].tolist() == [2.0, 9.5]
    assert pred.value is not None and pred.value.tolist() == [1.0, 4.0]
    assert set(step.inputs) == {"x"}


def test_an_expression_can_be_the_label() -> None:
    label = Call("if", (Call("greaterThan", (Ref("v"), Const(2.0))), Const(1.0), Const(-1.0)))
    step = Reported(_model(), (("v", "value", None),), (("label", label, "integer"),), (("label", "label"),))
    assert step.predict({"x": np.array([0.0, 1.5])}).label.tolist() == [-1.0, 1.0]  # type: ignore[union-attr]


def test_a_part_the_model_does_not_give_is_a_model_error() -> None:
    step = Reported(_model(), (("p", "probability", "yes"),), (("q", Ref("p"), None),))
    with pytest.raises(ModelError, match="probability"):
        step.predict({"x": np.array([1.0])})
    with pytest.raises(ValueError):
        Reported(_model(), (("p", "votes", None),), ())
