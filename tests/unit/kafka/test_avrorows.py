"""File rows typed by a registered input schema, and events printed for a terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interchange.errors import RecordError
from interchange.kafka.avrorows import RowTyper, read_file_rows
from interchange.kafka.console import Event, event_json, event_table
from interchange.signature import InputField, Signature

SIG = Signature(
    (
        InputField("sepal length (cm)"),
        InputField("n", "integer"),
        InputField("colour", "string", "categorical", ("red", "blue"), nullable=False),
        InputField("ok?", "boolean", "categorical"),
        InputField("v", "array"),
    ),
    (),
)
SCHEMA = SIG.input_schema("m")


def test_csv_rows_are_typed_by_the_schema_under_either_name(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text('id,sepal length (cm),n,colour,ok?,v\n7,5.1,3,red,true,"[1, 2.5]"\n8,,4.0,blue,0,\n', encoding="utf-8")
    typer = RowTyper(SCHEMA, ignore=("id",))
    rows = [(line, typer.record(row, f"line {line}")) for line, row in read_file_rows(path)]
    assert rows == [
        (2, {"sepal_length_cm": 5.1, "n": 3, "colour": "red", "ok": True, "v": [1.0, 2.5]}),
        (3, {"sepal_length_cm": None, "n": 4, "colour": "blue", "ok": False, "v": None}),
    ]
    assert typer.record({"sepal_length_cm": "2", "colour": "red"}, "x")["sepal_length_cm"] == 2.0  # the Avro name works too


def test_jsonl_rows(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('{"sepal length (cm)": 5, "n": 2, "colour": "red", "ok?": false, "v": [3]}\n\n{"colour": "blue"}\n')
    typer = RowTyper(SCHEMA)
    got = [typer.record(row, "x") for _, row in read_file_rows(path)]
    assert got[0] == {"sepal_length_cm": 5.0, "n": 2, "colour": "red", "ok": False, "v": [3.0]}
    assert got[1] == {"sepal_length_cm": None, "n": None, "colour": "blue", "ok": None, "v": None}


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ({"colour": "red", "sepal length (cm)": "wide"}, "sepal length (cm)", "'wide' is not a number"),
        ({"colour": "red", "n": "2.5"}, "n", "not a whole number"),
        ({"colour": "red", "ok?": "maybe"}, "ok?", "not true or false"),
        ({"colour": ""}, "colour", "needs a value"),
        ({"colour": "red", "sepal lenght (cm)": "1"}, "sepal lenght (cm)", "is not a field"),
        ({"colour": "red", "v": "[1, x]"}, "v", "not a JSON list"),
        ({"colour": "red", "n": True}, "n", "not a number"),
    ],
)
def test_bad_rows_name_the_line_and_field(row: dict, field: str, words: str) -> None:
    with pytest.raises(RecordError) as err:
        RowTyper(SCHEMA).record(row, "rows.csv line 9")
    assert err.value.field == field
    assert err.value.message.startswith("rows.csv line 9: ") and words in err.value.message


def test_unreadable_files(tmp_path: Path) -> None:
    for name, text, words in (
        ("a.txt", "x", "use a .csv or .jsonl"),
        ("b.jsonl", "{}\n[1]\n", "line 2: expected a JSON object"),
        ("c.jsonl", "{oops\n", "line 1: not JSON"),
        ("d.csv", "a,b\n1,2,3\n", "line 2: more cells than header columns"),
    ):
        (tmp_path / name).write_text(text)
        with pytest.raises(RecordError, match=words):
            list(read_file_rows(tmp_path / name))


def test_events_print_as_json_and_table() -> None:
    event = Event("t", 0, 5, 1_700_000_000_123, b"k1", {"sepal length (cm)": 5.1, "raw": b"\x00\x01", "model": {"v": 1}})
    line = json.loads(event_json(event))
    assert line == {
        "topic": "t",
        "partition": 0,
        "offset": 5,
        "timestamp": "2023-11-14T22:13:20.123Z",
        "key": "k1",
        "value": {"sepal length (cm)": 5.1, "raw": "base64:AAE=", "model": {"v": 1}},
    }
    bad = Event("t", 1, 6, None, None, None, "not Avro")
    assert json.loads(event_json(bad))["error"] == "not Avro"
    table = event_table([event, bad]).splitlines()
    assert table[0].split() == ["partition", "offset", "timestamp", "key", "sepal", "length", "(cm)", "raw", "model.v", "error"]
    assert table[1].split() == ["0", "5", "2023-11-14T22:13:20.123Z", "k1", "5.1", "base64:AAE=", "1"]
    assert table[2].split() == ["1", "6", "not", "Avro"]
    one, two = event_table([event], fixed=True).splitlines(), event_table([event], fixed=True).splitlines()
    assert one[0] == two[0] and len(one[0]) == len(one[1].ljust(len(one[0])))
