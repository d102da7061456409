"""PFA documents lifted into the IR, against titus2 (the reference engine), row by row.

Three sources: our writer's documents for every family of the round-trip matrix (numbers only,
and pipelines over text and numbers with missing values), the hand-written titus2-style spec
documents in ``pfa_spec/``, and documents titus2's own producers write (CART trees, k-means).
Each document either lifts and the IR evaluator (``ir.graph.evaluate``) agrees with titus2 on
held-out rows — rtol 1e-9 / atol 1e-12 (both compute in double; exp / log may differ in the
last bit), labels and clusters equal — or says which element has no IR form. Results go to
``.results/lift.jsonl`` for ``benchmarks/lift_coverage_table.py``.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import interchange
from interchange.formats.pfa.lift.document import lift_pfa
from tests.conformance.lifting import lifted_outputs, record
from tests.roundtrip.test_matrix import CASES, _data, _wrap

RTOL, ATOL = 1e-9, 1e-12
SPEC = Path(__file__).parent / "pfa_spec"
# families whose PFA (our writer's) does not lift yet, and the reason it gives
NOT_YET: dict[str, str] = {}
# the spec documents: what each gives (None: lifts and agrees)
SPEC_EXPECTED: dict[str, str | None] = {
    "arrays_links.pfa": None,  # (read unrolled: model.reg.linear / la.dot as expressions)
    "core_math.pfa": None,
    "fallback_counter.pfa": "cell updated while scoring",
    "fallback_pool.pfa": "pool updated while scoring",
    "fallback_while.pfa": None,  # a while loop of three passes for every record: unrolled
    "forest_vote.pfa": "a.mode .* has no IR form",  # titus2's vote breaks ties by the median label, no IR aggregation does
    "loop_until.pfa": "a loop whose condition depends on the record",
    "loops_fixed.pfa": None,  # a for loop over a literal bound and a foreach over a constant array: unrolled
    "pool_counts.pfa": "cell updated while scoring",
    "models.pfa": None,  # six models: clusters and neighbours ranked, the network and kernels unrolled
    "regression.pfa": None,  # two models' outputs: read as expressions, named columns
    "trees.pfa": None,  # a third, missing branch: the walk unrolled into expressions
}


def _agree(lifted: interchange.ir.lifted.Lifted, data: bytes, rows: Any) -> list[str]:  # type: ignore[name-defined]
    want = interchange.load(data, engine="reference").predict(rows)
    got = lifted_outputs(lifted, rows) if hasattr(rows, "iloc") else interchange.ir.evaluate(lifted.graph, rows)
    bad = []
    for f in lifted.signature.outputs:
        e, a = np.asarray(want[f.name]), np.asarray(got[f.name])
        if f.type == "boolean":  # the IR's truth values are 1.0 / 0.0
            wrong = [
                i
                for i, (u, v) in enumerate(zip(e.tolist(), a.tolist(), strict=True))
                if (u is None) != (v is None) or bool(u) != bool(v)
            ]
        elif f.kind in ("label", "cluster") or f.type not in ("double", "float", "int", "long", "integer"):
            wrong = [i for i, (u, v) in enumerate(zip(e.tolist(), a.tolist(), strict=True)) if str(u) != str(v)]
        else:
            e, a = e.astype(float), a.astype(float)
            over = np.abs(a - e) - (ATOL + RTOL * np.abs(e))
            wrong = np.flatnonzero(np.where(np.isnan(e) & np.isnan(a), -1.0, np.nan_to_num(over, nan=1.0)) > 0).tolist()
        if wrong:
            bad.append(f"{f.name}: {len(wrong)} rows, e.g. row {wrong[0]}: titus2 {e[wrong[0]]!r}, IR {a[wrong[0]]!r}")
    return bad


def _cases() -> list[tuple[str, str, Any, str]]:
    return [(name, kind, factory, ds) for name, kind, factory in CASES for ds in ("numeric", "mixed")]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name,kind,factory,dataset", _cases(), ids=[f"{c[0]}-{c[3]}" for c in _cases()])
def test_our_pfa_lifts_and_agrees_with_titus(name: str, kind: str, factory: Any, dataset: str) -> None:
    X, y = _data(kind, dataset)
    est = _wrap(factory(), dataset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X) if name in ("KMeans", "IsolationForest") else est.fit(X, y)
        try:
            data = interchange.convert(est, "pfa", sample=X.iloc[:50]).document.data
        except (interchange.ConversionError, interchange.UnsupportedModelError) as exc:
            pytest.skip(f"our PFA writer refuses it: {exc.message[:80]}")
    lifted = interchange.lift(data)
    reason = NOT_YET.get(name)
    if reason:
        record("interchange", "pfa", f"{name}-{dataset}", lifted, None)
        assert not lifted.ok and any(re.search(reason, str(r)) for r in lifted.reasons), lifted.report()
        return
    assert lifted.ok, lifted.report()
    bad = _agree(lifted, data, X.iloc[200:].reset_index(drop=True))
    record("interchange", "pfa", f"{name}-{dataset}", lifted, not bad)
    assert not bad, bad


def _spec_columns(name: str) -> Any:
    """Rows drawn from the document's declared input types (missing values where they are nullable)."""
    from tests.conformance.foreign_rows import rows_for

    return rows_for(SPEC / name)


@pytest.mark.parametrize("name", sorted(SPEC_EXPECTED))
def test_spec_documents_lift_or_say_why(name: str) -> None:
    data = (SPEC / name).read_bytes()
    lifted = lift_pfa(data)
    expected = SPEC_EXPECTED[name]
    if expected is not None:
        record("spec", "pfa", name, lifted, None)
        assert not lifted.ok and any(re.search(expected, str(r)) for r in lifted.reasons), lifted.report()
        return
    bad = _agree(lifted, data, _spec_columns(name))
    record("spec", "pfa", name, lifted, not bad)
    assert not bad, bad


def test_every_spec_document_is_covered() -> None:
    assert {p.name for p in SPEC.glob("*.pfa")} == set(SPEC_EXPECTED)


# --- documents titus2's producers write ---------------------------------------------------------


CART = [(task, subset) for task in ("classification", "regression") for subset in (None, 1)]


@pytest.mark.parametrize("task,subset", CART, ids=[f"{t}-subset{s}" for t, s in CART])
def test_titus_cart_trees_lift_and_agree(task: str, subset: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """CART trees from titus.producer.cart (``<=`` on numbers, ``==`` / ``in`` on text, text or
    number leaves): text tests become 0/1 indicator columns split at 0.5. Probe rows sit on every
    threshold and an ulp either side, and take every category a split lists and unseen ones."""
    from interchange.formats.pfa.titus import engine_class
    from tests.conformance.test_pfa_titus_producers import _probe_columns, _rows, _tree_document

    engine_class()
    if not hasattr(np, "in1d"):  # the producer's numpy 1 name (test-only shim, as in test_pfa_titus_producers)
        monkeypatch.setattr(np, "in1d", np.isin, raising=False)
    regression = task == "regression"
    doc = _tree_document(_rows(300, 5, regression), 5, subset)
    data = json.dumps(doc).encode()
    lifted = lift_pfa(data)
    assert lifted.ok, lifted.report()
    columns = _probe_columns(_rows(150, 105, regression), doc["cells"]["tree"]["init"])
    bad = _agree(lifted, data, columns)
    record("titus2 producers", "pfa", f"cart-{task}-subset{subset}", lifted, not bad)
    assert not bad, bad


KMEANS = [(3, 2, "absdiff", 5), (2, 4, "absdiff", 24), (3, 4, "gaussian", 34)]


@pytest.mark.parametrize("k,dims,similarity,seed", KMEANS, ids=[f"k{c[0]}-d{c[1]}-{c[2]}" for c in KMEANS])
def test_titus_kmeans_on_an_array_input_lifts_and_agrees(k: int, dims: int, similarity: str, seed: int) -> None:
    """titus.producer.kmeans scores an array input with metric.euclidean over a similarity: the
    array's items become columns (ArrayItems) and metric.absDiff is the IR's Euclidean distance
    (a NearestCenter step); a Gaussian similarity, which no IR metric is, is unrolled into
    expressions (the clusters ranked by their distance expressions). Probe rows: the training
    points, the centers, the midpoints between centers (near ties) and far points (where the
    Gaussian similarity saturates: ties, the first cluster)."""
    from interchange.formats.pfa.titus import engine_class
    from tests.conformance.test_pfa_titus_producers import _kmeans_document

    engine_class()
    doc, data = _kmeans_document(k, dims, similarity, seed=seed)
    raw = json.dumps(doc).encode()
    lifted = lift_pfa(raw)
    name = "kmeans" if seed == 5 else f"kmeans-k{k}-d{dims}-{similarity}"  # (the first: the document this test always read)
    assert lifted.ok, lifted.report()
    centers = np.array([c["center"] for c in doc["cells"]["clusters"]["init"]])
    mids = [(a + b) / 2.0 for i, a in enumerate(centers) for b in centers[i + 1 :]]
    far = np.random.default_rng(seed).normal(0.0, 50.0, (20, dims))
    points = np.concatenate([data[::3], centers, np.array(mids), far])
    bad = _agree(lifted, raw, {"input": [list(p) for p in points]})
    record("titus2 producers", "pfa", name, lifted, not bad)
    assert not bad, bad


# --- what the graph writers do with the new steps -----------------------------------------------


WRITER_REFUSALS = [
    ("pfa_foreign/cluster_closest.pfa", "pmml", "input field 'input' is of type 'array', which no PMML DataField holds"),
    ("pfa_foreign/cluster_closest.pfa", "onnx", "a variable-length array per row has no such tensor"),
    # (to PFA it converts: tests/roundtrip/test_wscores_writers.py, with rows holding arrays of the length it reads)
    # the ONNX writer looks the model step up first: this document's outputs are expressions (Columns)
    ("pfa_foreign/strings_cleanup.pfa", "onnx", "no form for the IR step Columns"),
    # (to PFA it converts: tests/roundtrip/test_pfatext_writers.py)
]


@pytest.mark.parametrize("name,fmt,why", WRITER_REFUSALS, ids=[f"{n.split('/')[1]}-{f}" for n, f, _ in WRITER_REFUSALS])
def test_documents_lifted_through_the_new_steps_are_refused_by_the_writers_by_name(name: str, fmt: str, why: str) -> None:
    """ArrayItems and TextDerive evaluate in the IR; what a graph writer cannot write it refuses by name."""
    data = (Path(__file__).parent / name).read_bytes()
    assert lift_pfa(data).ok
    with pytest.raises(interchange.UnsupportedModelError, match=re.escape(why)):
        interchange.convert(interchange.load(data), fmt)


# --- k-NN over derived inputs: our writer's knn_gone guard, its NaN cleaning and neighbour ids ----------

KNN_DERIVED = {
    # PMML k-NN documents whose KNNInputs are derived fields (NaN where an input is missing): the PFA writer
    # guards every output with knn_gone (a.any of impute.isnan), cleans arithmetic with impute.isinf, and
    # writes entityId outputs as a second nearestK over {point, id} records
    "knn_regression_local_raw": "pmml_spec/knn_regression_local_raw.pmml",
    "knn_regression_local_transformed": "pmml_spec/knn_regression_local_transformed.pmml",
    "s2p_knn_distance_regressor": "pmml_crossformat/s2p_knn_distance_regressor.pmml",
}


def _knn_rows(signature: Any, n: int = 60) -> Any:
    import pandas as pd

    rng = np.random.default_rng(0)
    rows = pd.DataFrame({f.name: rng.uniform(-3.0, 5.0, n) for f in signature.inputs})
    for j, f in enumerate(signature.inputs):
        rows.loc[j :: 3 + j, f.name] = np.nan  # each input missing in turn (and some rows with two)
    return rows


def _knn_classifier_over_derived_inputs() -> bytes:
    """Our PFA of a k-NN classifier whose inputs are derived (the regression document's Derive steps)."""
    from interchange.formats.pfa.emit.document import write_graph
    from interchange.ir.graph import Graph
    from interchange.ir.models.neighbors import NearestNeighbors
    from interchange.signature import OutputField, Signature

    graph = interchange.lift((Path(__file__).parent / KNN_DERIVED["knn_regression_local_raw"]).read_bytes()).graph
    knn = graph.model.model  # (NeighborIds around the k-NN)
    classes = ("a", "b", "c")
    model = NearestNeighbors(knn.inputs, knn.points, np.arange(len(knn.points)) % 3, 3, classes=classes)
    outputs = (OutputField("label", "label", "string"), *(OutputField(f"p_{c}", "probability", target=c) for c in classes))
    return write_graph(Graph(Signature(graph.signature.inputs, outputs, classes, "classification"), graph.steps, model))


@pytest.mark.parametrize("name", [*KNN_DERIVED, "knn_classifier_derived"])
def test_our_pfa_of_knn_over_derived_inputs_lifts_and_agrees_with_titus(name: str) -> None:
    """Before, these did not lift: impute.isinf had no IR form, the knn_gone guard around an output was a choice
    between a missing value and a model's prediction, and the ids' {point, id} records were not neighbour points.
    The guard reads as the output (the IR's k-NN gives no prediction where an input is missing)."""
    from interchange.formats.pfa.emit.document import write_graph

    if name in KNN_DERIVED:
        source = interchange.lift((Path(__file__).parent / KNN_DERIVED[name]).read_bytes())
        assert source.graph is not None
        data = write_graph(source.graph)
    else:
        data = _knn_classifier_over_derived_inputs()
    assert "knn_gone" in data.decode() or name == "s2p_knn_distance_regressor"  # (its inputs are raw: no guard)
    lifted = lift_pfa(data)
    assert lifted.ok, lifted.report()
    rows = _knn_rows(lifted.signature)
    if name == "s2p_knn_distance_regressor":  # raw inputs: PFA fails a record with a missing one (impute.errorOnNull)
        rows = rows.dropna().reset_index(drop=True)
    bad = _agree(lifted, data, rows)
    record("interchange", "pfa", f"{name}-knn", lifted, not bad)
    assert not bad, bad
