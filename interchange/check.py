"""check(): which formats can represent each step of a fitted pipeline, and why not.

Run before converting: every step (Pipelines flattened, ColumnTransformer entries listed) is
asked of every format plugin, which answers None (it can) or the reason it cannot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from interchange.model import formats, get_format

__all__ = ["CheckRow", "check", "format_table", "steps_of"]


@dataclass(frozen=True)
class CheckRow:
    """One step of the pipeline and each format's verdict (None = supported)."""

    path: str
    estimator: str
    verdicts: dict[str, str | None]


def steps_of(estimator: Any, path: str = "") -> list[tuple[str, Any]]:
    """``(path, step)`` for every step: Pipelines flattened, ColumnTransformer entries listed."""
    if hasattr(estimator, "steps"):
        return [pair for name, step in estimator.steps for pair in steps_of(step, f"{path}{name}/")]
    from interchange.extract.compose import identity  # sklearn: imported when a pipeline is walked, not on load

    out = [(path.rstrip("/") or type(estimator).__name__, estimator)]
    for name, transformer, _ in getattr(estimator, "transformers_", []):
        if not (identity(transformer) or (isinstance(transformer, str) and transformer == "drop")):
            out += steps_of(transformer, f"{path}{name}/")
    return out


def check(estimator: Any) -> list[CheckRow]:
    """A row per step with each format's verdict.

    Example::

        for row in interchange.check(pipeline):
            print(row.path, row.verdicts)
    """
    rows = []
    for path, step in steps_of(estimator):
        verdicts = {name: get_format(name).supports(step) for name in formats()}
        rows.append(CheckRow(path, type(step).__name__, verdicts))
    return rows


def format_table(rows: list[CheckRow]) -> str:
    """A Markdown table of check() rows."""
    names = formats()
    lines = ["| step | estimator | " + " | ".join(names) + " |", "|---" * (len(names) + 2) + "|"]
    for r in rows:
        cells = ["ok" if r.verdicts[n] is None else f"no: {r.verdicts[n]}" for n in names]
        lines.append(f"| {r.path} | {r.estimator} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
