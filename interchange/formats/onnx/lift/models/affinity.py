"""skl2onnx KMeans' "scores" output: the distances to every center beside the cluster, as the IR's affinities.

skl2onnx writes KMeans / MiniBatchKMeans as ``|x|^2 - 2 x C^T + |C|^2`` (the squared Euclidean distances),
``ArgMin`` of them as the label and their ``Sqrt`` as ``scores``, one column per center: the Euclidean
distances sklearn's ``transform`` gives. The IR's ``CenterAffinities`` gives a NearestCenter's distance
to each named cluster (PMML 4.4 OutputField feature="affinity" with a value); the nearest center under
the squared Euclidean distance is the nearest under the Euclidean one, so the step computes the
distances the output holds and picks the same cluster. The distance outputs are re-typed "score" (a
figure of the prediction, as the PMML lift reads an affinity OutputField), the label "cluster" (the
nearest center's id the IR's clustering steps give).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from interchange.formats.onnx.lift.models.distance import Dist
from interchange.formats.onnx.lift.values import Pred
from interchange.ir.lifted import Unliftable
from interchange.ir.models.cluster import CenterAffinities, NearestCenter
from interchange.signature import OutputField, Signature

__all__ = ["with_affinities"]

_EUCLIDEAN = {"squaredEuclidean", "euclidean"}  # one nearest center under both


def with_affinities(values: dict[str, Any], columns: dict[str, tuple[str, int]], sig: Signature) -> tuple[list[Any], Signature]:
    """The outputs' values (``values``: tensor -> value) with the distance tensors folded into the
    clustering model as affinities, and the signature naming them; ``columns``: output field ->
    (tensor, column)."""
    dists = {t: v for t, v in values.items() if isinstance(v, Dist)}
    centers = {id(v.model): v.model for v in values.values() if isinstance(v, Pred) and isinstance(v.model, NearestCenter)}
    if len(centers) != 1:
        raise Unliftable("graph outputs", "distances to the centers beside other than one nearest-center model")
    model = next(iter(centers.values()))
    metrics = {d.finished() for d in dists.values()}
    for d in dists.values():
        if d.inputs != model.inputs or not np.array_equal(d.points, model.centers):
            raise Unliftable("graph outputs", "distances to other points than the clustering model's centers")
    if len(metrics) != 1 or not ({model.metric} | metrics) <= _EUCLIDEAN:
        raise Unliftable("graph outputs", f"distances {sorted(metrics)} beside a nearest center by {model.metric}")
    wanted = tuple((f, model.ids[c or 0]) for f, (t, c) in columns.items() if t in dists)
    step = CenterAffinities(replace(model, metric=metrics.pop()), wanted)
    named = {f for f, _ in wanted}
    clusters = {f for f, (t, _) in columns.items() if isinstance(values.get(t), Pred) and values[t].model is model}
    outs = tuple(
        OutputField(f.name, "score", "double")
        if f.name in named
        else OutputField(f.name, "cluster", f.type)  # the label ArgMin gives: the row's cluster id
        if f.name in clusters and f.kind == "label"
        else f
        for f in sig.outputs
    )
    found = [Pred(step) if isinstance(v, Pred) and v.model is model else v for t, v in values.items() if t not in dists]
    return found, replace(sig, outputs=outs)
