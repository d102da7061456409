"""Datasets and the nyoka export shared by the PMML conformance tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from sklearn.datasets import load_iris, make_regression


def iris() -> tuple[pd.DataFrame, Any]:
    X, y = load_iris(return_X_y=True, as_frame=True)
    X.columns = [f"x{i}" for i in range(4)]
    return X, y.astype(str)


def regression() -> tuple[pd.DataFrame, Any]:
    X, y = make_regression(200, 4, random_state=0)
    return pd.DataFrame(X, columns=[f"x{i}" for i in range(4)]), y


def nyoka_document(pipe: Any, X: pd.DataFrame, tmp_path: Path) -> bytes:
    """The PMML nyoka writes for a fitted Pipeline (a third-party producer)."""
    from nyoka import skl_to_pmml

    target = tmp_path / "nyoka.pmml"
    skl_to_pmml(pipe, list(X.columns), "target", str(target))
    return target.read_bytes()
