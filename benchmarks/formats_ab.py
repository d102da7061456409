"""The PMML and PFA fast-path rows of formats.py, old code against new, interleaved:
``formats.py --sections ab --before DIR [--ab-formats pmml,pfa]``.

DIR is a source tree of the old code (``git worktree add`` or ``git archive`` of a commit: a folder
holding ``interchange/``). The same three documents per format (logistic regression, 100-tree forest
and boosting, written by the current tree) are scored by fresh processes of the old and the new code
in turns, the order flipped every pair, so load on the shared machine moves both alike. Each
process measures CPU time (``time.process_time``), the best of at least 7, 3 and 5 rounds and of at
least one CPU second each: a 20k-row batch, 2,000 records one at a time and a 100k-row batch, the
shapes of formats.py's pmml_batch, pmml_one and api pmml_fast. The ratios are new rate / old rate: above 1 is faster.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from sklearn.datasets import make_classification

import interchange

_CHILD = """
import json, sys, time
import pandas as pd, interchange
from sklearn.datasets import make_classification
X, _ = make_classification(20000, 20, n_informative=10, random_state=0)
frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)])
X2, _ = make_classification(100000, 20, n_informative=10, random_state=1)
big = pd.DataFrame(X2, columns=[f"x{i}" for i in range(20)])
records = frame.iloc[:2000].to_dict("records")
model = interchange.load(sys.argv[1])
assert model.info.engine == "interchange-fast", model.info.reason
def best(fn, rounds, seconds=1.0):
    fn()
    out, spent, done = float("inf"), 0.0, 0
    while done < rounds or spent < seconds:
        t = time.process_time(); fn(); dt = time.process_time() - t
        out, spent, done = min(out, dt), spent + dt, done + 1
    return out
print(json.dumps({
    "batch_20k": 20000 / best(lambda: model.predict(frame), 7),
    "one": 2000 / best(lambda: [model.predict_one(r) for r in records], 3),
    "batch_100k": 100000 / best(lambda: model.predict(big), 5),
}))
"""


def _documents(models: dict[str, Any], folder: Path, formats: tuple[str, ...]) -> dict[str, Path]:
    X, y = make_classification(20_000, 20, n_informative=10, random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)])
    out = {}
    for name, est in models.items():
        est.fit(frame, y)
        for fmt in formats:
            key = name if fmt == "pmml" else f"{name} ({fmt})"
            out[key] = folder / f"{name}.{fmt}"
            interchange.convert(est, fmt, sample=frame.iloc[:200]).save(out[key])
    return out


def _measure(tree: str, document: Path) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=tree)
    done = subprocess.run([sys.executable, "-c", _CHILD, str(document)], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{tree}: {done.stderr[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def before_after(before: str, pairs: int, models: dict[str, Any], formats: tuple[str, ...] = ("pmml",)) -> dict[str, Any]:
    """Old (``before``) and new (this tree) code on the same documents, ``pairs`` interleaved pairs."""
    now = str(Path(interchange.__file__).resolve().parent.parent)
    rows: dict[str, dict[str, list[dict[str, float]]]] = {}
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as tmp:
        docs = _documents(models, Path(tmp), formats)
        for i in range(pairs):
            for name, doc in docs.items():
                order = [("old", before), ("new", now)] if i % 2 == 0 else [("new", now), ("old", before)]
                for tag, tree in order:
                    rows.setdefault(name, {"old": [], "new": []})[tag].append(_measure(tree, doc))
                print(name, i, {k: round(v / rows[name]["old"][-1][k], 3) for k, v in rows[name]["new"][-1].items()}, flush=True)
            loads.append(os.getloadavg()[0])
    out: dict[str, Any] = {"before": before, "pairs": pairs, "clock": "CPU (time.process_time)", "load_average": loads}
    out["formats"] = list(formats)
    out["models"] = {}
    for name, runs in rows.items():
        ratios = {k: sorted(n[k] / o[k] for o, n in zip(runs["old"], runs["new"], strict=True)) for k in runs["old"][0]}
        out["models"][name] = {
            "ratios_new_over_old": ratios,
            "median": {k: statistics.median(r) for k, r in ratios.items()},
            "old_best": {k: max(o[k] for o in runs["old"]) for k in runs["old"][0]},
            "new_best": {k: max(n[k] for n in runs["new"]) for k in runs["new"][0]},
        }
    return out


def ab_table(ab: dict[str, Any]) -> list[str]:
    """The before/after pairs as markdown."""
    if not ab:
        return []
    lines = [
        "",
        f"{' and '.join(f.upper() for f in ab.get('formats', ['pmml']))} fast paths, new code / old code "
        f"({ab['pairs']} interleaved pairs, fresh processes, {ab['clock']}; "
        f"rate ratios, above 1 = faster; load average during the run "
        f"{min(ab['load_average']):.1f}-{max(ab['load_average']):.1f}; "
        f"old code: {ab['before']}):",
        "",
        "| model | measure | median | range | old best rows/s | new best rows/s |",
        "|---|---|---|---|---|---|",
    ]
    for name, m in ab["models"].items():
        for k, r in m["ratios_new_over_old"].items():
            best = f"{m['old_best'][k]:,.0f} | {m['new_best'][k]:,.0f}"
            lines.append(f"| {name} | {k} | {m['median'][k]:.3f} | {r[0]:.3f}-{r[-1]:.3f} | {best} |")
    return lines
