"""ONNX batch rates of the two writers side by side: the IR's double graph vs skl2onnx.

The same fitted models as benchmarks/formats.py (logistic regression, a 100-tree depth-8
forest, 100-stage gradient boosting; 20 features), each written by the IR writer (what
``convert`` picks now) and by skl2onnx (the fallback, and the only writer before), both
scored on the same batch: a plain single-threaded onnxruntime session fed the 2-D array, and
``interchange.load(...).predict`` on a DataFrame. Rows per CPU second, best of interleaved
rounds (the machine is shared: wall time moved by 2x between identical runs here). A
three-class forest shows the cost of TreeEnsemble-5's one-target leaves (the tree is walked
once per class). Results: benchmarks/results/onnx_writers.json.

    python benchmarks/onnx_writers.py [--rows 20000] [--quick]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import pandas as pd
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier

import interchange
from interchange.batch import to_columns
from interchange.document import Document
from interchange.formats.onnx.export import export_skl2onnx
from interchange.source import reference_outputs

sys_path_root = Path(__file__).resolve().parent
RESULTS = sys_path_root / "results"


def rates(calls: dict[str, Callable[[], Any]], rows: int, rounds: int = 7) -> dict[str, float]:
    """Rows per CPU second of each call, best of ``rounds`` interleaved rounds."""
    best = dict.fromkeys(calls, float("inf"))
    for fn in calls.values():
        fn()
    for _ in range(rounds):
        for key, fn in calls.items():
            t0 = time.process_time()
            fn()
            best[key] = min(best[key], time.process_time() - t0)
    return {key: rows / seconds for key, seconds in best.items()}


def _documents(est: Any, frame: pd.DataFrame) -> dict[str, bytes]:
    converted = interchange.convert(est, "onnx", sample=frame.iloc[:200])
    sig = converted.signature
    cases = to_columns(frame.iloc[:200], sig)
    data, _ = export_skl2onnx(est, sig, cases, reference_outputs(est, cases, sig))
    return {"ir": converted.document.data, "skl2onnx": data}


def main() -> int:
    import sys

    sys.path.insert(0, str(sys_path_root))
    from formats import models  # the same models as the formats benchmark

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    X, y = make_classification(args.rows, 20, n_informative=10, random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)])
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    results = []
    estimators = models(args.quick)
    y3 = make_classification(args.rows, 20, n_informative=10, n_classes=3, random_state=0)[1]
    three = RandomForestClassifier(20 if args.quick else 100, max_depth=8, random_state=0)
    for name, est, target in [*((n, e, y) for n, e in estimators.items()), (f"{list(estimators)[1]}_3_classes", three, y3)]:
        est.fit(frame, target)
        row: dict[str, Any] = {"model": name}
        calls: dict[str, Callable[[], Any]] = {}
        for writer, data in _documents(est, frame).items():
            session = ort.InferenceSession(data, opts, providers=["CPUExecutionProvider"])
            (graph_input,) = session.get_inputs()
            matrix = np.ascontiguousarray(X, dtype=np.float32 if graph_input.type == "tensor(float)" else np.float64)
            model = interchange.load(Document("onnx", data, "application/onnx"))
            row[f"{writer}_input"] = graph_input.type
            row[f"{writer}_bytes"] = len(data)
            calls[f"{writer}_ort_batch"] = lambda s=session, n=graph_input.name, m=matrix: s.run(None, {n: m})
            calls[f"{writer}_predict_batch"] = lambda m=model: m.predict(frame)
        row.update(rates(calls, len(X)))
        row["ir_over_skl2onnx_ort"] = row["ir_ort_batch"] / row["skl2onnx_ort_batch"]
        row["ir_over_skl2onnx_predict"] = row["ir_predict_batch"] / row["skl2onnx_predict_batch"]
        results.append(row)
        print(json.dumps(row), flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "onnx_writers.json").write_text(json.dumps({"rows": args.rows, "cpus": 2, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
