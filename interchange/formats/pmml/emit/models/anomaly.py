"""AnomalyScore as PMML 4.4 §AnomalyDetectionModel algorithmType="iforest", the construct the lift read.

The wrapped model (the mean path length ``h``) is written by the model writers inside the element;
its sampleDataSize ``n`` is the one whose c(n) is the step's normaliser (the lift computed the
normaliser from it with the same function), so the score ``2 ** (-h / c(n))`` is the IR's.
"""

from __future__ import annotations

from lxml import etree

from interchange.errors import UnsupportedModelError
from interchange.formats.pmml.emit.xmlbuild import TARGET, E
from interchange.formats.pmml.fast.models.anomaly import average_path_length
from interchange.ir.models.outlier import AnomalyScore
from interchange.signature import Signature

__all__ = ["anomaly", "sample_size"]

_LARGEST = 2**53


def sample_size(normaliser: float) -> int:
    """The sampleDataSize n with c(n) == ``normaliser`` (c increases with n); UnsupportedModelError when none does."""
    low, high = 2, _LARGEST
    while low < high:
        mid = (low + high) // 2
        if average_path_length(mid) < normaliser:
            low = mid + 1
        else:
            high = mid
    if average_path_length(low) != normaliser:
        raise UnsupportedModelError(
            f"an iforest normaliser {normaliser!r} that is c(n) of no whole sampleDataSize n",
            estimator="AnomalyScore",
            format="pmml",
        )
    return low


def anomaly(step: AnomalyScore, sig: Signature) -> etree._Element:
    from interchange.formats.pmml.emit.models.elements import model_element  # (models.py registers this writer)

    inner = model_element(step.paths, sig)
    attrs = {"functionName": "regression", "algorithmType": "iforest", "sampleDataSize": sample_size(step.normaliser)}
    schema = E("MiningSchema", None, *(E("MiningField", {"name": n}) for n in sig.input_names))
    schema.append(E("MiningField", {"name": TARGET, "usageType": "target"}))
    return E("AnomalyDetectionModel", attrs, schema, inner)
