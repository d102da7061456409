"""PFA documents that write cells or pools while scoring: the fast path's record-by-record mode
against titus2, side by side in one run.

    python benchmarks/pfa_state.py [--rows 4000] [--rounds 3]

For each document (tests/conformance pfa_spec/fallback_counter, pool_counts, pfa_foreign/loops_state)
both engines are loaded fresh and score the same batch ``rounds`` times, alternating; the table
gives the best rate of each (records/s) and their ratio, and checks the outputs agree. Writes
benchmarks/results/pfa_state.md. About 20 s on this machine.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

import interchange

ROOT = Path(__file__).resolve().parent.parent
DOCS = {
    "fallback_counter": ROOT / "tests/conformance/pfa_spec/fallback_counter.pfa",
    "pool_counts": ROOT / "tests/conformance/pfa_spec/pool_counts.pfa",
    "loops_state": ROOT / "tests/conformance/pfa_foreign/loops_state.pfa",
}
OUT = ROOT / "benchmarks" / "results" / "pfa_state.md"


def _rows(doc: dict[str, Any], n: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    if doc["input"] == "double":
        return {"input": rng.normal(size=n)}
    colours = np.array(["red", "green", "blue", "cyan"], dtype=object)
    return {"colour": colours[rng.integers(0, 4, size=n)], "x": rng.normal(size=n)}


def _rate(model: Any, rows: dict[str, np.ndarray], n: int) -> tuple[float, Any]:
    start = time.perf_counter()
    scored = model.score(rows)
    return n / (time.perf_counter() - start), scored


def measure(rows_n: int, rounds: int) -> list[dict[str, Any]]:
    results = []
    for name, path in DOCS.items():
        data = path.read_bytes()
        doc = json.loads(data)
        rows = _rows(doc, rows_n)
        fast = interchange.load(data, engine="fast")
        ref = interchange.load(data, engine="reference")
        fast_rates, ref_rates = [], []
        for _ in range(rounds):
            r, got = _rate(fast, rows, rows_n)
            fast_rates.append(r)
            r, want = _rate(ref, rows, rows_n)
            ref_rates.append(r)
            for k, e in want.outputs.items():
                a, b = np.asarray(got.outputs[k], dtype=float), np.asarray(e, dtype=float)
                np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
        results.append(
            {"document": name, "rows": rows_n, "fast": max(fast_rates), "titus2": max(ref_rates), "engine": fast.info.engine}
        )
    return results


def render(results: list[dict[str, Any]]) -> str:
    lines = [
        "| document | records per batch | fast path, records/s | titus2, records/s | fast / titus2 |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        ratio = r["fast"] / r["titus2"]
        lines.append(f"| {r['document']} | {r['rows']:,} | {r['fast']:,.0f} | {r['titus2']:,.0f} | {ratio:.2f} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    table = render(measure(args.rows, args.rounds))
    head = (
        "# PFA documents with state written while scoring: fast path (record by record) vs titus2\n\n"
        f"`python benchmarks/pfa_state.py --rows {args.rows} --rounds {args.rounds}`: best of {args.rounds} "
        "alternating rounds per engine, each a fresh model scoring the same batch (outputs checked equal).\n\n"
    )
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(head + table)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
