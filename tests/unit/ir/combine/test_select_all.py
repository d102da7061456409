"""ir.select_all: every fired segment's own parts as figures (PMML selectAll), by hand."""

from __future__ import annotations

import numpy as np
import pytest

from interchange.errors import ModelError
from interchange.ir.combine.select_all import AllSegments, SegmentPart
from interchange.ir.derive.predicates import Compare
from interchange.ir.models.linear import Link, Regression

FIRED = (Compare("x", "greaterThan", 0.0), Compare("x", "lessThan", 2.0))


def test_each_part_is_its_segments_result_where_it_fired() -> None:
    one = Regression(("x",), np.array([[2.0]]), np.array([1.0]))
    two = Regression(("x",), np.array([[0.0]]), np.array([-5.0]))
    step = AllSegments(FIRED, (one, two), (SegmentPart("s1", 0, "value"), SegmentPart("s2", 1, "value")))
    pred = step.predict({"x": np.array([1.0, 3.0, -1.0])})
    assert step.figures == ("s1", "s2")
    assert pred.extra["s1"].tolist()[:2] == [3.0, 7.0] and np.isnan(pred.extra["s1"][2])
    assert np.isnan(pred.extra["s2"][1]) and pred.extra["s2"][[0, 2]].tolist() == [-5.0, -5.0]
    assert pred.value is not None and np.isnan(pred.value).all()


def test_a_classification_part_is_a_label_or_a_categorys_probability() -> None:
    logit = Regression(("x",), np.array([[1.0]]), np.array([0.0]), Link.LOGISTIC, ("no", "yes"))
    wanted = (
        SegmentPart("label", 0, "label"),
        SegmentPart("yes", 0, "probability", "yes"),
        SegmentPart("maybe", 1, "probability", "maybe"),
    )
    step = AllSegments(FIRED, (logit, logit), wanted, ("no", "yes"))
    pred = step.predict({"x": np.array([1.0, -1.0])})
    assert list(pred.extra["label"]) == ["yes", None]
    assert pred.extra["yes"][0] == pytest.approx(1 / (1 + np.exp(-1.0)), rel=1e-15) and np.isnan(pred.extra["yes"][1])
    assert pred.extra["maybe"].tolist() == [0.0, 0.0]  # a category the segment does not know


def test_a_part_of_an_unknown_segment_is_refused() -> None:
    one = Regression(("x",), np.array([[2.0]]), np.array([1.0]))
    with pytest.raises(ModelError, match="known segments"):
        AllSegments(FIRED, (one, one), (SegmentPart("s3", 2, "value"),))
