"""Records per second for each model × format × engine, batch and one record at a time.

One run, side by side: the estimator itself, onnxruntime, interchange's fast path (PMML, PFA),
and the reference runtimes pypmml and titus2 (slow per record, so measured on fewer rows and
run last: pypmml's JVM keeps burning CPU). Outputs of the fast path are compared with the
reference runtime's on the same rows. Results: benchmarks/results/formats.json and .md.

    python benchmarks/formats.py [--rows 20000] [--quick] [--sections engines,api,cold]

``api``: what the uniform API costs over each engine's own batch call on a 100k-row batch
(``--api-rows``), measured as CPU time, best of interleaved rounds (the machine is shared);
``cold``: loading 100-tree PMML documents of 9 to 15 MB in a fresh process; ``ab`` (with
``--before DIR``, a source tree of older code): the PMML and PFA fast-path rows, old code against this tree's,
in interleaved pairs of fresh processes (formats_ab.py). A run of some sections keeps the other
sections' last results.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.datasets import make_classification
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression

import interchange

sys.path.insert(0, str(Path(__file__).resolve().parent))
from formats_ab import ab_table, before_after  # noqa: E402  (a sibling script, not a package)

RESULTS = Path(__file__).resolve().parent / "results"


def rate(fn: Callable[[], Any], rows: int, min_seconds: float = 1.0) -> float:
    """Rows per second of ``fn`` (which evaluates ``rows`` rows), best of repeated runs."""
    fn()  # warm up
    best, spent, runs = float("inf"), 0.0, 0
    while spent < min_seconds or runs < 3:
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        best, spent, runs = min(best, dt), spent + dt, runs + 1
    return rows / best


def per_record(model: interchange.Model, records: list[dict[str, Any]]) -> Callable[[], Any]:
    return lambda: [model.predict_one(r) for r in records]


def max_diff(a: dict[str, np.ndarray], b: dict[str, np.ndarray], names: list[str]) -> float:
    worst = 0.0
    for n in names:
        x, y = np.asarray(a[n], dtype=np.float64), np.asarray(b[n], dtype=np.float64)
        worst = max(worst, float(np.max(np.abs(x - y))) if len(x) else 0.0)
    return worst


def models(quick: bool) -> dict[str, Any]:
    trees = 20 if quick else 100
    return {
        "logistic_regression": LogisticRegression(max_iter=1000),
        f"random_forest_{trees}": RandomForestClassifier(trees, max_depth=8, random_state=0),
        f"gradient_boosting_{trees}": GradientBoostingClassifier(n_estimators=trees, max_depth=3, random_state=0),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--slow-rows", type=int, default=300, help="rows for per-record reference runtimes")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--api-rows", type=int, default=100_000, help="batch size of the API overhead section")
    parser.add_argument("--sections", default="engines,api,cold", help="comma-separated: engines, api, cold, ab")
    parser.add_argument("--before", help="ab: a source tree (holding interchange/) of the code to compare against")
    parser.add_argument("--pairs", type=int, default=4, help="ab: interleaved old/new pairs")
    parser.add_argument("--ab-formats", default="pmml,pfa", help="ab: comma-separated formats whose fast paths are compared")
    args = parser.parse_args()
    sections = set(args.sections.split(","))
    previous = json.loads((RESULTS / "formats.json").read_text()) if (RESULTS / "formats.json").exists() else {}
    X, y = make_classification(args.rows, 20, n_informative=10, random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)])
    records = frame.iloc[: args.slow_rows].to_dict("records")
    one_rows = frame.iloc[: min(2000, args.rows)].to_dict("records")
    results: list[dict[str, Any]] = previous.get("results", []) if "engines" not in sections else []
    reference_jobs = []
    for name, est in models(args.quick).items() if "engines" in sections else []:
        est.fit(frame, y)
        row: dict[str, Any] = {"model": name}
        row["estimator_batch"] = rate(lambda est=est: est.predict_proba(frame), len(frame))
        row["estimator_one"] = rate(lambda est=est: [est.predict_proba(frame.iloc[i : i + 1]) for i in range(200)], 200)
        for fmt in ("onnx", "pmml", "pfa"):
            try:
                converted = interchange.convert(est, fmt, sample=frame.iloc[:200])
            except interchange.InterchangeError as exc:
                row[f"{fmt}_error"] = exc.message[:200]
                continue
            model = interchange.load(converted.document)
            row[f"{fmt}_engine"] = model.info.engine
            if model.info.engine not in ("titus2", "pypmml"):  # reference runtimes are measured below
                row[f"{fmt}_batch"] = rate(lambda model=model: model.predict(frame), len(frame))
                row[f"{fmt}_one"] = rate(per_record(model, one_rows), len(one_rows))
            if fmt != "onnx":
                reference_jobs.append((name, fmt, converted, model))
        results.append(row)
    # Reference runtimes last (pypmml's JVM keeps a core busy afterwards).
    by_model = {r["model"]: r for r in results}
    for name, fmt, converted, fast in sorted(reference_jobs, key=lambda j: j[1] == "pmml"):
        row = by_model[name]
        ref = interchange.load(converted.document, engine="reference")
        row[f"{fmt}_reference_engine"] = ref.info.engine
        row[f"{fmt}_reference_one"] = rate(per_record(ref, records), len(records), 0.5)
        if fmt == "pmml":
            row["pmml_reference_batch"] = rate(lambda ref=ref: ref.predict(frame), len(frame))
        sample = frame.iloc[: args.slow_rows]
        names = [f.name for f in converted.signature.outputs if f.kind not in ("label", "cluster")]
        row[f"{fmt}_fast_vs_reference_max_diff"] = max_diff(fast.predict(sample), ref.predict(sample), names)
    for row in results:
        for fmt in ("pmml", "pfa"):
            if f"{fmt}_batch" in row and f"{fmt}_reference_one" in row:
                row[f"{fmt}_fast_batch_over_reference_one"] = row[f"{fmt}_batch"] / row[f"{fmt}_reference_one"]
            if f"{fmt}_one" in row and f"{fmt}_reference_one" in row:
                row[f"{fmt}_fast_one_over_reference_one"] = row[f"{fmt}_one"] / row[f"{fmt}_reference_one"]
            if f"{fmt}_batch" in row and "onnx_batch" in row:
                row[f"{fmt}_fast_batch_over_onnx_batch"] = row[f"{fmt}_batch"] / row["onnx_batch"]
    formats = tuple(args.ab_formats.split(","))
    ab = before_after(args.before, args.pairs, models(args.quick), formats) if "ab" in sections else previous.get("pmml_ab", {})
    out = {
        "machine": {"python": platform.python_version(), "cpus": 2},
        "rows": args.rows if "engines" in sections else previous.get("rows"),
        "results": results,
        "api_overhead": api_overhead(args.api_rows, args.quick) if "api" in sections else previous.get("api_overhead", []),
        "cold_load": cold_load(args.quick) if "cold" in sections else previous.get("cold_load", []),
        "pmml_ab": ab,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "formats.json").write_text(json.dumps(out, indent=2))
    (RESULTS / "formats.md").write_text(markdown(out))
    print(markdown(out))
    return 0


# 100-tree forests whose PMML documents span the sizes issue 12 measured (9 MB, 13.7 MB, 15+ MB):
# (name, tree arguments, training rows)
COLD_FORESTS = (
    ("depth 8", {"max_depth": 8}, 20_000),
    ("depth 9", {"max_depth": 9}, 20_000),
    ("depth 10", {"max_depth": 10}, 6_000),
)


def cold_load(quick: bool) -> list[dict[str, Any]]:
    """Seconds to load a 100-tree PMML document in a fresh process (imports included): fast path
    vs pypmml, best of three processes each, for each document size in COLD_FORESTS. Also the
    CPU seconds of the fast path's best run (the machine is shared: wall time moves with load)."""
    RESULTS.mkdir(exist_ok=True)
    out = []
    for name, kwargs, rows in COLD_FORESTS[:1] if quick else COLD_FORESTS:
        X, labels = make_classification(rows, 20, n_informative=10, random_state=0)
        data = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)])
        est = RandomForestClassifier(20 if quick else 100, random_state=0, **kwargs).fit(data, labels)
        try:
            converted = interchange.convert(est, "pmml", sample=data.iloc[:50])
        except interchange.InterchangeError as exc:
            out.append({"forest": name, "error": exc.message[:200]})
            continue
        path = RESULTS / "cold_forest.pmml"
        converted.save(path)
        row: dict[str, Any] = {"forest": name, "training_rows": rows, "document_bytes": converted.document.size, "seconds": {}}
        for engine in ("fast", "reference"):
            code = (
                "import time; t=time.perf_counter(); c=time.process_time(); import interchange; "
                f"m=interchange.load({str(path)!r}, engine={engine!r}); "
                "print(time.perf_counter()-t, time.process_time()-c, m.info.engine)"
            )
            runs = []
            for _ in range(3):
                done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
                if done.returncode != 0:
                    row["seconds"][engine] = done.stderr[-300:]
                    break
                wall, cpu, used = done.stdout.strip().splitlines()[-1].split()
                runs.append((float(wall), float(cpu), used))
            else:
                best = min(runs)
                row["seconds"][engine] = best[0]
                row[f"{engine}_engine"] = best[2]
                if engine == "fast":
                    row["fast_cpu_seconds"] = best[1]
        path.unlink()
        row["load_average"] = os.getloadavg()[0]
        out.append(row)
        print(row, flush=True)
    return out


def cold_table(rows: list[dict[str, Any]] | dict[str, Any]) -> list[str]:
    """The cold-load results as a markdown table (an older results file holds one dict)."""
    if isinstance(rows, dict):
        rows = [rows]
    lines = ["", "Cold load of a 100-tree PMML document in a fresh process (imports included, best of 3):", ""]
    lines += ["| forest | MB | fast path s | fast path CPU s | pypmml s | load average |", "|---|---|---|---|---|---|"]
    for r in rows:
        sec = r.get("seconds", {})
        cells = [sec.get("fast"), r.get("fast_cpu_seconds"), sec.get("reference"), r.get("load_average")]
        text = [f"{c:.2f}" if isinstance(c, float) else str(c) for c in cells]
        lines.append(f"| {r.get('forest', '')} | {r.get('document_bytes', 0) / 1e6:.1f} | " + " | ".join(text) + " |")
    return lines


def api_overhead(rows: int, quick: bool) -> list[dict[str, Any]]:
    """``Model.predict`` against each engine's own batch call on the same document and batch.

    onnxruntime: a plain session fed the C-contiguous 2-D array (and ``frame.to_numpy()``, what
    a DataFrame user writes) vs ``predict`` on the same array / DataFrame. PMML and PFA fast
    paths: ``predict(frame)`` against the plain onnxruntime session. CPU seconds, best of
    interleaved rounds, so other processes on the machine move every engine alike.
    """
    X, y = make_classification(rows, 20, n_informative=10, random_state=1)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)])
    out = []
    for name, est in models(quick).items():
        est.fit(frame.iloc[:20_000], y[:20_000])
        out.append(_overhead_row(name, est, X, frame))
        print(out[-1], flush=True)
    return out


def _overhead_row(name: str, est: Any, X: np.ndarray, frame: pd.DataFrame) -> dict[str, Any]:
    import onnxruntime as ort

    rows = len(X)
    docs = {fmt: interchange.convert(est, fmt, sample=frame.iloc[:200]) for fmt in ("onnx", "pmml", "pfa")}
    loaded = {fmt: interchange.load(c.document) for fmt, c in docs.items()}
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    session = ort.InferenceSession(docs["onnx"].document.data, opts, providers=["CPUExecutionProvider"])
    (graph_input,) = session.get_inputs()
    dtype = np.float32 if graph_input.type == "tensor(float)" else np.float64
    matrix = np.ascontiguousarray(X, dtype=dtype)
    calls: dict[str, Callable[[], Any]] = {
        "ort_array": lambda: session.run(None, {graph_input.name: matrix}),
        "api_array": lambda: loaded["onnx"].predict(matrix),
        "ort_frame": lambda: session.run(None, {graph_input.name: frame.to_numpy(dtype)}),
        "api_frame": lambda: loaded["onnx"].predict(frame),
        "pmml_fast": lambda: loaded["pmml"].predict(frame),
        "pfa_fast": lambda: loaded["pfa"].predict(frame),
    }
    best = {k: float("inf") for k in calls}
    for fn in calls.values():
        fn()
    for _ in range(7):
        for k, fn in calls.items():
            t0 = time.process_time()
            fn()
            best[k] = min(best[k], time.process_time() - t0)
    row: dict[str, Any] = {"model": name, "rows": rows, "onnx_input": f"{graph_input.name} {graph_input.type}"}
    row.update({f"{k}_rows_per_s": rows / v for k, v in best.items()})
    row["api_over_ort_array"] = best["api_array"] / best["ort_array"]
    row["api_over_ort_frame"] = best["api_frame"] / best["ort_frame"]
    row["pmml_fast_over_ort"] = best["ort_array"] / best["pmml_fast"]
    row["pfa_fast_over_ort"] = best["ort_array"] / best["pfa_fast"]
    row["engines"] = {fmt: m.info.engine for fmt, m in loaded.items()}
    return row


def markdown(out: dict[str, Any]) -> str:
    def f(v: Any) -> str:
        if v is None:
            return "–"
        if isinstance(v, float):
            return f"{v:,.0f}" if v >= 100 else f"{v:.3g}"
        return str(v)

    cols = [
        "estimator_batch",
        "onnx_batch",
        "pmml_batch",
        "pfa_batch",
        "onnx_one",
        "pmml_one",
        "pfa_one",
        "pmml_reference_batch",
        "pmml_reference_one",
        "pfa_reference_one",
    ]
    lines = ["| model | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for r in out["results"]:
        lines.append(f"| {r['model']} | " + " | ".join(f(r.get(c)) for c in cols) + " |")
    ratios = [
        "pmml_fast_batch_over_reference_one",
        "pfa_fast_batch_over_reference_one",
        "pfa_fast_one_over_reference_one",
        "pmml_fast_batch_over_onnx_batch",
        "pfa_fast_batch_over_onnx_batch",
        "pmml_fast_vs_reference_max_diff",
        "pfa_fast_vs_reference_max_diff",
    ]
    lines += ["", "| model | " + " | ".join(ratios) + " |", "|---" * (len(ratios) + 1) + "|"]
    for r in out["results"]:
        lines.append(f"| {r['model']} | " + " | ".join(f(r.get(c)) for c in ratios) + " |")
    errors = [f"- {r['model']} {k}: {v}" for r in out["results"] for k, v in r.items() if k.endswith("_error")]
    lines += ["", f"Rows: {out['rows']} (records/s; `_one` = one record per call)."] + errors
    lines += cold_table(out.get("cold_load") or [])
    lines += ab_table(out.get("pmml_ab") or {})
    api = ["api_over_ort_array", "api_over_ort_frame", "pmml_fast_over_ort", "pfa_fast_over_ort"]
    rates = [
        "ort_array_rows_per_s",
        "api_array_rows_per_s",
        "ort_frame_rows_per_s",
        "api_frame_rows_per_s",
        "pmml_fast_rows_per_s",
    ]
    rates.append("pfa_fast_rows_per_s")
    if out.get("api_overhead"):
        lines += ["", "Uniform API overhead (CPU time, best of interleaved rounds; cost ratios: 1.0 = no overhead):", ""]
        lines += ["| model | rows | " + " | ".join(api + rates) + " |", "|---" * (len(api + rates) + 2) + "|"]
        for r in out["api_overhead"]:
            lines.append(f"| {r['model']} | {r['rows']} | " + " | ".join(f(r.get(c)) for c in api + rates) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
