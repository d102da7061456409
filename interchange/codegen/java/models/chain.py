"""Java emitter for Chain (interchange.ir.combine.chain): each segment's model in its own block, in order.

A segment's figures (its value, the probability of a category, an expression over the columns so
far) are written into new slots, NaN where its predicate is not TRUE, before the next segment runs;
its result is kept (a classification segment's probabilities aligned to the chain's categories, any
missing one making the result missing, as emit/segments.py does). The chain's result is that of
the last segment whose predicate is TRUE; a regression segment in a classification chain (or the
reverse) gives a missing result.
"""

from __future__ import annotations

from types import SimpleNamespace

from interchange.codegen.java.expressions import truth
from interchange.codegen.java.lower import lower_into
from interchange.codegen.java.writer import JavaWriter
from interchange.codegen.registry import emitter, lookup
from interchange.errors import UnsupportedModelError
from interchange.ir.combine.chain import Chain, ChainSegment

__all__: list[str] = []

Emitted = tuple[list[str], dict[str, str]]


def _refuse(why: str) -> UnsupportedModelError:
    return UnsupportedModelError(f"generated Java has no form for {why}", estimator="Chain", format="java")


def _links(out: JavaWriter, i: int, seg: ChainSegment, parts: dict[str, str], own: list[str] | None) -> list[str]:
    lines = []
    for link in seg.links:
        if link.expression is not None:
            computed, slot, text = lower_into(out, f"{link.name}~raw", link.expression, "double")
            if text:
                raise _refuse(f"chain link {link.name!r}: a text expression")
            lines += computed
            figure = slot
        elif link.part == "value":
            if "value" not in parts:
                raise _refuse(f"chain link {link.name!r}: a model that gives no value")
            figure = parts["value"]
        else:
            if own is None or "probabilities" not in parts or str(link.category) not in own:
                raise _refuse(f"chain link {link.name!r}: no probability of {link.category!r}")
            figure = f"{parts['probabilities']}[{own.index(str(link.category))}]"
        lines.append(f"{out.new_num(link.name)} = chOn[{i}] ? {figure} : Double.NaN;")
    return lines


def _result(i: int, parts: dict[str, str], own: list[str] | None, chain: list[str] | None) -> list[str]:
    if chain is None:
        return [f"chValue[{i}] = {parts['value'] if own is None and 'value' in parts else 'Double.NaN'};"]
    if own is None or "probabilities" not in parts:
        return [f"java.util.Arrays.fill(chP[{i}], Double.NaN);", f"chVote[{i}] = -1;"]
    body = [
        f"double[] chOwn = {parts['probabilities']};",
        "boolean chGone = false;",
        "for (double q : chOwn) { chGone |= Double.isNaN(q); }",
    ]
    for j, c in enumerate(chain):
        body.append(f"chP[{i}][{j}] = chGone ? Double.NaN : {f'chOwn[{own.index(c)}]' if c in own else '0.0'};")
    to_aligned = ", ".join(str(chain.index(c)) if c in chain else "-2" for c in own)
    body.append(f"chVote[{i}] = chGone ? -1 : new int[] {{{to_aligned}}}[argmax(chOwn)];")
    return body


@emitter("java", Chain)
def _chain(step: Chain, out: JavaWriter) -> Emitted:
    chain = [str(c) for c in step.classes] if step.classes is not None else None
    sig = out.signature
    if chain is not None and sig is not None and sig.classes and [str(c) for c in sig.classes] != chain:
        raise _refuse("a modelChain whose categories are not in the signature's order")
    m = len(step.segments)
    lines = [f"boolean[] chOn = new boolean[{m}];"]
    lines.append(f"double[] chValue = new double[{m}];" if chain is None else f"double[][] chP = new double[{m}][{len(chain)}];")
    if chain is not None:
        lines.append(f"int[] chVote = new int[{m}];")
        out.need("argmax")
    for i, seg in enumerate(step.segments):
        kinds = getattr(seg.model, "classes", None)
        own = [str(c) for c in kinds] if kinds is not None else None
        lines.append(f"chOn[{i}] = {truth(out, seg.when) + ' == 1' if seg.when is not None else 'true'};")
        saved = out.signature
        out.signature = SimpleNamespace(classes=kinds)  # the model's own class order
        try:
            body, parts = lookup("java", seg.model)(seg.model, out)
        finally:
            out.signature = saved
        body = [*body, *_links(out, i, seg, dict(parts), own), *_result(i, dict(parts), own, chain)]
        lines += ["{", *("    " + x for x in body), "}"]
    if chain is None:
        lines += [
            "double chResult = Double.NaN;",
            f"for (int i = 0; i < {m}; i++) {{ if (chOn[i]) {{ chResult = chValue[i]; }} }}",
        ]
        return lines, {"value": "chResult"}
    lines += [
        f"double[] chProbs = new double[{len(chain)}];",
        "java.util.Arrays.fill(chProbs, Double.NaN);",
        "int chLabel = -1;",
        f"for (int i = 0; i < {m}; i++) {{ if (chOn[i]) {{ chProbs = chP[i].clone(); chLabel = chVote[i]; }} }}",
    ]
    return lines, {"probabilities": "chProbs", "label": "chLabel"}
