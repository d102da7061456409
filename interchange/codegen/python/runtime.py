"""Helper functions copied into generated Python modules.

The IR's own kernels, copied by source (kernels.py), and the few helpers that are codegen's
own: reading input columns (``_number``, ``_text``, ``_matrix``). Each does the IR evaluator's own arithmetic in its order, so
generated code agrees with ``interchange.ir.graph.evaluate`` to the last bits. A module gets
only the helpers its steps ask for, plus the input helpers every module uses.
"""

from __future__ import annotations

from interchange.codegen.python.kernels import KERNEL_IMPORTS, KERNELS

__all__ = ["HELPERS", "ALWAYS", "IMPORTS"]

ALWAYS = ("missing_mask", "category_key", "_number", "_text", "_matrix")

# the import lines a helper needs in the generated module's header
IMPORTS: dict[str, tuple[str, ...]] = dict(KERNEL_IMPORTS)

HELPERS: dict[str, str] = {
    "_number": '''
def _number(values):
    """A numeric input column as float64, None -> NaN."""
    arr = np.asarray(values)
    if arr.dtype.kind in "fiub":
        return arr.astype(np.float64)
    return np.array([np.nan if v is None or (isinstance(v, float) and v != v) else float(v) for v in arr], dtype=np.float64)
''',
    "_text": '''
def _text(values):
    """A text input column as an object array, None for missing."""
    out = []
    for v in np.asarray(values, dtype=object).tolist():
        if v is None or (isinstance(v, float) and v != v):
            out.append(None)
        elif isinstance(v, str):
            out.append(v)
        else:
            out.append(category_key(v))
    return np.array(out, dtype=object)
''',
    **KERNELS,
    "_matrix": '''
def _matrix(env, names, n):
    """The named numeric columns as one (rows x len(names)) float64 matrix."""
    if not names:
        return np.empty((n, 0))
    return np.column_stack([np.asarray(env[name], dtype=np.float64) for name in names])
''',
}
