"""Third-party PMML / PFA documents per producing tool, estimator family and pipeline shape.

The estimator families are the round-trip matrix's (``tests/roundtrip/test_matrix.py``), each
plain (numbers only) and in a pipeline (imputer + scaler for numbers, imputer + one-hot for
text, on data with about 10% missing values). sklearn2pmml (JPMML-SkLearn) and nyoka write
PMML; titus2's producers write PFA for their own families (cart trees, k-means, chains).
A tool that refuses a case raises :class:`Refused`; such cases are counted apart.
"""

from __future__ import annotations

import contextlib
import io
import json
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tests.roundtrip.test_matrix import CASES as FAMILIES
from tests.roundtrip.test_matrix import _data, _wrap

__all__ = ["Refused", "Case", "cases", "document", "rows"]


class Refused(Exception):
    """The producing tool cannot write this case."""


@dataclass(frozen=True)
class Case:
    tool: str
    family: str
    shape: str  # "plain" or "pipeline"

    @property
    def id(self) -> str:
        return f"{self.family}-{self.shape}-{self.tool}"


TITUS_FAMILIES = ["cart_classifier", "cart_regressor", "kmeans", "chain"]


def cases() -> list[Case]:
    shapes = ("plain", "pipeline")
    out = [Case(tool, name, shape) for tool in ("sklearn2pmml", "nyoka") for name, _, _ in FAMILIES for shape in shapes]
    out += [Case("titus2", name, shape) for name in TITUS_FAMILIES for shape in ("plain", "pipeline")]
    return out


def _family(name: str) -> tuple[str, Callable[[], Any]]:
    for family, kind, factory in FAMILIES:
        if family == name:
            return kind, factory
    raise KeyError(name)


def rows(case: Case) -> Any:
    """The rows a document is checked on: the held-out rows of its data, plus copies with a number missing."""
    if case.tool == "titus2":
        with np.errstate(divide="ignore", invalid="ignore"):
            return _titus_rows(case)[0]
    kind, _ = _family(case.family)
    X, _ = _data(kind, "mixed" if case.shape == "pipeline" else "numeric")
    held = X.iloc[200:].reset_index(drop=True)
    holes = held.iloc[:30].copy().reset_index(drop=True)
    numbers = [c for c in X.columns if X[c].dtype != object]
    rng = np.random.default_rng(4)
    for i, col in enumerate(rng.choice(numbers, len(holes))):
        holes.loc[i, col] = np.nan
    if "colour" in held:  # categories the pipeline never saw (its OneHotEncoder ignores them)
        holes.loc[holes.index[::3], "colour"] = "purple"
    return pd.concat([held, holes], ignore_index=True)


def document(case: Case, tmp_path: Path) -> tuple[bytes, Any]:
    """The document the case's tool writes and the fitted estimator (None for titus2's
    producers); Refused when the tool cannot write it."""
    if case.tool == "titus2":
        return _titus_document(case), None
    kind, factory = _family(case.family)
    X, y = _data(kind, "mixed" if case.shape == "pipeline" else "numeric")
    est = _wrap(factory(), "mixed" if case.shape == "pipeline" else "numeric")
    X, y = X.iloc[:200], y[:200]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if case.tool == "sklearn2pmml":
            return _sklearn2pmml(est, X, y, kind, tmp_path), est
        return _nyoka(est, X, y, kind, tmp_path), est


@contextlib.contextmanager
def _stamped_190() -> Iterator[None]:
    """sklearn2pmml 0.133.1 refuses pickles stamped scikit-learn 1.9.1 (see test_pmml_jpmml.py)."""
    import sklearn.base

    real = sklearn.base.__version__
    sklearn.base.__version__ = "1.9.0"
    try:
        yield
    finally:
        sklearn.base.__version__ = real


def _sklearn2pmml(est: Any, X: pd.DataFrame, y: np.ndarray, kind: str, tmp_path: Path) -> bytes:
    from sklearn2pmml import sklearn2pmml
    from sklearn2pmml.pipeline import PMMLPipeline

    pipeline = PMMLPipeline(est.steps if hasattr(est, "steps") else [("model", est)])
    unsupervised = type(pipeline.steps[-1][1]).__name__ in ("KMeans", "IsolationForest")
    pipeline.fit(X) if unsupervised else pipeline.fit(X, y)  # (fits est's own steps)
    path = tmp_path / "sklearn2pmml.pmml"
    try:
        with _stamped_190(), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            sklearn2pmml(pipeline, str(path))
    except Exception as exc:  # the JPMML-SkLearn converter refuses: a RuntimeError carrying its Java message
        text = str(exc).strip()
        raise Refused(f"sklearn2pmml: {text.splitlines()[-1][:200] if text else type(exc).__name__}") from exc
    return path.read_bytes()


def _nyoka(est: Any, X: pd.DataFrame, y: np.ndarray, kind: str, tmp_path: Path) -> bytes:
    from nyoka import skl_to_pmml
    from sklearn.pipeline import Pipeline

    pipe = est if isinstance(est, Pipeline) else Pipeline([("model", est)])
    unsupervised = type(pipe.steps[-1][1]).__name__ in ("KMeans", "IsolationForest")
    target = tmp_path / "nyoka.pmml"
    try:
        pipe.fit(X) if unsupervised else pipe.fit(X, y.astype(str) if kind != "regression" else y)
        with contextlib.redirect_stdout(io.StringIO()):
            skl_to_pmml(pipe, list(X.columns), "target", str(target))
    except Exception as exc:  # nyoka raises assorted errors for what it does not support
        raise Refused(f"nyoka: {type(exc).__name__}: {str(exc)[:200]}") from exc
    return target.read_bytes()


# titus2 producers ---------------------------------------------------------------------------
# cart trees (numbers and text), k-means on an array input, and chains (a preparing document
# chained with a tree or a scalar formula): the generators of test_pfa_titus_producers.py.


def _titus_rows(case: Case) -> tuple[Any, Any]:
    from tests.conformance import test_pfa_titus_producers as tp

    if case.family == "kmeans":
        plain = case.shape == "plain"
        doc, data = tp._kmeans_document(3, 4 if plain else 2, "gaussian" if plain else "absdiff", 34)
        far = np.random.default_rng(2).normal(0, 9, (20, data.shape[1]))
        return {"input": [list(p) for p in np.concatenate([data[::5], far])]}, doc
    if case.family.startswith("cart"):
        rows = tp._rows(300, 5, case.family == "cart_regressor")
        doc = tp._tree_document(rows, 5, None if case.shape == "plain" else 1)
        return tp._probe_columns(rows, doc["cells"]["tree"]["init"]), doc
    import titus.producer.chain as chain

    then = tp._tree_document(tp._rows(300, 5, False), 4, None) if case.shape == "plain" else tp._scalar()
    return tp._raw_columns(300, 9), json.loads(chain.json([tp._prepare(), then], lineNumbers=False))


def _titus_document(case: Case) -> bytes:
    """A document written by titus2's own producers (titus.producer.cart / kmeans / chain)."""
    from interchange.formats.pfa.titus import engine_class

    engine_class()  # titus is imported after its NumPy 2 aliases
    if not hasattr(np, "in1d"):  # the cart producer's numpy.in1d is numpy.isin in numpy 2
        np.in1d = np.isin  # type: ignore[attr-defined]
    with np.errstate(divide="ignore", invalid="ignore"):
        return json.dumps(_titus_rows(case)[1]).encode()
