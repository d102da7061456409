"""The fitted-model intermediate representation (IR) and its vectorised evaluator.

Estimators are extracted into IR once (``interchange.extract``) and ``evaluate`` checks the
graph against its estimator before a document is written; each format writes IR into its
documents. The numeric kernels live here once and the PMML and PFA fast paths call them:
``links`` (inverse links, softmax), ``distances``, ``linear.affine``, ``svm.apply_kernel``,
``naive_bayes.gaussian_log_terms``, ``tree_walk.descend`` (the one tree walk: ``trees.FlatForest``
for numeric splits, ``tree_strategies.MultiwayTree`` for PMML's missing-value strategies, PFA's
compiled tests),
``graph.label_of``; where a format's semantics differ, the kernel takes a parameter. This
package imports no scikit-learn, ONNX or XML library.
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
