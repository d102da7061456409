"""ColumnTransformer, OneHotEncoder and OrdinalEncoder: routing named columns, encoding categories."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

from interchange.errors import UnsupportedModelError
from interchange.extract.registry import Extraction, extractor, flatten, lookup
from interchange.ir.derive.transforms import OneHot, Ordinal
from interchange.source import identity


def _selected(ct: Any, columns: Any, state: Extraction) -> tuple[str, ...]:
    """The current column names a ColumnTransformer entry selects (by name, index or mask)."""
    names = list(getattr(ct, "feature_names_in_", state.columns))
    if len(names) != len(state.columns):
        raise UnsupportedModelError("ColumnTransformer after a step that changed the column count", estimator="ColumnTransformer")
    current = dict(zip(names, state.columns, strict=True))
    if isinstance(columns, slice) or callable(columns):
        raise UnsupportedModelError("ColumnTransformer with slice or callable column selectors", estimator="ColumnTransformer")
    picked = np.asarray(columns).tolist() if not isinstance(columns, str) else [columns]
    if picked and isinstance(picked[0], bool):
        picked = [n for n, keep in zip(names, picked, strict=True) if keep]
    return tuple(current[names[p]] if isinstance(p, int) else current[str(p)] for p in picked)


@extractor(ColumnTransformer)
def column_transformer(ct: Any, state: Extraction) -> None:
    outputs: list[str] = []
    for name, transformer, columns in ct.transformers_:
        if transformer == "drop" or (hasattr(columns, "__len__") and len(columns) == 0):
            continue
        sub = Extraction(_selected(ct, columns, state), state.steps, state.taken, state.format)
        if not identity(transformer):
            for _, step in flatten(transformer):
                if lookup(step, state.format)(step, sub) is not None:
                    raise UnsupportedModelError(
                        f"a predictor inside ColumnTransformer entry {name!r}", estimator=type(step).__name__
                    )
        outputs += sub.columns
    state.columns = tuple(outputs)


@extractor(OneHotEncoder)
def one_hot(enc: Any, state: Extraction) -> None:
    if getattr(enc, "_infrequent_enabled", False):
        raise UnsupportedModelError(
            "OneHotEncoder with min_frequency/max_categories (infrequent categories)", estimator="OneHotEncoder"
        )
    drop = enc.drop_idx_ if enc.drop_idx_ is not None else [None] * len(state.columns)
    outputs: list[str] = []
    for column, categories, dropped in zip(state.columns, enc.categories_, drop, strict=True):
        keep = [c for i, c in enumerate(categories.tolist()) if i != dropped]
        keep = [None if isinstance(c, float) and c != c else c for c in keep]
        names = state.fresh(f"{column}", [str(c) for c in keep])
        unknown = "ignore" if enc.handle_unknown in ("ignore", "infrequent_if_exist", "warn") else "error"
        state.steps.append(OneHot((column,), names, tuple(keep), unknown))
        outputs += names
    state.columns = tuple(outputs)


@extractor(OrdinalEncoder)
def ordinal(enc: Any, state: Extraction) -> None:
    if getattr(enc, "_infrequent_enabled", False):
        raise UnsupportedModelError("OrdinalEncoder with infrequent categories", estimator="OrdinalEncoder")
    code = enc.encoded_missing_value
    if not (isinstance(code, float) and np.isnan(code)):
        raise UnsupportedModelError("OrdinalEncoder with an encoded_missing_value other than NaN", estimator="OrdinalEncoder")
    # A NaN category is the missing marker (encoded as NaN); None stays a category of its own.
    categories = tuple(tuple(c for c in cats.tolist() if not (isinstance(c, float) and c != c)) for cats in enc.categories_)
    unknown = float(enc.unknown_value) if enc.handle_unknown == "use_encoded_value" else None
    outputs = state.fresh("ordinal", state.columns)
    state.steps.append(Ordinal(state.columns, outputs, categories, unknown))
    state.columns = outputs
