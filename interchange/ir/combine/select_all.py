"""Every segment's own result: PMML 4.4 §Segmentation selectAll, read through OutputField segmentId.

selectAll combines nothing: each segment whose predicate is TRUE gives its own result, and the
document names the parts it reports (a segment's predicted value, label or a category's
probability) as outputs of their own. The step's prediction has no value, label or
probabilities of its own (missing, as the PMML fast path gives); each wanted part is a figure,
missing where its segment did not fire, as pypmml 1.5.8 and the PMML fast path give them
(tests/conformance/test_pmml_spec.py); JPMML-Evaluator 1.6 gives every such output missing
(measured, tests/conformance/test_pmml_spec_jpmml.py).

A multi-target model is the same step with ``targets`` set: each wanted part is one target's
prediction, named by the target (JPMML-SkLearn writes a two-target LinearRegression or a
MultiOutputRegressor as a MiningModel with one segment per target, Segmentation
multipleModelMethod="x-multiModelChain", and JPMML-Evaluator returns each segment's predicted
value under its target's name). Evaluation is the same; writers that name the construct (PMML)
write it back as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from interchange.errors import ModelError
from interchange.ir.combine.segmentation import _rows
from interchange.ir.derive.predicates import Predicate, predicate_fields, truth
from interchange.ir.graph import Env, ModelStep, Prediction

__all__ = ["AllSegments", "SegmentPart"]


@dataclass(frozen=True)
class SegmentPart:
    """Output ``name``: segment ``segment``'s (0-based) value, label, or probability of ``target``."""

    name: str
    segment: int
    part: Literal["value", "label", "probability"]
    target: Any = None


@dataclass(frozen=True)
class AllSegments(ModelStep):
    """Each model in ``models`` where its predicate is TRUE; ``wanted`` parts as figures
    (``targets``: each part is one target's prediction, see the module docstring)."""

    predicates: tuple[Predicate, ...]
    models: tuple[ModelStep, ...]
    wanted: tuple[SegmentPart, ...]
    classes: tuple[Any, ...] | None = None
    targets: bool = False

    def __post_init__(self) -> None:
        if len(self.predicates) != len(self.models) or any(not 0 <= w.segment < len(self.models) for w in self.wanted):
            raise ModelError("AllSegments needs one predicate per model and parts of known segments")

    @property
    def inputs(self) -> tuple[str, ...]:  # type: ignore[override]
        names = [f for p in self.predicates for f in predicate_fields(p)]
        names += [f for m in self.models for f in m.inputs]
        return tuple(dict.fromkeys(names))

    @property
    def figures(self) -> tuple[str, ...]:
        """The output fields this step gives (its own prediction is missing)."""
        return tuple(w.name for w in self.wanted)

    def predict(self, env: Env) -> Prediction:
        n = _rows(env)
        on = np.array([truth(p, env, n)[0] for p in self.predicates], dtype=bool).reshape(len(self.predicates), n)
        results = [m.predict(env).finish() for m in self.models]
        if self.classes is None:
            pred = Prediction(value=np.full(n, np.nan))
        else:
            k = len(self.classes)
            pred = Prediction(classes=self.classes, probabilities=np.full((n, k), np.nan), label=np.full(n, None, dtype=object))
        for w in self.wanted:
            pred.extra[w.name] = _blank(_part(results[w.segment], w, n), on[w.segment])
        return pred


def _part(r: Prediction, w: SegmentPart, n: int) -> np.ndarray:
    if w.part == "value":
        got = r.value
    elif w.part == "label":
        got = r.label
    else:
        if r.probabilities is None or r.classes is None:
            raise ModelError(f"segment {w.segment + 1} gives no probabilities for output {w.name!r}")
        names = [str(c) for c in r.classes]
        if str(w.target) not in names:  # a category the segment does not know: probability 0 where it predicts
            return np.where(np.isnan(r.probabilities[:, 0]), np.nan, 0.0)
        return r.probabilities[:, names.index(str(w.target))]
    if got is None:
        raise ModelError(f"segment {w.segment + 1} gives no {w.part} for output {w.name!r}")
    return np.asarray(got)


def _blank(col: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``col`` with missing values where ``keep`` is False (NaN numbers, None otherwise)."""
    if col.dtype.kind in "fiub":
        return np.where(keep, col.astype(np.float64), np.nan)
    out = col.astype(object).copy()
    out[~keep] = None
    return out
