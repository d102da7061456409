"""Which golden PMML documents convert, per target: pmml / pfa / onnx (``interchange.convert``) and
generated python (against the IR evaluator within 1e-12).

Every golden document that lifts (tests/conformance/pmml_spec, pmml_trees, pmml_general,
pmml_segments) is converted and replayed through pypmml (JPMML-Evaluator where pypmml departs from PMML 4.4 on a
construct of the document and disagrees: interchange/formats/pmml/departures.py) and the target's reference engine: on the rows
``interchange convert`` draws (default), or on the conformance tests' rows (``--rows golden``:
10% missing values in every field, unseen categories). Run:

    python benchmarks/golden_conversion_table.py [--json out.json] [--rows synthetic|golden] [--targets pmml,pfa]

prints a Markdown table: documents lifted, converted per target, and the commonest refusals.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[1]
sys.path.append(str(ROOT))  # (tests/ for the golden rows; interchange from PYTHONPATH)

FOLDERS = ("pmml_spec", "pmml_trees", "pmml_general", "pmml_segments")
TARGETS = ("pmml", "pfa", "onnx", "python")


def _steps(graph: Any) -> list[str]:
    return sorted({type(s).__name__ for s in graph.steps} | {type(graph.model).__name__})


def outcome(data: bytes, target: str, rows: str = "synthetic") -> tuple[str, str]:
    """("ok" | "refused" | "differs" | "error", detail) of one document to ``target``."""
    import interchange
    from interchange.batch import to_columns
    from interchange.codegen.api import IR_TOLERANCE, codegen, ir_outputs, load_python, python_outputs
    from interchange.verification import compare
    from tests.conformance.test_pmml_spec import _rows

    lifted = interchange.lift(data)
    assert lifted.graph is not None
    if rows == "golden":  # the conformance tests' rows: 10% missing in every field, unseen categories
        X: Any = _rows(data, lifted.signature.input_names, n=200)
    else:  # what ``interchange convert`` replays: missing values only where the document handles them
        from interchange.crossformat import synthetic_rows

        X = synthetic_rows(lifted, 200)
    try:
        if target == "python":
            generated = codegen(lifted.graph, "python")
            cases = to_columns(X, lifted.signature)
            # a record the IR refuses (returnInvalid) has every output missing; the module must refuse it too
            want = ir_outputs(lifted.graph, cases)
            got = python_outputs(load_python(generated.source), lifted.signature, cases)
            compare(lifted.signature, want, got, IR_TOLERANCE, format="python")
        else:
            from interchange.crossformat import convert_document
            from tests.roundtrip.test_golden_crossformat import jpmml_engine

            # where pypmml departs from PMML 4.4 on a construct of the document (formats/pmml/departures.py)
            # and disagrees, the PMML side is verified with JPMML-Evaluator
            sample = X if rows == "golden" else None
            convert_document(interchange.load(data), target, sample=sample, pmml_engine=jpmml_engine)
        return "ok", ""
    except interchange.UnsupportedModelError as exc:
        return "refused", exc.message[:110]
    except interchange.VerificationError as exc:
        return "differs", str(exc)[:110]
    except Exception as exc:  # noqa: BLE001 - a survey: every failure is a row of the table
        return "error", f"{type(exc).__name__}: {exc}"[:110]


def survey(only: str | None = None, targets: tuple[str, ...] = TARGETS, rows: str = "synthetic") -> list[dict[str, Any]]:
    import interchange

    found = []
    for folder in FOLDERS:
        for path in sorted((ROOT / "tests" / "conformance" / folder).glob("*.pmml")):
            if only and only not in path.stem:
                continue
            data = path.read_bytes()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lifted = interchange.lift(data)
                row: dict[str, Any] = {"name": f"{folder}/{path.stem}", "lifted": lifted.ok}
                if lifted.ok and lifted.graph is not None:
                    row["steps"] = _steps(lifted.graph)
                    for target in targets:
                        row[target] = outcome(data, target, rows)
            found.append(row)
            print(json.dumps(row), file=sys.stderr)
    return found


def table(rows: list[dict[str, Any]], targets: tuple[str, ...] = TARGETS) -> str:
    lifted = [r for r in rows if r["lifted"]]
    lines = ["| target | lifted documents | converted | refused | other | commonest refusals |", "|---|---|---|---|---|---|"]
    for t in targets:
        got = Counter(r[t][0] for r in lifted)
        why = Counter(r[t][1][:70] for r in lifted if r[t][0] == "refused")
        common = "; ".join(f"{w} ({n})" for w, n in why.most_common(3))
        other = len(lifted) - got["ok"] - got["refused"]
        lines.append(f"| {t} | {len(lifted)} | {got['ok']} | {got['refused']} | {other} | {common} |")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", type=Path)
    parser.add_argument("--only", help="documents whose name contains this")
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--rows", choices=("synthetic", "golden"), default="synthetic")
    args = parser.parse_args()
    targets = tuple(args.targets.split(","))
    result = survey(args.only, targets, args.rows)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    print(table(result, targets))
