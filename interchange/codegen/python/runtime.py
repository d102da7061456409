"""Helper functions copied into generated Python modules: numpy versions of the IR kernels.

Each is the IR evaluator's own arithmetic (same operations in the same order), so generated
code agrees with ``interchange.ir.graph.evaluate`` to the last bits. A module gets only the
helpers its steps ask for, plus the input helpers every module uses.
"""

from __future__ import annotations

__all__ = ["HELPERS", "ALWAYS", "DEPENDS"]

ALWAYS = ("_missing", "_key", "_number", "_text", "_matrix")

DEPENDS = {
    "_leaf_values": ("_walk",),
    "_nearest_center": ("_distances",),
    "_neighbours": ("_distances",),
    "_expr": ("_num", "_call"),
    "_call": ("_num",),
    "_cast": ("_num",),
    "_truth": ("_num",),
}

HELPERS: dict[str, str] = {
    "_missing": '''
def _missing(col):
    """Missing-value mask of a numeric (NaN) or object (None / NaN) column."""
    if col.dtype.kind == "f":
        return np.isnan(col)
    return np.array([v is None or (isinstance(v, float) and v != v) for v in col], dtype=bool)
''',
    "_key": '''
def _key(v):
    """Categories compare as text, so 1, 1.0 and "1" name the same one."""
    if v is None or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)
''',
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
            out.append(_key(v))
    return np.array(out, dtype=object)
''',
    "_matrix": '''
def _matrix(env, names, n):
    """The named numeric columns as one (rows x len(names)) float64 matrix."""
    if not names:
        return np.empty((n, 0))
    return np.column_stack([np.asarray(env[name], dtype=np.float64) for name in names])
''',
    "_sigmoid": """
def _sigmoid(s):
    return 1.0 / (1.0 + np.exp(-s))
""",
    "_link": '''
def _link(scores, link):
    """Class probabilities from raw scores (rows x k)."""
    if link == "logistic":
        p1 = _sigmoid(scores[:, 0])
        return np.column_stack([1.0 - p1, p1])
    if link == "softmax":
        z = np.exp(scores - scores.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)
    if link == "ovr":
        p = _sigmoid(scores)
        return p / p.sum(axis=1, keepdims=True)
    return scores
''',
    "_walk": '''
def _walk(X, roots, feature, threshold, children, missing_right, strict, depth):
    """The leaf each row reaches in every tree: all rows descend one level per step."""
    n = X.shape[0]
    columns = np.ascontiguousarray(X.T, dtype=np.float64).ravel()
    offset = feature * np.int32(n)
    row = np.arange(n, dtype=np.int32)[:, None]
    has_nan = bool(np.isnan(columns).any())
    any_strict = bool(strict.any())
    node = np.broadcast_to(roots, (n, len(roots))).copy()
    for _ in range(depth):
        x = columns[offset[node] + row]
        t = threshold[node]
        right = np.where(strict[node], x >= t, x > t) if any_strict else x > t
        if has_nan:
            right = np.where(np.isnan(x), missing_right[node], right)
        node = children[(node << 1) + right]
    return node
''',
    "_leaf_values": '''
def _leaf_values(X, forest, values, trees, average):
    """Sum (or average) of the leaf values each row reaches: (rows x k), 4,096 rows at a time."""
    parts = []
    for i in range(0, max(X.shape[0], 1), 4096):
        node = _walk(X[i : i + 4096], *forest)
        parts.append(np.column_stack([values[:, j][node].sum(axis=1) for j in range(values.shape[1])]))
    total = np.concatenate(parts) if len(parts) > 1 else parts[0]
    return total / trees if average else total
''',
    "_distances": '''
def _distances(X, points, metric, p, weights=None):
    """Distance from every row to every stored point (rows x points), coordinate by coordinate; with
    ``weights``, PMML 4.4 ClusteringModel's missing-input rule (interchange.ir.distances.distances)."""
    total = np.zeros((X.shape[0], points.shape[0]))
    present = None if weights is None else np.zeros((X.shape[0], 1))
    weight = 0.0
    for j in range(X.shape[1]):
        diff = X[:, j : j + 1] - points[None, :, j]
        if weights is not None:
            missing = np.isnan(X[:, j : j + 1])
            present = present + np.where(missing, 0.0, weights[j])
            weight += float(weights[j])
            diff = np.where(missing, 0.0, diff)
        diff = np.abs(diff)
        if metric in ("euclidean", "squaredEuclidean"):
            total += diff * diff
        elif metric == "manhattan":
            total += diff
        else:
            total += diff**p
    if present is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            total = total * (weight / present)
        total = np.where(np.broadcast_to(present == 0, total.shape), np.nan, total)
    if metric == "euclidean":
        return np.sqrt(total)
    if metric == "minkowski":
        return total ** (1.0 / p)
    return total
''',
    "_activate": """
def _activate(z, name):
    if name == "logistic":
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    return z
""",
    "_kernel": '''
def _kernel(X, V, kernel, gamma, coef0, degree):
    """K(x, v) for every row x of X and support vector v of V: (rows x vectors)."""
    if kernel == "rbf":
        sq = np.zeros((X.shape[0], V.shape[0]))
        for j in range(X.shape[1]):
            sq += (X[:, j : j + 1] - V[None, :, j]) ** 2
        return np.exp(-gamma * sq)
    dot = X @ V.T
    if kernel == "linear":
        return dot
    if kernel == "poly":
        return (gamma * dot + coef0) ** degree
    return np.tanh(gamma * dot + coef0)
''',
}
