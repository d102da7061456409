"""The fitted-model intermediate representation (IR) and its vectorised evaluator.

Estimators are extracted into IR once (``interchange.extract``) and documents are lifted into it
(``interchange.lift``); ``evaluate`` runs a graph, each format writes it. Layout: ``graph`` (steps,
predictions, ``evaluate``), ``derive/`` (the expression layer: derived fields, predicates,
transformations, text and array items), ``models/`` (one module per model family), ``trees/`` (tree
steps on the one tree walk, ``kernels.trees``: ``trees.ensemble.FlatForest`` for numeric splits and
``trees.strategies.MultiwayTree`` for PMML's missing-value strategies), ``combine/`` (segmentations
and chains), ``kernels/`` (plain numpy kernels that generated Python copies verbatim), ``links`` and
``distances``. The PMML and PFA
fast paths call the same kernels; where a format's semantics differ, the kernel takes a parameter.
This package imports no scikit-learn, ONNX or XML library.
"""

from __future__ import annotations

from interchange.ir.derive.transforms import Impute, OneHot, Project, Scale
from interchange.ir.graph import Graph, ModelStep, Prediction, Step, evaluate
from interchange.ir.models.linear import Link, Regression
from interchange.ir.trees.ensemble import Tree, TreeEnsemble

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
