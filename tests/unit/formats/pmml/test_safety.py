"""Hostile and broken PMML documents fail fast with DocumentError, and nothing is fetched."""

from __future__ import annotations

import time

import pytest

import interchange
from interchange.errors import DocumentError

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE PMML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header description="&xxe;"/></PMML>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE PMML [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header description="&d;"/></PMML>"""

DEEP = b'<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">' + b"<Extension>" * 5000 + b"</Extension>" * 5000 + b"</PMML>"

TRUNCATED = b'<?xml version="1.0"?><PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/><DataDict'

NO_MODEL = b'<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/><DataDictionary/></PMML>'


@pytest.mark.parametrize(
    "data,match",
    [(XXE, "entities"), (LAUGHS, "entities"), (DEEP, "well-formed"), (TRUNCATED, "well-formed"), (NO_MODEL, "no model")],
    ids=["xxe", "billion-laughs", "deep-nesting", "truncated", "no-model"],
)
def test_hostile_or_broken_pmml_is_refused_fast(data: bytes, match: str) -> None:
    start = time.monotonic()
    with pytest.raises(DocumentError, match=match):
        interchange.load(data, format="pmml")
    assert time.monotonic() - start < 5


def test_not_xml_is_not_sniffed_as_pmml() -> None:
    with pytest.raises(DocumentError, match="cannot tell the format"):
        interchange.load(b"hello, I am not a model")
