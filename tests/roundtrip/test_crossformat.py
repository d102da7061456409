"""Cross-format conversion: a document written by one format's writer, lifted into the IR and written
by another's, agrees with its source on the source's and the target's reference engines.

For each family that lifts (the round-trip matrix's), an estimator is converted to the source
format, the loaded document is converted (``interchange.convert(model, target)``) and the
target verified on synthetic rows drawn from the signature (convert_document replays them
through pypmml / titus2 / onnxruntime on both sides; rtol 1e-9 / atol 1e-12, labels equal). Fields whose
missing values the source document handles (imputers, missing-value tests, tree splits) are
missing in about 10% of those rows, and the test checks that they are. A document that
cannot be lifted, or a target writer that cannot take the IR, raises UnsupportedModelError
naming why; those stated gaps are checked too, so a cell that starts or stops converting shows.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import interchange
from interchange.cli import app
from interchange.crossformat import missing_handled, register_graph_writer
from interchange.formats.onnx.meta import IR_WRITER
from tests.conformance.lifting import unless_refused
from tests.roundtrip.test_matrix import CASES, _data, _wrap

FAMILIES = [
    "LogisticRegression_multinomial",
    "StandardScaler+LogisticRegression",
    "RandomForestClassifier",
    "GradientBoostingClassifier_binary",
    "XGBRegressor",
    "SVC_rbf",
    "MLPClassifier",
    "KNeighborsRegressor",
    "LinearSVC",
    "Normalizer+PolynomialFeatures+PCA+LogisticRegression",
]
# (source, target, family, dataset) -> what the refusal says, for cells only one data set refuses
REFUSED: dict[tuple[str, str, str, str], str] = {}


def _document(name: str, fmt: str, dataset: str) -> interchange.Model:
    for family, kind, factory in CASES:
        if family == name:
            X, y = _data(kind, dataset)
            est = _wrap(factory(), dataset)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                est.fit(X) if name in ("KMeans", "IsolationForest") else est.fit(X, y)
                return interchange.convert(est, fmt, sample=X.iloc[:50]).model
    raise KeyError(name)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("dataset", ["numeric", "mixed"])
@pytest.mark.parametrize("name", FAMILIES)
@pytest.mark.parametrize(
    "source,target",
    [
        ("pmml", "pfa"),
        ("pmml", "pmml"),
        ("onnx", "pmml"),
        ("pmml", "onnx"),
        ("onnx", "pfa"),
        ("onnx", "onnx"),
        ("pfa", "pmml"),
        ("pfa", "onnx"),
        ("pfa", "pfa"),
    ],
)
def test_document_converts_to_another_format(name: str, source: str, target: str, dataset: str) -> None:
    try:
        model = _document(name, source, dataset)
    except interchange.UnsupportedModelError as exc:
        pytest.skip(f"the source converter refuses it: {exc.message[:80]}")
    refused = REFUSED.get((source, target, name, dataset))
    converted = unless_refused(refused, lambda: interchange.convert(model, target))
    if converted is None:
        return
    assert converted.format == target
    assert converted.verification.result is not None and converted.verification.result.rows == 200
    graph = interchange.lift(model).graph
    assert graph is not None
    for field in missing_handled(graph):  # the replay covered the document's missing-value handling
        col = converted.verification.inputs[field]
        assert any(v is None or v != v for v in col.tolist()), field
    if dataset == "mixed":
        assert missing_handled(graph), "the mixed pipeline imputes every input"
    assert converted.lineage["source_format"] == source
    if source == "pfa" or source == "onnx" and model.info.details.get("writer") == IR_WRITER:  # no float32 in the source
        assert converted.verification.tolerance.rtol == 1e-9 and converted.verification.tolerance.atol == 1e-12
    again = interchange.load(converted.document)  # the target's own engine (fast path) agrees as well
    want = converted.verification.expected
    got = again.predict(converted.verification.inputs)
    for f in converted.signature.outputs:
        e, a = np.asarray(want[f.name]), np.asarray(got[f.name])
        if f.kind in ("label", "cluster"):
            assert [str(v) for v in e] == [str(v) for v in a], f.name
        else:
            tol = converted.verification.tolerance
            np.testing.assert_allclose(a.astype(float), e.astype(float), rtol=tol.rtol, atol=tol.atol, err_msg=f.name)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("target", ["pfa", "onnx", "pmml"])
def test_a_kmeans_pmml_converts_with_its_missing_value_weights(target: str) -> None:
    """A lifted ClusteringModel carries PMML 4.4's missing-value weights (ones by default), which every writer
    writes (PFA and ONNX: the distances spelled out; refused before)."""
    converted = interchange.convert(_document("KMeans", "pmml", "numeric"), target)
    assert converted.verification.result is not None and converted.verification.result.rows == 200


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("target", ["pfa", "onnx"])
def test_a_gaussian_nb_pmml_converts_with_its_density_threshold(target: str) -> None:
    """The PMML writer's threshold="0" lifts as a density floor of 0 (PMML 4.4 §NaiveBayes: log max(threshold,
    density)), which the PFA and ONNX writers write as such (it was refused before)."""
    converted = interchange.convert(_document("GaussianNB", "pmml", "numeric"), target)
    assert converted.verification.result is not None and converted.verification.result.rows == 200


@pytest.mark.filterwarnings("ignore")
def test_an_isolation_forest_pmml_converts_to_pfa() -> None:
    """Its score and its integer label are Output expressions of the PMML document (ir.reported)."""
    converted = interchange.convert(_document("IsolationForest", "pmml", "numeric"), "pfa")
    assert converted.verification.result is not None and converted.verification.result.rows == 200


def test_a_second_writer_for_a_format_is_refused() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_graph_writer("pfa", lambda graph: b"")


@pytest.mark.filterwarnings("ignore")
def test_a_target_that_disagrees_is_a_verification_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer that changes the model (here: every coefficient doubled) fails the replay, naming row and field."""
    import interchange.crossformat as cf
    from interchange.formats.pmml.emit.document import write_graph
    from interchange.ir.graph import Graph
    from interchange.ir.models.linear import Regression

    def wrong(graph: Graph) -> bytes:
        m = graph.model
        assert isinstance(m, Regression)
        return write_graph(Graph(graph.signature, graph.steps, Regression(m.inputs, m.coef * 2, m.intercept, m.link, m.classes)))

    monkeypatch.setitem(cf.GRAPH_WRITERS, "pmml", wrong)
    with pytest.raises(interchange.VerificationError) as err:
        interchange.convert(_document("LinearRegression", "pmml", "numeric"), "pmml")
    assert err.value.row is not None and err.value.output == "prediction"


@pytest.mark.filterwarnings("ignore")
def test_cli_converts_a_document(tmp_path: Path) -> None:
    source = tmp_path / "model.pmml"
    source.write_bytes(_document("RandomForestClassifier", "pmml", "numeric").document.data)
    out = tmp_path / "model.pfa"
    result = CliRunner().invoke(app, ["convert", str(source), "-f", "pfa", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert interchange.load(out).info.format == "pfa"
    lifted = CliRunner().invoke(app, ["lift", str(source)])
    assert lifted.exit_code == 0 and "TreeEnsemble" in lifted.output


@pytest.mark.filterwarnings("ignore")
def test_cli_converts_and_lifts_a_pfa_document(tmp_path: Path) -> None:
    source = tmp_path / "model.pfa"
    source.write_bytes(_document("GradientBoostingClassifier_binary", "pfa", "numeric").document.data)
    out = tmp_path / "model.pmml"
    result = CliRunner().invoke(app, ["convert", str(source), "-f", "pmml", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert interchange.load(out).info.format == "pmml"
    lifted = CliRunner().invoke(app, ["lift", str(source)])
    assert lifted.exit_code == 0 and "/action/1/let/tree_leaves -> trees" in lifted.output and "TreeEnsemble" in lifted.output
    source.write_bytes((Path(__file__).parents[1] / "conformance" / "pfa_spec" / "fallback_counter.pfa").read_bytes())
    refused = CliRunner().invoke(app, ["lift", str(source)])
    assert refused.exit_code == 1 and "/action/0: a cell updated while scoring (model state) has no IR form" in refused.output


@pytest.mark.filterwarnings("ignore")
def test_rows_the_source_refuses_every_one_of_verify_nothing_and_fail() -> None:
    """A refusal must meet a refusal, so rows the source refuses all (values its DataDictionary declares
    invalid, returnInvalid by default) would pass any target: convert says nothing was verified instead."""
    import pandas as pd

    doc = (Path(__file__).parents[1] / "conformance" / "pmml_spec" / "schema_invalid_returninvalid.pmml").read_bytes()
    invalid = pd.DataFrame({"a": [-1.0, 20.0, -3.0], "b": [0.0, 1.0, 2.0], "s": ["x", "yy", "x"], "c": [1.0, 2.0, 3.0]})
    with pytest.raises(interchange.VerificationError, match="refuses every one of the 3 rows"):
        interchange.convert(interchange.load(doc), "pfa", sample=invalid)
    assert interchange.convert(interchange.load(doc), "pfa", sample=invalid.assign(a=[1.0, 2.0, 3.0])).verification.result
