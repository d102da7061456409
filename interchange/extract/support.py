"""Can one fitted step be extracted to IR and written by a format? (for ``check``)."""

from __future__ import annotations

from typing import Any

from interchange.errors import UnsupportedModelError
from interchange.extract.registry import Extraction, lookup

__all__ = ["supports"]


def supports(step: Any, format: str) -> str | None:
    """Run the step's extractor on scratch columns; None if it and the format's writer take it."""
    n = int(getattr(step, "n_features_in_", 0)) or len(getattr(step, "feature_names_in_", [])) or 1
    names = [str(c) for c in getattr(step, "feature_names_in_", [f"x{i}" for i in range(n)])]
    state = Extraction(tuple(names), taken=set(names), format=format)
    try:
        model = lookup(step, format)(step, state)
        if model is not None and format == "pmml":
            from interchange.formats.pmml.emit_models import check_model

            check_model(model)
    except UnsupportedModelError as exc:
        return exc.message
    except Exception as exc:  # an extractor meeting a state it cannot handle alone
        return f"{type(exc).__name__}: {exc}"
    return None
