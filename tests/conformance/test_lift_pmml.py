"""PMML documents lifted into the IR and evaluated by the IR's kernels, against the document's engine.

Two sources: the golden documents of tests/conformance/pmml_* (every construct of PMML 4.4 the
fast path knows, most of them deliberately outside the IR) and the documents our own PMML
writer produces for the round-trip matrix's families (numbers only, and a pipeline over text
and numbers with missing values). A document either lifts, and then agrees with
``interchange.load(document)`` (the fast path, itself checked against pypmml on the same rows
in test_pmml_spec, or pypmml where the fast path declines) within rtol 1e-9 / atol 1e-12,
labels equal; or it does not lift and says why, element by element. Never an exception.

Stated exception: SupportVectorMachineModel one-vs-one with three or more categories. On a
vote tie PMML 4.4 names "the first category with maximal votes", which the IR gives; pypmml
1.5.8 takes its hash-map order. Tied rows are left out of the comparison (and checked to be ties).

Stated departures of pypmml judged by JPMML-Evaluator instead: OutputField residual of a regression
(pypmml gives predicted minus actual; PMML 4.4 and JPMML actual minus predicted), and the entityId /
predictedDisplayValue of no prediction (pypmml: the empty text; the IR and the fast path: missing,
as JPMML). Both engines clamp a two-category normalizationMethod="none" probability to [0, 1], and
so does the IR (checked below with a document written here).

Each document's outcome goes to tests/conformance/.results/lift.jsonl.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import interchange
from interchange.batch import to_columns
from interchange.ir.graph import matrix
from interchange.ir.models.svm import SupportVectorMachine, VoteShares
from tests.conformance.lifting import disagreements, record
from tests.conformance.test_pmml_spec import _rows
from tests.roundtrip.test_matrix import CASES, _data, _wrap

HERE = Path(__file__).parent
GOLDEN = sorted(p for d in ("pmml_spec", "pmml_trees", "pmml_general", "pmml_segments") for p in (HERE / d).glob("*.pmml"))
# what our writer produces and the IR cannot yet read back, with the reason it gives
OWN_NOT_LIFTED: dict[str, str] = {}


def _untied(lifted: interchange.Lifted, X) -> np.ndarray:  # noqa: ANN001
    """Rows without a one-vs-one vote tie (all rows for other models)."""
    m = lifted.graph.model  # type: ignore[union-attr]
    m = m.model if isinstance(m, VoteShares) else m
    if not isinstance(m, SupportVectorMachine) or m.classes is None or len(m.classes) < 3:
        return np.ones(len(X), dtype=bool)
    env = to_columns(X, lifted.signature)
    try:
        for step in lifted.graph.steps:  # type: ignore[union-attr]
            step.apply(env)
    except interchange.RecordError:  # an invalid value in the batch: no tie filtering
        return np.ones(len(X), dtype=bool)
    x = matrix(env, m.inputs)
    missing = np.isnan(x).any(axis=1)
    votes = m.votes(m.machine_values(np.where(missing[:, None], 0.0, x)))
    return missing | ((votes == votes.max(axis=1, keepdims=True)).sum(axis=1) == 1)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: f"{p.stem}-pmml")
def test_golden_document_lifts_and_agrees_or_says_why(path: Path) -> None:
    data = path.read_bytes()
    lifted = interchange.lift(data)
    if not lifted.ok:
        assert lifted.reasons and all(r.path.startswith(("/PMML", "OutputField")) and r.why for r in lifted.reasons)
        record("golden", "pmml", path.stem, lifted, None)
        return
    X = _rows(data, lifted.signature.input_names)
    keep = _untied(lifted, X)
    if not keep.all():
        X = X[keep].reset_index(drop=True)
    bad = disagreements(lifted, interchange.load(data), X)
    record("golden", "pmml", path.stem, lifted, not bad)
    assert not bad, bad


def _own_cases() -> list[tuple[str, str, object, str]]:
    return [(name, kind, factory, ds) for name, kind, factory in CASES for ds in ("numeric", "mixed")]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name,kind,factory,dataset", _own_cases(), ids=[f"{c[0]}-{c[3]}-pmml" for c in _own_cases()])
def test_our_pmml_lifts_and_agrees(name: str, kind: str, factory, dataset: str) -> None:  # noqa: ANN001
    X, y = _data(kind, dataset)
    est = _wrap(factory(), dataset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X) if name in ("KMeans", "IsolationForest") else est.fit(X, y)
        try:
            converted = interchange.convert(est, "pmml", sample=X.iloc[:50])
        except interchange.UnsupportedModelError as exc:
            pytest.skip(f"our PMML writer refuses it: {exc.message[:80]}")
    data = converted.document.data
    lifted = interchange.lift(data)
    if name in OWN_NOT_LIFTED:
        record("interchange", "pmml", f"{name}-{dataset}", lifted, None)
        assert not lifted.ok and OWN_NOT_LIFTED[name] in str(lifted.reasons[0])
        return
    assert lifted.ok, lifted.report()
    bad = disagreements(lifted, interchange.load(data), X.iloc[200:].reset_index(drop=True))
    record("interchange", "pmml", f"{name}-{dataset}", lifted, not bad)
    assert not bad, bad


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", ["output_residual_regression", "output_residual_classification"])
def test_lifted_residual_agrees_with_jpmml(name: str) -> None:
    """OutputField residual (ir.targets.Residual) against JPMML-Evaluator, on rows whose target value
    is present and valid (JPMML fails a row without one). Stated exception: pypmml 1.5.8 gives a
    regression's residual as predicted minus actual (PMML 4.4 and JPMML: actual minus predicted), checked
    to still differ there; on the classification it agrees."""
    from interchange.batch import to_columns
    from tests.conformance.lifting import differing_outputs, lifted_outputs
    from tests.roundtrip.helpers import jpmml_outputs

    data = (HERE / "pmml_general" / f"{name}.pmml").read_bytes()
    lifted = interchange.lift(data)
    assert lifted.ok, lifted.report()
    X = _rows(data, lifted.signature.input_names)
    valid = X["y"].notna() & (X["y"].isin(["lo", "mid", "hi"]) if "classification" in name else True)
    complete = X[valid].reset_index(drop=True)
    assert len(complete) > 100
    got = lifted_outputs(lifted, complete)
    want = jpmml_outputs(data, to_columns(complete, lifted.signature), lifted.signature, verify=False)
    assert not differing_outputs(lifted, want, got, ("JPMML", "IR"))
    theirs = differing_outputs(lifted, interchange.load(data, engine="reference").predict(complete), got, ("pypmml", "IR"))
    assert [b.split(":")[0] for b in theirs] == (["resid"] if "regression" in name else [])


_BINARY_NONE = b"""<?xml version="1.0" encoding="UTF-8"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/>
  <DataDictionary>
    <DataField name="a" optype="continuous" dataType="double"/>
    <DataField name="y" optype="categorical" dataType="string"><Value value="no"/><Value value="yes"/></DataField>
  </DataDictionary>
  <RegressionModel functionName="classification" normalizationMethod="none">
    <MiningSchema><MiningField name="a"/><MiningField name="y" usageType="target"/></MiningSchema>
    <Output>
      <OutputField name="label" optype="categorical" dataType="string" feature="predictedValue"/>
      <OutputField name="p_yes" optype="continuous" dataType="double" feature="probability" value="yes"/>
      <OutputField name="p_no" optype="continuous" dataType="double" feature="probability" value="no"/>
    </Output>
    <RegressionTable intercept="0.2" targetCategory="yes"><NumericPredictor name="a" coefficient="0.5"/></RegressionTable>
    <RegressionTable intercept="0" targetCategory="no"/>
  </RegressionModel>
</PMML>"""


@pytest.mark.filterwarnings("ignore")
def test_binary_classification_without_normalization_clamps_like_the_engines() -> None:
    """normalizationMethod="none" over two categories: the first category's score is its probability,
    clamped to [0, 1] by pypmml 1.5.8 and JPMML-Evaluator alike (PMML 4.4 leaves scores outside it open);
    the IR (and the fast path, which evaluates the same step) clamps too."""
    import pandas as pd

    from interchange.batch import to_columns
    from tests.conformance.lifting import differing_outputs, lifted_outputs
    from tests.roundtrip.helpers import jpmml_outputs

    lifted = interchange.lift(_BINARY_NONE)
    assert lifted.ok, lifted.report()
    X = pd.DataFrame({"a": [-3.0, -0.2, 0.5, 4.0, None]})
    got = lifted_outputs(lifted, X)
    assert list(got["p_yes"][:4]) == [0.0, 0.1, 0.45, 1.0]
    assert not disagreements(lifted, interchange.load(_BINARY_NONE, engine="reference"), X)
    assert not disagreements(lifted, interchange.load(_BINARY_NONE), X)
    complete = X.iloc[:4]
    want = jpmml_outputs(_BINARY_NONE, to_columns(complete, lifted.signature), lifted.signature, verify=False)
    assert not differing_outputs(lifted, want, lifted_outputs(lifted, complete), ("JPMML", "IR"))


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("target", ["pmml", "pfa", "onnx", "python"])
def test_binary_classification_without_normalization_is_written_clamped(target: str) -> None:
    """The writers and the Python generator clamp as the IR does: ``convert`` replays pypmml on the source
    against the written document's engine on rows whose scores pass both ends of [0, 1]."""
    from interchange.codegen.api import IR_TOLERANCE, codegen, load_python
    from interchange.crossformat import synthetic_rows
    from interchange.ir.graph import evaluate
    from interchange.verification import compare

    lifted = interchange.lift(_BINARY_NONE)
    assert lifted.graph is not None
    cases = synthetic_rows(lifted, 200)
    p = np.asarray(evaluate(lifted.graph, cases)["p_yes"], dtype=np.float64)
    assert (p == 0.0).any() and (p == 1.0).any()
    if target == "python":
        module = load_python(codegen(lifted.graph, "python").source)
        compare(lifted.signature, evaluate(lifted.graph, cases), module.predict(cases), IR_TOLERANCE, format="generated python")
        return
    converted = interchange.convert(interchange.load(_BINARY_NONE), target)
    assert converted.verification.result is not None and converted.verification.result.rows == 200


@pytest.mark.filterwarnings("ignore")
def test_entity_id_of_no_prediction_is_missing_as_jpmml_gives_it() -> None:
    """A row ending in no Node (nullPrediction) has no entityId in the IR, as JPMML-Evaluator gives it
    (pypmml 1.5.8: the empty text, its departure); on rows without missing values, which JPMML reads
    as PMML 4.4 does, the IR's Node ids equal JPMML's."""
    from interchange.batch import to_columns
    from tests.conformance.lifting import lifted_outputs
    from tests.roundtrip.helpers import jpmml_outputs

    data = (HERE / "pmml_spec" / "tree_null_prediction.pmml").read_bytes()
    lifted = interchange.lift(data)
    X = _rows(data, lifted.signature.input_names)
    X = X[X.notna().all(axis=1)].reset_index(drop=True)
    got = list(lifted_outputs(lifted, X)["node"])
    want = list(jpmml_outputs(data, to_columns(X, lifted.signature), lifted.signature, verify=False)["node"])
    assert None in got and got == want
    assert "" in list(interchange.load(data, engine="reference").predict(X)["node"])
