"""What Java step emitters write into: column slots, static arrays, helper methods.

Numeric columns live in one ``double[] v`` (NaN for missing), text columns in one
``String[] s`` (null for missing); every IR column name gets a slot once. Arrays longer than
a few hundred numbers are stored as Base64 text split into constants and decoded once at class
load: array initialisers compile into ``<clinit>``, whose code (like every method's) must fit
in 64 KB, and each double literal takes two of a class's 65,535 constant-pool entries.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import numpy as np

from interchange.errors import UnsupportedModelError

__all__ = ["JavaWriter", "jdouble", "jstring", "identifier", "KEYWORDS"]

INLINE = 256  # at most this many elements are written as a literal initialiser
CHUNK = 20_000  # characters per string constant (a constant's UTF-8 form is limited to 65,535 bytes)
BUDGET = 30_000  # characters of statements per method: well inside the 64 KB of bytecode a Java method may hold
GATHER = 64  # more columns than this are gathered through a static slot list, not an array initialiser
SEPARATOR = "\u001f"  # between the items of a long String[] stored as one text
NULL_TEXT = "\u001e"  # a null item of such a String[]

KEYWORDS = set(
    """abstract assert boolean break byte case catch char class const continue default do double else enum extends final
    finally float for goto if implements import instanceof int interface long native new package private protected public
    return short static strictfp super switch synchronized this throw throws transient try void volatile while true false
    null var record yield sealed permits""".split()
    # a record component may not be named like java.lang.Object's methods
    + ["hashCode", "toString", "equals", "getClass", "notify", "notifyAll", "wait", "clone", "finalize"]
)


def jdouble(x: float) -> str:
    """A Java double literal that reads back as exactly ``x``."""
    x = float(x)
    if x != x:
        return "Double.NaN"
    if x in (float("inf"), float("-inf")):
        return "Double.POSITIVE_INFINITY" if x > 0 else "Double.NEGATIVE_INFINITY"
    text = repr(x)
    return text if any(c in text for c in ".eE") else text + ".0"


def jstring(text: str) -> str:
    """A Java string literal (JSON's escapes are Java's, with non-ASCII as \\uXXXX)."""
    return json.dumps(text, ensure_ascii=True)


def identifier(name: str, taken: set[str]) -> str:
    """A legal, unused Java identifier for ``name``."""
    ident = re.sub(r"[^A-Za-z0-9_]", "_", name) or "_"
    if ident[0].isdigit():
        ident = "_" + ident
    if ident in KEYWORDS:
        ident += "_"
    while ident in taken:
        ident += "_"
    taken.add(ident)
    return ident


class JavaWriter:
    """Slots, static fields and helpers of the class being written."""

    def __init__(self) -> None:
        self.slots: dict[str, int] = {}
        self.texts: dict[str, int] = {}
        self.arrays: dict[str, tuple[int, int]] = {}  # array input -> (its length slot, the items read after it)
        self.slot_count = 0  # slots handed out (a column redefined in place takes a new one)
        self.text_count = 0
        self.fields: list[str] = []
        self.helpers: list[str] = []
        self.methods: list[str] = []  # generated methods holding parts of score() (Java's 64 KB per method)
        self.label_values: tuple[Any, ...] | None = None  # what a label index points at, when not the classes
        self.cluster_values: tuple[Any, ...] | None = None
        self.extra_values: dict[str, tuple[Any, ...]] = {}  # output -> what its index points at (reason codes)
        self.signature: Any = None  # the graph's signature (its class order), set by write_class
        self.text_outputs: dict[str, int] = {}  # output -> the text slot holding it (a text Output expression)
        self.locals = 0
        self._taken: set[str] = set()

    # --- columns ------------------------------------------------------------------------
    def is_text(self, name: str) -> bool:
        return name in self.texts

    def num(self, name: str) -> str:
        """Java expression reading numeric column ``name``."""
        if name in self.texts:
            raise UnsupportedModelError(f"column {name!r} is text where a number is needed", format="java")
        if name in self.arrays:
            raise UnsupportedModelError(f"column {name!r} is an array where a number is needed (read its items)", format="java")
        if name not in self.slots:
            raise UnsupportedModelError(f"IR step reads column {name!r} that no earlier step or input defines", format="java")
        return f"v[{self.slots[name]}]"

    def text(self, name: str) -> str:
        return f"s[{self.texts[name]}]"

    def new_num(self, name: str) -> str:
        """A new slot for ``name`` (a column written in place, as Impute does, gets a fresh one too)."""
        self.slots[name] = self.slot_count
        self.slot_count += 1
        return f"v[{self.slots[name]}]"

    def new_array(self, name: str, width: int) -> int:
        """Slots for array input ``name``: its length (NaN when missing), then its first ``width`` items; the first slot."""
        first = self.slot_count
        self.arrays[name] = (first, width)
        self.slot_count += 1 + width
        return first

    def alias(self, name: str, slot: int) -> str:
        """Column ``name`` read from an existing slot (an array's item: never written again)."""
        self.slots[name] = slot
        return f"v[{slot}]"

    def new_text(self, name: str) -> str:
        self.texts[name] = self.text_count
        self.text_count += 1
        return f"s[{self.texts[name]}]"

    def vector(self, names: tuple[str, ...], local: str = "x") -> str:
        """A statement gathering numeric columns into a local ``double[]``."""
        if len(names) > GATHER:
            slots = self.array(f"slots_{local}", [int(self.num(n)[2:-1]) for n in names], "int")
            self.need("gather")
            return f"double[] {local} = gather(v, {slots});"
        return f"double[] {local} = {{{', '.join(self.num(n) for n in names)}}};"

    # --- methods ------------------------------------------------------------------------------
    def split(self, blocks: list[list[str]], params: str, args: str, hint: str) -> list[str]:
        """Self-contained blocks of statements, inline when they are small, else grouped into methods of at
        most BUDGET characters (a block larger than that gets a method of its own): the calls."""
        if sum(len(line) for block in blocks for line in block) <= BUDGET:
            return [line for block in blocks for line in block]
        calls: list[str] = []
        group: list[str] = []
        size = 0
        for block in blocks:
            n = sum(len(line) for line in block)
            if group and size + n > BUDGET:
                calls.append(self._method(hint, params, args, group))
                group, size = [], 0
            group += block
            size += n
        if group:
            calls.append(self._method(hint, params, args, group))
        return calls

    def _method(self, hint: str, params: str, args: str, lines: list[str]) -> str:
        name = f"{hint}{len(self.methods)}"
        body = "\n".join(f"        {line}" if line else "" for line in lines)
        self.methods.append(f"\n    private static void {name}({params}) {{\n{body}\n    }}\n")
        return f"{name}({args});"

    # --- static data ----------------------------------------------------------------------
    def name(self, hint: str) -> str:
        base = re.sub(r"[^A-Za-z0-9_]", "_", hint).upper()
        name = base
        while name in self._taken:
            name += "_"
        self._taken.add(name)
        return name

    def array(self, hint: str, values: Any, kind: str = "double") -> str:
        """A ``static final`` array (flattened, row-major) of ``kind`` double, int or boolean."""
        flat = np.asarray(values).ravel()
        name = self.name(hint)
        jtype = {"double": "double[]", "int": "int[]", "boolean": "boolean[]"}[kind]
        if len(flat) <= INLINE:
            if kind == "double":
                items = [jdouble(x) for x in flat.tolist()]
            elif kind == "int":
                items = [str(int(x)) for x in flat.tolist()]
            else:
                items = ["true" if x else "false" for x in flat.tolist()]
            self.fields.append(f"private static final {jtype} {name} = {{{', '.join(items)}}};")
            return name
        if kind == "double":
            raw = np.asarray(flat, dtype="<f8").tobytes()
        elif kind == "int":
            raw = np.asarray(flat, dtype="<i4").tobytes()
        else:
            raw = np.asarray(flat, dtype=np.uint8).tobytes()
        text = base64.b64encode(raw).decode("ascii")
        chunks = ", ".join(jstring(text[i : i + CHUNK]) for i in range(0, len(text), CHUNK)) or '""'
        self.need("decode")
        decoder = {"double": "doubles", "int": "ints", "boolean": "booleans"}[kind]
        self.fields.append(f"private static final {jtype} {name} = {decoder}({chunks});")
        return name

    def local(self) -> str:
        """A fresh local variable name."""
        self.locals += 1
        return f"e{self.locals}"

    def strings(self, hint: str, values: Any) -> str:
        """A ``static final String[]`` (null for None); a long one as joined text split at class load."""
        items = [None if v is None else str(v) for v in values]
        name = self.name(hint)
        if len(items) <= INLINE:
            body = ", ".join("null" if v is None else jstring(v) for v in items)
            self.fields.append(f"private static final String[] {name} = {{{body}}};")
            return name
        if any(v is not None and (SEPARATOR in v or v == NULL_TEXT) for v in items):
            raise UnsupportedModelError(f"a text value holds the control character U+001F or is U+001E ({hint})", format="java")
        text = SEPARATOR.join(NULL_TEXT if v is None else v for v in items)
        chunks = ", ".join(jstring(text[i : i + CHUNK]) for i in range(0, len(text), CHUNK))
        self.need("strings")
        self.fields.append(f"private static final String[] {name} = strings({len(items)}, {chunks});")
        return name

    def positions(self, hint: str, keys: Any) -> str:
        """A ``static final Map<String, Integer>`` from each key to its position (a repeated key: its last)."""
        names = self.strings(f"{hint}_keys", keys)
        name = self.name(hint)
        self.need("strings")
        self.fields.append(f"private static final java.util.Map<String, Integer> {name} = positions({names});")
        return name

    def need(self, *helpers: str) -> None:
        for h in helpers:
            if h not in self.helpers:
                self.helpers.append(h)
