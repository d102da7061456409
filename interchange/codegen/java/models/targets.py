"""Java emitters for Targeted and Residual (interchange.ir.models.targets), one row at a time.

Targeted: a regression's value clamped to [min, max] (NaN stays NaN: a comparison with it is
false), rescaled, cast (round half up is ``Math.floor(v + 0.5)``), the defaultValue where the
value is NaN; a classification with no prediction (no label, or every probability NaN) takes the
category of largest prior and the priors as probabilities (NaN without one); a display value is
the predicted category's entry of a String table. Residual reads the target's actual value from the
input it names: actual minus predicted value; for a classification 1 where the actual category is
the predicted one, else 0, minus its probability (NaN where the actual value or the label is missing).
"""

from __future__ import annotations

from interchange.codegen.java.writer import JavaWriter, jdouble
from interchange.codegen.registry import emitter, lookup
from interchange.errors import UnsupportedModelError
from interchange.ir.models.targets import Residual, Targeted

__all__: list[str] = []

Emitted = tuple[list[str], dict[str, str]]
_CAST = {"round": "Math.floor({} + 0.5)", "ceiling": "Math.ceil({})", "floor": "Math.floor({})"}


def _refuse(step: Targeted | Residual, what: str) -> UnsupportedModelError:
    return UnsupportedModelError(f"generated Java has no form for Targets {what} of {type(step.model).__name__}", format="java")


def _rescaled(step: Targeted, out: JavaWriter, value: str) -> tuple[list[str], str]:
    raw, v = out.local(), out.local()
    lines = [f"double {raw} = {value};", f"double {v} = {raw};"]
    if step.low is not None:
        lines.append(f"if ({v} < {jdouble(step.low)}) {{ {v} = {jdouble(step.low)}; }}")
    if step.high is not None:
        lines.append(f"if ({v} > {jdouble(step.high)}) {{ {v} = {jdouble(step.high)}; }}")
    lines.append(f"{v} = {v} * {jdouble(step.factor)} + {jdouble(step.constant)};")
    if step.cast is not None:
        lines.append(f"{v} = {_CAST[step.cast].format(v)};")
    if step.default is not None:
        lines.append(f"if (Double.isNaN({raw})) {{ {v} = {jdouble(step.default)}; }}")
    return lines, v


def _classes(step: Targeted | Residual, out: JavaWriter, what: str) -> list[str]:
    """The categories a label index points at (the signature's: the model writers put probabilities in its order)."""
    if out.label_values is not None or not out.signature.classes:
        raise _refuse(step, what)
    return [str(c) for c in out.signature.classes]


def _with_priors(step: Targeted, out: JavaWriter, parts: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    if "label" not in parts or "probabilities" not in parts:
        raise _refuse(step, "priors")
    classes = _classes(step, out, "priors")
    priors = dict(step.priors)
    best = max(priors, key=lambda c: priors[c])
    if best not in classes:
        raise _refuse(step, f"priors whose largest, {best!r}, is no category of the target")
    table = out.array("PRIORS", [priors.get(c, float("nan")) for c in classes])
    label, probs, none = out.local(), out.local(), out.local()
    lines = [
        f"int {label} = {parts['label']};",
        f"double[] {probs} = {parts['probabilities']};",
        f"boolean {none} = true;",
        f"for (double q : {probs}) {{ {none} &= Double.isNaN(q); }}",
        f"if ({none} || {label} < 0) {{ {label} = {classes.index(best)}; {probs} = {table}.clone(); }}",
    ]
    return lines, {**parts, "label": label, "probabilities": probs}


@emitter("java", Targeted)
def _targeted(step: Targeted, out: JavaWriter) -> Emitted:
    from interchange.codegen.java.klass import _finish  # (klass.py assembles the class from the emitters)

    lines, parts = lookup("java", step.model)(step.model, out)
    lines, parts = list(lines), dict(parts)
    if step.classes is None and "value" in parts:
        more, value = _rescaled(step, out, parts["value"])
        lines += more
        parts["value"] = value
    if step.classes is not None and (step.priors or step.shown):
        finish, parts = _finish(parts, True)
        if finish:  # (declares ``label``, as the class's own finish would)
            out.need("argmax")
            lines += finish
    if step.priors:
        more, parts = _with_priors(step, out, parts)
        lines += more
    if step.shown:
        if "label" not in parts:
            raise _refuse(step, "display values")
        names = dict(step.display)
        table = out.strings("DISPLAY", [names.get(c, c) for c in _classes(step, out, "display values")])
        for name in step.shown:
            slot = out.new_text(f"~shown:{name}")
            lines.append(f"{slot} = {parts['label']} < 0 ? null : {table}[{parts['label']}];")
            parts[f"text:{name}"] = slot
    return lines, parts


@emitter("java", Residual)
def _residual(step: Residual, out: JavaWriter) -> Emitted:
    from interchange.codegen.java.klass import _finish  # (klass.py assembles the class from the emitters)

    lines, parts = lookup("java", step.model)(step.model, out)
    lines, parts = list(lines), dict(parts)
    residual = out.local()
    if step.classes is None:
        if "value" not in parts:
            raise _refuse(step, "a residual")
        lines.append(f"double {residual} = {out.num(step.target)} - {parts['value']};")
    else:
        finish, parts = _finish(parts, True)
        if finish:  # (declares ``label``, as the class's own finish would)
            out.need("argmax")
            lines += finish
        if "label" not in parts or "probabilities" not in parts or not out.is_text(step.target):
            raise _refuse(step, "a residual")
        table = out.strings("RESIDUAL_CLASSES", _classes(step, out, "a residual"))
        actual, label = out.text(step.target), parts["label"]
        hit = f"({actual}.equals({table}[{label}]) ? 1.0 : 0.0)"
        lines.append(
            f"double {residual} = {actual} == null || {label} < 0 ? Double.NaN : {hit} - {parts['probabilities']}[{label}];"
        )
    parts.update({f"num:{name}": residual for name in step.names})
    return lines, parts
