"""Generated Python modules across the estimator families of the round-trip matrix.

Each module is written to a file and imported; on held-out rows it must agree with the IR
evaluator within 1e-12, and on the verification cases with the estimator itself.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OrdinalEncoder
from sklearn.tree import DecisionTreeClassifier
from typer.testing import CliRunner

from interchange.batch import to_columns
from interchange.codegen import codegen, emitter, supported
from interchange.codegen.api import IR_TOLERANCE
from interchange.errors import ConversionError, UnsupportedModelError
from interchange.ir.derive.transforms import Scale
from interchange.ir.graph import Graph, ModelStep, evaluate
from interchange.verification import compare
from tests.roundtrip.test_matrix import CASES, _data, _wrap

# (every matrix case generates: libsvm's coupled Platt probabilities run as the IR's own ir.svm_probability kernels)
REFUSED: dict[str, str] = {}


def _import(path: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fitted(name: str, kind: str, factory: Any, dataset: str) -> tuple[Any, Any]:
    X, y = _data(kind, dataset)
    return _wrap(factory(), dataset).fit(X.iloc[:200], y[:200]), X


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.filterwarnings("ignore::FutureWarning")  # SVC(probability=True) is deprecated in scikit-learn 1.9
@pytest.mark.parametrize("dataset", ["numeric", "mixed"])
@pytest.mark.parametrize("name,kind,factory", [pytest.param(*c, id=c[0]) for c in CASES])
def test_generated_python(name: str, kind: str, factory: Any, dataset: str, tmp_path: Path) -> None:
    estimator, X = _fitted(name, kind, factory, dataset)
    if name in REFUSED:
        with pytest.raises(UnsupportedModelError, match=REFUSED[name]):
            codegen(estimator, "python", sample=X.iloc[:200])
        return
    generated = codegen(estimator, "python", sample=X.iloc[:200])
    assert generated.result is not None and generated.result.rows == 200  # the cases were replayed at generation
    path = generated.save(tmp_path / "generated_model.py")
    module = _import(path, f"generated_{name.replace('+', '_')}_{dataset}")
    assert set(sys.modules) >= {"numpy"} and "interchange" not in module.__dict__  # numpy only
    held_out = to_columns(X.iloc[200:], generated.signature)
    actual = module.predict(held_out)
    assert list(actual) == generated.signature.output_names
    compare(generated.signature, evaluate(generated.graph, held_out), actual, IR_TOLERANCE, format="python")
    cases = generated.verification
    assert cases is not None
    compare(generated.signature, cases.expected, module.predict(cases.inputs), cases.tolerance, format="python")
    record = {k: (None if isinstance(v[3], float) and math.isnan(v[3]) else v[3]) for k, v in held_out.items()}
    one = module.predict_one(record)
    for field, column in actual.items():
        expected = column[3]
        if isinstance(expected, float) or isinstance(one[field], float):
            assert one[field] == pytest.approx(expected, rel=1e-12, abs=1e-12, nan_ok=True)
        else:
            assert one[field] == expected


def ordinal_pipeline() -> tuple[Any, Any]:
    """Text through OrdinalEncoder (unseen -> -1, missing stays missing) into trees that take NaN, with unseen rows."""
    X, y = _data("binary", "mixed")
    numbers = [f"x{i}" for i in range(1, 6)]
    ordinal = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
    route = ColumnTransformer([("num", "passthrough", numbers), ("cat", ordinal, ["colour", "size"])])
    estimator = make_pipeline(route, HistGradientBoostingClassifier(max_iter=10, random_state=0)).fit(X.iloc[:200], y[:200])
    X = X.copy()
    X.loc[X.index[:200:7], "colour"] = "purple"  # unseen category among the verification cases
    return estimator, X


def test_ordinal_encoded_text(tmp_path: Path) -> None:
    estimator, X = ordinal_pipeline()
    generated = codegen(estimator, "python", sample=X.iloc[:200])
    assert "Ordinal" in [type(s).__name__ for s in generated.graph.steps]
    module = _import(generated.save(tmp_path / "ordinal.py"), "generated_ordinal")
    held_out = to_columns(X.iloc[200:], generated.signature)
    compare(generated.signature, evaluate(generated.graph, held_out), module.predict(held_out), IR_TOLERANCE, format="python")


def text_labelled() -> tuple[Any, Any]:
    """A classifier whose classes are strings: the label output is text."""
    X, y = _data("multiclass", "numeric")
    return DecisionTreeClassifier(max_depth=5, random_state=0).fit(X.iloc[:200], np.array(["ant", "bee", "cat"])[y[:200]]), X


def test_text_labels(tmp_path: Path) -> None:
    estimator, X = text_labelled()
    generated = codegen(estimator, "python", sample=X.iloc[:200])
    assert generated.signature.output("label")[0].type == "string"
    module = _import(generated.save(tmp_path / "labels.py"), "generated_labels")
    assert list(module.predict(to_columns(X.iloc[200:], generated.signature))["label"]) == list(estimator.predict(X.iloc[200:]))


def test_import_free_source() -> None:
    """The module imports numpy and the standard library (the IR kernels' own imports), nothing else."""
    estimator, X = _fitted(*CASES[0], "mixed")
    source = codegen(estimator, "python", sample=X.iloc[:50]).source
    imports = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert "import numpy as np" in imports
    modules = {line.split()[1].split(".")[0] for line in imports}
    assert modules <= {"__future__", "numpy", "typing", "collections", "math"}, modules


def test_step_without_emitter_is_named() -> None:
    class Mystery(ModelStep):
        inputs = ("x",)

        def predict(self, env: Any) -> Any:  # pragma: no cover - never evaluated
            raise AssertionError

    estimator, X = _fitted(*CASES[0], "numeric")
    graph = codegen(estimator, "python", sample=X.iloc[:20]).graph
    with pytest.raises(ConversionError, match="Mystery"):
        codegen(Graph(graph.signature, graph.steps, Mystery()), "python")


def test_registration_refuses_overwrite() -> None:
    assert "Scale" in supported("python")  # loads the python emitters
    with pytest.raises(ValueError, match="already registered"):
        emitter("python", Scale)(lambda step, out: [])


def test_unknown_language() -> None:
    estimator, X = _fitted(*CASES[0], "numeric")
    with pytest.raises(ConversionError, match="cobol"):
        codegen(estimator, "cobol", sample=X)


def test_estimator_needs_sample() -> None:
    estimator, _ = _fitted(*CASES[0], "numeric")
    with pytest.raises(ConversionError, match="sample"):
        codegen(estimator, "python")


def test_loaded_document_is_lifted() -> None:
    """A loaded model (interchange.load) or a Document is lifted first: the same module as from lift()."""
    import interchange
    from interchange.model import read_document

    path = Path(__file__).parents[3] / "conformance" / "pmml_spec" / "general_regression_factor_covariate.pmml"
    from_lift = codegen(interchange.lift(path.read_bytes()), "python").source
    assert codegen(interchange.load(path.read_bytes()), "python").source == from_lift
    assert codegen(read_document(path), "python").source == from_lift


def test_cli_writes_module(tmp_path: Path) -> None:
    from interchange.cli import app

    estimator, X = _fitted("GradientBoostingClassifier_binary", "binary", CASES[15][2], "mixed")
    joblib.dump(estimator, tmp_path / "model.joblib")
    X.iloc[:60].to_csv(tmp_path / "sample.csv", index=False)
    out = tmp_path / "scorer.py"
    result = CliRunner().invoke(
        app, ["codegen", str(tmp_path / "model.joblib"), "-s", str(tmp_path / "sample.csv"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "replayed 60 verification cases" in result.output
    module = _import(out, "cli_generated")
    probabilities = module.predict({c: X[c].to_numpy()[:5] for c in X.columns})["probability_1"]
    assert np.allclose(probabilities, estimator.predict_proba(X.iloc[:5])[:, 1], rtol=1e-9, atol=1e-12)


def test_generated_code_computes_every_ir_function_and_refuses_others_by_name() -> None:
    from interchange.codegen.python.expressions import CALLS, expr_data
    from interchange.errors import UnsupportedModelError
    from interchange.ir.derive.expressions import FUNCTIONS, Call, Ref

    assert set(FUNCTIONS) == CALLS  # the kernel module is copied whole, so every IR function is generated
    with pytest.raises(UnsupportedModelError, match="'nosuch'"):
        expr_data(Call("nosuch", (Ref("a"),)))
