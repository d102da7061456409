"""ClusteringModel, NeuralNetwork and NaiveBayesModel lifted into the IR (pmml.lift.models.families): by hand and pypmml."""

from __future__ import annotations

import math

import numpy as np

from ._pmml import categorical, continuous, document, lifted_outputs, reason, schema

ROWS = {"a": np.array([0.0, 4.0, 1.0]), "b": np.array([0.0, 5.0, 2.0])}


def _clusters(model_class: str = "centerBased", measure: str = "<squaredEuclidean/>") -> bytes:
    model = f"""<ClusteringModel functionName="clustering" modelClass="{model_class}" numberOfClusters="2">
<MiningSchema><MiningField name="a"/><MiningField name="b"/></MiningSchema>
<Output><OutputField name="cluster" feature="predictedValue" optype="categorical" dataType="string"/></Output>
<ComparisonMeasure kind="distance">{measure}</ComparisonMeasure>
<ClusteringField field="a"/><ClusteringField field="b"/>
<Cluster id="near" name="near"><Array n="2" type="real">0 0</Array></Cluster>
<Cluster id="far" name="far"><Array n="2" type="real">4 4</Array></Cluster></ClusteringModel>"""
    return document(continuous("a", "b"), model)


def test_nearest_cluster_by_hand() -> None:
    """(0, 0) -> near; (4, 5) -> far; (1, 2): 5 from near, 13 from far -> near."""
    out = lifted_outputs(_clusters(), ROWS)
    assert out["cluster"].tolist() == ["near", "far", "near"]


def test_distribution_based_clusters_are_refused_by_name() -> None:
    assert "ClusteringModel modelClass=distributionBased" in reason(_clusters("distributionBased"))


def _network(activation: str = "logistic") -> bytes:
    model = f"""<NeuralNetwork functionName="regression" activationFunction="{activation}">{schema("a", "b")}
<NeuralInputs><NeuralInput id="i1"><DerivedField optype="continuous" dataType="double"><FieldRef field="a"/></DerivedField></NeuralInput>
<NeuralInput id="i2"><DerivedField optype="continuous" dataType="double"><FieldRef field="b"/></DerivedField></NeuralInput></NeuralInputs>
<NeuralLayer><Neuron id="h" bias="0.5"><Con from="i1" weight="1"/><Con from="i2" weight="-2"/></Neuron></NeuralLayer>
<NeuralLayer activationFunction="identity"><Neuron id="o" bias="1"><Con from="h" weight="3"/></Neuron></NeuralLayer>
<NeuralOutputs><NeuralOutput outputNeuron="o"><DerivedField optype="continuous" dataType="double"><FieldRef field="y"/></DerivedField></NeuralOutput></NeuralOutputs>
</NeuralNetwork>"""  # noqa: E501
    return document(continuous("a", "b", "y"), model)


def test_network_by_hand() -> None:
    """y = 1 + 3 logistic(0.5 + a - 2 b)."""
    expected = [1 + 3 / (1 + math.exp(-(0.5 + a - 2 * b))) for a, b in zip(ROWS["a"], ROWS["b"], strict=True)]
    np.testing.assert_allclose(lifted_outputs(_network(), ROWS)["y"], expected, rtol=1e-12)


def test_an_unknown_activation_is_refused_by_name() -> None:
    assert "activationFunction=radialBasis" in reason(_network("radialBasis"))


def test_naive_bayes_gaussian_by_hand() -> None:
    """P(c | a) from priors 3:1 and Gaussians N(0, 1) for c=p, N(4, 4) for c=q (PMML variance)."""
    model = f"""<NaiveBayesModel functionName="classification" threshold="0">{schema("a")}
<Output><OutputField name="P_p" feature="probability" value="p" optype="continuous" dataType="double"/></Output>
<BayesInputs><BayesInput fieldName="a"><TargetValueStats>
<TargetValueStat value="p"><GaussianDistribution mean="0" variance="1"/></TargetValueStat>
<TargetValueStat value="q"><GaussianDistribution mean="4" variance="4"/></TargetValueStat></TargetValueStats></BayesInput></BayesInputs>
<BayesOutput fieldName="y"><TargetValueCounts><TargetValueCount value="p" count="3"/><TargetValueCount value="q" count="1"/></TargetValueCounts></BayesOutput>
</NaiveBayesModel>"""  # noqa: E501
    data = document(continuous("a") + categorical("y", "p", "q"), model)

    def density(x: float, m: float, v: float) -> float:
        return math.exp(-((x - m) ** 2) / (2 * v)) / math.sqrt(2 * math.pi * v)

    rows = {"a": ROWS["a"]}
    want = [3 * density(a, 0, 1) / (3 * density(a, 0, 1) + density(a, 4, 4)) for a in rows["a"]]
    np.testing.assert_allclose(lifted_outputs(data, rows)["P_p"], want, rtol=1e-12)
