"""KMeans to the IR NearestCenter step (interchange.extract.models.cluster)."""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans

from ._agree import assert_extracts

X = np.array([[0.0, 0.0], [0.1, 0.2], [5.0, 5.0], [5.2, 4.9], [-4.0, 6.0], [-4.1, 6.2]])


def test_kmeans_centres_and_assignments() -> None:
    est = KMeans(3, n_init=3, random_state=0).fit(X)
    model = assert_extracts(est, X).model
    np.testing.assert_array_equal(model.centers, est.cluster_centers_)
    assert tuple(model.ids) == (0, 1, 2)


def test_minibatch_kmeans_takes_the_same_path() -> None:
    assert_extracts(MiniBatchKMeans(2, n_init=3, random_state=0, batch_size=6).fit(X), X)
