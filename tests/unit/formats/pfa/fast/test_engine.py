"""The fast engine's refusals (interchange.formats.pfa.fast.engine): each names its batch row, as titus2's do."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest

import interchange
from interchange.formats.pfa.fast import engine

from ._documents import document


def _rows_named(refused: Mapping[int, object]) -> dict[int, str]:
    return {i: str(why).split(":", 1)[0] for i, why in refused.items()}


@pytest.mark.parametrize(
    ("action", "x", "bad"),
    [
        ({"m.exp": "input.x"}, [1.0, 2.0, 710.0, 3.0, 711.0], [2, 4]),  # the document raises (exp overflow)
        ({"m.exp": "input.x"}, [1.0, np.nan, 2.0, np.nan], [1, 3]),  # a missing non-nullable field
    ],
    ids=["document-raises", "missing-field"],
)
def test_refused_rows_name_their_batch_row_as_titus2(action: object, x: list[float], bad: list[int]) -> None:
    data = document(action)
    fast = interchange.load(data)
    assert fast.info.engine == "interchange-fast", fast.info.reason
    got = fast.score({"x": np.array(x)}).refused
    want = interchange.load(data, engine="reference").score({"x": np.array(x)}).refused
    assert sorted(got) == sorted(want) == bad
    assert _rows_named(got) == _rows_named(want) == {i: f"row {i}" for i in bad}
    assert {i: why.context["row"] for i, why in got.items()} == {i: i for i in bad}


def test_a_later_chunk_names_its_batch_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "CHUNK_ROWS", 2)
    model = interchange.load(document({"m.exp": "input.x"}))
    with pytest.raises(interchange.errors.RecordError, match=r"^row 4: ") as caught:
        model.predict({"x": np.array([1.0, 2.0, 3.0, 4.0, 710.0])})
    assert caught.value.context["row"] == 4
