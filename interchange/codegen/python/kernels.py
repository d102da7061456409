"""The IR's own kernels, copied by source into generated modules.

interchange.ir.kernels (expression, predicate, generalized-linear and segmentation kernels),
interchange.ir.links, interchange.ir.distances.distances and the batch helpers they call
(interchange.batch.is_missing / missing_mask / category_key) import nothing beyond the standard
library and numpy, so a generated module carries their text verbatim and runs the IR's code
itself: no second copy to drift. A module's top-level functions and tables are copied whole
(its docstring, ``__all__`` and imports are not; the imports it needs, other than interchange's,
go to the generated module's header).
"""

from __future__ import annotations

import ast
import inspect
from types import ModuleType
from typing import Any

from interchange import batch
from interchange.ir import distances, links
from interchange.ir.kernels import calls, general, segments, truths

__all__ = ["KERNELS", "KERNEL_DEPENDS", "KERNEL_IMPORTS", "module_source", "imports_of", "kernel_sources"]


def _top_level(module: ModuleType) -> tuple[str, list[ast.stmt]]:
    text = inspect.getsource(module)
    return text, ast.parse(text).body


def module_source(module: ModuleType) -> str:
    """The top-level functions, classes and tables of ``module`` as written (no docstring, ``__all__`` or imports)."""
    text, body = _top_level(module)
    parts = []
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.Expr)):
            continue
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            continue
        parts.append(ast.get_source_segment(text, node) or "")
    return "\n\n\n".join(parts)


def imports_of(module: ModuleType) -> tuple[str, ...]:
    """``module``'s import lines, but ``__future__``'s and interchange's (whose code is copied too)."""
    text, body = _top_level(module)
    lines = []
    for node in body:
        if isinstance(node, ast.ImportFrom) and (node.module == "__future__" or (node.module or "").startswith("interchange")):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            lines.append(ast.get_source_segment(text, node) or "")
    return tuple(lines)


def kernel_sources(*functions: Any) -> str:
    """The source of each function, as written."""
    return "\n\n".join(inspect.getsource(f) for f in functions)


# helper name in a generated module -> its source, the helpers it calls, the imports it needs
KERNELS: dict[str, str] = {
    "missing_mask": kernel_sources(batch.is_missing, batch.missing_mask),
    "category_key": kernel_sources(batch.category_key),
    "kernels.calls": module_source(calls),
    "kernels.truths": module_source(truths),
    "links": module_source(links),
    "kernels.general": module_source(general),
    "distances": kernel_sources(distances.distances, distances.lowest),
    "kernels.segments": module_source(segments),
}
KERNEL_DEPENDS: dict[str, tuple[str, ...]] = {
    "category_key": ("missing_mask",),
    "kernels.calls": ("missing_mask", "category_key"),
    "kernels.truths": ("kernels.calls",),
    "kernels.general": ("links",),
    "kernels.segments": ("missing_mask",),
}
KERNEL_IMPORTS: dict[str, tuple[str, ...]] = {
    "missing_mask": ("from typing import Any",),
    "kernels.calls": imports_of(calls),
    "kernels.truths": imports_of(truths),
    "links": imports_of(links),
    "kernels.general": imports_of(general),
    "distances": imports_of(distances),
    "kernels.segments": imports_of(segments),
}
