"""Can one fitted step be extracted to IR and written by a format? (for ``check``).

The step's extractor runs on scratch columns, and the format's writer then writes what it
produced (a model step as a one-step graph), so options a writer refuses are reported too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.errors import UnsupportedModelError
from interchange.extract.registry import Extraction, lookup
from interchange.ir.graph import Graph, ModelStep, Step
from interchange.signature import DataType, InputField, Signature

__all__ = ["supports"]


def _input_types(step: Any, n: int) -> list[DataType]:
    """Text for an encoder fitted on text categories, numbers otherwise."""
    categories = getattr(step, "categories_", None)
    if categories is not None and len(categories) == n:
        return ["string" if np.asarray(c).dtype.kind in "OUS" else "double" for c in categories]
    return ["double"] * n


def _write(step: Any, names: list[str], steps: list[Step], model: ModelStep | None, format: str) -> None:
    from interchange.source import output_fields

    inputs = tuple(InputField(n, t) for n, t in zip(names, _input_types(step, len(names)), strict=True))
    if model is None:
        if format == "pmml":
            from interchange.formats.pmml.emit_transforms import derived_fields

            for s in steps:
                derived_fields(s)
        else:
            from interchange.formats.pfa.emit import _Writer
            from interchange.formats.pfa.emit_transforms import write_transform

            writer = _Writer(Signature(inputs, ()))
            for s in steps:
                write_transform(writer, s)
        return
    task, classes, outputs = output_fields(step)
    graph = Graph(Signature(inputs, outputs, classes, task), tuple(steps), model)  # type: ignore[arg-type]  # output_fields gives one of the tasks, typed str
    if format == "pmml":
        from interchange.formats.pmml.emit import write_graph
    else:
        from interchange.formats.pfa.emit import write_graph  # type: ignore[assignment]  # same signature as the PMML writer
    write_graph(graph)


def supports(step: Any, format: str) -> str | None:
    """None if the step's extractor and the format's writer take it, else the reason."""
    n = int(getattr(step, "n_features_in_", 0)) or len(getattr(step, "feature_names_in_", [])) or 1
    names = [str(c) for c in getattr(step, "feature_names_in_", [f"x{i}" for i in range(n)])]
    state = Extraction(tuple(names), taken=set(names), format=format)
    try:
        model = lookup(step, format)(step, state)
        if not hasattr(step, "transformers_"):  # a ColumnTransformer's entries are checked one by one
            _write(step, names, state.steps, model, format)
    except UnsupportedModelError as exc:
        return exc.message
    except Exception as exc:  # an extractor or writer meeting a state it cannot handle alone
        return f"{type(exc).__name__}: {exc}"
    return None
