"""SupportVectorMachineModel lifted into the IR (pmml.lift.models.svm): by hand, the reference engine, refusals."""

from __future__ import annotations

import numpy as np

from ._pmml import continuous, document, lifted_outputs, reason, schema

ROWS = {"a": np.array([0.0, 1.0, -2.0]), "b": np.array([1.0, 0.5, 2.0])}


def _svm(kernel: str, representation: str = "SupportVectors") -> bytes:
    model = f"""<SupportVectorMachineModel functionName="regression" svmRepresentation="{representation}">{schema("a", "b")}
{kernel}<VectorDictionary numberOfVectors="2"><VectorFields numberOfFields="2"><FieldRef field="a"/><FieldRef field="b"/></VectorFields>
<VectorInstance id="v1"><REAL-SparseArray n="2"><Indices>1 2</Indices><REAL-Entries>1 0</REAL-Entries></REAL-SparseArray></VectorInstance>
<VectorInstance id="v2"><REAL-SparseArray n="2"><Indices>1 2</Indices><REAL-Entries>0 2</REAL-Entries></REAL-SparseArray></VectorInstance>
</VectorDictionary><SupportVectorMachine><SupportVectors numberOfAttributes="2" numberOfSupportVectors="2">
<SupportVector vectorId="v1"/><SupportVector vectorId="v2"/></SupportVectors>
<Coefficients absoluteValue="0.5" numberOfCoefficients="2"><Coefficient value="2"/><Coefficient value="-1"/></Coefficients>
</SupportVectorMachine></SupportVectorMachineModel>"""  # noqa: E501
    return document(continuous("a", "b", "y"), model)


def test_linear_kernel_by_hand() -> None:
    """y = 2 (1, 0).x - (0, 2).x + 0.5 = 2a - 2b + 0.5."""
    got = lifted_outputs(_svm("<LinearKernelType/>"), ROWS)["y"]
    np.testing.assert_allclose(got, 2 * ROWS["a"] - 2 * ROWS["b"] + 0.5, rtol=1e-15)


def test_rbf_kernel_by_hand() -> None:
    a, b = ROWS["a"], ROWS["b"]
    k1, k2 = np.exp(-0.3 * ((a - 1) ** 2 + b**2)), np.exp(-0.3 * (a**2 + (b - 2) ** 2))
    got = lifted_outputs(_svm('<RadialBasisKernelType gamma="0.3"/>'), ROWS)["y"]
    np.testing.assert_allclose(got, 2 * k1 - k2 + 0.5, rtol=1e-12)


def test_coefficients_with_a_non_linear_kernel_is_refused_by_name() -> None:
    why = reason(_svm('<RadialBasisKernelType gamma="0.3"/>', "Coefficients"))
    assert "svmRepresentation=Coefficients with a non-linear kernel" in why
