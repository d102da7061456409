"""Import titus2 (the PFA reference implementation) on NumPy 2 / Python 3.11.

titus2 1.2.0 still uses ``np.float_`` and ``inspect.getargspec``, both removed; the two
aliases below restore them before titus is imported. Nothing else in titus needs patching.
"""

from __future__ import annotations

import inspect
from collections import namedtuple
from typing import Any

import numpy as np

_ArgSpec = namedtuple("_ArgSpec", "args varargs keywords defaults")


def _getargspec(func: Any) -> _ArgSpec:
    spec = inspect.getfullargspec(func)
    return _ArgSpec(spec.args, spec.varargs, spec.varkw, spec.defaults)


def engine_class() -> Any:
    """``titus.genpy.PFAEngine`` with the compatibility aliases in place."""
    if not hasattr(np, "float_"):
        np.float_ = np.float64  # type: ignore[attr-defined]  # shim: NumPy 2 removed it
    if not hasattr(inspect, "getargspec"):
        inspect.getargspec = _getargspec  # type: ignore[attr-defined]  # shim: Python 3.11 removed it
    from titus.genpy import PFAEngine

    return PFAEngine
