"""The PFA lifter's model library: each model call lifts into its IR model step and evaluates like
titus2 (rtol 1e-9 / atol 1e-12, labels equal); each form it cannot hold says why, with its path."""

from __future__ import annotations

import numpy as np
import pytest

from interchange.formats.pfa.emit.document import TREE_POINT, tree_node_type, tree_test
from interchange.ir.columns import Columns
from interchange.ir.models.cluster import NearestCenter
from interchange.ir.models.linear import Link, Regression
from interchange.ir.models.naive_bayes import GaussianNaiveBayes
from interchange.ir.models.neighbors import NearestNeighbors
from interchange.ir.models.neural import NeuralNetwork
from interchange.ir.trees.ensemble import TreeEnsemble
from tests.unit.formats.pfa.lift.helpers import agrees, doc, reason

ARRAY = {"type": "array", "items": "double"}
MATRIX = {"type": "array", "items": ARRAY}
FIELDS = {"a": "double", "b": "double"}
RNG = np.random.default_rng(3)
COLUMNS = {"a": RNG.normal(0, 2, 40), "b": RNG.normal(0, 2, 40)}
X = {"let": {"x": {"new": ["input.a", "input.b"], "type": ARRAY}}}
LINEAR = {
    "type": {"type": "record", "name": "Lin", "fields": [{"name": "coeff", "type": MATRIX}, {"name": "const", "type": ARRAY}]}
}
CLASSES = {"type": {"type": "array", "items": "string"}, "init": ["ant", "bee", "cat"]}


def _out(*names: str) -> dict:
    return {
        "type": "record",
        "name": "Output",
        "fields": [{"name": n, "type": "string" if n == "label" else "double"} for n in names],
    }


def test_a_single_linear_regression_is_a_value() -> None:
    cell = {
        "type": {
            "type": "record",
            "name": "One",
            "fields": [{"name": "coeff", "type": ARRAY}, {"name": "const", "type": "double"}],
        }
    }
    cell["init"] = {"coeff": [0.5, -1.25], "const": 0.75}
    data = doc(FIELDS, [X, {"model.reg.linear": ["x", {"cell": "m"}]}], cells={"m": cell})
    lifted = agrees(data, COLUMNS)
    assert isinstance(lifted.graph.model, Regression) and lifted.graph.model.classes is None


def test_linear_scores_softmax_and_a_label_from_the_class_cell() -> None:
    cells = {
        "m": {**LINEAR, "init": {"coeff": [[1.0, 0.5], [-0.3, 0.2], [0.0, -1.0]], "const": [0.1, -0.2, 0.05]}},
        "classes": CLASSES,
    }
    action = [
        X,
        {"let": {"probs": {"m.link.softmax": {"model.reg.linear": ["x", {"cell": "m"}]}}}},
        {
            "new": {
                "label": {"attr": {"cell": "classes"}, "path": [{"a.argmax": "probs"}]},
                "p_bee": {"attr": "probs", "path": [1]},
            },
            "type": "Output",
        },
    ]
    lifted = agrees(doc(FIELDS, action, _out("label", "p_bee"), cells), COLUMNS)
    model = lifted.graph.model
    assert isinstance(model, Regression) and model.link is Link.SOFTMAX and model.classes == ("ant", "bee", "cat")
    assert [(f.kind, f.target) for f in lifted.signature.outputs] == [("label", None), ("probability", "bee")]


def test_a_logistic_pair_and_a_decision_sign() -> None:
    cells = {"m": {**LINEAR, "init": {"coeff": [[1.0, -2.0]], "const": [0.3]}}, "classes": {**CLASSES, "init": ["no", "yes"]}}
    p1 = {"m.link.logit": {"attr": "s", "path": [0]}}
    action = [
        X,
        {"let": {"s": {"model.reg.linear": ["x", {"cell": "m"}]}}},
        {"let": {"probs": {"new": [{"-": [1.0, p1]}, p1], "type": ARRAY}}},
        {
            "new": {"label": {"attr": {"cell": "classes"}, "path": [{"a.argmax": "probs"}]}, "p": {"attr": "probs", "path": [1]}},
            "type": "Output",
        },
    ]
    assert agrees(doc(FIELDS, action, _out("label", "p"), cells), COLUMNS).graph.model.link is Link.LOGISTIC
    sign = {"if": {">": [{"attr": "s", "path": [0]}, 0.0]}, "then": 1, "else": 0}
    action = [
        *action[:2],
        {"new": {"label": {"attr": {"cell": "classes"}, "path": [sign]}, "d": {"attr": "s", "path": [0]}}, "type": "Output"},
    ]
    lifted = agrees(doc(FIELDS, action, _out("label", "d"), cells), COLUMNS)
    assert lifted.graph.model.link is Link.IDENTITY and lifted.signature.outputs[1].kind == "decision"


def _node(field: str, op: str, value: float, yes: object, no: object, kind: str = "double") -> dict:
    return {"field": field, "operator": op, "value": value, "pass": yes, "fail": no}


def test_simple_tree_walks_with_every_comparison() -> None:
    """``>`` and ``>=`` swap the children; ``<`` next to ``<=`` moves to the next double below."""
    node_type = {
        "type": "record",
        "name": "N",
        "fields": [
            {"name": "field", "type": {"type": "enum", "name": "F", "symbols": ["a", "b"]}},
            {"name": "operator", "type": "string"},
            {"name": "value", "type": "double"},
            {"name": "pass", "type": ["double", "N"]},
            {"name": "fail", "type": ["double", "N"]},
        ],
    }
    inner = _node("b", "<", 0.5, {"double": 1.5}, {"N": _node("a", ">=", -1.0, {"double": 2.5}, {"double": 3.5})})
    root = _node("a", ">", 0.0, {"N": inner}, {"N": _node("b", "<=", -0.5, {"double": -1.0}, {"double": -2.0})})
    test = {"params": [{"d": "Input"}, {"t": "N"}], "ret": "boolean", "do": {"model.tree.simpleTest": ["d", "t"]}}
    data = doc(
        FIELDS, [{"model.tree.simpleWalk": ["input", {"cell": "tree"}, test]}], cells={"tree": {"type": node_type, "init": root}}
    )
    a = [0.0, np.nextafter(0.0, 1.0), -1.0, np.nextafter(-1.0, -2.0), 3.0, -3.0]
    b = [0.5, np.nextafter(0.5, 0.0), 0.6, -0.5, np.nextafter(-0.5, 0.0), 0.4, -0.6]
    grid = np.array([(u, v) for u in a for v in b])  # every value on (and an ulp off) a threshold, in every branch
    lifted = agrees(data, {"a": grid[:, 0], "b": grid[:, 1]})
    assert isinstance(lifted.graph.model, TreeEnsemble)


def test_our_writers_tree_cells_walked_and_summed() -> None:
    """The writer's own TreeNode cell, TreePoint and walk test (formats/pfa/emit/document.py), summed by hand."""
    node_type = tree_node_type(ARRAY)
    trees = [
        {
            "feature": 0,
            "threshold": 0.5,
            "missingLeft": True,
            "pass": {"array": [1.0]},
            "fail": {
                "TreeNode": {
                    "feature": 1,
                    "threshold": -0.2,
                    "missingLeft": False,
                    "pass": {"array": [2.0]},
                    "fail": {"array": [3.0]},
                }
            },
        },
        {"feature": 1, "threshold": 1.0, "missingLeft": False, "pass": {"array": [-0.5]}, "fail": {"array": [0.25]}},
    ]
    point = TREE_POINT
    test = tree_test("<=")
    walk = {"params": [{"tree": "TreeNode"}], "ret": ARRAY, "do": {"model.tree.simpleWalk": ["tree_x", "tree", test]}}
    add = {"params": [{"acc": ARRAY}, {"leaf": ARRAY}], "ret": ARRAY, "do": {"la.add": ["acc", "leaf"]}}
    action = [
        {
            "let": {
                "tree_x": {
                    "new": {"x": {"new": ["input.a", "input.b"], "type": {"type": "array", "items": ["null", "double"]}}},
                    "type": point,
                }
            }
        },
        {"let": {"leaves": {"a.map": [{"cell": "trees"}, walk]}}},
        {
            "let": {
                "scores": {
                    "la.add": [
                        {"la.scale": [{"a.fold": ["leaves", {"new": [0.0], "type": ARRAY}, add]}, 0.5]},
                        {"new": [0.1], "type": ARRAY},
                    ]
                }
            }
        },
        {"attr": "scores", "path": [0]},
    ]
    fields = {"a": ["null", "double"], "b": ["null", "double"]}
    data = doc(fields, action, cells={"trees": {"type": {"type": "array", "items": node_type}, "init": trees}})
    missing = {"a": np.array([None, 0.5, 1.0, None], dtype=object), "b": np.array([0.0, None, None, None], dtype=object)}
    lifted = agrees(data, missing)
    model = lifted.graph.model
    assert isinstance(model, TreeEnsemble) and model.aggregation == "average" and np.allclose(model.base, [0.1])


def test_clusters_networks_naive_bayes_and_neighbours() -> None:
    cluster = {
        "type": "record",
        "name": "Cluster",
        "fields": [{"name": "center", "type": ARRAY}, {"name": "id", "type": "string"}],
    }
    cells = {
        "c": {
            "type": {"type": "array", "items": cluster},
            "init": [{"center": [0.0, 0.0], "id": "o"}, {"center": [1.0, 1.0], "id": "p"}, {"center": [-1.0, 2.0], "id": "q"}],
        }
    }
    action = [
        X,
        {
            "new": {"cluster": {"attr": {"model.cluster.closest": ["x", {"cell": "c"}]}, "path": [{"string": "id"}]}},
            "type": "Output",
        },
    ]
    out = {"type": "record", "name": "Output", "fields": [{"name": "cluster", "type": "string"}]}
    assert isinstance(agrees(doc(FIELDS, action, out, cells), COLUMNS).graph.model, NearestCenter)
    pq = [{"p": ARRAY}, {"q": ARRAY}]
    absdiff = {"params": [{"u": "double"}, {"w": "double"}], "ret": "double", "do": {"metric.absDiff": ["u", "w"]}}
    for metric, body in [
        ("euclidean", {"metric.simpleEuclidean": ["p", "q"]}),
        ("squaredEuclidean", {"metric.squaredEuclidean": [absdiff, "p", "q"]}),
        ("euclidean", {"metric.euclidean": [{"fcn": "metric.absDiff"}, "p", "q"]}),
    ]:
        closest = {"model.cluster.closest": ["x", {"cell": "c"}, {"params": pq, "ret": "double", "do": body}]}
        action[1] = {"new": {"cluster": {"attr": closest, "path": [{"string": "id"}]}}, "type": "Output"}
        assert agrees(doc(FIELDS, action, out, cells), COLUMNS).graph.model.metric == metric  # type: ignore[union-attr]

    layer = {"type": "record", "name": "Layer", "fields": [{"name": "weights", "type": MATRIX}, {"name": "bias", "type": ARRAY}]}
    layers = [
        {"weights": [[0.5, -0.25], [1.0, 0.75], [0.2, 0.1]], "bias": [0.1, -0.1, 0.0]},
        {"weights": [[1.5, -2.0, 0.3]], "bias": [0.2]},
    ]
    act = {"params": [{"z": "double"}], "ret": "double", "do": {"m.tanh": "z"}}
    action = [X, {"attr": {"model.neural.simpleLayers": ["x", {"cell": "nn"}, act]}, "path": [0]}]
    data = doc(FIELDS, action, cells={"nn": {"type": {"type": "array", "items": layer}, "init": layers}})
    assert isinstance(agrees(data, COLUMNS).graph.model, NeuralNetwork)

    stat = {"type": "record", "name": "S", "fields": [{"name": "mean", "type": "double"}, {"name": "variance", "type": "double"}]}
    nbc = {
        "type": "record",
        "name": "C",
        "fields": [{"name": "logPrior", "type": "double"}, {"name": "stats", "type": {"type": "array", "items": stat}}],
    }
    init = [
        {"logPrior": -1.0, "stats": [{"mean": 0.0, "variance": 1.0}, {"mean": 1.0, "variance": 2.0}]},
        {"logPrior": -0.5, "stats": [{"mean": 2.0, "variance": 0.5}, {"mean": -1.0, "variance": 1.5}]},
    ]
    ll = {"params": [{"c": "C"}], "ret": "double", "do": {"+": ["c.logPrior", {"model.naive.gaussian": ["x", "c.stats"]}]}}
    sm = [
        {"let": {"jll": {"a.map": [{"cell": "nb"}, ll]}}},
        {"let": {"m": {"a.max": "jll"}}},
        {"let": {"e": {"a.map": ["jll", {"params": [{"s": "double"}], "ret": "double", "do": {"m.exp": {"-": ["s", "m"]}}}]}}},
        {"let": {"t": {"a.sum": "e"}}},
        {"let": {"probs": {"a.map": ["e", {"params": [{"v": "double"}], "ret": "double", "do": {"/": ["v", "t"]}}]}}},
    ]
    cells = {"nb": {"type": {"type": "array", "items": nbc}, "init": init}, "classes": {**CLASSES, "init": ["x", "y"]}}
    action = [
        X,
        *sm,
        {
            "new": {"label": {"attr": {"cell": "classes"}, "path": [{"a.argmax": "probs"}]}, "p": {"attr": "probs", "path": [0]}},
            "type": "Output",
        },
    ]
    assert isinstance(agrees(doc(FIELDS, action, _out("label", "p"), cells), COLUMNS).graph.model, GaussianNaiveBayes)


def test_nearest_neighbours_as_our_writer_spells_them() -> None:
    """k-NN regression written by our writer (its document, cut to two inputs)."""
    point = {"type": "record", "name": "P", "fields": [{"name": "point", "type": ARRAY}, {"name": "target", "type": "double"}]}
    pts = [{"point": [float(a), float(b)], "target": float(a - b)} for a, b in RNG.normal(0, 1, (12, 2))]
    sq = {"params": [{"a": "double"}, {"b": "double"}], "ret": "double", "do": {"*": [{"-": ["a", "b"]}, {"-": ["a", "b"]}]}}
    metric = {
        "params": [{"q": ARRAY}, {"p": "P"}],
        "ret": "double",
        "do": {"m.sqrt": {"a.sum": {"a.zipmap": ["q", "p.point", sq]}}},
    }
    dist = {"params": [{"p": "P"}], "ret": "double", "do": {"m.sqrt": {"a.sum": {"a.zipmap": ["x", "p.point", sq]}}}}
    product = {"params": [{"a": "double"}, {"b": "double"}], "ret": "double", "do": {"*": ["a", "b"]}}
    action = [
        X,
        {"let": {"near": {"model.neighbor.nearestK": [3, "x", {"cell": "pts"}, metric]}}},
        {"let": {"d": {"a.map": ["near", dist]}}},
        {"let": {"w": {"a.map": ["d", {"params": [{"d": "double"}], "ret": "double", "do": 1.0}]}}},
        {"let": {"ws": {"a.sum": "w"}}},
        {"let": {"y": {"a.map": ["near", {"params": [{"p": "P"}], "ret": "double", "do": "p.target"}]}}},
        {"/": [{"a.sum": {"a.zipmap": ["w", "y", product]}}, "ws"]},
    ]
    lifted = agrees(doc(FIELDS, action, cells={"pts": {"type": {"type": "array", "items": point}, "init": pts}}), COLUMNS)
    assert isinstance(lifted.graph.model, NearestNeighbors) and lifted.graph.model.k == 3


@pytest.mark.parametrize(
    "action,cells,why",
    [
        ([X, {"model.cluster.closest": ["x", {"cell": "c"}, {"fcn": "metric.euclidean"}]}], "c", "as a cluster metric"),
        ([X, {"model.neighbor.nearestK": [2, "x", {"cell": "grid"}]}], "grid", "not {point, target} records"),
        (
            [
                X,
                {
                    "a.sum": {
                        "a.map": [
                            {"cell": "grid"},
                            {"params": [{"v": ARRAY}], "ret": "double", "do": {"m.kernel.rbf": ["x", "v", 0.5]}},
                        ]
                    }
                },
            ],
            "grid",
            "a.sum of kernels has no IR form",
        ),
    ],
)
def test_model_forms_without_an_ir_form_say_why(action: list, cells: str, why: str) -> None:
    one = {
        "type": {
            "type": "record",
            "name": "One",
            "fields": [{"name": "coeff", "type": ARRAY}, {"name": "const", "type": "double"}],
        },
        "init": {"coeff": [1.0, 2.0], "const": 0.0},
    }
    table = {
        "two": {"one": one, "two": {**one, "init": {"coeff": [0.5, 0.5], "const": 1.0}}},
        "c": {
            "c": {
                "type": {
                    "type": "array",
                    "items": {
                        "type": "record",
                        "name": "K",
                        "fields": [{"name": "center", "type": ARRAY}, {"name": "id", "type": "int"}],
                    },
                },
                "init": [{"center": [0.0, 0.0], "id": 1}],
            }
        },
        "grid": {"grid": {"type": MATRIX, "init": [[0.0, 1.0], [1.0, 0.0]]}},
    }
    assert why in reason(doc(FIELDS, action, cells=table[cells]))


def test_two_models_in_one_output_record_become_columns() -> None:
    """Outputs of two models (or of a model and an input, or a sum of two models' values) are no one
    IR model step: model.reg.linear is read as expressions and the outputs become named columns."""
    one = {
        "type": {
            "type": "record",
            "name": "One",
            "fields": [{"name": "coeff", "type": ARRAY}, {"name": "const", "type": "double"}],
        },
        "init": {"coeff": [1.0, 2.0], "const": 0.0},
    }
    cells = {"one": one, "two": {**one, "init": {"coeff": [0.5, 0.5], "const": 1.0}}}
    u, v = {"model.reg.linear": ["x", {"cell": "one"}]}, {"model.reg.linear": ["x", {"cell": "two"}]}
    for fields in ({"u": u, "v": v}, {"u": u, "v": "input.a"}):
        action = [X, {"new": fields, "type": "Output"}]
        assert isinstance(agrees(doc(FIELDS, action, _out("u", "v"), cells), COLUMNS).graph.model, Columns)
    assert isinstance(agrees(doc(FIELDS, [X, {"+": [u, v]}], cells=cells), COLUMNS).graph.model, Regression)


def test_a_missing_branch_of_its_own_unrolls_into_expressions() -> None:
    enum = {"type": "enum", "name": "F", "symbols": ["a", "b"]}
    fields = [("field", enum), ("operator", "string"), ("value", "double")]
    fields += [(b, ["string", "M"]) for b in ("pass", "fail", "missing")]
    node = {"type": "record", "name": "M", "fields": [{"name": n, "type": t} for n, t in fields]}
    init = {
        "field": "a",
        "operator": "<",
        "value": 0.5,
        "pass": {"string": "A"},
        "fail": {"string": "B"},
        "missing": {"string": "C"},
    }
    test = {"params": [{"d": "Input"}, {"t": "M"}], "ret": ["null", "boolean"], "do": {"model.tree.missingTest": ["d", "t"]}}
    data = doc(
        {"a": ["null", "double"], "b": ["null", "double"]},
        [{"model.tree.missingWalk": ["input", {"cell": "t"}, test]}],
        "string",
        {"t": {"type": node, "init": init}},
    )
    lifted = agrees(data, {"a": [0.2, None, 0.9, -1.0], "b": [None, 1.0, 2.0, None]})  # unrolled into expressions
    assert isinstance(lifted.graph.model, Columns)
    init["missing"] = {"string": "B"}  # missing values go the way of fail: an IR tree
    data = doc(
        {"a": ["null", "double"], "b": ["null", "double"]},
        [{"model.tree.missingWalk": ["input", {"cell": "t"}, test]}],
        "string",
        {"t": {"type": node, "init": init}},
    )
    agrees(data, {"a": np.array([0.1, 0.5, 0.9, None], dtype=object), "b": np.array([0.0, 0.0, 0.0, 0.0])})


def test_la_dot_and_la_add_are_a_linear_model() -> None:
    cells = {
        "w": {"type": MATRIX, "init": [[1.0, 0.5], [-0.3, 0.2], [0.0, -1.0]]},
        "b": {"type": ARRAY, "init": [0.1, -0.2, 0.05]},
    }
    cells["classes"] = CLASSES
    scores = {"la.add": [{"la.dot": [{"cell": "w"}, "x"]}, {"cell": "b"}]}
    action = [X, {"let": {"s": scores}}, {"attr": {"cell": "classes"}, "path": [{"a.argmax": "s"}]}]
    lifted = agrees(doc(FIELDS, action, "string", cells), COLUMNS)
    model = lifted.graph.model
    assert isinstance(model, Regression) and model.link is Link.IDENTITY and np.allclose(model.intercept, [0.1, -0.2, 0.05])


def test_a_kernel_machine_and_outputs_that_are_not_the_writers() -> None:
    from interchange.ir.models.svm import SupportVectorMachine

    cells = {
        "sv": {"type": MATRIX, "init": [[0.0, 1.0], [1.0, 0.0], [-1.0, -1.0]]},
        "coef": {"type": MATRIX, "init": [[0.5, -1.5, 2.0]]},
        "b": {"type": ARRAY, "init": [0.25]},
    }
    kernel = {"params": [{"v": ARRAY}], "ret": "double", "do": {"m.kernel.rbf": ["x", "v", 0.5]}}
    f = [
        X,
        {"let": {"k": {"a.map": [{"cell": "sv"}, kernel]}}},
        {"let": {"f": {"la.add": [{"la.dot": [{"cell": "coef"}, "k"]}, {"cell": "b"}]}}},
    ]
    lifted = agrees(doc(FIELDS, [*f, {"attr": "f", "path": [0]}], cells=cells), COLUMNS)
    assert isinstance(lifted.graph.model, SupportVectorMachine) and lifted.graph.model.kernel == "rbf"
    doubled = doc(FIELDS, [*f, {"*": [{"attr": "f", "path": [0]}, 2.0]}], cells=cells)
    assert "SVM outputs other than the first machine's value" in reason(doubled)
