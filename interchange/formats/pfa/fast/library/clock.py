"""PFA's ``time.*`` fields of a timestamp on whole batches, with titus2's semantics (``titus/lib/pfatime.py``).

A timestamp is seconds since 1970-01-01 UTC (a double). titus2 turns it into a datetime with
``datetime.fromtimestamp(ts, UTC)`` (microseconds rounded half to even, as CPython does) and moves
it to the zone with pytz; ``""`` is UTC. Here the seconds are split the same way and the calendar
fields come from numpy's ``datetime64`` arithmetic; a zone's UTC offset comes from ``zoneinfo``
(the IANA database) for each distinct whole second of the batch. Records titus2 fails fail here:
NaN or out of range timestamps (before year 1, after 9999), a ``low >= high`` range, an unknown
zone. Zones outside ``zoneinfo.available_timezones()`` (pytz also accepts other spellings) and
local times after 2037 or before 1900 (pytz stops at its table's last transition, zoneinfo goes
on with the zone's rule), and offsets of seconds (local mean time, which pytz rounds to minutes)
defer the batch to titus2. ``time.makeTimestamp`` stays with titus2.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Run, Scope
from interchange.formats.pfa.fast.library.registry import LIBRARY, args_of, as_float
from interchange.formats.pfa.fast.types import BOOLEAN, INT, STRING, Defer, NotCovered, is_num

__all__ = ["TIME_FUNCTIONS"]

TS_MIN, TS_MAX = -62135596800, 253402300799
SAFE_MIN, SAFE_MAX = -2208988800, 2145916800  # 1900-01-01, 2038-01-01 (UTC)


@lru_cache(maxsize=64)
def _zone(name: str) -> Any:
    import zoneinfo

    if name not in zoneinfo.available_timezones():
        return None
    return zoneinfo.ZoneInfo(name)


def _split(ts: np.ndarray) -> np.ndarray:
    """Whole seconds of ``datetime.fromtimestamp(ts)`` (the microseconds rounded half to even first)."""
    frac, whole = np.modf(ts)
    us = np.rint(frac * 1e6)
    whole = np.where(us >= 1e6, whole + 1.0, np.where(us < 0, whole - 1.0, whole))
    return whole.astype(np.int64)


def _offsets(seconds: np.ndarray, zone: str) -> np.ndarray:
    if zone == "":
        return np.zeros(seconds.shape, dtype=np.int64)
    tz = _zone(zone)
    if tz is None:
        raise Defer(f"time zone {zone!r} (not a zoneinfo name)")
    if ((seconds < SAFE_MIN) | (seconds > SAFE_MAX)).any():
        raise Defer("a local time before 1900 or after 2037")
    unique, where = np.unique(seconds, return_inverse=True)
    found = [dt.datetime.fromtimestamp(int(s), dt.UTC).astimezone(tz).utcoffset() for s in unique.tolist()]
    offsets = np.array([o.total_seconds() if o is not None else 0.0 for o in found])
    if (offsets % 60 != 0).any():  # local mean time before a zone's standard time: pytz rounds it to minutes
        raise Defer("a UTC offset in seconds (local mean time)")
    return offsets.astype(np.int64)[where].reshape(seconds.shape)


def _fields(seconds: np.ndarray) -> dict[str, np.ndarray]:
    days, sod = np.divmod(seconds, 86400)
    date = days.astype("datetime64[D]")
    year = date.astype("datetime64[Y]")
    month = date.astype("datetime64[M]")
    return {
        "year": year.astype(np.int64) + 1970,
        "month": (month - year).astype(np.int64) + 1,
        "yday": (date - year.astype("datetime64[D]")).astype(np.int64) + 1,
        "mday": (date - month.astype("datetime64[D]")).astype(np.int64) + 1,
        "wday": (days + 3) % 7,  # 1970-01-01 was a Thursday (weekday 3)
        "hour": sod // 3600,
        "minute": sod % 3600 // 60,
        "second": sod % 60,
    }


def local_fields(rt: Run, ts: Any, zone: Any, depth: int, checked: Any = None) -> dict[str, np.ndarray]:
    """Calendar fields of every timestamp in the zone(s), failing the rows titus2 fails."""
    ts = as_float(ts)
    zones = np.asarray(zone, dtype=object)
    shape = np.broadcast_shapes(ts.shape, zones.shape)
    ts, zones = np.broadcast_to(ts, shape), np.broadcast_to(zones, shape)
    live = np.ones(shape, dtype=bool) if checked is None else ~np.broadcast_to(checked, shape)
    bad = np.isnan(ts) | (ts < TS_MIN) | (ts > TS_MAX)
    rt.fail(live & bad, depth, "timestamp out of range")
    seconds = _split(np.where(bad, 0.0, ts))
    offsets = np.zeros(shape, dtype=np.int64)
    for name in set(zones.reshape(-1).tolist()):
        rows = zones == name
        if name != "" and _zone(name) is None and _unknown_to_pytz(name):
            rt.fail(live & ~bad & rows, depth, "unrecognized timezone string")
            continue
        offsets = np.where(rows, _offsets(np.where(rows & ~bad & live, seconds, 0), name), offsets)
    return _fields(seconds + offsets)


def _unknown_to_pytz(name: str) -> bool:
    """Only a name no spelling of which pytz knows fails in titus2; the rest defer (see above)."""
    import zoneinfo

    lowered = name.lower()
    return not any(z.lower() == lowered for z in zoneinfo.available_timezones())


def _field(key: str) -> Callable[..., Compiled]:
    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        (tf, tt), (zf, zt) = args_of(c, args, scope, 2)
        if not is_num(tt) or zt != STRING:
            raise NotCovered(f"time function on {tt} and {zt}")
        depth = scope.depth
        return (lambda rt: local_fields(rt, tf(rt), zf(rt), depth)[key]), INT

    return compile_


def _in_range(key: str) -> Callable[..., Compiled]:
    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        (tf, tt), (zf, zt), (lf, lt), (hf, ht) = args_of(c, args, scope, 4)
        if not (is_num(tt) and zt == STRING and is_num(lt) and is_num(ht)):
            raise NotCovered("time range test on other types")
        depth = scope.depth

        def run(rt: Run) -> Any:
            low, high = as_float(lf(rt)), as_float(hf(rt))
            reversed_ = low >= high
            rt.fail(reversed_, depth, "bad time range")
            value = local_fields(rt, tf(rt), zf(rt), depth, checked=reversed_)[key]
            return (value >= low) & (value < high)

        return run, BOOLEAN

    return compile_


def _weekend(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    fn, _ = _field("wday")(c, args, scope)
    return (lambda rt: np.isin(fn(rt), (5, 6))), BOOLEAN


def _work_hours(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
    fn, _ = _field("hour")(c, args, scope)  # titus2's weekday test (day != 5 or day != 6) always holds
    return (lambda rt: np.isin(fn(rt), range(9, 17))), BOOLEAN


_NAMES = {
    "year": "year", "monthOfYear": "month", "dayOfYear": "yday", "dayOfMonth": "mday", "dayOfWeek": "wday",
    "hourOfDay": "hour", "minuteOfHour": "minute", "secondOfMinute": "second",
}  # fmt: skip
_RANGES = {
    "isSecondOfMinute": "second", "isMinuteOfHour": "minute", "isHourOfDay": "hour", "isDayOfWeek": "wday",
    "isDayOfMonth": "mday", "isMonthOfYear": "month", "isDayOfYear": "yday",
}  # fmt: skip
for _name, _key in _NAMES.items():
    LIBRARY[f"time.{_name}"] = _field(_key)
for _name, _key in _RANGES.items():
    LIBRARY[f"time.{_name}"] = _in_range(_key)
LIBRARY["time.isWeekend"] = _weekend
LIBRARY["time.isWorkHours"] = _work_hours

TIME_FUNCTIONS = sorted(k for k in LIBRARY if k.startswith("time."))
