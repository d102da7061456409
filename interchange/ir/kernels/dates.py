"""PMML 4.4 dates and times as numbers: the IR's date column, its casts and the date built-ins.

The IR has no date type, so a date enters as a float64 column in a fixed unit and every kernel
stays numeric (PMML 4.4 §DataDictionary, "Date and time"):

- ``date`` and ``dateTime``: seconds since 1970-01-01T00:00:00 (no time zone; a date is its midnight);
- ``time``: seconds since midnight;
- ``dateDaysSince[Y]``: days since Y-01-01; ``dateTimeSecondsSince[Y]``: seconds since Y-01-01T00:00:00;
  ``timeSeconds``: seconds since midnight (each its PMML value, which is a number).

A missing or unreadable date is NaN. What a cast reads: ISO 8601 text (``2004-02-29``,
``2004-02-29T13:45:07``, ``13:45:07``), ``datetime.date`` / ``datetime.datetime`` /
``datetime.time`` objects (what fastavro gives for Avro's ``date``, ``timestamp-millis`` and
``time-millis`` logical types: read as their ``str``, a space before the time and ``+00:00`` allowed,
another UTC offset not), numpy ``datetime64``, or a numeric column already in the field's unit.
Every row is read in vectorised passes (``astype(str)``, ``np.char`` shape checks, one ``datetime64``
parse); only a batch holding an impossible calendar date (2004-02-30) is parsed row by row.

The built-ins (PMML 4.4 §Built-in functions, "Functions for dates and times") follow
JPMML-Evaluator, measured: ``dateDaysSinceYear`` counts calendar days (the date part of a
dateTime), ``dateSecondsSinceYear`` whole seconds towards zero, ``dateSecondsSinceMidnight``
the whole seconds of the time of day; ``formatDatetime`` writes the conversions of
:data:`FORMATS` (those on which POSIX strftime and JPMML-Evaluator's reading agree).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "DATE_TYPES",
    "DATE_CASTS",
    "DATE_FUNCTIONS",
    "FORMATS",
    "date_text",
    "epoch_offset",
    "to_date_column",
    "pattern_parts",
]

_DAY = 86_400.0
_EPOCH = np.datetime64("1970-01-01T00:00:00", "us")
_SINCE = re.compile(r"^(dateDaysSince|dateTimeSecondsSince)\[(\d+)\]$")
# the PMML 4.4 years a "Since" type may name (JPMML-Evaluator implements these three, not [0])
SINCE_YEARS = (1960, 1970, 1980)
DATE_TYPES = (
    "date",
    "time",
    "dateTime",
    "timeSeconds",
    *(f"dateDaysSince[{y}]" for y in SINCE_YEARS),
    *(f"dateTimeSecondsSince[{y}]" for y in SINCE_YEARS),
)


def epoch_offset(year: int) -> float:
    """Seconds from 1970-01-01T00:00:00 to ``year``-01-01T00:00:00 (proleptic Gregorian)."""
    return float((np.datetime64(f"{year:04d}-01-01", "s") - np.datetime64("1970-01-01", "s")).astype(np.int64))


def _is_date_text(texts: np.ndarray) -> np.ndarray:
    """Rows of an str array shaped like an ISO date (no time part)."""
    return (np.char.find(texts, "T") < 0) & (np.char.find(texts, ":") < 0) & (np.char.str_len(texts) >= 10)


def _parse(col: np.ndarray, kind: str) -> np.ndarray:
    """Seconds since 1970 (date, dateTime) or since midnight (time) of each row; NaN where missing or unreadable."""
    if col.dtype.kind == "M":
        return _seconds(col.astype("datetime64[us]"))
    if col.dtype.kind in "fiub":  # numbers: already in the unit
        return col.astype(np.float64)
    # each value's text (None -> "None": unreadable; a date / datetime / time object -> its ISO text), in one cast
    return _parse_text(np.char.strip(col.astype(str)), kind)


def _parse_text(texts: np.ndarray, kind: str) -> np.ndarray:
    if kind in ("time", "timeSeconds"):  # (a timeSeconds text names its seconds: JPMML-Evaluator, measured)
        stamps = np.char.add("1970-01-01T", texts)
        shaped = (
            (np.char.str_len(texts) >= (5 if kind == "time" else 8))
            & (np.char.find(texts, "T") < 0)
            & (np.char.find(texts, "-") < 0)
        )
    else:  # (str of a Python datetime, as an Avro timestamp reaches a string input: a space, a UTC offset)
        texts = np.char.replace(np.char.replace(texts, " ", "T"), "+00:00", "")
        stamps = texts
        dated = _is_date_text(texts)
        shaped = dated if kind == "date" else ~dated & (np.char.find(texts, "T") == 10)
    out = np.full(len(texts), np.nan)
    good = shaped & (np.char.find(texts, "Z") < 0) & (np.char.find(texts, "+") < 0)
    if not good.any():
        return out
    try:
        out[good] = _seconds(np.array(stamps[good], dtype="datetime64[us]"))
    except ValueError:  # some row is not a calendar date (2004-02-30): read them one by one
        for i in np.flatnonzero(good):
            try:
                out[i] = _seconds(np.array([stamps[i]], dtype="datetime64[us]"))[0]
            except ValueError:
                pass
    return out


def _seconds(stamps: np.ndarray) -> np.ndarray:
    gone = np.isnat(stamps)
    secs = (stamps - _EPOCH).astype(np.int64) / 1e6
    return np.where(gone, np.nan, secs)


def to_date_column(col: np.ndarray, pmml_type: str) -> np.ndarray:
    """A column of a PMML date / time type in the IR's unit for that type (see the module docstring)."""
    col = np.asarray(col)
    if pmml_type in ("date", "dateTime", "time"):
        return _parse(col, pmml_type)
    if pmml_type == "timeSeconds":  # (a fraction of a second is not a timeSeconds: JPMML-Evaluator, measured)
        secs = _parse(col, "timeSeconds")
        return np.where(secs == np.floor(secs), secs, np.nan)
    m = _SINCE.match(pmml_type)
    if m is None:
        raise ValueError(f"not a PMML date type: {pmml_type!r}")
    days, base = m.group(1) == "dateDaysSince", epoch_offset(int(m.group(2)))
    if col.dtype.kind in "fiub":  # a count already
        return col.astype(np.float64)
    secs = _parse(col, "date" if days else "dateTime")  # (days floored, whole seconds towards zero)
    return np.floor((secs - base) / _DAY) if days else np.trunc(secs - base) + 0.0


def _cast(pmml_type: str) -> Callable[[np.ndarray], np.ndarray]:
    return lambda col: to_date_column(col, pmml_type)


def date_text(value: float, pmml_type: str) -> str:
    """A value in the IR's unit for ``pmml_type`` as PMML writes it: ISO 8601 text of a date / dateTime
    / time, the number of a "Since" type (whole: JPMML-Evaluator reads day and second counts as integers)."""
    if pmml_type not in ("date", "dateTime", "time"):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    stamp = str(
        np.datetime64(int(round(value * 1e6)), "us").astype("datetime64[s]" if float(value).is_integer() else "datetime64[us]")
    )
    return stamp[:10] if pmml_type == "date" else stamp[11:] if pmml_type == "time" else stamp


DATE_CASTS: dict[str, Callable[[np.ndarray], np.ndarray]] = {t: _cast(t) for t in DATE_TYPES}


def _first(col: np.ndarray) -> Any:
    return col.tolist()[0] if len(col) else None


def _offsets(year: np.ndarray) -> np.ndarray:
    """Seconds from 1970 to each row's year-01-01 (each distinct year computed once; a missing year: NaN)."""
    y = np.asarray(year, dtype=np.float64)
    years, where = np.unique(y, return_inverse=True)
    return np.array([epoch_offset(int(v)) if v == v else np.nan for v in years])[where] if len(y) else y


def _days_since_year(x: np.ndarray, year: np.ndarray) -> np.ndarray:
    """PMML 4.4 dateDaysSinceYear: calendar days from ``year``-01-01 to the date (of a dateTime, its day)."""
    return np.floor(np.asarray(x, dtype=np.float64) / _DAY) - _offsets(year) / _DAY


def _seconds_since_year(x: np.ndarray, year: np.ndarray) -> np.ndarray:
    """PMML 4.4 dateSecondsSinceYear: whole seconds from ``year``-01-01T00:00:00, towards zero (Java's ChronoUnit;
    + 0.0 turns -0.0 into 0.0)."""
    return np.trunc(np.asarray(x, dtype=np.float64) - _offsets(year)) + 0.0


def _seconds_since_midnight(x: np.ndarray) -> np.ndarray:
    """PMML 4.4 dateSecondsSinceMidnight: the whole seconds of the time of day."""
    return np.floor(np.mod(np.asarray(x, dtype=np.float64), _DAY))


_DAYS = np.array(["Thursday", "Friday", "Saturday", "Sunday", "Monday", "Tuesday", "Wednesday"])  # 1970-01-01 was a Thursday
_MONTHS = np.array(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
)


def _fields(x: np.ndarray) -> dict[str, np.ndarray]:
    """Calendar fields of seconds since 1970 (datetime64 arithmetic)."""
    secs = np.floor(x).astype(np.int64)
    stamps = secs.astype("datetime64[s]")
    days = stamps.astype("datetime64[D]")
    years = days.astype("datetime64[Y]")
    year = years.astype(np.int64) + 1970
    of_day = (stamps - days).astype(np.int64)
    return {
        "year": np.where(year <= 0, 1 - year, year),  # (a year before 1 as its year of the era, as Java prints it)
        "month": (days.astype("datetime64[M]").astype(np.int64) % 12) + 1,
        "day": (days - days.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1,
        "yday": (days - years.astype("datetime64[D]")).astype(np.int64) + 1,
        "wday": days.astype(np.int64) % 7,
        "hour": of_day // 3600,
        "minute": of_day // 60 % 60,
        "second": of_day % 60,
    }


def _num(values: np.ndarray, width: int) -> np.ndarray:
    return np.char.zfill(values.astype(str), width)


# PMML 4.4 formatDatetime conversions, as strftime and JPMML-Evaluator (java.util.Formatter %t) both write them,
# each with what it needs: "date" (a date or dateTime) or "time" (a time or dateTime)
FORMATS: dict[str, tuple[str, Callable[[dict[str, np.ndarray]], np.ndarray]]] = {
    "Y": ("date", lambda f: _num(f["year"], 4)),
    "y": ("date", lambda f: _num(f["year"] % 100, 2)),
    "C": ("date", lambda f: _num(f["year"] // 100, 2)),
    "m": ("date", lambda f: _num(f["month"], 2)),
    "d": ("date", lambda f: _num(f["day"], 2)),
    "j": ("date", lambda f: _num(f["yday"], 3)),
    "a": ("date", lambda f: _DAYS[f["wday"]].astype("<U3")),
    "A": ("date", lambda f: _DAYS[f["wday"]]),
    "b": ("date", lambda f: _MONTHS[f["month"] - 1].astype("<U3")),
    "h": ("date", lambda f: _MONTHS[f["month"] - 1].astype("<U3")),
    "B": ("date", lambda f: _MONTHS[f["month"] - 1]),
    "H": ("time", lambda f: _num(f["hour"], 2)),
    "I": ("time", lambda f: _num((f["hour"] + 11) % 12 + 1, 2)),
    "M": ("time", lambda f: _num(f["minute"], 2)),
    "S": ("time", lambda f: _num(f["second"], 2)),
}
_COMPOSED = {"D": "%m/%d/%y", "F": "%Y-%m-%d", "R": "%H:%M", "T": "%H:%M:%S", "r": "%I:%M:%S %P"}
_CONVERSION = re.compile(r"%(.)", re.S)


def pattern_parts(pattern: str) -> list[str]:
    """A formatDatetime pattern as literal texts and one-letter conversions ("%Y"); composite conversions
    (%D %F %R %T %r) spelled out. Raises ValueError naming a conversion outside :data:`FORMATS`."""
    parts: list[str] = []
    at = 0
    for m in _CONVERSION.finditer(pattern):
        parts.append(pattern[at : m.start()])
        letter = m.group(1)
        if letter in _COMPOSED:
            parts.extend(p for p in pattern_parts(_COMPOSED[letter].replace("%P", "")) if p)
            if letter == "r":
                parts.append("%P")  # (AM / PM in capitals: strftime and Java's %Tr agree)
        elif letter in FORMATS:
            parts.append(f"%{letter}")
        else:
            raise ValueError(f"formatDatetime conversion %{letter}")
        at = m.end()
    parts.append(pattern[at:])
    return [p for p in parts if p]


def _format_datetime(x: np.ndarray, pattern: np.ndarray) -> np.ndarray:
    """PMML 4.4 formatDatetime(input, pattern): the text of each date; missing -> None."""
    x = np.asarray(x, dtype=np.float64)
    gone = np.isnan(x)
    fields = _fields(np.where(gone, 0.0, x))
    out = np.full(len(x), "", dtype=object)
    for part in pattern_parts(str(_first(pattern) or "")):
        if part == "%P":
            piece: np.ndarray = np.where(fields["hour"] < 12, "AM", "PM")
        elif part.startswith("%") and len(part) == 2:
            piece = FORMATS[part[1]][1](fields)
        else:
            piece = np.full(len(x), part)
        out = out + piece.astype(object)
    out[gone] = None
    return out


DATE_FUNCTIONS: dict[str, Callable[..., np.ndarray]] = {
    "dateDaysSinceYear": _days_since_year,
    "dateSecondsSinceYear": _seconds_since_year,
    "dateSecondsSinceMidnight": _seconds_since_midnight,
    "formatDatetime": _format_datetime,
}
