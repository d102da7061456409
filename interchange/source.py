"""What a fitted scikit-learn-API estimator outputs, and its own predictions as reference.

Every conversion is checked against the source model, so the output fields of a signature
(label, per-class probabilities, decision values, value, cluster id, outlier score) and the
estimator's own values for them are derived here, in one place, for every format.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from interchange.batch import Columns
from interchange.errors import UnsupportedModelError
from interchange.signature import DataType, OutputField, OutputKind, Signature, avro_name

__all__ = [
    "final_estimator",
    "steps_of",
    "identity",
    "output_fields",
    "reference_outputs",
    "estimator_input",
    "decoded_classes",
]


def final_estimator(estimator: Any) -> Any:
    """The last step of a (possibly nested) Pipeline, or the estimator itself."""
    while hasattr(estimator, "steps"):
        estimator = estimator.steps[-1][1]
    return estimator


def identity(transformer: Any) -> bool:
    """ "passthrough", or the identity FunctionTransformer a fitted ColumnTransformer puts in its place."""
    if isinstance(transformer, str):
        return transformer == "passthrough"
    from sklearn.preprocessing import FunctionTransformer  # sklearn: imported when a pipeline is walked, not on load

    return isinstance(transformer, FunctionTransformer) and transformer.func is None and transformer.inverse_func is None


def steps_of(estimator: Any, path: str = "") -> list[tuple[str, Any]]:
    """``(path, step)`` for every step: Pipelines flattened, ColumnTransformer entries listed."""
    if hasattr(estimator, "steps"):
        return [pair for name, step in estimator.steps for pair in steps_of(step, f"{path}{name}/")]
    out = [(path.rstrip("/") or type(estimator).__name__, estimator)]
    for name, transformer, _ in getattr(estimator, "transformers_", []):
        if not (identity(transformer) or (isinstance(transformer, str) and transformer == "drop")):
            out += steps_of(transformer, f"{path}{name}/")
    return out


def _class_type(classes: np.ndarray) -> DataType:
    if classes.dtype.kind in "iu":
        return "integer"
    if classes.dtype.kind == "b":
        return "boolean"
    if classes.dtype.kind == "f":
        return "double"
    return "string"


def _per_class(prefix: str, kind: OutputKind, classes: np.ndarray) -> list[OutputField]:
    fields: list[OutputField] = []
    taken: set[str] = set()
    for c in classes.tolist():
        name = avro_name(f"{prefix}_{c}")
        while name in taken:
            name += "_"
        taken.add(name)
        fields.append(OutputField(name, kind, "double", c))
    return fields


def decoded_classes(estimator: Any, labels: Any = None) -> np.ndarray:
    """The classifier's classes, mapped back through the target's LabelEncoder when given."""
    classes = np.asarray(final_estimator(estimator).classes_)
    return classes if labels is None else np.asarray(labels.inverse_transform(classes))


def output_fields(estimator: Any, labels: Any = None) -> tuple[str, tuple[Any, ...] | None, tuple[OutputField, ...]]:
    """``(task, classes, outputs)`` for a fitted estimator or pipeline.

    ``labels``: the fitted LabelEncoder the training targets went through; the outputs then
    name and predict the original labels.
    """
    final = final_estimator(estimator)
    kind = getattr(final, "_estimator_type", None) or _tag_type(final)
    if labels is not None and kind != "classifier":
        raise UnsupportedModelError("a target LabelEncoder only applies to classifiers", estimator=type(final).__name__)
    if kind == "classifier":
        classes = decoded_classes(estimator, labels)
        fields = [OutputField("label", "label", _class_type(classes))]
        if _has(estimator, "predict_proba"):
            fields += _per_class("probability", "probability", classes)
        elif _has(estimator, "decision_function"):
            if len(classes) == 2:
                fields.append(OutputField("decision", "decision", "double", classes.tolist()[1]))
            else:
                fields += _per_class("decision", "decision", classes)
        return "classification", tuple(classes.tolist()), tuple(fields)
    if kind == "regressor":
        return "regression", None, (OutputField("prediction", "value", "double"),)
    if kind == "clusterer":
        return "clustering", None, (OutputField("cluster", "cluster", "integer"),)
    if kind == "outlier_detector":
        return (
            "outlier",
            None,
            (
                OutputField("label", "label", "integer"),
                OutputField("score", "score", "double"),
            ),
        )
    raise UnsupportedModelError(
        f"{type(final).__name__} is neither a classifier, regressor, clusterer nor outlier "
        "detector; interchange converts models that predict",
        estimator=type(final).__name__,
    )


def _tag_type(est: Any) -> str | None:
    try:
        from sklearn.utils import get_tags

        return get_tags(est).estimator_type
    except Exception:  # not a scikit-learn estimator
        return None


def _has(est: Any, method: str) -> bool:
    try:
        return callable(getattr(est, method))
    except AttributeError:
        return False


def estimator_input(estimator: Any, columns: Columns, signature: Signature) -> Any:
    """Columns shaped the way the estimator was fitted: a DataFrame when it saw names."""
    import pandas as pd

    frame = pd.DataFrame({f.name: columns[f.name] for f in signature.inputs})
    if hasattr(estimator, "feature_names_in_"):
        return frame
    return frame.to_numpy(dtype=np.float64)


def reference_outputs(estimator: Any, columns: Columns, signature: Signature, labels: Any = None) -> Columns:
    """The estimator's own values for every output field of ``signature`` (labels decoded)."""
    X = estimator_input(estimator, columns, signature)
    out: Columns = {}
    for kind in ("label", "value", "cluster"):
        for f in signature.output(kind):
            predicted = np.asarray(estimator.predict(X))
            out[f.name] = np.asarray(labels.inverse_transform(predicted)) if labels is not None and kind == "label" else predicted
    probs = signature.output("probability")
    if probs:
        p = np.asarray(estimator.predict_proba(X), dtype=np.float64)
        for i, f in enumerate(probs):
            out[f.name] = p[:, i]
    decisions = signature.output("decision")
    if decisions:
        d = np.asarray(estimator.decision_function(X), dtype=np.float64)
        d = d.reshape(len(d), -1)
        for i, f in enumerate(decisions):
            out[f.name] = d[:, i]
    for f in signature.output("score"):
        out[f.name] = np.asarray(estimator.decision_function(X), dtype=np.float64)
    return out
