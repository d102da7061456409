"""Verification cases: sample inputs with the source model's outputs, carried by a model.

Checked at convert time, at publish time and by the scorer before a new version goes live.
Numeric outputs are compared JPMML-style with a relative precision and an absolute zero
threshold (``|actual - expected| <= atol + rtol * |expected|``); labels and cluster ids must
match exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from interchange.batch import Columns, to_records
from interchange.errors import VerificationError
from interchange.signature import Signature

__all__ = ["Tolerance", "Verification", "VerificationResult", "compare"]

EXACT_KINDS = ("label", "cluster")


@dataclass(frozen=True)
class Tolerance:
    """Allowed difference for numeric outputs; stated per format and converter path."""

    rtol: float = 1e-9
    atol: float = 1e-12
    reason: str = "double precision end to end"

    def for_source(self, rounding: str | None) -> Tolerance:
        """This tolerance, widened to float32 level when the source model itself rounds."""
        if rounding is None:
            return self
        return Tolerance(max(self.rtol, 1e-5), max(self.atol, 1e-6), f"{self.reason}; {rounding}")


@dataclass(frozen=True)
class VerificationResult:
    """Outcome of one check: worst absolute difference per numeric field, label mismatches."""

    rows: int
    max_difference: dict[str, float]
    mismatches: dict[str, int]

    @property
    def max_diff(self) -> float:
        return max(self.max_difference.values(), default=0.0)


def _text(values: np.ndarray) -> np.ndarray:
    return np.array(
        [None if v is None or (isinstance(v, float) and v != v) else str(_plain(v)) for v in values.tolist()], dtype=object
    )


def _plain(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def compare(
    signature: Signature,
    expected: Columns,
    actual: Columns,
    tolerance: Tolerance,
    *,
    format: str = "",
) -> VerificationResult:
    """Compare two output batches field by field; raise VerificationError past tolerance."""
    diffs: dict[str, float] = {}
    mismatches: dict[str, int] = {}
    rows = 0
    for f in signature.outputs:
        if f.name not in expected:
            continue
        if f.name not in actual:
            raise VerificationError(f"{format} document does not produce output {f.name!r}", format=format, output=f.name)
        e, a = np.asarray(expected[f.name]), np.asarray(actual[f.name])
        rows = len(e)
        if f.kind in EXACT_KINDS or f.type == "string":  # (a text figure, e.g. a ranked reason code)
            bad = np.flatnonzero(_text(e) != _text(a))
            mismatches[f.name] = int(len(bad))
            if len(bad):
                i = int(bad[0])
                raise VerificationError(
                    f"{format} document predicts {f.name}={a[i]!r} where the source predicts "
                    f"{e[i]!r} (row {i}; {len(bad)} of {len(e)} rows differ)",
                    format=format,
                    output=f.name,
                    row=i,
                    expected=e[i],
                    actual=a[i],
                    difference=None,
                    tolerance=tolerance,
                )
            continue
        e, a = e.astype(np.float64), a.astype(np.float64)
        both_nan = np.isnan(e) & np.isnan(a)
        diff = np.where(both_nan, 0.0, np.abs(a - e))
        diff = np.where(np.isnan(diff), np.inf, diff)
        allowed = tolerance.atol + tolerance.rtol * np.abs(np.nan_to_num(e))
        diffs[f.name] = float(diff.max()) if len(diff) else 0.0
        over = diff - allowed
        if len(over) and over.max() > 0:
            i = int(np.argmax(over))
            raise VerificationError(
                f"{format} document's {f.name} differs from the source by {diff[i]:.3g} at row {i} "
                f"(expected {e[i]!r}, got {a[i]!r}; tolerance rtol={tolerance.rtol:g} "
                f"atol={tolerance.atol:g}: {tolerance.reason})",
                format=format,
                output=f.name,
                row=i,
                expected=float(e[i]),
                actual=float(a[i]),
                difference=float(diff[i]),
                tolerance=tolerance,
            )
    return VerificationResult(rows, diffs, mismatches)


@dataclass(frozen=True)
class Verification:
    """Sample inputs, the source's outputs for them, and the tolerance they are checked with."""

    inputs: Columns
    expected: Columns
    tolerance: Tolerance = field(default_factory=Tolerance)
    result: VerificationResult | None = None

    def check(self, model: Any, signature: Signature | None = None) -> VerificationResult:
        """Run the cases through ``model`` (a loaded Model); raise VerificationError on mismatch."""
        sig = signature or model.signature
        actual = model.predict(self.inputs)
        return compare(sig, self.expected, actual, self.tolerance, format=model.info.format)

    def to_json(self) -> str:
        return json.dumps(
            {
                "inputs": to_records(self.inputs),
                "expected": to_records(self.expected),
                "tolerance": {"rtol": self.tolerance.rtol, "atol": self.tolerance.atol, "reason": self.tolerance.reason},
                "max_difference": self.result.max_difference if self.result else None,
            },
            default=_default,
        )

    @classmethod
    def from_json(cls, text: str | bytes, signature: Signature) -> Verification:
        data = json.loads(text)
        inputs = {f.name: np.array([r.get(f.name) for r in data["inputs"]], dtype=object) for f in signature.inputs}
        expected_names = data["expected"][0].keys() if data["expected"] else []
        expected = {n: np.array([r.get(n) for r in data["expected"]], dtype=object) for n in expected_names}
        return cls(inputs, expected, Tolerance(**data["tolerance"]))


def _default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(type(obj).__name__)
