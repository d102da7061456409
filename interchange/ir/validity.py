"""Which input values are valid, invalid or missing, and what a model does with each.

PMML 4.4 §DataDictionary (a DataField's ``Value`` elements with property valid / invalid /
missing, and its ``Interval`` ranges) and §MiningSchema (``invalidValueTreatment``,
``missingValueTreatment``, ``missingValueReplacement``, ``outliers``): one :class:`Treat` step
per input column, evaluated over the whole batch with masks. The rules, as the specification
and JPMML-Evaluator read them:

* a value listed with property ``missing`` counts as missing; one listed ``invalid`` is invalid;
* continuous fields: with ``Interval`` elements, a value in none of them (and not listed
  ``valid``) is invalid; without, every other value is valid;
* categorical and ordinal fields: with ``valid`` Values listed, any other value is invalid;
* then ``invalid``: ``returnInvalid`` makes the record bad (a RecordError, as
  :class:`interchange.ir.derive.transforms.Validate` does), ``asMissing`` makes it missing, ``asValue``
  replaces it, ``asIs`` keeps it; ``outliers`` below ``low`` / above ``high`` (continuous, valid
  values only) become missing or are clamped; ``missing_invalid`` (missingValueTreatment
  returnInvalid) makes a missing value a bad record; ``replacement`` fills the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from interchange.batch import category_key, missing_mask
from interchange.errors import RecordError
from interchange.ir.derive.predicates import _numbers
from interchange.ir.graph import Env, Step

__all__ = ["Treat", "Interval", "INVALID_TREATMENTS", "OUTLIER_TREATMENTS"]

INVALID_TREATMENTS = ("returnInvalid", "asIs", "asMissing", "asValue")
OUTLIER_TREATMENTS = ("asIs", "asMissingValues", "asExtremeValues")
_CLOSURES = ("openClosed", "openOpen", "closedOpen", "closedClosed")


@dataclass(frozen=True)
class Interval:
    """A valid range: ``low`` / ``high`` None are unbounded; ``closure`` as PMML names it."""

    low: float | None
    high: float | None
    closure: str = "closedClosed"

    def __post_init__(self) -> None:
        if self.closure not in _CLOSURES:
            raise ValueError(f"Interval closure must be one of {_CLOSURES}, not {self.closure!r}")

    def holds(self, x: np.ndarray) -> np.ndarray:
        ok = ~np.isnan(x)
        if self.low is not None:
            ok &= (x >= self.low) if self.closure.startswith("closed") else (x > self.low)
        if self.high is not None:
            ok &= (x <= self.high) if self.closure.endswith("Closed") else (x < self.high)
        return ok


@dataclass(frozen=True)
class Treat(Step):
    """Validity and value treatment of one column, ``inputs[0]`` written to ``outputs[0]``."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    optype: str = "continuous"  # continuous | categorical | ordinal
    valid: tuple[Any, ...] = ()
    invalid_values: tuple[Any, ...] = ()
    missing_values: tuple[Any, ...] = ()
    intervals: tuple[Interval, ...] = ()
    invalid: str = "returnInvalid"
    invalid_replacement: Any = None
    missing_invalid: bool = False
    replacement: Any = None
    outliers: str = "asIs"
    low: float | None = None
    high: float | None = None

    def __post_init__(self) -> None:
        if self.invalid not in INVALID_TREATMENTS:
            raise ValueError(f"invalid value treatment must be one of {INVALID_TREATMENTS}, not {self.invalid!r}")
        if self.outliers not in OUTLIER_TREATMENTS:
            raise ValueError(f"outlier treatment must be one of {OUTLIER_TREATMENTS}, not {self.outliers!r}")
        if self.invalid == "asValue" and self.invalid_replacement is None:
            raise ValueError("invalid treatment asValue needs an invalid_replacement")

    def classify(self, col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(invalid, missing) masks of a column, before any treatment."""
        gone = missing_mask(col)
        if not (self.valid or self.invalid_values or self.missing_values or self.intervals):
            return np.zeros(len(col), dtype=bool), gone
        keys = np.array([category_key(v) for v in col.tolist()], dtype=object)

        def among(values: tuple[Any, ...]) -> np.ndarray:
            wanted = {category_key(v) for v in values}
            return np.array([k in wanted for k in keys.tolist()], dtype=bool) if wanted else np.zeros(len(col), dtype=bool)

        gone = gone | among(self.missing_values)
        bad = among(self.invalid_values)
        if self.intervals:
            x = _numbers(col)
            inside = np.zeros(len(col), dtype=bool)
            for iv in self.intervals:
                inside |= iv.holds(x)
            bad |= ~inside & ~among(self.valid)
        elif self.valid and self.optype != "continuous":
            bad |= ~among(self.valid)
        return bad & ~gone, gone

    def apply(self, env: Env) -> None:
        col = np.asarray(env[self.inputs[0]])
        bad, gone = self.classify(col)
        numeric = col.dtype.kind == "f"
        out = col.astype(np.float64 if numeric else object, copy=True)
        if self.invalid == "returnInvalid" and bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise RecordError(f"value {col[i]!r} of field {self.inputs[0]!r} is invalid", field=self.inputs[0], row=i)
        if self.invalid == "asMissing":
            gone = gone | bad
        elif self.invalid == "asValue":
            out[bad] = float(self.invalid_replacement) if numeric else self.invalid_replacement
        if numeric and self.outliers != "asIs":
            kept = ~gone & ~bad
            low = kept & (out < self.low) if self.low is not None else np.zeros(len(out), dtype=bool)
            high = kept & (out > self.high) if self.high is not None else np.zeros(len(out), dtype=bool)
            if self.outliers == "asMissingValues":
                gone = gone | low | high
            else:
                out[low], out[high] = self.low, self.high
        if self.missing_invalid and gone.any():
            i = int(np.flatnonzero(gone)[0])
            raise RecordError(
                f"field {self.inputs[0]!r} is missing and its model returns invalid for it", field=self.inputs[0], row=i
            )
        out[gone] = np.nan if numeric else None
        if self.replacement is not None:
            out[gone] = float(self.replacement) if numeric else self.replacement
        env[self.outputs[0]] = out
