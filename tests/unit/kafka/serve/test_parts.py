"""Serve's pieces without Kafka: record validation, SVG charts, the status page HTML."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

import pytest

from interchange.errors import RecordError
from interchange.kafka.serve.feed import Snapshot
from interchange.kafka.serve.page import render_status
from interchange.kafka.serve.svg import line_chart
from interchange.kafka.serve.validate import check_records, record_schema
from interchange.signature import InputField, OutputField, Signature

SIG = Signature(
    (InputField("x", "double"), InputField("n", "integer", nullable=False), InputField("c", "string", "categorical", ("a", "b"))),
    (OutputField("prediction", "value"),),
)


def test_schema_from_signature() -> None:
    schema = record_schema(SIG)
    assert schema["required"] == ["n"] and schema["additionalProperties"] is False
    assert schema["properties"]["x"]["type"] == ["number", "null"] and schema["properties"]["n"]["type"] == "integer"


def test_good_records_pass() -> None:
    check_records(SIG.to_json(), [{"x": 1.5, "n": 2, "c": "a"}, {"n": 3}, {"x": None, "n": 4.0, "c": "z"}])


@pytest.mark.parametrize(
    ("record", "field", "words"),
    [
        ({"x": "high", "n": 1}, "x", "not of type"),
        ({"x": 1.0}, "n", "required"),
        ({"n": 1, "y": 2}, "y", "Additional properties"),
        ({"n": None}, "n", "not of type"),
        ({"n": 1.5}, "n", "not of type"),
    ],
)
def test_bad_record_names_field_and_index(record: dict, field: str, words: str) -> None:
    with pytest.raises(RecordError, match=words) as err:
        check_records(SIG.to_json(), [{"n": 1}, record])
    assert err.value.field == field and err.value.record == 1


def test_chart_is_valid_svg_with_one_line_per_series() -> None:
    now = time.time()
    svg = line_chart(
        {"a": [(now - 60 * i, float(i)) for i in range(10)], "b<&>": [(now - 30, 2.0)], "old": [(now - 7200, 1.0)]},
        title="T & U",
        start=now - 3600,
        end=now,
        thresholds={"rule": 5.0},
    )
    root = ET.fromstring(svg)  # well-formed: names and titles escaped
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("data-series") == "2"  # "old" lies outside the window
    assert len(root.findall(f"{ns}polyline")) == 1 and len(root.findall(f"{ns}circle")) == 1
    assert len([e for e in root.iter(f"{ns}line") if e.get("class") == "threshold"]) == 1


def test_empty_chart_says_so() -> None:
    assert "no data in this window" in line_chart({}, title="T", start=0, end=3600)


class _NoModels:
    model_topic = "interchange-models"

    def names(self) -> list[str]:
        return []


def test_page_without_models_lists_metrics_and_alerts() -> None:
    now = time.time()
    metric = {"model": "m", "name": "accuracy", "value": 0.9, "window_s": None, "labels": {}, "at": now - 10}
    alert = {
        "rule": "acc<0.95",
        "model": "m",
        "version": None,
        "metric": "accuracy",
        "value": 0.9,
        "threshold": 0.95,
        "state": "FIRING",
        "message": "<b>low</b>",
        "at": now,
    }
    html = render_status(_NoModels(), Snapshot([metric], [alert], [alert], 0, now, 3600))
    assert "id='no-models'" in html and "class='alert'" in html
    assert "&lt;b&gt;low&lt;/b&gt;" in html and "<b>low</b>" not in html
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
