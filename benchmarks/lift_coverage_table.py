"""Lift coverage per producing tool and format, from the lift conformance tests' results file.

Run the tests first (tests/conformance/test_lift_pmml.py, test_lift_third_party.py,
test_lift_onnx.py append to tests/conformance/.results/lift.jsonl), then:

    python benchmarks/lift_coverage_table.py

prints a Markdown table: documents, how many lifted into the IR, how many of those agree with
the document's own engine (every lifted document is checked), and the commonest reasons the
others give.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

RESULTS = Path(__file__).parents[1] / "tests" / "conformance" / ".results" / "lift.jsonl"


def table(path: Path = RESULTS) -> str:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    latest = {(r["source"], r["format"], r["name"]): r for r in rows}  # the last run of each document
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for (source, fmt, _), r in latest.items():
        groups[(source, fmt)].append(r)
    lines = ["| source | format | documents | lifted | agree | commonest reasons not lifted |", "|---|---|---|---|---|---|"]
    for (source, fmt), rs in sorted(groups.items()):
        lifted = [r for r in rs if r["lifted"]]
        agree = [r for r in lifted if r["agrees"]]
        why = Counter(reason.split(": ", 1)[-1][:70] for r in rs if not r["lifted"] for reason in r["reasons"][:1])
        common = "; ".join(f"{w} ({n})" for w, n in why.most_common(3))
        lines.append(f"| {source} | {fmt} | {len(rs)} | {len(lifted)} ({len(lifted) / len(rs):.0%}) | {len(agree)} | {common} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
