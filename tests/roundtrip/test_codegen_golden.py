"""Every golden PMML document that lifts into the IR, as generated Python and generated Java.

For each golden document (tests/conformance/pmml_*) that lifts, and each third-party or
hand-written PMML / PFA document of the conformance suite that lifts, ``codegen`` writes the graph
as a Python module and as a Java class; both must agree with the IR evaluator within 1e-12 on
convert's synthetic rows (missing values and unseen categories where the document takes them).
Python runs in-process; the Java classes and their JUnit tests (replaying the IR's answers) go
through one bounded ``mvn test`` run. A document holding an IR node the generators do not write
(``interchange.codegen.registry.NOT_GENERATED``, found by walking the graph) must be refused
with UnsupportedModelError naming that node; nothing else may be refused.
"""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path

import pytest

import interchange
from interchange.codegen.api import IR_TOLERANCE, Generated, codegen, ir_outputs, load_python, python_outputs
from interchange.codegen.registry import refused_nodes
from interchange.crossformat import synthetic_rows
from interchange.verification import compare
from tests.conformance.test_lift_pmml import GOLDEN
from tests.unit.codegen.java.maven import from_graph, run_junit

CONFORMANCE = Path(__file__).parents[1] / "conformance"


def _lifting(paths: list[Path]) -> list[Path]:
    found = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in paths:
            try:
                lifted = interchange.lift(path.read_bytes())
            except interchange.InterchangeError:
                continue
            if lifted.ok and lifted.graph is not None:
                found.append(path)
    return found


LIFTING = _lifting(GOLDEN)
# third-party and hand-written PMML / PFA documents of the conformance suite that lift too
FOREIGN = _lifting(
    sorted(
        p
        for d in ("pmml_foreign", "pfa_foreign", "pfa_spec", "pfa_titus")
        for p in (CONFORMANCE / d).iterdir()
        if p.suffix in (".pmml", ".pfa")
    )
)


def _lifted(path: Path) -> interchange.Lifted:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lifted = interchange.lift(path.read_bytes())
    assert lifted.graph is not None
    return lifted


def _refused(lifted: interchange.Lifted, lang: str) -> bool:
    """Whether the document holds a node no generator writes; then ``lang`` must refuse it, naming the node."""
    names = refused_nodes(lifted.graph, lang)
    if names:
        with pytest.raises(interchange.UnsupportedModelError, match=re.escape(names[0])):
            codegen(lifted.graph, lang)
    return bool(names)


def test_the_golden_documents_lift() -> None:
    assert len(LIFTING) >= 116, len(LIFTING)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("path", LIFTING + FOREIGN, ids=lambda p: p.stem)
def test_generated_python_agrees_with_the_ir(path: Path) -> None:
    lifted = _lifted(path)
    assert lifted.graph is not None
    if _refused(lifted, "python"):
        return
    module = load_python(codegen(lifted.graph, "python").source)
    cases = synthetic_rows(lifted, 200)
    got = python_outputs(module, lifted.signature, cases)
    compare(lifted.signature, ir_outputs(lifted.graph, cases), got, IR_TOLERANCE, format="generated python")


@pytest.mark.filterwarnings("ignore")
@pytest.mark.skipif(shutil.which("mvn") is None or shutil.which("java") is None, reason="needs Maven (mvn) and a JDK (java)")
def test_generated_java_agrees_with_the_ir(tmp_path: Path) -> None:
    """Every golden document that lifts as a Java class, its JUnit test replaying the IR's answers on convert's
    rows within 1e-12; one bounded ``mvn test`` run."""
    written: list[Generated] = []
    refused = 0
    for i, path in enumerate(LIFTING + FOREIGN):
        lifted = _lifted(path)
        assert lifted.graph is not None
        if _refused(lifted, "java"):
            refused += 1
            continue
        cases = {k: v[:50] for k, v in synthetic_rows(lifted, 50).items()}
        written.append(from_graph(lifted.graph, f"Doc{i}", cases))
    assert len(run_junit(tmp_path, written)) == len(written)
    assert len(written) == len(LIFTING) + len(FOREIGN) - refused
