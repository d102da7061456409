"""Helper functions copied into generated Python modules.

The IR's own kernels, copied by source (kernels.py), and the few helpers that are codegen's
own: reading input columns (``_number``, ``_text``, ``_matrix``), and dispatchers whose IR
counterparts are not plain-numpy functions yet (``_link``, ``_activate``, ``_kernel`` call the
IR's link and distance kernels). Each does the IR evaluator's own arithmetic in its order, so
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
    "_link": '''
def _link(scores, link):
    """Class probabilities from raw scores (rows x k): interchange.ir.models.linear.apply_link over ir.links."""
    if link == "logistic":
        p1 = logistic(scores[:, 0])
        return np.column_stack([1.0 - p1, p1])
    if link == "softmax":
        return softmax(scores)
    if link == "ovr":
        p = logistic(scores)
        return p / p.sum(axis=1, keepdims=True)
    return scores
''',
    "_activate": '''
def _activate(z, name):
    """One layer's activation: interchange.ir.models.neural.activate over ir.links."""
    if name == "logistic":
        with np.errstate(over="ignore"):
            return logistic(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return relu(z)
    return z
''',
    "_kernel": '''
def _kernel(X, V, kernel, gamma, coef0, degree):
    """K(x, v) for every row x of X and support vector v of V (interchange.ir.models.svm.kernel_matrix)."""
    if kernel == "rbf":
        return np.exp(-gamma * distances(X[:, None, :], V[None, :, :], "squaredEuclidean"))
    dot = X @ V.T
    if kernel == "linear":
        return dot
    if kernel == "poly":
        return np.power(gamma * dot + coef0, degree)
    return np.tanh(gamma * dot + coef0)
''',
}
