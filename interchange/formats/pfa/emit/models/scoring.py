"""Scorecard (points and ranked reason codes) and RuleSet (rule selection) as PFA expressions.

Scorecard: each characteristic's partial score is an if-chain over its attributes' predicates
(no attribute TRUE: NaN, the IR's missing score); reason codes are ranked by points (then by the
first characteristic giving the code) with ``a.sortLT`` over code indices, and an output is null
where its rank has no code some characteristic gave with points >= 0 (0 points is listed, as the IR's
kernel interchange.ir.kernels.scorecard) or the score is missing. RuleSet:
firstHit as an if-chain; weightedMax as firstHit over the rules by descending weight (ties keep
document order, as the IR's strict ``>``); weightedSum as per-score weight totals and argmax.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from interchange.formats.pfa.emit.functions import NAN
from interchange.formats.pfa.emit.predicates import truth
from interchange.ir.models.rules import RuleSet
from interchange.ir.models.scorecard import Scorecard
from interchange.signature import Signature

if TYPE_CHECKING:
    from interchange.formats.pfa.emit.document import _Writer

__all__ = ["SCORING_WRITERS"]

ARRAY = {"type": "array", "items": "double"}
INTS = {"type": "array", "items": "int"}


def _chain(tests: list[tuple[Any, Any]], otherwise: Any) -> Any:
    out = otherwise
    for test, then in reversed(tests):
        out = then if test is True else {"if": test, "then": then, "else": out}
    return out


def _fold(op: str, start: Any, terms: list[Any]) -> Any:
    out = start
    for t in terms:
        out = {op: [out, t]}
    return out


def _scorecard(w: _Writer, step: Scorecard, sig: Signature) -> dict[str, Any]:
    k, m = len(step.codes), len(step.characteristics)
    diffs: list[tuple[str, str] | None] = []
    for i, ch in enumerate(step.characteristics):
        tests = [truth(w, a.predicate)[0] for a in ch.attributes]
        scores = [w.value(a.score) if isinstance(a.score, str) else float(a.score) for a in ch.attributes]
        w.bind(f"sc_part_{i}", _chain(list(zip(tests, scores, strict=True)), NAN))  # no attribute TRUE: missing
        if step.use_codes and ch.baseline is not None and k:
            codes = [step.codes.index(a.code) if a.code is not None else -1 for a in ch.attributes]
            w.bind(f"sc_code_{i}", _chain(list(zip(tests, codes, strict=True)), -1), "int")
            diff = {"-": [ch.baseline, f"sc_part_{i}"]} if step.below else {"-": [f"sc_part_{i}", ch.baseline]}
            w.bind(f"sc_diff_{i}", diff)
            diffs.append((f"sc_code_{i}", f"sc_diff_{i}"))
        else:
            diffs.append(None)
    w.bind("sc_total", _fold("+", float(step.initial), [f"sc_part_{i}" for i in range(m)]))
    parts: dict[str, Any] = {"value": "sc_total"}
    if not step.reasons:
        return parts
    if not step.use_codes or not k:
        return {**parts, **{f"extra:{name}": None for name, _ in step.reasons}}
    given = [d for d in diffs if d is not None]
    for j in range(k):
        terms = [{"if": {"==": [code, j]}, "then": diff, "else": 0.0} for code, diff in given]
        w.bind(f"sc_points_{j}", _fold("+", 0.0, terms))
        firsts = [({"==": [f"sc_code_{i}", j]}, i) for i, d in enumerate(diffs) if d is not None]
        w.bind(f"sc_first_{j}", _chain(firsts, m), "int")
    w.bind("sc_points", {"new": [f"sc_points_{j}" for j in range(k)], "type": ARRAY}, "array")
    w.bind("sc_firsts", {"new": [f"sc_first_{j}" for j in range(k)], "type": INTS}, "array")
    pa, pb = {"attr": "sc_points", "path": ["a"]}, {"attr": "sc_points", "path": ["b"]}
    fa, fb = {"attr": "sc_firsts", "path": ["a"]}, {"attr": "sc_firsts", "path": ["b"]}
    before = {"||": [{">": [pa, pb]}, {"&&": [{"==": [pa, pb]}, {"<": [fa, fb]}]}]}
    lt = {"params": [{"a": "int"}, {"b": "int"}], "ret": "boolean", "do": before}
    w.bind("sc_order", {"a.sortLT": [{"new": list(range(k)), "type": INTS}, lt]}, "array")
    w.cells["reason_codes"] = {"type": {"type": "array", "items": "string"}, "init": list(step.codes)}
    for name, r in step.reasons:
        if r >= k:
            parts[f"extra:{name}"] = None
            continue
        at = {"attr": "sc_order", "path": [r]}
        gave = {"<": [{"attr": "sc_firsts", "path": [at]}, m]}
        listed = {"&&": [gave, {">=": [{"attr": "sc_points", "path": [at]}, 0.0]}]}
        ranked = {"if": listed, "then": {"attr": {"cell": "reason_codes"}, "path": [at]}, "else": None}
        parts[f"extra:{name}"] = {"if": {"impute.isnan": "sc_total"}, "then": None, "else": ranked}  # a missing score: none
    return parts


def _ruleset(w: _Writer, step: RuleSet, sig: Signature) -> dict[str, Any]:
    default = {"string": str(step.default)} if step.default is not None else None

    def fires(rule: Any) -> Any:
        tests = [truth(w, p)[0] for p in rule.predicates]
        tests = [t for t in tests if t is not True]
        return False if any(t is False for t in tests) else _fold("&&", tests[0], tests[1:]) if tests else True

    if step.criterion in ("firstHit", "weightedMax"):
        rules = list(step.rules)
        if step.criterion == "weightedMax":
            rules = sorted(rules, key=lambda r: -r.weight)  # stable: equal weights keep document order
        label = _chain([(fires(r), {"string": str(r.score)}) for r in rules], default)
    else:
        scores = list(dict.fromkeys(str(r.score) for r in step.rules))
        for j, s in enumerate(scores):
            terms = [{"if": fires(r), "then": float(r.weight), "else": 0.0} for r in step.rules if str(r.score) == s]
            w.bind(f"rule_total_{j}", _fold("+", 0.0, terms))
        w.bind("rule_totals", {"new": [f"rule_total_{j}" for j in range(len(scores))], "type": ARRAY}, "array")
        w.cells["rule_scores"] = {"type": {"type": "array", "items": "string"}, "init": scores}
        winner = {"attr": {"cell": "rule_scores"}, "path": [{"a.argmax": "rule_totals"}]}
        label = {"if": {">": [{"a.sum": "rule_totals"}, 0.0]}, "then": winner, "else": default}
    if default is None:
        return {"label": label, "nullable:label": True}
    return {"label": label}


SCORING_WRITERS: dict[type, Any] = {Scorecard: _scorecard, RuleSet: _ruleset}
