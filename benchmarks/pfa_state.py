"""PFA documents that write cells or pools while scoring: the fast path's record-by-record mode
against titus2, side by side in one run.

    python benchmarks/pfa_state.py [--rows 4000] [--rounds 3]

For each document (tests/conformance pfa_spec/fallback_counter, pool_counts, pfa_foreign/loops_state)
three models are loaded fresh and score the same batch ``rounds`` times, alternating: the fast path
as ``load`` picks it (the whole batch at once where the state is a running sum, ``fast.scan``), the
fast path held to its record-by-record mode (``fast.sequential``) and titus2. The table gives the
best rate of each (records/s) and the ratios to titus2, and checks the outputs agree. Writes
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
        rows = _rows(json.loads(data), rows_n)
        models = {"fast": interchange.load(data), "sequential": interchange.load(data, engine="fast")}
        models["sequential"]._program.scan = None  # type: ignore[attr-defined]  # held to record by record
        models["titus2"] = interchange.load(data, engine="reference")
        rates: dict[str, list[float]] = {k: [] for k in models}
        for _ in range(rounds):
            scored = {}
            for key, model in models.items():
                r, scored[key] = _rate(model, rows, rows_n)
                rates[key].append(r)
            for key in ("fast", "sequential"):
                for k, e in scored["titus2"].outputs.items():
                    a, b = np.asarray(scored[key].outputs[k], dtype=float), np.asarray(e, dtype=float)
                    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
        best = {k: max(v) for k, v in rates.items()}
        results.append({"document": name, "rows": rows_n, "engine": models["fast"].info.engine, **best})
    return results


def render(results: list[dict[str, Any]]) -> str:
    lines = [
        "| document | records per batch | load picks | fast path as load picks it, records/s | fast path record by record, "
        "records/s | titus2, records/s | picked / titus2 | record by record / titus2 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        picked, sequential = r["fast"] / r["titus2"], r["sequential"] / r["titus2"]
        lines.append(
            f"| {r['document']} | {r['rows']:,} | {r['engine']} | {r['fast']:,.0f} | {r['sequential']:,.0f} "
            f"| {r['titus2']:,.0f} | {picked:.2f} | {sequential:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    table = render(measure(args.rows, args.rounds))
    head = (
        "# PFA documents with state written while scoring: the fast path against titus2\n\n"
        f"`python benchmarks/pfa_state.py --rows {args.rows} --rounds {args.rounds}`: best of {args.rounds} "
        "alternating rounds per engine, each a fresh model scoring the same batch (outputs checked equal). "
        "'load picks': the running sums of these documents run as prefix sums over the whole batch "
        "(`fast.scan`); 'record by record': the same fast path held to one record at a time "
        "(`fast.sequential`, what `load(..., engine='fast')` did for every such document before).\n\n"
    )
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(head + table)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
