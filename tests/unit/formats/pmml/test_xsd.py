"""The PMML 4.4 schema check accepts what we write and rejects what the schema forbids."""

from __future__ import annotations

import pytest
from lxml import etree
from sklearn.datasets import make_classification
from sklearn.ensemble import GradientBoostingClassifier

import interchange
from interchange.errors import DocumentError
from interchange.formats.pmml.xsd import validate


def test_generated_document_is_valid_and_a_broken_one_is_not() -> None:
    X, y = make_classification(120, 4, random_state=0)
    converted = interchange.convert(GradientBoostingClassifier(n_estimators=3).fit(X, y), "pmml", sample=X[:20])
    validate(converted.document.data)
    root = etree.fromstring(converted.document.data)
    ns = {"p": "http://www.dmg.org/PMML-4_4"}
    root.remove(root.find("p:DataDictionary", ns))  # DataDictionary is required by PMML 4.4
    with pytest.raises(DocumentError, match="not valid PMML 4.4"):
        validate(etree.tostring(root))
