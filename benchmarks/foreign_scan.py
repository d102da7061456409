"""Re-run the foreign-document scan over a folder of documents other tools wrote.

    PYTHONPATH=. python benchmarks/foreign_scan.py /tmp/foreign-corpus --out scan.jsonl [--rows 200] [--timeout 180]

For every PMML / PFA / ONNX document below the folder: does ``interchange.load`` accept it, does
``predict`` agree with the reference engine (pypmml fed JSON records, JPMML-Evaluator where pypmml
answers otherwise; titus2; onnxruntime) on probe rows drawn from its own input schema, and does it
run on the fast path. Prints one line per document and a table by producer (the folder below the
given one, and the producer the document names). The logic lives in tests/conformance/foreign_scan.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conformance.foreign_scan import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
