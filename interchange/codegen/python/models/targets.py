"""Python emitters for Targeted and Residual (interchange.ir.models.targets): the wrapped model's lines, then
the IR's own Targets and residual kernels (interchange.ir.kernels.targets, copied by source)."""

from __future__ import annotations

from interchange.codegen.python.module import PyWriter, finish_label, literal
from interchange.codegen.registry import emitter, lookup
from interchange.errors import UnsupportedModelError
from interchange.ir.models.targets import Residual, Targeted

__all__: list[str] = []

Emitted = tuple[list[str], dict[str, str]]


def _finished(step: Targeted | Residual, out: PyWriter) -> Emitted:
    """The wrapped model's lines and parts, its label finished from its probabilities (Prediction.finish)."""
    lines, parts = lookup("python", step.model)(step.model, out)
    lines, parts = list(lines), dict(parts)
    if step.classes is not None and "label" not in parts:
        finished = finish_label(parts, True)
        if finished:
            lines += finished
            parts["label"] = "label"
    return lines, parts


def _refuse(step: Targeted, what: str) -> UnsupportedModelError:
    return UnsupportedModelError(f"generated code has no form for Targets {what} of {type(step.model).__name__}", format="python")


@emitter("python", Targeted)
def _targeted(step: Targeted, out: PyWriter) -> Emitted:
    lines, parts = _finished(step, out)
    if step.classes is None and "value" in parts:
        out.need("rescale")
        cast = literal(step.cast) if step.cast is not None else "None"
        low, high, default = (literal(float(v)) if v is not None else "None" for v in (step.low, step.high, step.default))
        lines.append(
            f"value = rescale({parts['value']}, low={low}, high={high}, factor={literal(float(step.factor))}, "
            f"constant={literal(float(step.constant))}, cast={cast}, default={default})"
        )
        parts["value"] = "value"
    elif step.priors:
        if "label" not in parts:
            raise _refuse(step, "priors")
        out.need("no_prediction", "stand_in")
        priors = out.const("PRIORS", tuple(step.priors))
        probabilities = parts.get("probabilities", "None")
        lines += [
            f"none = no_prediction({parts['label']}, {probabilities})",
            f"label, probabilities = stand_in({parts['label']}, {probabilities}, CLASSES, dict({priors}), none)",
        ]
        parts.update(label="label", probabilities="probabilities")
    if step.shown:
        if "label" not in parts:
            raise _refuse(step, "display values")
        names = out.const("DISPLAY", tuple(step.display))
        shown = f"[None if v is None else dict({names}).get(str(v), v) for v in {parts['label']}]"
        lines.append(f"shown = np.array({shown}, dtype=object)")
        parts.update({f"extra:{name}": "shown" for name in step.shown})
    return lines, parts


@emitter("python", Residual)
def _residual(step: Residual, out: PyWriter) -> Emitted:
    lines, parts = _finished(step, out)
    actual = f"env[{step.target!r}]"
    if step.classes is None:
        if "value" not in parts:
            raise UnsupportedModelError(
                f"generated code has no form for a residual of {type(step.model).__name__}", format="python"
            )
        out.need("residual_values")
        lines.append(f"residual = residual_values({actual}, {parts['value']})")
    else:
        if "label" not in parts or "probabilities" not in parts:
            raise UnsupportedModelError(
                f"generated code has no form for a residual of {type(step.model).__name__}", format="python"
            )
        out.need("residual_hits")
        lines.append(f"residual = residual_hits({actual}, {parts['label']}, {parts['probabilities']}, CLASSES)")
    parts.update({f"extra:{name}": "residual" for name in step.names})
    return lines, parts
