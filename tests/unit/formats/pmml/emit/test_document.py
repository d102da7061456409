"""The PMML graph writer refuses what no DataField holds, by name."""

from __future__ import annotations

import numpy as np
import pytest

from interchange.errors import UnsupportedModelError
from interchange.formats.pmml.emit.document import write_graph
from interchange.ir.graph import Graph
from interchange.ir.models.linear import Link, Regression
from interchange.signature import InputField, OutputField, Signature


def test_an_array_input_is_refused_naming_the_field_and_its_type() -> None:
    """A lifted PFA document may take an array; PMML's DataField holds one value (was a KeyError 'array')."""
    sig = Signature((InputField("xs", "array"),), (OutputField("y", "value", "double"),), None, "regression", {})
    graph = Graph(sig, (), Regression(("xs",), np.array([[1.0]]), np.array([0.0]), Link.IDENTITY, None))
    with pytest.raises(UnsupportedModelError, match="input field 'xs' is of type 'array'") as err:
        write_graph(graph)
    assert err.value.field == "xs" and err.value.format == "pmml"
