"""The emitter registry: (language, IR step type) -> a function writing that step as source.

One emitter per step class and language, as the format writers have one per step and format.
Registration refuses to overwrite; a step with no emitter is a ConversionError naming it.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Iterator
from typing import Any

from interchange.errors import UnsupportedModelError

__all__ = [
    "emitter",
    "lookup",
    "languages",
    "supported",
    "NOT_GENERATED",
    "NOT_GENERATED_BY",
    "refused_nodes",
    "nodes",
    "refuse_unwritten",
]

Emitter = Callable[..., Any]
_REGISTRY: dict[tuple[str, type], Emitter] = {}
LANGUAGES = ("python", "java")


def emitter(lang: str, *types: type) -> Callable[[Emitter], Emitter]:
    """Register ``fn`` as the ``lang`` emitter of IR step ``types``; a second registration is an error."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown codegen language {lang!r}; languages are {LANGUAGES}")

    def register(fn: Emitter) -> Emitter:
        for t in types:
            if (lang, t) in _REGISTRY:
                raise ValueError(f"a {lang} emitter for {t.__name__} is already registered")
            _REGISTRY[(lang, t)] = fn
        return fn

    return register


def lookup(lang: str, step: Any) -> Emitter:
    """The ``lang`` emitter of ``step``'s class; UnsupportedModelError names the step when there is none."""
    _load(lang)
    fn = _REGISTRY.get((lang, type(step)))
    if fn is None:
        name = type(step).__name__
        raise UnsupportedModelError(
            f"IR step {name} cannot be generated as {lang} code: no emitter is written for it",
            estimator=name,
            format=lang,
        )
    return fn


# IR nodes no code generator writes (none left: PFA's text functions and array items, clustering measured
# field by field, segments weighed per row and selectAll's segment results are all written), refused by
# name wherever they sit in a graph: a model step, a Reported part or an expression.
NOT_GENERATED: frozenset[str] = frozenset()


# IR nodes one language's generator does not write, each with why (none left: Java writes ArrayItems too, an
# array input being a double[] in its Input record; the mechanism stays for the next node a language lags on)
NOT_GENERATED_BY: dict[str, dict[str, str]] = {}


def nodes(value: Any) -> Iterator[Any]:
    """Every IR node in ``value`` (a dataclass, or tuples, lists and dicts of them), however nested, parents first."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield value
        for f in dataclasses.fields(value):
            yield from nodes(getattr(value, f.name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from nodes(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from nodes(item)


def refused_nodes(graph: Any, lang: str | None = None) -> list[str]:
    """Names of the NOT_GENERATED node classes in ``graph`` (its steps and model, however nested), in order,
    with those ``lang``'s generator does not write (NOT_GENERATED_BY) when given."""
    unwritten = NOT_GENERATED | set(NOT_GENERATED_BY.get(lang or "", {}))
    found = (type(node).__name__ for node in nodes((tuple(graph.steps), graph.model)))
    return list(dict.fromkeys(name for name in found if name in unwritten))


def refuse_unwritten(graph: Any, lang: str) -> None:
    """UnsupportedModelError naming the first NOT_GENERATED node of ``graph``, if it holds one."""
    names = refused_nodes(graph, lang)
    if names:
        why = NOT_GENERATED_BY.get(lang, {}).get(names[0], "generated code does not compute it")
        raise UnsupportedModelError(
            f"IR node {names[0]} cannot be generated as {lang} code: {why}",
            estimator=names[0],
            format=lang,
        )


def supported(lang: str) -> list[str]:
    """Names of the IR step classes ``lang`` can generate."""
    _load(lang)
    return sorted(t.__name__ for (language, t) in _REGISTRY if language == lang)


def languages() -> tuple[str, ...]:
    return LANGUAGES


_loaded: set[str] = set()
_EXTRA = {  # the emitter modules of each language beside "steps", in import order
    "python": (
        "expressions",
        "validity",
        "models.families",
        "models.compared",
        "models.general",
        "models.segments",
        "models.variable_weight",
        "models.select_all",
        "models.targets",
        "models.chain",
        "models.anomaly",
        "models.tree_figures",
        "models.multiway",
        "models.figures",
        "text",
    ),
    "java": (
        "expressions",
        "lower",
        "validity",
        "models.families",
        "models.compared",
        "models.general",
        "models.rules",
        "models.segments",
        "models.variable_weight",
        "models.select_all",
        "models.targets",
        "models.chain",
        "models.anomaly",
        "models.tree_figures",
        "models.multiway",
        "models.figures",
        "text",
        "arrays",
    ),
}


def _load(lang: str) -> None:
    """Import the language's emitter modules, whose decorators fill the registry (explicit list, once)."""
    if lang not in LANGUAGES:
        raise UnsupportedModelError(f"no code generator for language {lang!r}; choose one of {', '.join(LANGUAGES)}", format=lang)
    if lang in _loaded:
        return
    _loaded.add(lang)
    for module in ("steps", *_EXTRA.get(lang, ())):
        importlib.import_module(f"interchange.codegen.{lang}.{module}")
