"""Generated code: an IR graph written as one self-contained Python module or Java class.

A registry holds one emitter per (language, IR step type), the way each format writes IR;
``codegen`` extracts an estimator to IR (or takes a graph, or a document lifted into the IR),
writes the source and, for Python, replays the verification cases through it at once.
"""

from __future__ import annotations

import sys
import types

from interchange.codegen.api import Generated, codegen, load_python
from interchange.codegen.registry import emitter, languages, supported


class _CallableModule(types.ModuleType):
    """This package, callable as :func:`codegen`.

    The package root exports ``interchange.codegen(...)``; were that attribute the function, it
    would hide this subpackage and ``import interchange.codegen.python.kernels as k`` would fail
    (the import walks the attributes, and a function has no ``python``). The package itself is
    the callable instead, so both spellings work.
    """

    __call__ = staticmethod(codegen)


sys.modules[__name__].__class__ = _CallableModule
__wrapped__ = codegen  # inspect.signature / help() on the package show codegen's parameters

__all__ = ["Generated", "codegen", "load_python", "emitter", "languages", "supported"]
