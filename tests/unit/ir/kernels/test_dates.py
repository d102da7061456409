"""ir.kernels.dates: PMML 4.4 dates read into numbers, the built-ins, written back as text.

Expected values are Python's own calendar arithmetic (datetime), computed here, not typed in.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from interchange.ir.kernels.dates import DATE_CASTS, DATE_FUNCTIONS, date_text, epoch_offset, pattern_parts

EPOCH = dt.datetime(1970, 1, 1)


def _secs(text: str) -> float:
    return (dt.datetime.fromisoformat(text) - EPOCH).total_seconds()


def test_casts_read_iso_text_and_the_objects_avro_decodes_to() -> None:
    col = np.array(["2004-02-29", " 1900-03-01 ", dt.date(1959, 12, 31), None, "2004-02-30", "2004-02-29T10:00:00"], dtype=object)
    got = DATE_CASTS["date"](col)
    want = [_secs("2004-02-29"), _secs("1900-03-01"), _secs("1959-12-31")]
    np.testing.assert_array_equal(got[:3], want)
    assert np.isnan(got[3:]).all()  # missing, not a calendar date, not a date
    stamps = np.array(["1969-12-31T23:59:59.5", dt.datetime(2004, 2, 29, 13, 45, 7, tzinfo=dt.UTC), "2004-02-29"], dtype=object)
    got = DATE_CASTS["dateTime"](stamps)
    np.testing.assert_array_equal(got[:2], [-0.5, _secs("2004-02-29T13:45:07")])
    assert np.isnan(got[2])
    np.testing.assert_array_equal(DATE_CASTS["time"](np.array(["13:45", dt.time(0, 0, 1)], dtype=object)), [49500.0, 1.0])
    np.testing.assert_array_equal(
        DATE_CASTS["dateDaysSince[1960]"](np.array(["1959-12-31", "2004-02-29"], dtype=object)), [-1, 16130]
    )
    got = DATE_CASTS["dateTimeSecondsSince[1970]"](np.array(["1969-12-31T23:59:59.5"], dtype=object))
    assert got[0] == 0.0 and not np.signbit(got[0])  # towards zero, as JPMML-Evaluator
    assert np.isnan(DATE_CASTS["timeSeconds"](np.array(["18:00:00.5", "06:30"], dtype=object))).all()
    np.testing.assert_array_equal(DATE_CASTS["date"](np.array(["2004-02-29"], dtype="datetime64[D]")), [_secs("2004-02-29")])


def test_built_ins_count_from_the_year() -> None:
    x = np.array([_secs("1969-12-31T23:59:59"), _secs("2004-02-29T13:45:07"), np.nan])
    years = np.array([1970.0, 1960.0, 1970.0])
    days = DATE_FUNCTIONS["dateDaysSinceYear"](x, years)
    np.testing.assert_array_equal(days[:2], [-1, (dt.date(2004, 2, 29) - dt.date(1960, 1, 1)).days])
    secs = DATE_FUNCTIONS["dateSecondsSinceYear"](x, years)
    np.testing.assert_array_equal(secs[:2], [-1, (dt.datetime(2004, 2, 29, 13, 45, 7) - dt.datetime(1960, 1, 1)).total_seconds()])
    np.testing.assert_array_equal(DATE_FUNCTIONS["dateSecondsSinceMidnight"](x)[:2], [86399, 13 * 3600 + 45 * 60 + 7])
    assert np.isnan(days[2]) and np.isnan(secs[2])
    assert epoch_offset(1960) == -(dt.datetime(1970, 1, 1) - dt.datetime(1960, 1, 1)).total_seconds()


def test_format_datetime_writes_as_strftime() -> None:
    stamps = ["2004-02-29T13:45:07", "1969-12-31T00:05:09", "1600-02-29T23:00:00"]
    pattern = "%Y-%m-%d %H:%M:%S|%y|%C|%j|%a|%A|%b|%B|%h|%I|%D|%F|%R|%T|%r"
    got = DATE_FUNCTIONS["formatDatetime"](np.array([_secs(s) for s in stamps] + [np.nan]), np.array([pattern] * 4, dtype=object))
    assert list(got[:3]) == [dt.datetime.fromisoformat(s).strftime(pattern) for s in stamps]
    assert got[3] is None
    for refused in ("%p", "%e", "%w", "%%", "%Q"):
        with pytest.raises(ValueError, match="conversion"):
            pattern_parts(refused)


@pytest.mark.parametrize("kind,text", [("date", "2004-02-29"), ("dateTime", "1969-12-31T23:59:59"), ("time", "13:45:07")])
def test_date_text_writes_back_what_the_cast_reads(kind: str, text: str) -> None:
    assert date_text(float(DATE_CASTS[kind](np.array([text], dtype=object))[0]), kind) == text
    assert date_text(16130.0, "dateDaysSince[1960]") == "16130"
