"""A multi-target regressor's ``[N, k]`` output as the IR's multi-target step: one output per target.

skl2onnx writes LinearRegression / DecisionTreeRegressor / RandomForestRegressor / KNeighborsRegressor
fitted on a 2-D y as one operator with several targets (``values.Several``, read by the operators'
lifters) and MultiOutputRegressor as its regressors' values concatenated along axis 1 (the
ensembles' ``Stacked``, each segment one model passing its value on). The signature names the
tensor's k columns ``{tensor}_0 .. {tensor}_{k-1}`` (formats/onnx/foreign.py); each becomes a figure of
an ``AllSegments(targets=True)`` whose segment i (TRUE for every row) is target i's model, as the PMML
lift reads JPMML-SkLearn's x-multiModelChain (formats/pmml/lift/models/segments.py). The outputs are
re-typed "score", the kind the IR gives a multi-target step's figures (formats/pmml/parse.py).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from interchange.formats.onnx.lift.models.ensembles import Stacked
from interchange.formats.onnx.lift.values import Several
from interchange.ir.combine.select_all import AllSegments, SegmentPart
from interchange.ir.derive.predicates import Always
from interchange.ir.graph import ModelStep
from interchange.ir.lifted import Unliftable
from interchange.signature import OutputField, Signature

__all__ = ["several", "targets_model"]


def several(v: Any) -> Several | None:
    """``v`` as one model per column when it is several targets' values, else None."""
    if isinstance(v, Several):
        return v
    if isinstance(v, Stacked) and len(v.segments) == len(v.names) > 1:
        plain = all(
            s.when is None and len(s.links) == 1 and s.links[0].name == n and s.links[0].part == "value"
            for s, n in zip(v.segments, v.names, strict=True)
        )
        if plain:
            return Several(tuple(s.model for s in v.segments))
    return None


def targets_model(parts: tuple[ModelStep, ...], sig: Signature, columns: dict[str, int]) -> tuple[AllSegments, Signature]:
    """The multi-target step for the output fields ``columns`` (field -> column of the tensor), and the
    signature with those fields re-typed as the step's figures."""
    if sorted(columns.values()) != list(range(len(parts))):
        raise Unliftable("graph outputs", f"{len(parts)} targets read as output columns {sorted(columns.values())}")
    wanted = tuple(SegmentPart(name, i, "value") for name, i in columns.items())
    step = AllSegments(tuple(Always(True) for _ in parts), parts, wanted, None, targets=True)
    outs = tuple(OutputField(f.name, "score", "double") if f.name in columns else f for f in sig.outputs)
    return step, replace(sig, outputs=outs, meta={**sig.meta, "targets": list(columns)})
