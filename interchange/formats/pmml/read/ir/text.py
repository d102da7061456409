"""PMML 4.4 text functions (§Built-in functions) and §TextIndex lifted into the IR's TextDerive steps.

Each Apply or TextIndex becomes one TextDerive step (ir/derive/text.py) computing a fresh column, named by
the element's path, before the DerivedField that holds it (:func:`text_steps` collects them while a
DerivedField is lifted; elsewhere, in a predicate or an Output, they have no place and are refused).
Semantics are the fast path's (formats/pmml/read/functions.py, text.py), which follow PMML 4.4
and JPMML-Evaluator: a missing text argument gives a missing result (uppercase, lowercase, trimBlanks,
replace, matches, substring, formatNumber; JPMML-Evaluator fails the whole record there, MissingArgumentException),
except concat, which JPMML-Evaluator (and pypmml) reads as an aggregate leaving missing arguments out (all
missing: the empty text). pypmml 1.5.8 reads a missing text as the empty one everywhere
(formats/pmml/departures.py, "Apply of a text function to a field that can be missing").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from lxml import etree

from interchange.formats.pmml.parse import NotCovered, local
from interchange.formats.pmml.read.compile import Ctx, elements, kind_of, regex
from interchange.formats.pmml.read.text import normalization, number_text_arguments
from interchange.ir.derive.expressions import Call, Const, Expr, Ref
from interchange.ir.derive.text import TextDerive, words
from interchange.ir.lifted import Unliftable

__all__ = ["TEXT_APPLY", "lift_text", "lift_text_index", "text_steps"]

TEXT_APPLY = ("uppercase", "lowercase", "trimBlanks", "concat", "replace", "matches", "substring", "formatNumber", "stringLength")
Lift = Callable[[etree._Element, Ctx], Expr]
# the TextDerive steps the DerivedField being lifted needs before it (None: text steps have no place here)
_PENDING: ContextVar[list[TextDerive] | None] = ContextVar("pmml_text_steps", default=None)


@contextmanager
def text_steps() -> Iterator[list[TextDerive]]:
    """Collect the TextDerive steps lifted meanwhile (one DerivedField's)."""
    found: list[TextDerive] = []
    token = _PENDING.set(found)
    try:
        yield found
    finally:
        _PENDING.reset(token)


def _path(el: etree._Element) -> str:
    from interchange.formats.pmml.read.ir.expressions import path_of

    return path_of(el)


def _step(where: str, function: str, arguments: list[Expr]) -> Expr:
    pending = _PENDING.get()
    if pending is None:
        raise Unliftable(where, f"{function} outside a DerivedField (its TextDerive step has no place)")
    col = f"{where}#{len(pending)}"
    pending.append(TextDerive((col,), function, tuple(arguments)))
    return Ref(col)


def _blank(expr: Expr) -> Expr:
    """``expr``, with the empty string where it is missing (a concat argument: JPMML-Evaluator leaves it out)."""
    return Call("if", (Call("isMissing", (expr,)), Const(""), expr))


def lift_text(el: etree._Element, ctx: Ctx, lift: Lift) -> Expr:
    """PMML 4.4 uppercase, lowercase, trimBlanks (blanks only), concat (of texts: pypmml prints
    numbers rounded), stringLength (UTF-16 code units), replace / matches (a Constant Java regular
    expression that means the same in Python; a replacement without group references), substring (Constant positions) and
    formatNumber (a Constant f / e pattern: ir.kernels.text)."""
    name, kids, where = str(el.get("function")), elements(el), _path(el)
    if el.get("mapMissingTo") is not None or el.get("defaultValue") is not None:
        raise Unliftable(where, f"Apply {name} with mapMissingTo / defaultValue")
    want = {"concat": len(kids) or -1, "replace": 3, "matches": 2, "substring": 3, "formatNumber": 2}.get(name, 1)
    if len(kids) != want:
        raise Unliftable(where, f"Apply {name} with {len(kids)} arguments")
    if name in ("substring", "formatNumber"):
        try:
            kinds = number_text_arguments(name, kids)
        except NotCovered as exc:
            raise Unliftable(where, str(exc)) from None
        # a missing input gives a missing result (PMML 4.4; JPMML-Evaluator fails the row, pypmml fails these functions)
        rest = [Const(float(k.text or "") if c == "i" else k.text or "") for k, c in zip(kids[1:], kinds[1:], strict=True)]
        args = [lift(kids[0], ctx), *rest]
        return _step(where, f"pmml:{name}", args)
    if name == "concat" and any(kind_of(k, ctx) != "text" for k in kids):
        raise Unliftable(where, "concat of numbers (pypmml prints them rounded)")
    if name in ("replace", "matches"):
        if any(local(k) != "Constant" for k in kids[1:]):
            raise Unliftable(where, f"{name} with a pattern that is not a Constant")
        try:
            regex(kids[1].text or "")
        except NotCovered as exc:
            raise Unliftable(where, str(exc)) from None
        if name == "replace" and any(c in (kids[2].text or "") for c in "$\\"):
            raise Unliftable(where, "replace with group references")
        args = [lift(kids[0], ctx), *(Const(k.text or "") for k in kids[1:])]
        return _step(where, f"pmml:{name}", args)
    if name == "concat":  # missing arguments left out (JPMML-Evaluator, pypmml; all missing: "")
        parts = [_blank(lift(k, ctx)) for k in kids]
        out = parts[0] if len(parts) > 1 else _step(where, "s.concat", [parts[0], Const("")])
        for a in parts[1:]:
            out = _step(where, "s.concat", [out, a])
        return out
    args = [lift(k, ctx) for k in kids]  # a missing text gives a missing result (PMML 4.4, JPMML-Evaluator)
    if name == "trimBlanks":
        return _step(where, "s.strip", [args[0], Const(" ")])
    if name == "stringLength":  # UTF-16 code units (Java String.length), not s.len's code points
        return _step(where, "pmml:stringLength", args)
    return _step(where, {"uppercase": "s.upper", "lowercase": "s.lower"}[name], args)


def lift_text_index(el: etree._Element, ctx: Ctx, lift: Lift) -> Expr:
    """PMML 4.4 §TextIndex, as the fast path covers it: TextIndexNormalization InlineTables,
    maxLevenshteinDistance 0, a one-word Constant term; localTermWeights termFrequency, binary or
    logarithmic (log10(1 + frequency): PMML 4.4 and JPMML-Evaluator; pypmml 1.5.8 takes the natural
    logarithm). A missing text gives a missing value."""
    where, weights = _path(el), el.get("localTermWeights", "termFrequency")
    if weights not in ("termFrequency", "binary", "logarithmic"):
        raise Unliftable(where, f"TextIndex localTermWeights={weights}")
    try:
        table = normalization(el)
    except NotCovered as exc:
        raise Unliftable(where, str(exc)) from None
    if el.get("maxLevenshteinDistance", "0") != "0" or el.get("tokenize", "true") != "true":
        raise Unliftable(where, "TextIndex maxLevenshteinDistance / tokenize")
    body = [e for e in elements(el) if local(e) != "TextIndexNormalization"]
    if len(body) != 1 or local(body[0]) != "Constant":
        raise Unliftable(where, "TextIndex term other than a Constant")
    separator = el.get("wordSeparatorCharacterRE", r"\s")
    try:
        regex(separator)
    except NotCovered as exc:
        raise Unliftable(where, str(exc)) from None
    sensitive = el.get("isCaseSensitive", "false") == "true"
    term = words(body[0].text or "", separator, sensitive)
    if len(term) != 1:
        raise Unliftable(where, "TextIndex term of other than one word")
    text: Expr = Ref(str(el.get("textField")))
    if table is not None:  # PMML 4.4 §TextIndexNormalization: the text's replacements, before its words
        text = _step(where, "pmml:normalize", [text, Const(table), Const(1.0 if sensitive else 0.0)])
    args: list[Expr] = [text, Const(term[0]), Const(separator), Const(1.0 if sensitive else 0.0)]
    if weights == "binary":
        return _step(where, "pmml:termbinary", args)
    count = _step(where, "pmml:termcount", args)
    return count if weights == "termFrequency" else Call("log10", (Call("+", (Const(1.0), count)),))
