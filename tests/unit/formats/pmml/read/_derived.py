"""A document whose output is one expression: an OutputField transformedValue over the inputs, beside a trivial model."""

from __future__ import annotations

from tests.unit.formats.pmml.lift.models._pmml import continuous, document, schema


def expression_document(expression: str, *, data_type: str = "double", fields: str = "") -> bytes:
    """Inputs x (double) and s (string, when ``fields`` declares it); output ``e`` = ``expression``."""
    inputs = continuous("x") + (fields or "")
    names = ("x", "s") if "s" in (fields or "") else ("x",)
    optype = "continuous" if data_type in ("double", "integer") else "categorical"
    model = f"""<RegressionModel functionName="regression">{schema(*names)}
<Output><OutputField name="e" feature="transformedValue" optype="{optype}" dataType="{data_type}">{expression}</OutputField></Output>
<RegressionTable intercept="0"/></RegressionModel>"""  # noqa: E501
    return document(inputs + continuous("y"), model)


STRING = '<DataField name="s" optype="categorical" dataType="string"/>'
