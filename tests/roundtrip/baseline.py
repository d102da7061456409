"""The converter matrix's committed outcome per cell, so a cell that changes fails loudly.

Every cell of tests/roundtrip/test_matrix.py ends in one status: ``verified`` (converted and
checked on held-out rows), ``unsupported`` (refused with UnsupportedModelError) or ``refused``
(convert raised VerificationError: the document disagreed with the estimator). The cell's test
asserts that status equals the one in ``baseline.json``: a cell that stops verifying fails, and
so does one that starts to (the baseline then understates coverage).

After an intended change, regenerate the baseline from a real run and commit it:

    python -m tests.roundtrip.baseline --update             # the whole matrix (a few minutes)
    python -m tests.roundtrip.baseline --update -k SVC      # only the cells pytest selects

``--update`` runs pytest on the matrix with a fresh results file and writes the baseline from
it: the whole matrix replaces the file; with pytest arguments, the cells that ran replace their
entries and the others stay. Reasons are kept for the reader;
only the status is compared, so a reworded error message does not fail the matrix.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

BASELINE = Path(__file__).with_name("baseline.json")
STATUSES = ("verified", "unsupported", "refused")
UPDATE = "python -m tests.roundtrip.baseline --update"


def load(path: Path = BASELINE) -> dict[str, dict[str, str]]:
    """The committed baseline: cell id -> {"status": ..., "reason": ... (when not verified)}."""
    return json.loads(path.read_text())["cells"]


def check(cell: str, status: str, reason: str | None, baseline: dict[str, dict[str, str]]) -> None:
    """Fail (AssertionError) unless ``cell`` ended in the status the baseline holds for it."""
    want = baseline.get(cell)
    got = status if reason is None else f"{status}: {reason}"
    if want is None:
        raise AssertionError(f"cell {cell} is not in {BASELINE.name} (it ended {got}); add it with `{UPDATE}`")
    if want["status"] != status:
        was = want["status"] if "reason" not in want else f"{want['status']}: {want['reason']}"
        hint = "it verifies now: update the baseline" if status == "verified" else "it no longer ends as before"
        raise AssertionError(
            f"cell {cell}: baseline {was!r}, this run {got!r}; {hint} (`{UPDATE}`, pytest's -k narrows it) if intended"
        )


def entries(results: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Baseline entries from results.jsonl rows (tests/roundtrip/helpers.py:record); the last row of a cell wins."""
    out: dict[str, dict[str, str]] = {}
    for row in results:
        if row["status"] not in STATUSES:
            raise ValueError(f"cell {row['cell']}: unknown status {row['status']!r}")
        entry = {"status": row["status"]}
        if row.get("reason"):
            entry["reason"] = str(row["reason"])
        out[row["cell"]] = entry
    return out


def write(cells: dict[str, dict[str, str]], path: Path = BASELINE) -> None:
    counts = {s: sum(1 for e in cells.values() if e["status"] == s) for s in STATUSES}
    lines = [f"  {json.dumps(c)}: {json.dumps(cells[c], ensure_ascii=False)}" for c in sorted(cells)]  # one cell a line
    head = f'{{\n "generated_by": {json.dumps(UPDATE)},\n "counts": {json.dumps(counts)},\n "cells": {{\n'
    path.write_text(head + ",\n".join(lines) + "\n }\n}\n")


def update(pytest_args: list[str]) -> int:
    """Run the matrix with a fresh results file and merge the cells it ran into the baseline."""
    root = Path(__file__).resolve().parents[2]
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results.jsonl"
        env = {**os.environ, "INTERCHANGE_ROUNDTRIP_RESULTS": str(results)}
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/roundtrip/test_matrix.py", *pytest_args]
        subprocess.run(cmd, cwd=root, env=env, check=False)  # mismatching cells fail; their results are recorded all the same
        if not results.exists():
            print("no cell ran; nothing to update", file=sys.stderr)
            return 1
        ran = entries([json.loads(line) for line in results.read_text().splitlines() if line.strip()])
    before = load() if BASELINE.exists() else {}
    changed = sorted(c for c, e in ran.items() if before.get(c, {}).get("status") != e["status"])
    cells = {**before, **ran} if pytest_args else ran
    write(cells)
    dropped = sorted(set(before) - set(cells))
    print(f"{BASELINE}: {len(ran)} cells from this run")
    print(f"status changed: {', '.join(changed) or 'none'}; dropped: {', '.join(dropped) or 'none'}")
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "--update":
        print(__doc__)
        return 2
    return update(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
