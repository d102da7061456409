"""Assemble one self-contained Python module (numpy only) from an IR graph.

The module has ``predict(columns) -> dict`` over columns (numpy arrays or lists) named as the
signature's inputs, returning one array per signature output, and ``predict_one(record)``
wrapping it for one record. Parameters are module constants written with ``repr`` (the
shortest text that round-trips a float64), so nothing is rounded on the way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from interchange.codegen.python.kernels import calls
from interchange.codegen.python.runtime import ALWAYS, HELPERS, IMPORTS
from interchange.codegen.registry import lookup
from interchange.errors import UnsupportedModelError
from interchange.ir.graph import Graph
from interchange.signature import Signature
from interchange.signature import class_index as signature_class_index
from interchange.version import __version__

__all__ = ["PyWriter", "write_module", "literal", "class_index", "finish_label"]

NUMERIC = ("double", "integer", "boolean")


def literal(value: Any) -> str:
    """Python source for a constant: floats round-trip exactly, arrays keep dtype and shape."""
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return f"np.array({literal(tuple(value.tolist()))}, dtype=object)"
        kind = {"f": "np.float64", "i": "np.int32", "u": "np.int32", "b": "bool"}[value.dtype.kind]
        flat = ", ".join(literal(v) for v in value.ravel().tolist())
        body = f"np.array([{flat}], dtype={kind})"
        return body if value.ndim == 1 else f"{body}.reshape({value.shape!r})"
    if isinstance(value, (np.generic,)):
        return literal(value.item())
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, float):
        if value != value:
            return "np.nan"
        if value in (float("inf"), float("-inf")):
            return "np.inf" if value > 0 else "-np.inf"
        return repr(value)
    if isinstance(value, (int, str)):
        return repr(value)
    if isinstance(value, (tuple, list)):
        inner = ", ".join(literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    raise TypeError(f"no Python literal for {type(value).__name__}")


class PyWriter:
    """What the step emitters add to: module constants and helper functions."""

    def __init__(self) -> None:
        self.constants: list[str] = []
        self.helpers: list[str] = []
        self._taken: set[str] = set()
        self._pending: set[str] = set()
        self.need(*ALWAYS)

    def const(self, hint: str, value: Any) -> str:
        """A module-level constant holding ``value``; returns its name."""
        name = re.sub(r"\W", "_", hint).upper()
        while name in self._taken:
            name += "_"
        self._taken.add(name)
        self.constants.append(f"{name} = {literal(value)}")
        return name

    def need(self, *helpers: str) -> None:
        """Copy the named helpers into the module, after the helpers their source calls."""
        for h in helpers:
            if h in self.helpers or h in self._pending:
                continue
            self._pending.add(h)
            self.need(*calls(HELPERS[h], frozenset(HELPERS)))
            self.helpers.append(h)


def _outputs(signature: Signature, parts: dict[str, str], model_classes: Any = None) -> list[str]:
    """Lines mapping the model's parts onto the signature's output fields (as ir.graph.outputs_from:
    probabilities are in the model's class order, which a lifted document may set apart from the signature's)."""
    lines = []
    classes = list(model_classes if model_classes is not None else signature.classes or ())
    decisions = signature.output("decision")
    for f in signature.outputs:
        key = repr(f.name)
        if f"extra:{f.name}" in parts and (
            f.kind not in _PARTS or (f.kind == "cluster" and "cluster" not in parts)
        ):  # a model's named figure (a ranked reason code, an Output expression)
            lines.append(f"out[{key}] = {parts[f'extra:{f.name}']}")
        elif f.kind in ("label", "value", "cluster", "score"):
            # (as ir.graph.outputs_from: a value output of a model whose one figure is a score, e.g. an isolation forest)
            part = parts.get(f.kind) or (parts.get("score") if f.kind == "value" and not classes else None)
            if part is None:
                from interchange.errors import UnsupportedModelError

                raise UnsupportedModelError(f"the model gives no {f.kind} for output {f.name!r}", format="python")
            # an integer output (a regression's integer target): truncated toward zero, as every engine's
            # (interchange.batch.typed_outputs; formats/pmml/departures.py "integer target of a regression")
            whole = f.type == "integer" and f.kind in ("value", "score")
            lines.append(f"out[{key}] = np.trunc({part})" if whole else f"out[{key}] = {part}")
        elif f.kind == "probability":
            lines.append(f"out[{key}] = probabilities[:, {class_index(classes, f.target)}]")
        elif f.kind == "decision":
            lines.append(f"out[{key}] = decision[:, 0] if decision.shape[1] == 1 else decision[:, {decisions.index(f)}]")
        else:
            from interchange.errors import UnsupportedModelError

            raise UnsupportedModelError(f"generated code has no mapping for {f.kind} output {f.name!r}", format="python")
    return lines


_PARTS = ("label", "value", "cluster", "probability", "decision")  # (as ir.graph.outputs_from: a figure is a score's)


def class_index(classes: Sequence[Any], target: Any) -> int:
    """The position of class ``target`` (interchange.signature.class_index, refused as generated Python's)."""
    return signature_class_index(classes, target, UnsupportedModelError, format="python")


def finish_label(parts: dict[str, str], has_classes: bool) -> list[str]:
    """Label from probabilities or decisions when the model did not set one (Prediction.finish)."""
    if "label" in parts or not has_classes:
        return []
    if "probabilities" in parts:
        return [
            "unknown = np.isnan(probabilities).any(axis=1)",
            "label = CLASSES[np.argmax(np.where(unknown[:, None], 0.0, probabilities), axis=1)]",
            "label[unknown] = None",
        ]
    if "decision" in parts:
        return ["label = CLASSES[(decision[:, 0] > 0).astype(int) if decision.shape[1] == 1 else np.argmax(decision, axis=1)]"]
    return []


def _inner(model: Any) -> Any:
    """The model a Reported step wraps (its classes are the prediction's)."""
    from interchange.ir.reported import Reported

    return _inner(model.model) if isinstance(model, Reported) else model


def write_module(graph: Graph, *, source: str = "") -> str:
    """The Python source of a module evaluating ``graph``."""
    sig = graph.signature
    out = PyWriter()
    body: list[str] = []
    for step in graph.steps:
        body += [f"# {type(step).__name__}", *lookup("python", step)(step, out)]
    lines, parts = lookup("python", graph.model)(graph.model, out)
    body += [f"# {type(graph.model).__name__}", *lines]
    parts = dict(parts)
    model_classes = getattr(_inner(graph.model), "classes", None)
    if sig.classes is not None:
        classes = model_classes if model_classes is not None else sig.classes
        out.const("CLASSES", np.array(list(classes) if classes else [], dtype=object))
    body += finish_label(parts, sig.classes is not None)
    if sig.classes is not None and "label" not in parts and ("probabilities" in parts or "decision" in parts):
        parts["label"] = "label"
    body += ["out = {}", *_outputs(sig, parts, model_classes)]
    inputs = tuple((f.name, f.type in NUMERIC) for f in sig.inputs)
    outputs = tuple(f.name for f in sig.outputs)
    helpers = "\n".join(HELPERS[h].strip() + "\n\n" for h in out.helpers)
    standard = sorted({line for h in out.helpers for line in IMPORTS.get(h, ()) if "numpy" not in line})
    imports = "\n".join([*standard, "", "import numpy as np"] if standard else ["import numpy as np"])
    constants = "\n".join(out.constants)
    indented = "\n".join("    " + line if line else "" for line in body)
    return f'''"""Generated by interchange {__version__} from {source or "an IR graph"}: do not edit.

A {sig.task} model with numpy as its only dependency. ``predict(columns)`` takes one array
(or list) per input, named as in INPUTS (missing values as None or NaN), and returns one array
per output named as in OUTPUTS; ``predict_one(record)`` does the same for one dict.
"""

from __future__ import annotations

{imports}

INPUTS = {literal(inputs)}  # (name, numeric)
OUTPUTS = {literal(outputs)}

{constants}


{helpers}
def predict(columns):
    """One array per output field for the rows in ``columns`` (a mapping of input name -> values)."""
    env = {{name: _number(columns[name]) if numeric else _text(columns[name]) for name, numeric in INPUTS}}
    n = len(env[INPUTS[0][0]]) if INPUTS else 0
{indented}
    return out


def predict_one(record):
    """The outputs for one record (a dict of input name -> value; absent or None is missing)."""
    columns = {{name: [record.get(name)] for name, _ in INPUTS}}
    result = predict(columns)
    return {{name: (value[0].item() if isinstance(value[0], np.generic) else value[0]) for name, value in result.items()}}
'''
