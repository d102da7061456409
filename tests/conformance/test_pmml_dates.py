"""PMML 4.4 dates and times (pmml_dates/): lifted into the IR's numeric date columns, against JPMML-Evaluator.

pypmml 1.5.8 reads ISO 8601 text of every date type as a missing value (formats/pmml/departures.py), so
JPMML-Evaluator is the reference here. The rows hold leap days (2000-02-29, 2004-02-29, 1600-02-29), a non-leap
century (1900-03-01), dates and times before the epochs (1959-12-31, 1969-12-31T23:59:59.5), fractions of a
second and a missing value. Where the engines part, the test says how and checks that it is only there:
JPMML-Evaluator gives a record no result where a date built-in meets a missing argument, where a text is not of
the field's type, and where dateSecondsSinceYear leaves the 32-bit range; the IR gives a missing value.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import interchange
from interchange.batch import missing_mask
from interchange.ir.derive.expressions import Derive
from tests.roundtrip.helpers import jpmml_outputs

HERE = Path(__file__).parent / "pmml_dates"
DATES: list[str | None] = ["2004-02-29", "2000-02-29", "1900-03-01", "1959-12-31", "1960-01-01", "1969-12-31"]
DATES += ["1970-01-01", "2000-02-28"]
DATES += ["2100-12-31", "1600-02-29", "1980-01-01", None]
STAMPS: list[str | None] = ["2004-02-29T13:45:07", "1969-12-31T23:59:59", "1969-12-31T23:59:59.5", "1970-01-01T00:00:00"]
STAMPS += ["1959-12-31T23:59:59", "2000-02-29T00:00:00", "1904-02-29T12:00:00", "2004-02-29T13:45:07.25"]
STAMPS += ["2028-01-19T03:14:07", "1912-02-29T06:07:08", "1960-01-01T00:00:00.75", None]
TIMES: list[str | None] = ["13:45:07", "00:00:00", "23:59:59", "12:00:00", "00:00:01", "11:59:59", "06:30", "18:00:00.5"]
TIMES += ["23:59:59.999", "01:02:03", "12:00:01", None]
WHOLE_TIMES: list[str | None] = [None, "12:00:01", "01:02:03", "23:59:59", "18:00:00", "06:30:00", "11:59:59"]
WHOLE_TIMES += ["00:00:01", "12:00:00", "23:59:59", "00:00:00", "13:45:07"]  # a timeSeconds is HH:MM:SS, no fraction
ROWS = {
    "opened": DATES,
    "d": DATES,
    "day": DATES,
    "born": DATES,
    "joined": DATES[::-1],
    "s": DATES[3:] + DATES[:3],
    "stamp": STAMPS,
    "seen": STAMPS,
    "clock": TIMES,
    "shift": WHOLE_TIMES,
}
DOCUMENTS = sorted(p.name for p in HERE.glob("*.pmml"))
# the fields date built-ins read, by document: JPMML-Evaluator refuses a missing one (MissingArgumentException)
BUILT_INS = {
    "dates_days_since_year.pmml": ("opened",),
    "dates_seconds.pmml": ("stamp",),
    "dates_time.pmml": ("clock",),
    "dates_format.pmml": ("day", "stamp"),
}


def _columns(lifted: interchange.Lifted) -> dict[str, np.ndarray]:
    return {f.name: np.array(ROWS[f.name], dtype=object) for f in lifted.signature.inputs}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_dates_lift_and_agree_with_jpmml(name: str) -> None:
    data = (HERE / name).read_bytes()
    lifted = interchange.lift(data)
    assert lifted.ok, lifted.report()
    columns = _columns(lifted)
    answered = _agree(name, columns, lifted.predict(columns), jpmml_outputs(data, columns, lifted.signature, verify=False))
    assert answered.sum() >= len(DATES) - 1


def _agree(name: str, columns: dict[str, np.ndarray], ours: dict[str, np.ndarray], theirs: dict[str, np.ndarray]) -> np.ndarray:
    """Ours and JPMML-Evaluator's outputs agree (rtol 1e-9) on every row JPMML answers, which is every row
    but those where a date built-in meets a missing value: the rows compared."""
    gone = np.zeros(len(DATES), dtype=bool)
    for field in BUILT_INS.get(name, ()):
        gone |= missing_mask(columns[field])
    for k in theirs:  # JPMML-Evaluator: no result where a date built-in meets a missing value
        assert missing_mask(np.asarray(theirs[k])[gone]).all(), k
    for k, expected in theirs.items():
        got, want = np.asarray(ours[k])[~gone], np.asarray(expected)[~gone]
        if want.dtype.kind == "f":
            np.testing.assert_allclose(got.astype(np.float64), want, rtol=1e-9, atol=1e-12, err_msg=k)
        else:
            assert got.tolist() == want.tolist(), k
    return ~gone


def test_where_jpmml_gives_no_result_the_ir_gives_a_missing_value() -> None:
    """Text not of the field's type (a dateTime for a date, 2004-02-30, a fraction of a timeSeconds) and
    dateSecondsSinceYear beyond 2^31 seconds: JPMML-Evaluator refuses the record, the IR reads a missing value."""
    cases = {
        "dates_days_since_year.pmml": {"opened": ["2004-02-30", "2004-02-29T10:00:00", "20040229", "2004-02-29"]},
        "dates_seconds.pmml": {"stamp": ["1900-03-01T12:00:00", "2038-01-19T03:14:08", "2004-02-29", "2004-02-29T00:00:00"]},
        "dates_time.pmml": {
            "clock": ["24:00:00", "12:00:00", "12:00:00", "12:00:00"],
            "shift": ["1", "18:00:00.5", "x", "00:00:01"],
        },
    }
    for name, columns in cases.items():
        data = (HERE / name).read_bytes()
        lifted = interchange.lift(data)
        cols = {k: np.array(v, dtype=object) for k, v in columns.items()}
        ours = lifted.predict(cols)["score"]
        theirs = jpmml_outputs(data, cols, lifted.signature, verify=False)["score"]
        assert np.isnan(theirs[:3]).all() and not np.isnan(theirs[3]), name
        np.testing.assert_allclose(ours[3], theirs[3], rtol=1e-9)
        if name != "dates_seconds.pmml":
            assert np.isnan(ours[:3]).all(), name
        else:  # the IR counts the seconds beyond 32 bits; a date for a dateTime is missing
            assert not np.isnan(ours[:2]).any() and np.isnan(ours[2])


REFUSED = {
    "%p": ("dateTime", "%p"),  # Java writes pm, strftime PM
    "%e": ("date", "%e"),  # Java does not pad, strftime pads with a space
    "%w": ("date", "%w"),  # JPMML-Evaluator refuses it
    "%%": ("date", "%%"),  # JPMML-Evaluator garbles it
    "%H over a date": ("date", "%H"),
    "%Y over a time": ("time", "%Y"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_format_conversions_the_engines_read_differently_are_refused_by_name(case: str) -> None:
    kind, pattern = REFUSED[case]
    data = (HERE / "dates_format.pmml").read_bytes().replace(b"%a</Constant>", f"{pattern}</Constant>".encode())
    data = data.replace(
        b'name="day" optype="continuous" dataType="date"', f'name="day" optype="continuous" dataType="{kind}"'.encode()
    )
    lifted = interchange.lift(data)
    assert not lifted.ok
    assert any("formatDatetime" in r.why for r in lifted.reasons), lifted.report()


def test_built_ins_over_types_jpmml_refuses_are_refused_by_name() -> None:
    data = (HERE / "dates_seconds.pmml").read_bytes().replace(b'dataType="dateTime"', b'dataType="date"')
    lifted = interchange.lift(data)
    assert not lifted.ok
    assert any("dateSecondsSinceYear over a date field" in r.why for r in lifted.reasons), lifted.report()


def test_avro_logical_type_values_read_as_iso_text() -> None:
    """fastavro gives date / timestamp-millis / time-millis as datetime objects: the same numbers as the text."""
    import datetime as dt

    lifted = interchange.lift((HERE / "dates_seconds.pmml").read_bytes())
    text = lifted.predict({"stamp": np.array(["2004-02-29T13:45:07", "1969-12-31T23:59:59"], dtype=object)})
    objects = [dt.datetime(2004, 2, 29, 13, 45, 7, tzinfo=dt.UTC), dt.datetime(1969, 12, 31, 23, 59, 59)]
    stamps = np.array(["2004-02-29T13:45:07", "1969-12-31T23:59:59"], dtype="datetime64[ms]")
    for given in (np.array(objects, dtype=object), stamps):
        got = lifted.predict({"stamp": given})
        for k in text:
            np.testing.assert_array_equal(got[k], text[k])
    days = interchange.lift((HERE / "dates_days_since_year.pmml").read_bytes())
    a = days.predict({"opened": np.array([dt.date(2004, 2, 29), dt.date(1959, 12, 31)], dtype=object)})
    b = days.predict({"opened": np.array(["2004-02-29", "1959-12-31"], dtype=object)})
    np.testing.assert_array_equal(a["score"], b["score"])
    clock = interchange.lift((HERE / "dates_time.pmml").read_bytes())
    c = clock.predict(
        {"clock": np.array([dt.time(13, 45, 7)], dtype=object), "shift": np.array([dt.time(1, 2, 3)], dtype=object)}
    )
    d = clock.predict({"clock": np.array(["13:45:07"], dtype=object), "shift": np.array(["01:02:03"], dtype=object)})
    np.testing.assert_array_equal(c["score"], d["score"])


@pytest.mark.parametrize("name", DOCUMENTS)
def test_dates_written_back_to_pmml_agree_with_jpmml(name: str) -> None:
    """The lifted graph written as PMML (date DataFields, ISO split values, integer years) reads the same in
    JPMML-Evaluator as the IR computes."""
    from interchange.formats.pmml.emit.document import write_graph

    lifted = interchange.lift((HERE / name).read_bytes())
    assert lifted.graph is not None
    written = write_graph(lifted.graph)
    again = interchange.lift(written)
    assert again.ok, again.report()
    columns = _columns(lifted)
    _agree(name, columns, lifted.predict(columns), jpmml_outputs(written, columns, again.signature, verify=False))


@pytest.mark.parametrize("name", DOCUMENTS)
def test_generated_python_computes_what_the_ir_does(name: str) -> None:
    """Generated Python carries the IR's date kernels (ir.kernels.dates, numpy only) by source."""
    from interchange.codegen.api import load_python, python_outputs

    lifted = interchange.lift((HERE / name).read_bytes())
    generated = interchange.codegen(lifted, lang="python")
    assert "import datetime" in generated.source or "datetime64" in generated.source
    columns = _columns(lifted)
    got = python_outputs(load_python(generated.source), lifted.signature, columns)
    want = lifted.predict(columns)
    for k, expected in want.items():
        if np.asarray(expected).dtype.kind == "f":
            np.testing.assert_allclose(np.asarray(got[k], dtype=np.float64), expected, rtol=1e-9, atol=1e-12, err_msg=k)
        else:
            assert list(got[k]) == list(expected), k


@pytest.mark.parametrize("fmt", ["onnx", "pfa"])
def test_onnx_and_pfa_refuse_date_inputs_by_name(fmt: str) -> None:
    """ai.onnx reads no dates; PFA's time functions take epoch seconds, not ISO text (refused by name)."""
    from interchange.crossformat import _writer

    lifted = interchange.lift((HERE / "dates_tree.pmml").read_bytes())
    assert lifted.graph is not None
    with pytest.raises(interchange.UnsupportedModelError, match="date"):
        _writer(fmt)(lifted.graph)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.skipif(shutil.which("mvn") is None or shutil.which("java") is None, reason="needs Maven (mvn) and a JDK (java)")
def test_generated_java_agrees_with_the_ir(tmp_path: Path) -> None:
    """Generated Java (java.time) replays the IR's answers on the date rows: one ``mvn test`` run."""
    from tests.unit.codegen.java.maven import from_graph, run_junit

    generated = []
    for name in DOCUMENTS:
        lifted = interchange.lift((HERE / name).read_bytes())
        assert lifted.graph is not None
        class_name = "".join(part.title() for part in name.removesuffix(".pmml").split("_"))
        generated.append(from_graph(lifted.graph, class_name, _columns(lifted)))
    assert len(run_junit(tmp_path, generated)) == len(generated)


def test_a_counted_date_from_year_0_is_refused_by_name() -> None:
    """dateDaysSince[0] (JPMML-Evaluator: NotImplementedException) is not read into the IR."""
    data = (HERE / "dates_since_types.pmml").read_bytes().replace(b"dateDaysSince[1980]", b"dateDaysSince[0]")
    lifted = interchange.lift(data)
    assert not lifted.ok
    assert any("dateDaysSince[0]" in r.why and "joined" in r.path for r in lifted.reasons), lifted.report()


@pytest.mark.parametrize("name", DOCUMENTS)
def test_written_model_verification_passes_jpmml_verify(name: str) -> None:
    """The written document's ModelVerification (the IR's answers on the rows without a missing value) passes
    JPMML-Evaluator's own verify()."""
    from interchange.formats.pmml.emit.document import export_graph

    lifted = interchange.lift((HERE / name).read_bytes())
    assert lifted.graph is not None
    columns = {k: v[:-1] for k, v in _columns(lifted).items()}  # (the last row holds the missing values)
    data, _ = export_graph(lifted.graph, columns, lifted.predict(columns))
    assert b"<ModelVerification" in data
    jpmml_outputs(data, columns, interchange.lift(data).signature, verify=True)


def test_a_date_read_as_a_number_is_refused_by_name() -> None:
    """JPMML-Evaluator refuses a date as a NumericPredictor (TypeCheckException); the IR's seconds since 1970
    would be a number of its own making there."""
    data = (HERE / "dates_days_since_year.pmml").read_bytes()
    data = data.replace(b'<NumericPredictor name="days2000"', b'<NumericPredictor name="opened"')
    lifted = interchange.lift(data)
    assert not lifted.ok
    assert any("date field read as a number" in r.why for r in lifted.reasons), lifted.report()


@pytest.mark.parametrize("name", DOCUMENTS)
def test_load_runs_on_the_fast_path_and_agrees_with_jpmml(name: str) -> None:
    """interchange.load reads a date document on the fast path (the lift's in-place casts, date split values in the
    field's unit, the date built-ins through ir.kernels.dates), not on pypmml, which reads every date as missing."""
    data = (HERE / name).read_bytes()
    model = interchange.load(data)
    assert model.info.engine == "interchange-fast", model.info
    lifted = interchange.lift(data)
    columns = _columns(lifted)
    answered = _agree(name, columns, model.predict(columns), jpmml_outputs(data, columns, model.signature, verify=False))
    assert answered.sum() >= len(DATES) - 1


def test_load_refuses_a_date_document_off_the_fast_path_rather_than_run_pypmml() -> None:
    """A date document the fast path does not cover (dateDaysSince[0]) is refused by name: pypmml, the fallback,
    reads every date as missing, so its answers would be wrong on every row."""
    data = (HERE / "dates_since_types.pmml").read_bytes().replace(b"dateDaysSince[1980]", b"dateDaysSince[0]")
    with pytest.raises(interchange.DocumentError, match=r"dateDaysSince\[0\].*DataField of a date / time type"):
        interchange.load(data)
    assert interchange.load(data, engine="reference").info.engine != "interchange-fast"  # (asked for by name)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_convert_without_a_second_engine_refuses_by_name(name: str) -> None:
    """pypmml reads every date as missing: verifying pypmml against pypmml would pass (0.0 = 0.0) and embed its
    answers as the written ModelVerification, so convert refuses, naming the departure and pmml_engine=."""
    from interchange.crossformat import convert_document

    with pytest.raises(interchange.VerificationError, match=r"DataField of a date / time type.*pass pmml_engine="):
        convert_document((HERE / name).read_bytes(), "pmml")


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", DOCUMENTS)
def test_convert_with_jpmml_verifies_against_it_from_the_start(name: str) -> None:
    """With pmml_engine= (JPMML-Evaluator) both PMML sides are verified by it: the expected answers are
    JPMML-Evaluator's on the source (not pypmml's missing dates), and the written document agrees with them."""
    from interchange.crossformat import convert_document
    from tests.roundtrip.test_golden_crossformat import jpmml_engine

    data = (HERE / name).read_bytes()
    lifted = interchange.lift(data)
    columns = {k: v[:-1] for k, v in _columns(lifted).items()}  # (the last row holds the missing values)
    converted = convert_document(data, "pmml", sample=columns, pmml_engine=jpmml_engine)
    assert converted.lineage["pmml_engine"].startswith("jpmml-evaluator (DataField of a date / time type"), converted.lineage
    assert converted.verification.result is not None and converted.verification.result.rows == len(DATES) - 1
    source = jpmml_outputs(data, columns, lifted.signature, verify=False)
    written = jpmml_outputs(converted.document.data, columns, lifted.signature, verify=False)
    for k, want in source.items():
        got = np.asarray(converted.verification.expected[k])
        if np.asarray(want).dtype.kind == "f":
            assert not np.isnan(np.asarray(want, dtype=np.float64)).all(), k  # (pypmml: missing on every row)
            np.testing.assert_allclose(got.astype(np.float64), want, rtol=1e-9, atol=1e-12, err_msg=k)
            np.testing.assert_allclose(written[k], want, rtol=1e-9, atol=1e-12, err_msg=k)
        else:
            assert got.tolist() == list(want) == list(written[k]), k


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", DOCUMENTS)
def test_convert_without_a_sample_draws_iso_dates_jpmml_reads(name: str) -> None:
    """Without sample= the replay rows are synthetic: a date / time input gets ISO 8601 text of its type (it got "a"
    / "b", which JPMML-Evaluator refuses on every row), so the written document is verified on rows it answers."""
    from interchange.crossformat import convert_document, synthetic_rows
    from interchange.ir.kernels.dates import to_date_column
    from tests.roundtrip.test_golden_crossformat import jpmml_engine

    data = (HERE / name).read_bytes()
    lifted = interchange.lift(data)
    assert lifted.graph is not None
    rows = synthetic_rows(lifted, 20)
    for step in lifted.graph.steps:  # every cast input reads as a date of its type (but the rows left missing on purpose)
        if isinstance(step, Derive) and step.outputs[0] in rows and step.type not in ("double", "string"):
            col = rows[step.outputs[0]]
            present = col[~missing_mask(col)]
            assert present.size and not np.isnan(to_date_column(present, str(step.type))).any(), (step.type, col)
    converted = convert_document(data, "pmml", pmml_engine=jpmml_engine, rows=20)
    result = converted.verification.result
    assert result is not None and result.rows == 20
    for k, got in converted.verification.expected.items():
        values = np.asarray(got)
        assert not missing_mask(values).all(), k  # JPMML-Evaluator answered


def test_a_utc_offset_refuses_the_record_as_jpmml_does() -> None:
    """PMML 4.4 dates and times have no zone: JPMML-Evaluator refuses a text with a UTC offset as an invalid value
    (ValueCheckException, measured); load refuses that record with the reason, not a silent missing value."""
    data = (HERE / "dates_seconds.pmml").read_bytes()
    stamps = ["2020-05-01T10:00:00+02:00", "2020-05-01T08:00:00", "2020-05-01T10:00:00-05:30", "2020-05-01T10:00:00Z"]
    columns = {"stamp": np.array(stamps, dtype=object)}
    scored = interchange.load(data).score(columns)
    assert sorted(scored.refused) == [0, 2, 3]
    assert "UTC offset" in str(scored.refused[0]) and "+02:00" in str(scored.refused[0])
    theirs = jpmml_outputs(data, columns, interchange.lift(data).signature, verify=False)
    for k, want in theirs.items():  # (JPMML-Evaluator's refused rows come back missing)
        assert np.isnan(want[[0, 2, 3]]).all() and np.isnan(scored.outputs[k][[0, 2, 3]]).all(), k
        np.testing.assert_allclose(scored.outputs[k][1], want[1], rtol=1e-9, atol=1e-12, err_msg=k)


def test_the_ir_refuses_a_utc_offset_too() -> None:
    """The lift's in-place cast (a Derive to dateTime) makes a record with a UTC offset bad (a RecordError naming
    the value), as the fast path and JPMML-Evaluator refuse it; +00:00 reads as UTC."""
    lifted = interchange.lift((HERE / "dates_seconds.pmml").read_bytes())
    with pytest.raises(interchange.RecordError, match=r"'2020-05-01T10:00:00\+02:00' of field 'stamp' carries a UTC offset"):
        lifted.predict({"stamp": np.array(["2020-05-01T08:00:00", "2020-05-01T10:00:00+02:00"], dtype=object)})
    utc = lifted.predict({"stamp": np.array(["2020-05-01T08:00:00+00:00", "2020-05-01T08:00:00"], dtype=object)})
    assert utc["s1970"][0] == utc["s1970"][1] == 1588320000.0
