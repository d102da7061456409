"""PMML 4.0 to 4.3 documents load and agree with pypmml like 4.4 ones.

The hand-written 4.4 documents are rewritten with each older version's namespace and version
attribute (the constructs they use exist since PMML 4.0 or 4.1), then run on the fast path and
on pypmml over the same generated rows as test_pmml_spec.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import interchange
from tests.conformance.test_pmml_spec import SPEC, _rows, _same

DOCUMENTS = [
    "regression_class_softmax",
    "tree_missing_lastprediction",
    "mining_sum",
    "tx_normcontinuous",
    "schema_invalid_asmissing",
]
VERSIONS = ["4.0", "4.1", "4.2", "4.3"]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("stem", DOCUMENTS)
def test_older_pmml_versions_run_on_the_fast_path(stem: str, version: str) -> None:
    text = (SPEC / f"{stem}.pmml").read_text()
    assert 'xmlns="http://www.dmg.org/PMML-4_4"' in text and 'version="4.4"' in text
    old = text.replace("PMML-4_4", f"PMML-{version.replace('.', '_')}").replace('version="4.4"', f'version="{version}"')
    document = old.encode()
    reference, fast = interchange.load(document, engine="reference"), interchange.load(document)
    assert fast.info.engine == "interchange-fast", fast.info.reason
    X = _rows(document, reference.signature.input_names, n=200)
    expected, actual = reference.predict(X), fast.predict(X)
    for f in reference.signature.outputs:
        numeric = f.kind in ("probability", "value", "score", "decision") and f.type != "string"
        assert not _same(np.asarray(expected[f.name]), np.asarray(actual[f.name]), numeric), f.name
