"""Library functions the fast path leaves to titus2 on purpose, each with the reason ``load`` reports.

Registered as handlers that raise NotCovered, so ``model.info.reason`` says why instead of a bare
"function re.split".
"""

from __future__ import annotations

from typing import Any

from interchange.formats.pfa.fast.compile import Compiled, Compiler, Scope
from interchange.formats.pfa.fast.library.registry import LIBRARY
from interchange.formats.pfa.fast.types import NotCovered

__all__ = ["REASONS"]

_REGEX = (
    "titus2 runs PFA regular expressions through the C library's POSIX regcomp/regexec (leftmost-longest, "
    "on UTF-8 bytes) with its own search loop (a match must start before the end of the text; each next "
    "search starts a new string, so ^ matches there again): Python's re answers otherwise"
)
_SERIES = "titus2 computes it with its own series or search (titus.lib.spec / a stepwise search), not a closed form"
REASONS: dict[str, str] = {
    **{
        f"re.{n}": _REGEX
        for n in (
            "index", "count", "rindex", "groups", "indexall", "findall", "findfirst",
            "findgroupsfirst", "findgroupsall", "groupsall", "replacefirst", "replacelast",
        )
    },
    **{
        f"prob.dist.{n}": _SERIES
        for n in (
            "poissonQF",
            "betaPDF", "betaCDF", "betaQF", "fPDF", "fCDF", "fQF", "tPDF", "tCDF", "tQF",
            "binomialPDF", "binomialCDF", "binomialQF", "hypergeometricPDF", "hypergeometricCDF",
            "hypergeometricQF", "negativeBinomialPDF", "negativeBinomialCDF", "negativeBinomialQF",
        )
    },
    "re.split": "its pieces are arrays of a different length per record, which have no rectangular form on "
    "the fast path (re.contains / re.replaceall run there with titus2's own matcher)",
    "cast.json": "serialised text of a value (titus2's JSON encoder)",
    "cast.avro": "serialised bytes of a value (the avro library's encoder)",
}  # fmt: skip


def _refuse(name: str, why: str) -> Any:
    def compile_(c: Compiler, args: list[Any], scope: Scope) -> Compiled:
        raise NotCovered(f"function {name}: {why}")

    return compile_


for _name, _why in REASONS.items():
    LIBRARY.setdefault(_name, _refuse(_name, _why))
