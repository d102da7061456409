"""One compatibility fix for skl2onnx 1.20 with scikit-learn 1.9, applied once.

scikit-learn 1.9's HistGradientBoosting trees hold node ids as ``np.uint32`` and missing
directions as booleans; skl2onnx passes them on in Python lists, and ``onnx.helper.make_node``
refuses such lists ("Unable to create node 'TreeEnsembleClassifier'"). Converting numpy
scalars and booleans inside list attributes to Python ints / floats changes no value.
Remove when skl2onnx does it itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["patch_skl2onnx"]

_patched = False


def _plain(value: Any) -> Any:
    if not isinstance(value, (list, tuple)) or not any(isinstance(v, (np.generic, bool)) for v in value):
        return value
    items = [v.item() if isinstance(v, np.generic) else v for v in value]
    return [int(v) if isinstance(v, bool) else v for v in items]


def patch_skl2onnx() -> None:
    global _patched
    if _patched:
        return
    from skl2onnx.common import _container

    original = _container.make_node

    def make_node(*args: Any, **attrs: Any) -> Any:
        return original(*args, **{k: _plain(v) for k, v in attrs.items()})

    _container.make_node = make_node
    _patched = True
