"""Model.score: the model says which rows it refused; one bad record never sinks its batch."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from interchange.batch import _CASTS, Columns, _typed_labels, to_columns, typed_outputs
from interchange.document import Document
from interchange.errors import RecordError
from interchange.model import Model, ModelInfo, shift_row
from interchange.signature import InputField, OutputField, Signature


class Doubler(Model):
    """Doubles x; refuses (like a PFA user error) any batch holding a negative x."""

    def __init__(self) -> None:
        self.signature = Signature((InputField("x"),), (OutputField("y", "value"),))
        self.info = ModelInfo("test", "plain")
        self.document = Document("test", b"", "text/plain")
        self.calls = 0

    def _predict_columns(self, columns: Columns) -> Columns:
        self.calls += 1
        x = columns["x"]
        if (x < 0).any():
            raise RecordError(f"row {int(np.argmax(x < 0))}: negative x", field="x")
        return {"y": 2 * x}


@pytest.mark.parametrize("bad", [[], [0], [5], [31], [3, 4, 17]])
def test_bad_rows_are_isolated_and_the_rest_scored(bad: list[int]) -> None:
    rows = [{"x": float(-1 if i in bad else i)} for i in range(32)]
    model = Doubler()
    scored = model.score(rows)
    assert sorted(scored.refused) == bad
    assert all(isinstance(e, RecordError) and e.field == "x" for e in scored.refused.values())
    y = scored.outputs["y"]
    assert len(y) == 32
    for i in range(32):
        assert np.isnan(y[i]) if i in bad else y[i] == 2 * i, i
    assert model.calls <= 1 + 2 * len(bad) * 6  # halving: O(bad x log n) evaluations, not one per row


@pytest.mark.parametrize("bad", [[], [0], [31], [3, 4, 17]])
def test_columns_are_halved_like_records(bad: list[int]) -> None:
    """A dict of columns (the scorer's columnar batches) isolates bad rows without becoming records."""
    x = np.array([-1.0 if i in bad else float(i) for i in range(32)])
    from_columns, from_records = Doubler().score({"x": x}), Doubler().score([{"x": v} for v in x.tolist()])
    assert sorted(from_columns.refused) == sorted(from_records.refused) == bad
    np.testing.assert_array_equal(from_columns.outputs["y"], from_records.outputs["y"])


def test_dead_letter_past_the_size_limit_keeps_a_prefix_size_and_hash() -> None:
    import hashlib

    from interchange.kafka.registry import AvroCodec
    from interchange.kafka.scorer.delivery.deadletter import PREFIX_BYTES, dead_letter
    from interchange.resources import avro_schema

    class Msg:
        def __init__(self, value: bytes) -> None:
            self._value = value

        def value(self) -> bytes:
            return self._value

        def key(self) -> bytes:
            return b"k"

        def topic(self) -> str:
            return "t"

        def partition(self) -> int:
            return 3

        def offset(self) -> int:
            return 42

        def timestamp(self) -> tuple[int, int]:
            return (1, 1700000000000)

    schema = avro_schema("dead_letter")
    codec = AvroCodec(schema, 1, lambda i: schema)
    small, big = b"x" * 100, bytes(range(256)) * 4000
    for value in (small, big):
        data = dead_letter(codec, Msg(value), RecordError("bad", field="f"), {"name": "m", "version": 2}, 10_000)  # type: ignore[arg-type]
        assert len(data) <= 10_000
        record = codec.decode(data)
        assert record["value_size"] == len(value) and record["value_sha256"] == hashlib.sha256(value).hexdigest()
        assert record["truncated"] == (value is big)
        assert record["value"] == (value if value is small else value[:PREFIX_BYTES])
        assert (record["offset"], record["partition"], record["field"], record["model_version"]) == (42, 3, "f", 2)


@pytest.mark.parametrize("fmt", ["onnx", "pmml", "pfa"])
@pytest.mark.parametrize("impute", [False, True])
def test_a_missing_input_is_refused_unless_the_model_imputes_it(fmt: str, impute: bool) -> None:
    """Every format says the same: without an imputer a missing input gets no prediction (ONNX would
    otherwise answer an argmax of NaN probabilities); with one the row is scored."""
    from sklearn.datasets import load_iris
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    import interchange

    X, y = load_iris(return_X_y=True, as_frame=True)
    X.columns = ["a", "b", "c", "d"]
    est = make_pipeline(SimpleImputer(), LogisticRegression(max_iter=500)) if impute else LogisticRegression(max_iter=500)
    model = interchange.convert(est.fit(X, y), fmt, sample=X).model
    rows = X.iloc[:4].to_dict("records")
    rows[1]["b"] = None
    scored = model.score(rows)
    if impute:
        assert scored.refused == {}
        assert scored.outputs["label"].tolist() == est.predict(pd.DataFrame(rows)).tolist()
    else:
        assert list(scored.refused) == [1]
        assert "b" in scored.refused[1].message or fmt == "pfa"  # titus2 names the PFA expression, not the field


@pytest.mark.parametrize(
    "values",
    [[0, 1, 1, 0], ["1", "2", "2"], [True, 3], [1.0, 2.0], [0, None, 1], [0, float("nan")], ["1.5", 2], ["a", 1], [2**70, 1], []],
)
def test_integer_labels_from_an_object_column_are_those_of_the_value_by_value_cast(values: list) -> None:
    col = np.array(values, dtype=object)
    label = [OutputField("label", "label", "integer")]
    try:
        want = _typed_labels(col, _CASTS["integer"])
    except (ValueError, OverflowError) as exc:  # "a", and 2**70 as int64: the fast path must refuse them too
        with pytest.raises(type(exc)):
            typed_outputs({"label": col}, label)
        return
    got = typed_outputs({"label": col}, label)["label"]
    assert got.dtype == want.dtype and got.tolist() == want.tolist()


def test_typed_float_columns_are_passed_through_without_a_copy() -> None:
    signature = Signature((InputField("x", "double"), InputField("n", "integer")), ())
    x, n = np.arange(3.0), np.arange(3.0)
    typed = to_columns({"x": x, "n": n}, signature)
    assert typed["x"] is x and typed["n"] is n
    ints = to_columns({"x": x, "n": np.arange(3)}, signature)["n"]
    assert ints.dtype == np.float64 and ints.tolist() == [0.0, 1.0, 2.0]


def test_shift_row_renumbers_a_part_refusal_for_the_whole_batch() -> None:
    """Model.score halves a failing batch; a refusal raised for a part names the batch row."""
    part = RecordError("row 0: field 'x' is missing", field="x", row=0)
    shifted = shift_row(part, 5)
    assert (shifted.message, shifted.context) == ("row 5: field 'x' is missing", {"field": "x", "row": 5})
    assert shifted.__cause__ is part
    assert shift_row(part, 0) is part
    unnumbered = RecordError("no prediction", field=None)
    assert shift_row(unnumbered, 5) is unnumbered
