"""The IR's own kernels, copied by source into generated modules.

interchange.ir.kernels (expression, predicate, generalized-linear and segmentation kernels),
interchange.ir.links, interchange.ir.distances, interchange.ir.models.svm_probability, the text and
array kernels, the field-by-field distances of interchange.ir.models.compared, selectAll's blanking
(interchange.ir.combine.select_all) and the batch helpers they call
(interchange.batch.is_missing / missing_mask / category_key) import nothing beyond the standard
library and numpy, so a generated module carries their text verbatim and runs the IR's code
itself: no second copy to drift. Each top-level function or table is one helper, named as in
the IR, copied as written; a module gets the ones its steps call and, found by reading their
source, the ones those call (``calls``), plus the import lines of the modules they come from
that their source reads (not interchange's, whose code is copied instead).
"""

from __future__ import annotations

import ast
import inspect
from functools import cache
from types import ModuleType

import interchange.batch as batch
from interchange.ir import distances, links
from interchange.ir.combine import select_all
from interchange.ir.kernels import (
    arrays,
    dates,
    general,
    outlier,
    rules,
    scorecard,
    scores,
    segments,
    targets,
    text,
    trees,
    truths,
)
from interchange.ir.kernels import calls as call_kernels
from interchange.ir.models import compared, svm_probability

__all__ = ["KERNELS", "KERNEL_IMPORTS", "top_level", "calls"]

# each plain module, and which of its top-level names are kernels (None: all of them)
PLAIN: tuple[tuple[ModuleType, tuple[str, ...] | None], ...] = (
    (batch, ("is_missing", "missing_mask", "category_key")),
    (dates, None),  # (before calls, whose FUNCTIONS and CASTS take the date ones in)
    (call_kernels, None),
    (truths, None),
    (general, None),
    (segments, None),
    (targets, None),
    (outlier, None),
    (rules, None),
    (scorecard, None),
    (trees, None),
    (scores, None),
    (links, None),
    (distances, None),
    (svm_probability, None),
    (text, None),
    (arrays, None),
    (compared, ("_LN2", "_POWERS", "_compare_field", "compared_distances")),
    (select_all, ("_blank",)),
)


def top_level(module: ModuleType) -> tuple[dict[str, str], dict[str, str]]:
    """({name: source as written} of ``module``'s top-level functions and tables, {bound name: import
    line} of its imports but ``__future__``'s and interchange's); no docstring, no ``__all__``."""
    text = inspect.getsource(module)
    found: dict[str, str] = {}
    imports: dict[str, str] = {}
    for node in ast.parse(text).body:
        if isinstance(node, ast.ImportFrom) and (node.module == "__future__" or (node.module or "").startswith("interchange")):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                imports[alias.asname or alias.name.split(".")[0]] = ast.get_source_segment(text, node) or ""
            continue
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names = [node.name]
        elif isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names = [node.target.id]
        else:
            continue  # the docstring
        for name in names:
            if name != "__all__":
                found[name] = ast.get_source_segment(text, node) or ""
    return found, imports


@cache
def calls(source: str, among: frozenset[str]) -> tuple[str, ...]:
    """The names in ``among`` that ``source`` reads (the helpers it needs defined), each once."""
    read = [n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
    return tuple(dict.fromkeys(n for n in read if n in among))


def _kernels() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    sources: dict[str, str] = {}
    imports: dict[str, tuple[str, ...]] = {}
    for module, wanted in PLAIN:
        found, bound = top_level(module)
        for name in wanted if wanted is not None else tuple(found):
            if name in sources:  # one namespace in the generated module: a second definition would replace the first
                raise RuntimeError(f"kernel {name!r} is defined in {module.__name__} and in another plain module")
            sources[name] = found[name]
            imports[name] = tuple(dict.fromkeys(bound[n] for n in calls(found[name], frozenset(bound))))
    return sources, imports


KERNELS, KERNEL_IMPORTS = _kernels()
