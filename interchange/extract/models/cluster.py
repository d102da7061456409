"""scikit-learn's KMeans / MiniBatchKMeans to the IR NearestCenter step."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans

from interchange.extract.registry import Extraction, extractor
from interchange.ir.models.cluster import NearestCenter


@extractor(KMeans, MiniBatchKMeans)
def kmeans(est: Any, state: Extraction) -> NearestCenter:
    centers = np.asarray(est.cluster_centers_, dtype=np.float64)
    return NearestCenter(state.columns, centers, tuple(range(len(centers))))
