"""Scan a folder of documents other tools wrote: does interchange load, agree and run fast?

For every ``*.pmml`` / ``*.xml`` (PMML), ``*.pfa`` / ``*.json`` / ``*.yaml`` (PFA) and ``*.onnx``
below a folder: ``interchange.load(path)``, probe rows derived from the document's own input
schema (PMML: the spec tests' generator, declared categories and unseen ones, numbers on every
threshold, 10% missing; PFA: values of each field's type, nulls where it is nullable; ONNX: values
of each input tensor's element type), ``predict``, and the reference engine on the same rows:

* PMML: pypmml fed full-precision JSON records; rows where it answers otherwise are put to
  JPMML-Evaluator, and a row both references answer otherwise is a difference
  (rtol 1e-9 / atol 1e-12, labels equal); documents pypmml cannot load go to JPMML-Evaluator alone;
* PFA: titus2 (rtol 1e-9 / atol 1e-12);
* ONNX: a plain onnxruntime session fed the same tensors (bit-equal).

Each document gets one status: ``agree``, ``differ``, ``fail`` (interchange refuses or raises
where the reference answers), ``both`` (the reference refuses too), with the engine interchange
picked and the first cause. ``python -m tests.conformance.foreign_scan FOLDER [--out scan.jsonl]``
prints a table by producer (``benchmarks/foreign_scan.py`` is the same).
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import traceback
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import interchange

__all__ = ["Result", "scan", "scan_one", "main"]

RTOL, ATOL = 1e-9, 1e-12


@dataclass
class Result:
    path: str
    fmt: str
    producer: str
    status: str  # agree / differ / fail / both
    engine: str = ""
    reason: str = ""  # why the fast path declined (PMML, PFA)
    cause: str = ""  # first difference or error
    rows: int = 0


class _Timeout(BaseException):  # not an Exception: code under test that swallows those cannot hold the scan
    pass


def documents(folder: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        suffix = path.suffix.lower()
        if suffix == ".onnx":
            yield path, "onnx"
        elif suffix in (".pmml", ".xml"):
            head = path.read_bytes()[:2000]
            if b"<PMML" in head:
                yield path, "pmml"
        elif suffix in (".pfa", ".json", ".yaml", ".yml"):
            head = path.read_bytes()[:4000]
            if b"action" in head or suffix == ".pfa":
                yield path, "pfa"


def producer(path: Path, fmt: str, root: Path) -> str:
    """The folder below ``root`` (the source) and the document's own producer where it names one."""
    source = path.relative_to(root).parts[0] if len(path.relative_to(root).parts) > 1 else "."
    data = path.read_bytes()
    own = ""
    if fmt == "pmml":
        m = re.search(rb"<Application[^>]*name=\"([^\"]*)\"", data[:5000])
        own = m.group(1).decode(errors="replace") if m else ""
    elif fmt == "onnx":
        import onnx

        try:
            own = onnx.load_model_from_string(data).producer_name
        except Exception:
            own = ""
    return f"{source}: {own}" if own else source


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def _differ(expected: Any, actual: Any, numeric: bool, rtol: float = RTOL, atol: float = ATOL) -> list[int]:
    bad = []
    exp, act = list(np.asarray(expected, dtype=object)), list(np.asarray(actual, dtype=object))
    if len(exp) != len(act):
        return list(range(max(len(exp), len(act))))
    for i, (e, a) in enumerate(zip(exp, act, strict=True)):
        if isinstance(e, np.generic):
            e = e.item()
        if isinstance(a, np.generic):
            a = a.item()
        if _missing(e) or _missing(a):
            if _missing(e) != _missing(a):
                bad.append(i)
        elif numeric and isinstance(e, (int, float)) and not isinstance(e, bool) and isinstance(a, (int, float)):
            if abs(float(a) - float(e)) > atol + rtol * abs(float(e)):
                bad.append(i)
        elif isinstance(e, (list, np.ndarray)) or isinstance(a, (list, np.ndarray)):
            try:
                ea, aa = np.asarray(e, dtype=np.float64), np.asarray(a, dtype=np.float64)
                same = ea.shape == aa.shape and np.allclose(ea, aa, rtol=rtol, atol=atol, equal_nan=True)
            except (TypeError, ValueError):  # arrays of text, records, maps: equal as JSON
                same = json.dumps(_plain(e), sort_keys=True, default=str) == json.dumps(_plain(a), sort_keys=True, default=str)
            if not same:
                bad.append(i)
        elif isinstance(e, float) and isinstance(a, (int, float)) and float(e) == float(a):
            continue
        elif str(e) != str(a):
            bad.append(i)
    return bad


def _plain(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return [_plain(x) for x in v.tolist()]
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    return v.item() if isinstance(v, np.generic) else v


def _numeric(f: Any) -> bool:
    return f.kind in ("probability", "value", "score", "decision") and f.type != "string"


# rows ---------------------------------------------------------------------------------------------


def _pmml_rows(data: bytes, names: list[str], n: int) -> pd.DataFrame:
    from tests.conformance.test_pmml_spec import _rows

    return _rows(data, names, n, 0)


def _pfa_rows(path: Path, signature: Any, n: int) -> pd.DataFrame:
    from tests.conformance.foreign_rows import _pfa_nullable, pfa_frame

    try:
        nullable = _pfa_nullable(path.read_bytes())
    except Exception:
        nullable = {}
    return pfa_frame(signature, nullable, n)


def _onnx_columns(signature: Any, n: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    out: dict[str, np.ndarray] = {}
    for f in signature.inputs:
        if f.type == "string":
            pool = list(f.values) if f.values else ["a", "b", "c", "red", "blue", "x"]
            out[f.name] = np.array([pool[i] for i in rng.integers(len(pool), size=n)], dtype=object)
        elif f.type == "integer":
            out[f.name] = rng.integers(-2, 6, size=n).astype(np.float64)
        elif f.type == "boolean":
            out[f.name] = rng.integers(0, 2, size=n).astype(np.float64)
        else:
            out[f.name] = np.round(rng.normal(0.0, 3.0, size=n), 4)
    return out


# checks -------------------------------------------------------------------------------------------


def _check_pmml(path: Path, model: Any, rows: pd.DataFrame) -> tuple[str, str]:
    from interchange.batch import to_columns
    from tests.roundtrip.helpers import jpmml_outputs

    data = path.read_bytes()
    got, mine = _scored(model, rows)
    try:
        reference = interchange.load(data, engine="reference")
        want, theirs = _scored(reference, rows)
        outputs = [f for f in reference.signature.outputs if f.name in want]
    except Exception as exc:  # pypmml cannot: JPMML-Evaluator alone
        outputs, want = [], {}
        pypmml_error = f"pypmml: {type(exc).__name__}: {str(exc)[:120]}"
    else:
        pypmml_error = ""
    differ: set[int] = set(range(len(rows))) if pypmml_error else set(mine ^ theirs)
    for f in outputs:
        if f.name not in got:
            return "differ", f"output {f.name} missing (pypmml has it)"
        differ.update(_differ(want[f.name], got[f.name], _numeric(f)))
    if not differ:
        if mine and len(mine) == len(rows):
            return "both", f"both refuse every probe row: {model.score(rows.iloc[:1]).refused.get(0)}"
        return "agree", ""
    idx = sorted(differ)
    sub = rows.iloc[idx].reset_index(drop=True)
    try:
        theirs = jpmml_outputs(data, to_columns(sub, model.signature), model.signature, verify=False)
    except Exception as exc:
        if pypmml_error:
            return "unchecked", f"{pypmml_error}; JPMML: {type(exc).__name__}: {str(exc)[:120]}"
        f0 = next(f for f in outputs if _differ(want[f.name], got[f.name], _numeric(f)))
        i = _differ(want[f0.name], got[f0.name], _numeric(f0))[0]
        return "differ", f"{f0.name} row {i}: pypmml {want[f0.name][i]!r}, ours {got[f0.name][i]!r} (JPMML failed)"
    # JPMML-SkLearn's x-mathContext="float" documents: JPMML-Evaluator computes in float32, we in double
    # (the stated exception of test_foreign.py): float32 tolerance, rtol 1e-5 / atol 1e-4
    tol = (1e-5, 1e-4) if b'x-mathContext="float"' in data else (RTOL, ATOL)
    for f in model.signature.outputs:
        mine = np.asarray(got[f.name], dtype=object)[idx]
        bad = _differ(theirs[f.name], mine, _numeric(f), *tol)
        if bad:
            i = bad[0]
            extra = f", pypmml {np.asarray(want[f.name], dtype=object)[idx[i]]!r}" if f.name in want else ""
            return (
                "differ",
                f"{f.name} ({len(bad)}/{len(rows)} rows) e.g. {sub.iloc[i].to_dict()}: "
                f"JPMML {theirs[f.name][i]!r}, ours {mine[i]!r}{extra}",
            )
    return "agree", "JPMML-judged" if not pypmml_error else "JPMML only (pypmml refuses)"


def _scored(model: Any, rows: Any) -> tuple[dict[str, Any], set[int]]:
    scored = model.score(rows)
    return scored.outputs, set(scored.refused)


def _refusals(mine: set[int], theirs: set[int], rows: Any, name: str) -> str:
    """'' when both refuse the same rows, else what differs."""
    if mine == theirs:
        return ""
    only = sorted(mine - theirs)
    if only:
        return f"refuses {len(only)} rows {name} answers, e.g. {_row(rows, only[0])}"
    return f"answers {len(theirs - mine)} rows {name} refuses"


def _row(rows: Any, i: int) -> dict[str, Any]:
    return rows.iloc[i].to_dict() if hasattr(rows, "iloc") else {k: v[i] for k, v in rows.items()}


def _check_pfa(path: Path, model: Any, rows: pd.DataFrame) -> tuple[str, str]:
    got, mine = _scored(model, rows)
    reference = interchange.load(path, engine="reference")
    want, theirs = _scored(reference, rows)
    why = _refusals(mine, theirs, rows, "titus2")
    if why:
        return ("fail" if mine - theirs else "differ"), why
    keep = [i for i in range(len(rows)) if i not in mine]
    for name in want:
        if name not in got:
            return "differ", f"output {name} missing"
        f = next((o for o in reference.signature.outputs if o.name == name), None)
        numeric = np.asarray(want[name]).dtype.kind == "f" or (f is not None and _numeric(f))
        bad = _differ(np.asarray(want[name], dtype=object)[keep], np.asarray(got[name], dtype=object)[keep], numeric)
        if bad:
            i = keep[bad[0]]
            return (
                "differ",
                f"{name} ({len(bad)}/{len(rows)}) row {_row(rows, i)}: titus2 {want[name][i]!r}, ours {got[name][i]!r}",
            )
    if mine and len(mine) == len(rows):
        return "both", f"both refuse every probe row: {model.score(rows.iloc[:1]).refused.get(0)}"
    return "agree", f"both refuse {len(mine)} rows" if mine else ""


def _check_onnx(path: Path, model: Any, columns: dict[str, np.ndarray]) -> tuple[str, str]:
    n = len(next(iter(columns.values())))
    import onnxruntime as ort

    from interchange.formats.onnx.runtime import parse
    from interchange.model import read_document

    parsed = parse(read_document(path))
    got, mine = _scored(model, columns)
    if mine:
        return "fail", f"refuses {len(mine)} of {n} rows, e.g. {model.score(columns).refused[min(mine)]}"
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    session = ort.InferenceSession(path.read_bytes(), opts, providers=["CPUExecutionProvider"])
    types = {i.name: i.type for i in session.get_inputs()}
    shapes = {i.name: i.shape for i in session.get_inputs()}
    fixed = {s[0] for s in shapes.values() if s and isinstance(s[0], int)}
    b = fixed.pop() if len(fixed) == 1 else None  # a graph exported for a fixed batch: runs of b rows
    groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for name, (tensor, col) in parsed.inputs.items():
        groups[tensor].append((col or 0, name))
    feeds = {}
    for tensor, parts in groups.items():
        kind = types[tensor]
        cols = [columns[name] for _, name in sorted(parts)]
        if "string" in kind:
            feeds[tensor] = np.stack([np.asarray(c, dtype=object) for c in cols], axis=1)
        else:
            dtype = {
                "tensor(double)": np.float64,
                "tensor(int64)": np.int64,
                "tensor(int32)": np.int32,
                "tensor(bool)": np.bool_,
            }.get(kind, np.float32)
            feeds[tensor] = np.stack([np.asarray(c).astype(dtype) for c in cols], axis=1)
        if len(shapes[tensor]) == 1:
            feeds[tensor] = feeds[tensor].reshape(-1)
    names = [o.name for o in session.get_outputs()]
    if b is None:
        by_name = dict(zip(names, session.run(None, feeds), strict=True))
    else:
        n = n // b * b
        got = {k: np.asarray(v, dtype=object)[:n] for k, v in got.items()}
        runs = [session.run(None, {k: v[i : i + b] for k, v in feeds.items()}) for i in range(0, n, b)]
        by_name = {
            name: [m for r in runs for m in r[j]] if isinstance(runs[0][j], list) else np.concatenate([r[j] for r in runs])
            for j, name in enumerate(names)
        }
    for f in model.signature.outputs:
        tensor, col = parsed.outputs[f.name]
        value = by_name[tensor]
        if isinstance(col, dict):
            want = [row[col["key"]] for row in value]
        elif col == "row":
            want = [list(r) for r in np.asarray(value).reshape(len(value), -1)]
        else:
            arr = np.asarray(value)
            want = arr.reshape(len(arr), -1)[:, col if col is not None else 0]
        bad = _differ(want, got[f.name], True)
        if bad:
            return "differ", f"{f.name} ({len(bad)} rows): onnxruntime {want[bad[0]]!r}, ours {got[f.name][bad[0]]!r}"
    return "agree", ""


# the scan -----------------------------------------------------------------------------------------


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout("timed out")


def _first_line(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:240]


def scan_one(path: Path, fmt: str, root: Path, n: int = 200, timeout: int = 180) -> Result:
    result = Result(str(path.relative_to(root)), fmt, producer(path, fmt, root), "fail")
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(timeout)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                model = interchange.load(path)
            except Exception as exc:
                result.cause = "load: " + _first_line(exc)
                result.status = "both" if _reference_fails(path, fmt) else "fail"
                return result
            result.engine, result.reason = model.info.engine, model.info.reason
            try:
                if fmt == "pmml":
                    rows: Any = _pmml_rows(path.read_bytes(), [f.name for f in model.signature.inputs], n)
                    for f in model.signature.inputs:  # boolean fields: true / false / missing
                        if f.type == "boolean":
                            rows[f.name] = [None if i % 10 == 0 else bool(i % 3) for i in range(len(rows))]
                    result.rows = len(rows)
                    result.status, result.cause = _check_pmml(path, model, rows)
                elif fmt == "pfa":
                    rows = _pfa_rows(path, model.signature, n)
                    result.rows = len(rows)
                    result.status, result.cause = _check_pfa(path, model, rows)
                else:
                    columns = _onnx_columns(model.signature, n)
                    result.rows = n
                    result.status, result.cause = _check_onnx(path, model, columns)
            except Exception as exc:
                result.cause = "predict: " + _first_line(exc)
                result.status = "fail"
                if isinstance(exc, _Timeout):
                    result.status = "timeout"
                result.cause += " | " + traceback.format_exc().strip().splitlines()[-3].strip()[:160]
    except _Timeout:
        result.status, result.cause = "timeout", f"over {timeout}s"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    return result


def _reference_fails(path: Path, fmt: str) -> bool:
    try:
        if fmt == "onnx":  # onnxruntime itself, not our wrapper of it
            import onnxruntime as ort

            ort.InferenceSession(path.read_bytes(), providers=["CPUExecutionProvider"])
            return False
        interchange.load(path, engine="reference")
    except Exception:
        if fmt != "pmml":
            return True
        try:
            from jpmml_evaluator import make_evaluator

            make_evaluator(str(path), backend="jpype")
        except Exception:
            return True
    return False


def fast(r: Result) -> bool:
    return r.engine in ("interchange-fast",) or r.engine.startswith("interchange")


def table(results: list[Result]) -> str:
    """Per producer: documents, fail / differ / both-refuse, and (PMML, PFA) how many left the fast path."""
    by: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by[r.producer].append(r)
    lines = ["| producer | docs | fail | differ | both refuse | slow path (PMML/PFA loaded) |", "|---|---|---|---|---|---|"]
    total: Counter[str] = Counter()
    for name in sorted(by):
        rs = by[name]
        c = Counter(r.status for r in rs)
        loaded = [r for r in rs if r.fmt != "onnx" and r.engine]
        slow = sum(not fast(r) for r in loaded)
        lines.append(f"| {name} | {len(rs)} | {c['fail'] + c['timeout']} | {c['differ']} | {c['both']} | {slow}/{len(loaded)} |")
        total.update(
            docs=len(rs), fail=c["fail"] + c["timeout"], differ=c["differ"], both=c["both"], slow=slow, loaded=len(loaded)
        )
    lines.append(
        f"| **all** | {total['docs']} | {total['fail']} | {total['differ']} | {total['both']} "
        f"| {total['slow']}/{total['loaded']} |"
    )
    return "\n".join(lines)


def scan(folder: Path, n: int = 200, out: Path | None = None, timeout: int = 180, verbose: bool = True) -> list[Result]:
    results = []
    sink = out.open("w") if out else None
    try:
        for path, fmt in documents(folder):
            r = scan_one(path, fmt, folder, n, timeout)
            results.append(r)
            if sink:
                sink.write(json.dumps(asdict(r)) + "\n")
                sink.flush()
            if verbose:
                slow = "" if fast(r) or r.fmt == "onnx" or not r.engine else f" [slow: {r.reason[:80]}]"
                print(f"{r.status:8} {r.path}{slow} {r.cause[:200]}", flush=True)
    finally:
        if sink:
            sink.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--out", type=Path, help="one JSON line per document")
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--timeout", type=int, default=180, help="seconds per document")
    args = parser.parse_args(argv)
    results = scan(args.folder, args.rows, args.out, args.timeout)
    print()
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
