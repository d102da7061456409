"""Count third-party documents on the fast path vs the fallback, per producing tool.

    pytest tests/conformance/test_fast_coverage.py && python benchmarks/fast_coverage_table.py

Reads tests/conformance/.results/fast_coverage.jsonl (written by that test: one line per
document with the engine ``interchange.load`` picked), writes benchmarks/results/fast_coverage.md
and replaces the table between the fast-coverage markers in README.md.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "tests" / "conformance" / ".results" / "fast_coverage.jsonl"
BEGIN, END = "<!-- fast-coverage:begin -->", "<!-- fast-coverage:end -->"


def render(rows: list[dict]) -> str:
    rows = [r for r in rows if r.get("shape") != "foreign" or r.get("agrees") is not None or r["engine"] == "refused"]
    latest = {(r["tool"], r["family"], r["shape"]): r for r in rows}  # a rerun replaces earlier lines
    lines = [
        "| producing tool | documents written | fast path | fallback | share on the fast path | not written by the tool |",
        "|---|---|---|---|---|---|",
    ]
    reasons: Counter[str] = Counter()
    for tool in ("sklearn2pmml", "nyoka", "titus2"):
        mine = [r for r in latest.values() if r["tool"] == tool]
        written = [r for r in mine if r["engine"] != "refused"]
        fast = [r for r in written if r["engine"] == "interchange-fast"]
        for r in written:
            if r["engine"] != "interchange-fast":
                reasons[f"{tool}: {r['family']} ({r['shape']}): {r['reason']}"] += 1
        share = f"{100 * len(fast) / len(written):.0f}%" if written else "–"
        lines.append(
            f"| {tool} | {len(written)} | {len(fast)} | {len(written) - len(fast)} | {share} | {len(mine) - len(written)} |"
        )
    lines += ["", "Documents still on the fallback engine:", ""] + [f"- {r}" for r in sorted(reasons)]
    return "\n".join(lines) + "\n" + foreign(list(latest.values()))


def foreign(rows: list[dict]) -> str:
    """The foreign corpus (tests/conformance/test_foreign.py): per producer and format, how many
    documents agree with their reference engine, fail or differ, and run on the fast path."""
    mine = [r for r in rows if r.get("shape") == "foreign"]
    if not mine:
        return ""
    lines = [
        "",
        "Foreign documents (other tools' and the specifications' documents our writers never produce; "
        "`tests/conformance/test_foreign.py`):",
        "",
        "| producer | format | documents | agree with the reference | fail or differ | fast path | fallback "
        "| refused by the tool |",
        "|---|---|---|---|---|---|---|---|",
    ]
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in mine:
        groups.setdefault((r["tool"].replace(" (foreign)", ""), r.get("format") or ""), []).append(r)
    for (tool, fmt), rs in sorted(groups.items()):
        written = [r for r in rs if r["engine"] != "refused"]
        fmt = fmt or next((r.get("format") for r in written if r.get("format")), "")
        agree = sum(1 for r in written if r.get("agrees") is True)
        bad = sum(1 for r in written if r.get("agrees") is False)
        has_fast = fmt in ("pmml", "pfa")
        fast = sum(1 for r in written if r["engine"] == "interchange-fast")
        fallback = sum(1 for r in written if r["engine"] in ("pypmml", "titus2"))
        cells = [str(fast), str(fallback)] if has_fast else ["–", "–"]
        lines.append(
            f"| {tool} | {fmt} | {len(written)} | {agree} | {bad} | {cells[0]} | {cells[1]} | {len(rs) - len(written)} |"
        )
    off = sorted(f"{r['family']}: {r['reason']}" for r in mine if r["engine"] in ("pypmml", "titus2", "failed"))
    return "\n".join(lines + ["", "Foreign documents off the fast path or failing:", ""] + [f"- {o}" for o in off]) + "\n"


def main() -> int:
    if not RESULTS.exists():
        print(f"no results at {RESULTS}; run pytest tests/conformance/test_fast_coverage.py first", file=sys.stderr)
        return 1
    rows = [json.loads(line) for line in RESULTS.read_text().splitlines() if line.strip()]
    table = render(rows)
    (ROOT / "benchmarks" / "results").mkdir(exist_ok=True)
    (ROOT / "benchmarks" / "results" / "fast_coverage.md").write_text(table)
    readme = ROOT / "README.md"
    text = readme.read_text()
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        readme.write_text(f"{head}{BEGIN}\n{table}{END}{tail}")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
