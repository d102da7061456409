"""The fitted-model intermediate representation (IR) and its vectorised evaluator.

Estimators are extracted into IR once (``interchange.extract``); each format writes IR into
its documents and parses its documents back into IR (``interchange.formats.*``). Evaluating
IR with numpy over a whole batch is the fast path for PMML and PFA. This package imports no
scikit-learn, ONNX or XML library.
"""

from __future__ import annotations

from interchange.ir.graph import Graph, ModelStep, Prediction, Step, evaluate
from interchange.ir.linear import Link, Regression
from interchange.ir.transforms import Impute, OneHot, Project, Scale
from interchange.ir.trees import Tree, TreeEnsemble

__all__ = [
    "Graph",
    "Step",
    "ModelStep",
    "Prediction",
    "evaluate",
    "Impute",
    "Scale",
    "OneHot",
    "Project",
    "Link",
    "Regression",
    "Tree",
    "TreeEnsemble",
]
