"""The IR's text functions (TextDerive) written as PMML 4.4 DerivedFields; array inputs (ArrayItems) refused.

PMML 4.4 §Built-in functions has uppercase, lowercase, concat and the Java regular-expression
functions replace (every match) and matches (found anywhere); §TextIndex counts a term among a
text field's words. The IR functions these express exactly are written, those the lift reads
(``formats/pmml/read/ir/text.py``) first:

- ``s.upper`` / ``s.lower`` / ``s.concat``: uppercase / lowercase / concat;
- ``pmml:replace`` / ``pmml:matches`` (a Constant pattern, a replacement without ``$`` or ``\\``): replace / matches;
- ``s.strip`` / ``s.lstrip`` / ``s.rstrip`` of Constant characters: replace of the whole text,
  ``^(?:c|h|a|r|s)*((?s:.)*?)(?:c|h|a|r|s)*(?!(?s:.))``, by what it keeps (``$1``; pypmml 1.5.8
  ignores a replace whose replacement is empty; ``(?!(?s:.))`` is the end of the text, where ``$``
  would also match before a final line break); trimBlanks is not used, as Java's trim drops every
  control character too;
- ``s.contains`` / ``s.startswith`` / ``s.endswith`` / ``s.replaceall`` of a Constant: matches /
  replace of the Constant's characters, each escaped, so that the pattern means itself;
- ``pmml:termcount`` / ``pmml:termbinary`` of a field: TextIndex (termFrequency / binary) with
  the IR's word separator, case sensitivity and the one-word term (``ir.kernels.text.words``);
- ``pmml:substring`` / ``pmml:formatNumber``: substring / formatNumber, as the lift read them;
- ``pmml:normalize`` of a field, read by a TextIndex of the same case sensitivity: the TextIndex's
  TextIndexNormalization InlineTable (:func:`fold_normalizations`; a literal row written back as one).

A missing argument gives a missing result in the IR; where an argument can be missing, the
function is written inside ``if`` without an else branch (PMML 4.4: a missing result), as pypmml
reads a missing text as the empty one. The rest of PFA's ``s.*`` library (lengths, slices by
index, search positions, repeat, first / last replace, translate) has no PMML 4.4 built-in and is
refused by name. PMML 4.4 fields hold no arrays, so ArrayItems is refused.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable

from lxml import etree

from interchange.errors import UnsupportedModelError
from interchange.formats.pmml.emit.expressions import expression
from interchange.formats.pmml.emit.xmlbuild import NS, E, apply
from interchange.ir.derive.arrays import ArrayItems
from interchange.ir.derive.expressions import Const, Ref
from interchange.ir.derive.text import TextDerive, never_missing
from interchange.ir.graph import Step

__all__ = ["WRITERS", "escaped", "fold_normalizations"]

# a DerivedField standing for a pmml:normalize step until fold_normalizations moves its table into the TextIndex
_NORMALIZED = "interchange.TextIndexNormalization"

# the end of the text, in Java's regular expressions and Python's alike ("$" also matches before a final line
# break; pypmml fails on a Constant holding two bracket expressions, so neither "[\s\S]" nor a character class)
_END = "(?!(?s:.))"
_KINDS = {
    "string": {"optype": "categorical", "dataType": "string"},
    "int": {"optype": "continuous", "dataType": "double"},
    "boolean": {"optype": "continuous", "dataType": "boolean"},
}


def _refuse(step: TextDerive, why: str) -> UnsupportedModelError:
    return UnsupportedModelError(f"the text function {step.function} (TextDerive) is not written to PMML: {why}", format="pmml")


def escaped(text: str) -> str:
    """A regular expression matching ``text`` itself, in Java and Python alike: a printable ASCII
    character but a letter or a digit behind a backslash (``\\Q...\\E`` is Java's alone), a blank
    or control character as ``\\uXXXX`` (pypmml misreads a Constant holding a line break or a tab)."""

    def one(c: str) -> str:
        if c.isascii() and c.isalnum():
            return c
        if c.isascii() and c.isprintable() and c != " ":
            return "\\" + c
        if (c.isspace() or not c.isprintable()) and ord(c) <= 0xFFFF:  # (\\u of a surrogate pair is no character in Python)
            return f"\\u{ord(c):04x}"
        return c

    return "".join(one(c) for c in text)


def _constant(step: TextDerive, i: int, what: str) -> str:
    arg = step.arguments[i]
    if not isinstance(arg, Const) or not isinstance(arg.value, str):
        raise _refuse(step, f"its {what} is not a constant text (PMML's regular expressions are Constants here)")
    return arg.value


def _text(value: str) -> etree._Element:
    el = E("Constant", {"dataType": "string"})
    el.text = value
    return el


def _replace(step: TextDerive, pattern: str, replacement: str) -> etree._Element:
    if any(c in replacement for c in "$\\"):
        raise _refuse(step, "a replacement holding '$' or '\\' (group references in Java's replace)")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise _refuse(step, f"the pattern {pattern!r} is not a regular expression ({exc})") from None
    return apply("replace", expression(step.arguments[0]), _text(pattern), _text(replacement))


def _strip(where: str) -> Callable[[TextDerive], etree._Element]:
    def write(step: TextDerive) -> etree._Element:
        chars = _constant(step, 1, "set of characters")
        if not chars:
            return expression(step.arguments[0])
        one = "(?:" + "|".join(escaped(c) for c in dict.fromkeys(chars)) + ")*"
        left, right = (one if "l" in where else ""), (one if "r" in where else "")
        # the whole text, matched once, by what it keeps: an empty replacement is one pypmml ignores
        pattern = f"^{left}((?s:.)*{'?' if right else ''}){right}{_END}"
        return apply("replace", expression(step.arguments[0]), _text(pattern), _text("$1"))

    return write


def _matches(pattern: Callable[[str], str]) -> Callable[[TextDerive], etree._Element]:
    return lambda step: apply("matches", expression(step.arguments[0]), _text(pattern(_constant(step, 1, "needle"))))


def _text_index(weights: str) -> Callable[[TextDerive], etree._Element]:
    def write(step: TextDerive) -> etree._Element:
        text, term, separator, sensitive = step.arguments
        if not isinstance(text, Ref):
            raise _refuse(step, "TextIndex reads a field (textField), not a computed text")
        if not all(isinstance(a, Const) for a in (term, separator, sensitive)):
            raise _refuse(step, "the term, the word separator and the case sensitivity must be constants")
        attrs = {
            "textField": text.name,
            "localTermWeights": weights,
            "isCaseSensitive": "true" if float(sensitive.value) else "false",  # type: ignore[union-attr]
            "wordSeparatorCharacterRE": str(separator.value),  # type: ignore[union-attr]
        }
        return E("TextIndex", attrs, _text(str(term.value)))  # type: ignore[union-attr]

    return write


_FUNCTIONS: dict[str, Callable[[TextDerive], etree._Element]] = {
    "s.upper": lambda step: apply("uppercase", expression(step.arguments[0])),
    "s.lower": lambda step: apply("lowercase", expression(step.arguments[0])),
    "s.concat": lambda step: apply("concat", *(expression(a) for a in step.arguments)),
    "pmml:replace": lambda step: _replace(step, _constant(step, 1, "pattern"), _constant(step, 2, "replacement")),
    "pmml:matches": lambda step: apply("matches", expression(step.arguments[0]), _text(_constant(step, 1, "pattern"))),
    "s.strip": _strip("lr"),
    "s.lstrip": _strip("l"),
    "s.rstrip": _strip("r"),
    "s.contains": _matches(escaped),
    "s.startswith": _matches(lambda needle: "^" + escaped(needle)),
    "s.endswith": _matches(lambda needle: escaped(needle) + _END),
    "s.replaceall": lambda step: _replace(step, escaped(_constant(step, 1, "text replaced")), _constant(step, 2, "replacement")),
    "pmml:termcount": _text_index("termFrequency"),
    "pmml:termbinary": _text_index("binary"),
    "pmml:substring": lambda step: apply("substring", *(expression(a) for a in step.arguments)),
    "pmml:stringLength": lambda step: apply("stringLength", expression(step.arguments[0])),
    "pmml:formatNumber": lambda step: apply("formatNumber", *(expression(a) for a in step.arguments)),
}


def _empty_texts_computed(body: etree._Element) -> etree._Element:
    """``body`` with each Constant holding the empty text as ``replace("a", "a()", "$1")``, which is the
    empty text in PMML 4.4 and in pypmml alike: pypmml 1.5.8 reads an empty Constant as a missing value
    (formats/pmml/departures.py), which the PMML lift's blanks ``if(isMissing(x), "", x)`` are full of."""
    for c in list(body.iter(f"{{{NS}}}Constant")):
        if c.get("missing") != "true" and not (c.text or "") and c.get("dataType", "string") == "string":
            empty = apply("replace", _text("a"), _text("a()"), _text("$1"))
            parent = c.getparent()
            assert parent is not None
            parent.replace(c, empty)
    return body


def _normalization(step: TextDerive) -> list[etree._Element]:
    """PMML 4.4 §TextIndexNormalization of ``step`` (its InlineTable of [regular expression, replacement] rows,
    ir.kernels.text.normalized), held in an Extension of a DerivedField named by the step's column, whose
    expression reads the text field: :func:`fold_normalizations` moves it into the TextIndex reading the column."""
    text, table, sensitive = step.arguments
    if not isinstance(text, Ref) or not isinstance(table, Const) or not isinstance(sensitive, Const):
        raise _refuse(step, "TextIndexNormalization normalizes a field (a TextIndex's textField) by a constant table")
    rows = []
    for pattern, stem in json.loads(str(table.value)):
        literal = re.sub(r"\\(.)", r"\1", pattern, flags=re.S)
        regex = re.escape(literal) != pattern  # (the lift escaped a literal row: written back as one)
        cells = [
            _cell("string", pattern if regex else literal),
            _cell("stem", stem),
            _cell("regex", "true" if regex else "false"),
        ]
        rows.append(E("row", None, *cells))
    attrs = {"inField": "string", "outField": "stem", "regexField": "regex", "recursive": "false"}
    norm = E("TextIndexNormalization", attrs, E("InlineTable", None, *rows))
    held = E("Extension", {"name": _NORMALIZED, "value": "true" if float(sensitive.value) else "false"}, norm)
    return [E("DerivedField", {"name": step.outputs[0], **_KINDS["string"]}, held, E("FieldRef", {"field": text.name}))]


def _cell(tag: str, value: str) -> etree._Element:
    el = E(tag)
    el.text = value
    return el


def fold_normalizations(derived: list[etree._Element]) -> list[etree._Element]:
    """``derived`` with each normalization DerivedField (:func:`_normalization`) moved into the TextIndexes reading
    it, as their TextIndexNormalization (of the field it normalizes), and dropped; refused where anything else
    reads the normalized text or a TextIndex's case sensitivity is not the normalization's."""
    held = {d.get("name"): d for d in derived if d.find(f"{{{NS}}}Extension[@name='{_NORMALIZED}']") is not None}
    if not held:
        return derived
    for d in derived:
        for index in d.iter(f"{{{NS}}}TextIndex"):
            source = held.get(index.get("textField"))
            if source is None:
                continue
            extension = source.find(f"{{{NS}}}Extension")
            field = source.find(f"{{{NS}}}FieldRef")
            assert extension is not None and field is not None
            if index.get("isCaseSensitive", "false") != extension.get("value"):
                raise UnsupportedModelError(
                    f"the text function pmml:normalize (TextDerive) of {source.get('name')!r} is not written to PMML: "
                    "a TextIndexNormalization takes its TextIndex's case sensitivity, and the two differ",
                    format="pmml",
                )
            index.set("textField", str(field.get("field")))
            index.insert(0, copy.deepcopy(extension[0]))
    for d in derived:
        for ref in d.iter(f"{{{NS}}}FieldRef"):
            if ref.get("field") in held and d.get("name") not in held:
                raise UnsupportedModelError(
                    f"the text function pmml:normalize (TextDerive) of {ref.get('field')!r} is not written to PMML: "
                    "PMML 4.4 normalizes a text only inside the TextIndex reading it (TextIndexNormalization)",
                    format="pmml",
                )
    return [d for d in derived if d.get("name") not in held]


def text_derive(step: TextDerive) -> list[etree._Element]:
    """The DerivedField of ``step``'s column (missing where an argument is)."""
    write = _FUNCTIONS.get(step.function)
    if step.function == "pmml:normalize":
        return _normalization(step)
    if write is None:
        raise _refuse(
            step,
            "PMML 4.4 has no built-in function computing it (PMML has uppercase, lowercase, concat, substring, "
            "replace, matches, formatNumber and TextIndex term counts)",
        )
    body = write(step)
    maybe = [a for a in step.arguments if not never_missing(a)]
    if step.function.startswith("pmml:term"):
        maybe = []  # TextIndex: a missing text gives a missing value already
    if maybe:
        present = [apply("isNotMissing", expression(a)) for a in maybe]
        body = apply("if", present[0] if len(present) == 1 else apply("and", *present), body)
    return [E("DerivedField", {"name": step.outputs[0], **_KINDS[step.result]}, _empty_texts_computed(body))]


def array_items(step: ArrayItems) -> list[etree._Element]:
    raise UnsupportedModelError(
        f"an array input ({step.inputs[0]!r}, ArrayItems) is not written to PMML: a PMML 4.4 DataField holds one "
        "value of a dataType, and no type is an array; give the model one field per item, or convert to PFA",
        format="pmml",
    )


WRITERS: dict[type[Step], Callable[..., list[etree._Element]]] = {TextDerive: text_derive, ArrayItems: array_items}
