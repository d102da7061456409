"""Validate PMML documents against the PMML 4.4 XML Schema kept under ``formats/pmml/``."""

from __future__ import annotations

from functools import lru_cache

from lxml import etree

from interchange.errors import DocumentError
from interchange.resources import resource_path

__all__ = ["validate"]


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(resource_path("formats", "pmml", "pmml-4-4.xsd")), parser))


def validate(data: bytes) -> None:
    """Raise DocumentError listing the first schema violations of a PMML 4.4 document."""
    schema = _schema()
    doc = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    if not schema.validate(doc):
        errors = "; ".join(f"line {e.line}: {e.message}" for e in list(schema.error_log)[:5])
        raise DocumentError(f"PMML document is not valid PMML 4.4: {errors}", format="pmml")
