"""PMML constructs lifted into the newer IR steps, hand-written from PMML 4.4's examples, and each
refusal reason; every new step is refused cleanly by the graph writers and code generators."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import interchange
from interchange.codegen import registry
from interchange.crossformat import _writer
from interchange.ir.combine.segmentation import Segmentation
from interchange.ir.derive.predicates import PredicateColumn
from interchange.ir.models.general import CumulativeLink, GeneralizedLinear, NormalizedClassifier
from interchange.ir.models.rules import RuleSet
from interchange.ir.models.scorecard import Scorecard

GOLDEN = Path(__file__).parents[4] / "conformance"


def _doc(fields: str, model: str) -> bytes:
    return f"""<?xml version="1.0"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/>
<DataDictionary>{fields}</DataDictionary>{model}</PMML>""".encode()


_XY = '<DataField name="x" optype="continuous" dataType="double"/><DataField name="y" optype="continuous" dataType="double"/>'
_SCHEMA = '<MiningSchema><MiningField name="x"/><MiningField name="y" usageType="target"/></MiningSchema>'


def _grm(attrs: str, extra: str = "") -> bytes:
    return _doc(
        _XY,
        f"""<GeneralRegressionModel functionName="regression" {attrs}>{_SCHEMA}
<ParameterList><Parameter name="p0"/><Parameter name="p1"/></ParameterList>
<CovariateList><Predictor name="x"/></CovariateList>
<PPMatrix><PPCell value="1" predictorName="x" parameterName="p1"/></PPMatrix>
<ParamMatrix><PCell parameterName="p0" beta="0.5"/><PCell parameterName="p1" beta="2"/></ParamMatrix>{extra}
</GeneralRegressionModel>""",
    )


def _lift(data: bytes) -> interchange.Lifted:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return interchange.lift(data)


def test_generalized_linear_with_a_log_link_and_an_offset_against_pypmml() -> None:
    data = _grm('modelType="generalizedLinear" linkFunction="log" distribution="poisson" offsetValue="0.1"')
    lifted = _lift(data)
    assert lifted.ok and isinstance(lifted.graph.model, GeneralizedLinear)  # type: ignore[union-attr]
    X = pd.DataFrame({"x": [-1.0, 0.0, 0.3, None]})
    got = lifted.predict(X)["y"]
    np.testing.assert_allclose(got[:3], np.exp(0.5 + 2 * X["x"][:3] + 0.1), rtol=1e-12)
    assert np.isnan(got[3])
    want = interchange.load(data, engine="reference").predict(X)["y"]
    np.testing.assert_allclose(got, np.asarray(want, dtype=float), rtol=1e-9, atol=1e-12)


def test_general_linear_ignores_the_link_as_pmml_says() -> None:
    lifted = _lift(_grm('modelType="generalLinear" linkFunction="log"'))
    assert lifted.ok
    np.testing.assert_allclose(lifted.predict({"x": np.array([1.0])})["y"], [2.5])


@pytest.mark.parametrize(
    "attrs,extra,why",
    [
        ('modelType="CoxRegression"', "", "CoxRegression"),
        ('modelType="generalizedLinear" linkFunction="power"', "", "without linkParameter"),
        ('modelType="generalizedLinear" linkFunction="log" offsetValue="1" offsetVariable="x"', "", "both offsetVariable"),
        ('modelType="generalizedLinear" linkFunction="log" distribution="weird"', "", "distribution=weird"),
        ('modelType="regression"', "<EventValues/>", "<EventValues> in <GeneralRegressionModel>"),
    ],
)
def test_general_regression_refusals_name_the_reason(attrs: str, extra: str, why: str) -> None:
    lifted = _lift(_grm(attrs, extra))
    assert not lifted.ok and why in str(lifted.reasons[0])


def _segments(method: str, function: str = "regression", seg_extra: str = "", output: str = "") -> bytes:
    inner = f"""<RegressionModel functionName="regression">{_SCHEMA}<RegressionTable intercept="1">
<NumericPredictor name="x" coefficient="1"/></RegressionTable></RegressionModel>"""
    return _doc(
        _XY,
        f"""<MiningModel functionName="{function}">{_SCHEMA}{output}<Segmentation multipleModelMethod="{method}">
<Segment weight="2"><SimplePredicate field="x" operator="lessThan" value="0"/>{seg_extra}{inner}</Segment>
<Segment weight="1"><True/>{inner.replace('intercept="1"', 'intercept="5"')}</Segment>
</Segmentation></MiningModel>""",
    )


def test_weighted_segments_with_predicates_against_pypmml() -> None:
    data = _segments("weightedAverage")
    lifted = _lift(data)
    assert lifted.ok and isinstance(lifted.graph.model, Segmentation)  # type: ignore[union-attr]
    X = pd.DataFrame({"x": [-2.0, 0.0, 3.0]})
    got = lifted.predict(X)["y"]
    np.testing.assert_allclose(got, [(2 * -1.0 + 3.0) / 3, 5.0, 8.0])
    np.testing.assert_allclose(got, interchange.load(data, engine="reference").predict(X)["y"], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    "data,why",
    [
        (_segments("selectAll"), "selectAll without an OutputField segmentId"),
        (_segments("max"), "multipleModelMethod=max for regression"),
        (_segments("weightedSum", seg_extra='<VariableWeight field="x"/>'), "VariableWeight beside a weight other than 1"),
        (
            _segments("sum", output='<Output><OutputField name="s1" feature="predictedValue" segmentId="1"/></Output>'),
            "OutputField segmentId",
        ),
    ],
)
def test_segmentation_refusals_name_the_reason(data: bytes, why: str) -> None:
    lifted = _lift(data)
    assert not lifted.ok and why in str(lifted.reasons), lifted.report()


def _tree(predicate: str) -> bytes:
    fields = (
        '<DataField name="s" optype="categorical" dataType="string"/><DataField name="y" optype="continuous" dataType="double"/>'
    )
    schema = '<MiningSchema><MiningField name="s"/><MiningField name="y" usageType="target"/></MiningSchema>'
    return _doc(
        fields,
        f"""<TreeModel functionName="regression">{schema}<Node score="0"><True/>
<Node score="1">{predicate}</Node><Node score="2"><True/></Node></Node></TreeModel>""",
    )


def test_a_tree_split_on_a_set_of_categories_lifts_as_a_predicate_column() -> None:
    data = _tree(
        '<SimpleSetPredicate field="s" booleanOperator="isIn"><Array n="2" type="string">a "b c"</Array></SimpleSetPredicate>'
    )
    lifted = _lift(data)
    assert lifted.ok and any(isinstance(s, PredicateColumn) for s in lifted.graph.steps)  # type: ignore[union-attr]
    X = pd.DataFrame({"s": ["a", "b c", "z", None]})
    got = lifted.predict(X)["y"]
    np.testing.assert_array_equal(got, [1.0, 1.0, 2.0, 2.0])  # missingValueStrategy none: an UNKNOWN test is false
    np.testing.assert_allclose(got, interchange.load(data, engine="reference").predict(X)["y"], equal_nan=True)


@pytest.mark.parametrize(
    "predicate,why",
    [
        (
            '<CompoundPredicate booleanOperator="xor"><SimplePredicate field="s" operator="equal" value="a"/>'
            '<SimplePredicate field="s" operator="equal" value="b"/></CompoundPredicate>',
            "xor",
        ),
        ('<SimplePredicate field="s" operator="lessThan" value="a"/>', "non-numeric field"),
        (
            '<SimpleSetPredicate field="s" booleanOperator="isIn"><Array n="3" type="string">a b</Array></SimpleSetPredicate>',
            "n differs",
        ),
    ],
)
def test_tree_predicate_refusals_name_the_reason(predicate: str, why: str) -> None:
    lifted = _lift(_tree(predicate))
    assert not lifted.ok and why in str(lifted.reasons), lifted.report()


def test_rule_set_refusals_name_the_reason() -> None:
    data = (GOLDEN / "pmml_spec" / "ruleset_firsthit.pmml").read_bytes()
    assert _lift(data).ok
    # a SimpleRule's ScoreDistribution only describes its training records: it lifts, and changes nothing
    with_distribution = data.replace(b"</SimpleRule>", b'<ScoreDistribution value="a" recordCount="1"/></SimpleRule>', 1)
    assert with_distribution != data and _lift(with_distribution).ok
    X = pd.DataFrame({"a": [-1.0, 0.5, 3.0, None], "b": [2.0, 0.0, 4.0, 1.0], "s": ["x", "yy", None, "x"]})
    assert list(_lift(with_distribution).predict(X)["label"]) == list(_lift(data).predict(X)["label"])
    entity = data.replace(
        b'feature="predictedValue"/>', b'feature="predictedValue"/><OutputField name="rule" feature="entityId"/>', 1
    )
    assert "feature=entityId" in str(_lift(entity).reasons)


NEW = {
    "segments_class_weightedaverage": Segmentation,
    "general_ordinal_logit": CumulativeLink,
    "general_generalized_log_offset": GeneralizedLinear,
    "scorecard_pointsabove": Scorecard,
    "ruleset_firsthit": RuleSet,
    "regression_class_probit": NormalizedClassifier,
}


# (document, writer) -> what the refusal says (tests/roundtrip/test_new_steps_writers.py holds every golden document)
# (none left: ONNX writes probit / cauchit with erfc / atan composed in double)
NEW_REFUSED: dict[tuple[str, str], str] = {}


@pytest.mark.parametrize("name", sorted(NEW))
def test_writers_and_code_generators_take_the_new_steps(name: str) -> None:
    """The graph writers and code generators write the newer IR steps (they refused them by name before)."""
    path = next(GOLDEN.glob(f"pmml_*/{name}.pmml"))
    lifted = _lift(path.read_bytes())
    assert lifted.ok and isinstance(lifted.graph.model, NEW[name])  # type: ignore[union-attr]
    for fmt in ("pmml", "pfa", "onnx"):
        if (name, fmt) in NEW_REFUSED:
            with pytest.raises(interchange.UnsupportedModelError, match=NEW_REFUSED[(name, fmt)]):
                _writer(fmt)(lifted.graph)  # type: ignore[arg-type]
        else:
            assert _writer(fmt)(lifted.graph)  # type: ignore[arg-type]
    assert registry.lookup("python", lifted.graph.model)  # type: ignore[union-attr]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("fmt", ["pmml", "pfa", "onnx"])
def test_a_predicate_column_is_written_and_agrees_with_the_ir(fmt: str) -> None:
    """A tree split on a set (and a compound) of categories: the PredicateColumn written by each
    writer, the written document's engine against the IR on present, unseen and missing values."""
    from interchange.document import Document
    from interchange.model import get_format

    lifted = _lift(
        _tree(
            '<CompoundPredicate booleanOperator="or"><SimpleSetPredicate field="s" booleanOperator="isIn">'
            '<Array n="2" type="string">a "b c"</Array></SimpleSetPredicate>'
            '<SimplePredicate field="s" operator="equal" value="q"/></CompoundPredicate>'
        )
    )
    assert lifted.ok and any(isinstance(s, PredicateColumn) for s in lifted.graph.steps)  # type: ignore[union-attr]
    data = _writer(fmt)(lifted.graph)  # type: ignore[arg-type]
    written = interchange.load(Document(fmt, data, get_format(fmt).media_type), engine="reference")
    rows = ["a", "b c", "q", "z"] if fmt == "pfa" else ["a", "b c", "q", "z", None]  # (PFA: null fails the record)
    X = pd.DataFrame({"s": rows})
    np.testing.assert_allclose(written.predict(X)["y"], lifted.predict(X)["y"], equal_nan=True)
    from interchange.codegen.api import codegen, load_python

    module = load_python(codegen(lifted.graph, "python").source)  # type: ignore[arg-type]
    np.testing.assert_allclose(module.predict({"s": np.array(rows, dtype=object)})["y"], lifted.predict(X)["y"], equal_nan=True)
    assert registry.lookup("java", lifted.graph.steps[0])  # type: ignore[union-attr]  # (JUnit: test_new_steps_writers.py)
