"""PMML 4.4 dates and times lifted into the IR (whose date columns are numbers: ir.kernels.dates).

A DataField of a date / time type (date, time, dateTime, dateDaysSince[Y], dateTimeSecondsSince[Y],
timeSeconds) is read in place into its unit by a ``Derive`` cast, before any other step reads it;
a split value compared with it (``value="2004-02-29"``) is read in the same unit. The built-ins
dateDaysSinceYear, dateSecondsSinceYear, dateSecondsSinceMidnight and formatDatetime lift as IR
calls over a FieldRef to such a field, with the argument types JPMML-Evaluator accepts (measured:
it refuses dateSecondsSinceYear over a date, date conversions over a time, any of them over a
"Since" type); what else they meet raises Unliftable naming it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from lxml import etree

from interchange.formats.pmml.parse import local
from interchange.formats.pmml.read.compile import Ctx, elements, kind_of
from interchange.ir.derive.expressions import Call, Const, Derive, Expr, Ref
from interchange.ir.kernels.dates import DATE_TYPES, FORMATS, pattern_parts, to_date_column
from interchange.ir.lifted import Reason, Unliftable

__all__ = ["DATE_APPLY", "DateCtx", "date_inputs", "dates_read_as_numbers", "gives_text", "lift_date_apply", "unread_dates"]
__all__ += ["value_kind"]

# each built-in: the PMML types its first argument may have (JPMML-Evaluator, measured)
DATE_APPLY: dict[str, tuple[str, ...]] = {
    "dateDaysSinceYear": ("date", "dateTime"),
    "dateSecondsSinceYear": ("dateTime",),
    "dateSecondsSinceMidnight": ("time", "dateTime"),
    "formatDatetime": ("date", "time", "dateTime"),
}


class DateCtx(Ctx):
    """The lift's compile-time facts: a date-typed field holds numbers (its unit), and a value
    compared with it is read in that unit (PMML 4.4 §DataDictionary: a value is converted to the
    field's dataType before it is compared)."""

    def numeric(self, name: str | None) -> bool:
        return self.types.get(name or "") in DATE_TYPES or super().numeric(name)

    def constant(self, name: str | None, raw: str) -> float:
        kind = self.types.get(name or "")
        if kind not in DATE_TYPES:
            return super().constant(name, raw)
        try:  # a "Since" type's value may be its number (dateDaysSince[1960]: value="16130")
            value = float(raw) if kind.startswith(("dateDaysSince", "dateTimeSecondsSince", "timeSeconds")) else float("nan")
        except ValueError:
            value = float("nan")
        if value != value:
            value = float(to_date_column(np.array([raw], dtype=object), kind)[0])
        if value != value:
            raise Unliftable(f"field {name}", f"the value {raw!r} is not a {kind}")
        return value


def date_inputs(names: list[str], types: dict[str, str]) -> list[Derive]:
    """Each active input of a date / time type read in place into the IR's unit for its type."""
    return [Derive((n,), Ref(n), types[n]) for n in dict.fromkeys(names) if types.get(n) in DATE_TYPES]


def value_kind(el: etree._Element, ctx: Ctx) -> str:
    """The fast path's kind_of, knowing a date Constant (a number in the IR)."""
    return "number" if local(el) == "Constant" and el.get("dataType") in DATE_TYPES else kind_of(el, ctx)


def unread_dates(fields: dict[str, etree._Element]) -> list[Reason]:
    """A reason for each DataField of a counted date type the IR does not read (dateDaysSince[0], and any
    year but 1960, 1970, 1980: JPMML-Evaluator implements none of them either)."""
    return [
        Reason(f"/PMML/DataDictionary/DataField[@name={name!r}]", f"dataType={df.get('dataType')}")
        for name, df in fields.items()
        if (df.get("dataType") or "").startswith(("dateDaysSince", "dateTimeSecondsSince"))
        and df.get("dataType") not in DATE_TYPES
    ]


# where a date / dateTime / time field may be read: the date built-ins and comparisons with values of its type
_READERS = (
    *DATE_APPLY,
    "isMissing",
    "isNotMissing",
    "equal",
    "notEqual",
    "lessThan",
    "lessOrEqual",
    "greaterThan",
    "greaterOrEqual",
    "isIn",
    "isNotIn",
)
# model elements that read a field as a number, and the attribute naming it
_NUMERIC_READS = {"NumericPredictor": "name", "PPCell": "predictorName", "ClusteringField": "field", "KNNInput": "field"}


def dates_read_as_numbers(root: etree._Element, types: dict[str, str]) -> list[Reason]:
    """A reason for each place a date, dateTime or time field is read as a number (a FieldRef outside a date
    built-in or a comparison, a NumericPredictor...): JPMML-Evaluator refuses it (TypeCheckException, measured),
    and the IR's seconds since 1970 would be a number of its own making."""
    timed = {n for n, t in types.items() if t in ("date", "dateTime", "time")}
    reasons = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = local(el)
        field = el.get("field") if tag == "FieldRef" else el.get(_NUMERIC_READS.get(tag, "") or "-")
        if field not in timed:
            continue
        parent = el.getparent()
        if tag == "FieldRef" and parent is not None and local(parent) == "Apply" and parent.get("function") in _READERS:
            continue
        reasons.append(Reason(f"{tag}[@field={field!r}]", f"a {types[field]} field read as a number"))
    return reasons


def gives_text(el: etree._Element, ctx: Ctx) -> bool:
    """Whether an expression yields text (formatDatetime does; the fast path's kind_of does not know it)."""
    return value_kind(el, ctx) == "text" or (local(el) == "Apply" and el.get("function") == "formatDatetime")


def lift_date_apply(el: etree._Element, ctx: Ctx, lift: Callable[[etree._Element, Ctx], Expr], path: str) -> Expr:
    """PMML 4.4 date built-ins as IR calls (see the module docstring for what lifts)."""
    name = el.get("function")
    kids = elements(el)
    want = 2 if name in ("dateDaysSinceYear", "dateSecondsSinceYear", "formatDatetime") else 1
    if len(kids) != want:
        raise Unliftable(path, f"Apply {name} with {len(kids)} arguments")
    if el.get("mapMissingTo") is not None or el.get("defaultValue") is not None:
        raise Unliftable(path, f"Apply {name} with mapMissingTo / defaultValue")
    first = kids[0]
    kind = ctx.types.get(first.get("field") or "") if local(first) == "FieldRef" else None
    if local(first) != "FieldRef" or first.get("mapMissingTo") is not None:
        raise Unliftable(path, f"Apply {name} over <{local(first)}> (the IR reads dates only from a date field)")
    if kind not in DATE_APPLY[name]:
        raise Unliftable(path, f"Apply {name} over a {kind or 'double'} field (PMML engines take {' / '.join(DATE_APPLY[name])})")
    args: list[Expr] = [lift(first, ctx)]
    if name in ("dateDaysSinceYear", "dateSecondsSinceYear"):
        args.append(Const(float(_year(kids[1], name, path))))
    elif name == "formatDatetime":
        args.append(Const(_pattern(kids[1], kind, path)))
    return Call(name, tuple(args))


def _year(el: etree._Element, name: str, path: str) -> int:
    text = (el.text or "").strip()
    if local(el) != "Constant" or el.get("dataType") not in (None, "integer") or not text.lstrip("-").isdigit():
        raise Unliftable(path, f"Apply {name}: the year is not an integer Constant")
    year = int(text)
    if not 1 <= year <= 9999:
        raise Unliftable(path, f"Apply {name}: year {year} outside 1-9999")
    return year


def _pattern(el: etree._Element, kind: str, path: str) -> str:
    """A formatDatetime pattern the IR writes as JPMML-Evaluator does (ir.kernels.dates.FORMATS)."""
    if local(el) != "Constant":
        raise Unliftable(path, "Apply formatDatetime: the pattern is not a Constant")
    pattern = el.text or ""
    try:
        parts = pattern_parts(pattern)
    except ValueError as exc:
        raise Unliftable(path, f"{exc} (POSIX strftime and JPMML-Evaluator read it differently, or one lacks it)") from None
    for part in parts:
        need = "time" if part == "%P" else FORMATS[part[1]][0] if part.startswith("%") and len(part) == 2 else None
        if need is not None and kind != "dateTime" and need != kind:
            raise Unliftable(path, f"Apply formatDatetime: {part} over a {kind} field")
    return pattern
