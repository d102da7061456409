"""Generated Python runs the IR's own kernels: their source, copied verbatim, and nothing else of interchange."""

from __future__ import annotations

import ast
import builtins
import inspect
import warnings
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import interchange
from interchange.codegen.api import codegen
from interchange.codegen.python import helpers_expr
from interchange.codegen.python.kernels import KERNELS, PLAIN
from interchange.codegen.python.module import PyWriter
from interchange.codegen.python.runtime import HELPERS, IMPORTS
from interchange.ir.combine import segmentation
from interchange.ir.derive import expressions, predicates
from interchange.ir.kernels import calls, segments, truths
from interchange.ir.kernels import general as general_kernels
from interchange.ir.models import general

SPEC = Path(__file__).parents[3] / "conformance" / "pmml_spec"


def _functions(module: ModuleType) -> list[str]:
    return [name for name, f in vars(module).items() if inspect.isfunction(f) and f.__module__ == module.__name__]


@pytest.mark.parametrize("module,wanted", PLAIN, ids=[m.__name__ for m, _ in PLAIN])
def test_each_embedded_helper_is_the_ir_functions_source(module: ModuleType, wanted: tuple[str, ...] | None) -> None:
    names = _functions(module) if wanted is None else list(wanted)
    assert names
    for name in names:
        if inspect.isfunction(getattr(module, name)):
            assert KERNELS[name] == inspect.getsource(getattr(module, name)).rstrip("\n"), name
        else:  # a table or constant: its assignment, as written in the module
            assert KERNELS[name].startswith(f"{name} ") and KERNELS[name] in inspect.getsource(module), name
        assert HELPERS[name] is KERNELS[name]


def test_the_ir_evaluates_with_the_kernels() -> None:
    assert expressions.FUNCTIONS is calls.FUNCTIONS
    assert predicates.combine_truths is truths.combine_truths
    assert general.find_inverse_link is general_kernels.find_inverse_link
    assert segmentation.combine_values is segments.combine_values


def test_the_kernels_run_with_numpy_and_the_standard_library_alone() -> None:
    """Every kernel, after the helpers its source calls and with their header imports, reads only defined names."""
    for helper in KERNELS:
        writer = PyWriter()
        writer.need(helper)
        imports = {line for h in writer.helpers for line in IMPORTS.get(h, ())}
        assert not any("interchange" in line for line in imports)
        source = "\n".join(["from __future__ import annotations", *sorted(imports), "import numpy as np"])
        source += "\n\n" + "\n\n\n".join(HELPERS[h].strip() for h in writer.helpers)
        namespace: dict[str, object] = {}
        exec(compile(source, helper, "exec"), namespace)  # noqa: S102 - the generated module's own text
        for fn in ast.parse(source).body:
            if isinstance(fn, ast.FunctionDef):
                names = [n for n in ast.walk(fn) if isinstance(n, ast.Name)]
                local = {a.arg for a in ast.walk(fn) if isinstance(a, ast.arg)}
                local |= {n.id for n in names if isinstance(n.ctx, ast.Store)}
                local |= {d.name for d in ast.walk(fn) if isinstance(d, ast.FunctionDef)}
                for used in {n.id for n in names if isinstance(n.ctx, ast.Load)} - local:
                    assert used in namespace or hasattr(builtins, used), (helper, fn.name, used)


def test_no_copy_of_a_kernel_is_left_in_codegen() -> None:
    """The codegen-specific helpers define no function the IR's kernel modules define (nor the old copies' names)."""
    kernel_names = set(KERNELS) | {"_num", "_call", "_cast", "_key", "_missing"}
    kernel_names |= {"_distances", "_inverse_link", "_cumulative", "_normalized", "_segmentation", "_positions", "_aligned"}
    import interchange.codegen.python.models.general
    import interchange.codegen.python.models.segments  # noqa: F401 - the emitters add their helpers to HELPERS

    own = [text for name, text in HELPERS.items() if name not in KERNELS]
    assert set(helpers_expr.EXPR_HELPERS.values()) <= set(own)
    for text in own:
        defined = {n.name for n in ast.walk(ast.parse(text)) if isinstance(n, ast.FunctionDef)}
        assert not defined & kernel_names, defined & kernel_names


def test_a_generated_module_carries_the_kernels_and_agrees_with_the_ir() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lifted = interchange.lift((SPEC / "tx_math_functions.pmml").read_bytes())
    assert lifted.graph is not None
    generated = codegen(lifted.graph, "python")
    assert KERNELS["call"] in generated.source and KERNELS["FUNCTIONS"] in generated.source
    assert "def combine(" not in generated.source and "def softmax(" not in generated.source  # only what it calls
    namespace: dict[str, object] = {}
    exec(compile(generated.source, "generated", "exec"), namespace)  # noqa: S102
    rng = np.random.default_rng(0)
    columns = {
        f.name: rng.normal(size=64) if f.type == "double" else rng.normal(size=64).round() for f in lifted.graph.signature.inputs
    }
    for f in lifted.graph.signature.inputs:
        columns[f.name][::7] = np.nan
    want = interchange.ir.graph.evaluate(lifted.graph, columns)
    got = namespace["predict"](columns)  # type: ignore[operator]
    for name, values in want.items():
        np.testing.assert_allclose(
            np.asarray(got[name], dtype=np.float64), np.asarray(values, dtype=np.float64), rtol=1e-9, atol=1e-12
        )
