"""Render the estimator × format coverage table from the round-trip tests' own results.

    pytest tests/roundtrip && python benchmarks/coverage_table.py

Reads tests/roundtrip/.results/results.jsonl (written by tests/roundtrip/helpers.py), writes
docs/coverage.md and replaces the table between the coverage markers in README.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "tests" / "roundtrip" / ".results" / "results.jsonl"
BEGIN, END = "<!-- coverage:begin -->", "<!-- coverage:end -->"


def render(rows: list[dict]) -> str:
    latest = {r["cell"]: r for r in rows}  # a rerun replaces earlier results for the same cell
    estimators = sorted({r["estimator"] for r in latest.values()})
    formats = ["onnx", "pmml", "pfa"]
    datasets = sorted({r["dataset"] for r in latest.values()})
    head = [f"{f} ({d})" for f in formats for d in datasets]
    lines = ["| estimator | " + " | ".join(head) + " |", "|---" * (len(head) + 1) + "|"]
    counts = {"verified": 0, "unsupported": 0, "refused": 0}
    for est in estimators:
        cells = []
        for f in formats:
            for d in datasets:
                r = latest.get(f"{est}-{f}-{d}")
                if r is None:
                    cells.append("–")
                elif r["status"] == "verified":
                    counts["verified"] += 1
                    cells.append(f"{r['max_diff']:.1e}")
                else:
                    counts[r["status"]] += 1
                    cells.append(r["status"])
        lines.append(f"| {est} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"{counts['verified']} cells verified, {counts['unsupported']} unsupported, {counts['refused']} refused by "
        "verification. A number is the largest absolute difference from the estimator on held-out rows, over the "
        "reference runtime and the engine `load` picks; each cell passed its conversion's stated tolerance. "
        "'unsupported': the format (or our writer) cannot express it yet; 'refused': convert raised "
        "VerificationError because the document disagreed with the estimator (float32 converters flipping splits).",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    if not RESULTS.exists():
        print(f"no results at {RESULTS}; run pytest tests/roundtrip first", file=sys.stderr)
        return 1
    table = render([json.loads(line) for line in RESULTS.read_text().splitlines() if line.strip()])
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "coverage.md").write_text("# Conversion coverage\n\n" + table)
    readme = ROOT / "README.md"
    text = readme.read_text()
    if BEGIN in text and END in text:
        start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
        readme.write_text(text[:start] + "\n" + table + text[end:])
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
