"""check(): which formats can represent each step of a fitted pipeline, and why not.

Run before converting: every step (Pipelines flattened, ColumnTransformer entries listed) is
asked of every format, which answers None (it can) or the reason it cannot. A format written
from the IR is asked by running the step's extractor on scratch columns and letting the
format write what it produced, so options a writer refuses are reported too. A format whose
converter tries an IR writer before its own converter library (ONNX: the double IR writer,
then skl2onnx) is asked the same way, in that order, as ``convert`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from interchange.errors import UnsupportedModelError
from interchange.ir.graph import Graph
from interchange.model import GraphWriter, formats, get_format
from interchange.signature import InputField, Signature
from interchange.source import steps_of

__all__ = ["CheckRow", "check", "format_table", "steps_of", "supports"]


@dataclass(frozen=True)
class CheckRow:
    """One step of the pipeline and each format's verdict (None = supported)."""

    path: str
    estimator: str
    verdicts: dict[str, str | None]


def check(estimator: Any) -> list[CheckRow]:
    """A row per step with each format's verdict.

    Example::

        for row in interchange.check(pipeline):
            print(row.path, row.verdicts)
    """
    rows = []
    for path, step in steps_of(estimator):
        verdicts = {name: supports(step, name) for name in formats()}
        rows.append(CheckRow(path, type(step).__name__, verdicts))
    return rows


def supports(step: Any, format: str) -> str | None:
    """None if ``format`` can represent one fitted pipeline step, else the reason."""
    plugin = get_format(format)
    if isinstance(plugin, GraphWriter):
        return _through_ir(plugin, step, format)
    ir_writer = getattr(plugin, "ir_writer", None)
    if ir_writer is None:
        return plugin.supports(step)  # type: ignore[attr-defined]
    gap = plugin.semantic_gap(step)  # type: ignore[attr-defined]
    if gap:
        return gap
    why = _through_ir(ir_writer(), step, format)
    if why is None:
        return None
    fallback = plugin.supports(step)  # type: ignore[attr-defined]
    return None if fallback is None else f"IR writer: {why}; fallback: {fallback}"


def _through_ir(plugin: Any, step: Any, format: str) -> str | None:
    """Run the step's extractor on scratch columns and let ``plugin`` write what it produced."""
    from interchange.extract.registry import Extraction, lookup  # sklearn: imported when a step is asked, not on load

    n = int(getattr(step, "n_features_in_", 0)) or len(getattr(step, "feature_names_in_", [])) or 1
    names = [str(c) for c in getattr(step, "feature_names_in_", [f"x{i}" for i in range(n)])]
    state = Extraction(tuple(names), taken=set(names), format=format)
    try:
        model = lookup(step, format)(step, state)
        if not hasattr(step, "transformers_"):  # a ColumnTransformer's entries are checked one by one
            _write(plugin, step, names, state.steps, model)
    except UnsupportedModelError as exc:
        return exc.message
    except Exception as exc:  # an extractor or writer meeting a state it cannot handle alone
        return f"{type(exc).__name__}: {exc}"
    return None


def _input_types(step: Any, n: int) -> list[str]:
    """Text for an encoder fitted on text categories, numbers otherwise."""
    categories = getattr(step, "categories_", None)
    if categories is not None and len(categories) == n:
        return ["string" if np.asarray(c).dtype.kind in "OUS" else "double" for c in categories]
    return ["double"] * n


def _write(plugin: Any, step: Any, names: list[str], steps: list[Any], model: Any) -> None:
    """Let the format write what the extractor produced: the transforms alone, or a one-step graph."""
    from interchange.source import output_fields

    inputs = tuple(InputField(n, t) for n, t in zip(names, _input_types(step, len(names)), strict=True))  # type: ignore[arg-type]
    if model is None:
        plugin.write_steps(Signature(inputs, ()), steps)
        return
    task, classes, outputs = output_fields(step)
    plugin.write_graph(Graph(Signature(inputs, outputs, classes, task), tuple(steps), model))  # type: ignore[arg-type]


def format_table(rows: list[CheckRow]) -> str:
    """A Markdown table of check() rows."""
    names = formats()
    lines = ["| step | estimator | " + " | ".join(names) + " |", "|---" * (len(names) + 2) + "|"]
    for r in rows:
        cells = ["ok" if r.verdicts[n] is None else f"no: {r.verdicts[n]}" for n in names]
        lines.append(f"| {r.path} | {r.estimator} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
