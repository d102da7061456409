"""Generated code: an IR graph written as one self-contained Python module or Java class.

A registry holds one emitter per (language, IR step type), the way each format writes IR;
``codegen`` extracts an estimator to IR (or takes a graph, or a document lifted into the IR),
writes the source and, for Python, replays the verification cases through it at once.
"""

from __future__ import annotations

from interchange.codegen.api import Generated, codegen, load_python
from interchange.codegen.registry import emitter, languages, supported

__all__ = ["Generated", "codegen", "load_python", "emitter", "languages", "supported"]
