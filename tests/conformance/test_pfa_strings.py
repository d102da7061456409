"""PFA's s.* string functions and the ["text"] literal on the fast path (pfa_foreign/strings_cleanup.pfa).

The document runs on the fast path (``interchange-fast``), and agrees with titus2 exactly (strings,
ints and booleans equal) on texts chosen for the edge cases titus2's Python slicing decides: empty
strings, negative and out-of-range indices, needles absent or at both ends.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

import interchange
from tests.conformance.test_pfa_fast import _agree
from tests.conformance.test_pfa_library import _compare

DOC = Path(__file__).parent / "pfa_foreign" / "strings_cleanup.pfa"


def test_string_functions_run_fast_and_agree_with_titus2() -> None:
    model = interchange.load(DOC)
    assert model.info.engine == "interchange-fast", model.info.reason
    colours = ["Red", "green", "", "eee", "Blue", "RED", "ending", "ge", "dre", "Green "]
    labels = ["", "e", "tree", "sleepless", "x", "eve", "abc", "E", "ee", "level"]
    rows = pd.DataFrame(
        {
            "colour": [c for c in colours for _ in labels],
            "label": [lb for _ in colours for lb in labels],
            "n": [(i * 7) % 23 - 11 for i in range(len(colours) * len(labels))],  # -11 .. 11
        }
    )
    _agree(model.predict(rows), interchange.load(DOC, engine="reference").predict(rows))


def test_s_join_runs_fast_and_agrees_with_titus2() -> None:
    doc = {
        "input": {"type": "record", "name": "In", "fields": [{"name": "a", "type": "string"}, {"name": "b", "type": "string"}]},
        "output": "string",
        "action": [
            {"s.join": [{"new": ["input.a", {"string": ""}, "input.b", "input.a"], "type": {"type": "array", "items": "string"}},
                        {"if": {"==": ["input.a", "input.b"]}, "then": {"string": ", "}, "else": "input.b"}]}
        ],
    }  # fmt: skip
    rows = {"a": np.array(["x", "", "ünï", "b", "x"], dtype=object), "b": np.array(["x", "-", "", "b", "yz"], dtype=object)}
    model = _compare(json.dumps(doc).encode(), rows)
    assert model.deferred == 0
