"""Write the PFA documents embedded in titus2's own test suite as files, for ``foreign_scan.py``.

    git clone https://github.com/modelop/hadrian   # (Apache-2.0; titus2's tests are under titus/test)
    PYTHONPATH=. python benchmarks/titus_test_documents.py hadrian/titus/test /tmp/titus-docs
    PYTHONPATH=. python benchmarks/foreign_scan.py /tmp/titus-docs --out scan.jsonl

Every ``PFAEngine.fromYaml('''...''')`` / ``fromJson('''...''')`` literal in the test modules becomes
``OUT/<module>/<n>.pfa`` (JSON). Documents whose text is built at run time (``%`` formatting,
concatenation) are skipped, as are those titus2 itself does not load; the count of each is printed.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

LITERAL = re.compile(r"PFAEngine\.(fromYaml|fromJson)\(\s*(?:'''|\"\"\")(.*?)(?:'''|\"\"\")\s*([,)%+])", re.S)


def extract(root: Path, out: Path) -> dict[str, int]:
    from interchange.formats.pfa.titus import engine_class

    PFAEngine = engine_class()

    counts = {"written": 0, "templated": 0, "unreadable": 0, "titus2 refuses": 0}
    for source in sorted(root.rglob("test*.py")):
        text = source.read_text()
        module = source.relative_to(root).with_suffix("").as_posix().replace("/", "_")
        for n, m in enumerate(LITERAL.finditer(text)):
            kind, body, after = m.groups()
            if after != "," and after != ")":
                counts["templated"] += 1
                continue
            try:
                doc = yaml.safe_load(body) if kind == "fromYaml" else json.loads(body)
            except Exception:
                counts["unreadable"] += 1
                continue
            if not isinstance(doc, dict) or "action" not in doc:
                counts["unreadable"] += 1
                continue
            data = json.dumps(doc)
            try:
                PFAEngine.fromJson(data)
            except Exception:
                counts["titus2 refuses"] += 1
                continue
            target = out / module / f"{n:03d}.pfa"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(data)
            counts["written"] += 1
    return counts


if __name__ == "__main__":
    print(extract(Path(sys.argv[1]), Path(sys.argv[2])))
