"""Routes without Kafka: the YAML file, the canary split, shadow agreement, the router's plans."""

from __future__ import annotations

import math

import pytest

from interchange.errors import ConfigError, ModelError
from interchange.kafka.routes.route import Route, in_canary, parse_routes
from interchange.kafka.scorer.batch.steps import agreement
from interchange.kafka.scorer.router import Router


def test_file_routes_with_every_policy() -> None:
    routes = parse_routes(
        {
            "routes": [
                {"model": "iris"},
                {"input": "f", "model": "fraud", "pinned": 3, "canary": {"version": 4, "fraction": 0.1}, "shadow": 5},
                {"input": "g", "model": "g", "shadow": {"version": 2, "tolerance": 0.01}, "output": "out", "dead_letters": "dl"},
            ]
        }
    )
    assert routes[0] == Route("iris-features", "iris")
    assert (routes[1].pinned, routes[1].canary_version, routes[1].canary_fraction, routes[1].shadow_version) == (3, 4, 0.1, 5)
    assert (routes[2].tolerance, routes[2].output, routes[2].dead_letters, routes[2].shadow_topic) == (
        0.01,
        "out",
        "dl",
        "g-shadow",
    )
    assert Route.from_record(routes[1].to_record()) == routes[1]
    assert routes[1].describe() == "f -> fraud pinned v3, canary v4 at 0.1, shadow v5 (tolerance 1e-06)"


@pytest.mark.parametrize(
    ("item", "words"),
    [
        ({"model": "m", "canary": {"version": 2}}, "fraction"),
        ({"model": "m", "canary": {"version": 2, "fraction": 1.5}}, "between 0 and 1"),
        ({"model": "m", "pinned": 0}, "routes/0/pinned"),
        ({"model": "m", "colour": "red"}, "colour"),
        ({"model": "m", "output": "m-features"}, "must all differ"),
    ],
)
def test_bad_routes_are_named(item, words) -> None:
    with pytest.raises(ConfigError, match=words):
        parse_routes({"routes": [item]})


def test_two_routes_for_one_topic_are_refused() -> None:
    with pytest.raises(ConfigError, match="more than one route"):
        parse_routes({"routes": [{"model": "a", "input": "t"}, {"model": "b", "input": "t"}]})


def test_canary_share_is_stable_and_near_the_fraction() -> None:
    keys = [f"k{i}".encode() for i in range(20_000)]
    chosen = [in_canary(k, 0.1) for k in keys]
    assert chosen == [in_canary(k, 0.1) for k in keys]  # the same key always lands on the same side
    share, sigma = sum(chosen) / len(keys), math.sqrt(0.1 * 0.9 / len(keys))
    assert abs(share - 0.1) < 4 * sigma
    assert all(in_canary(k, 0.2) for k, c in zip(keys, chosen, strict=True) if c)  # growing the canary keeps its keys


def test_agreement_labels_and_numbers() -> None:
    assert agreement({"label": ["a", "b", None]}, {"label": ["a", "c", None]}, ["label"], [], 0.0) == [True, False, False]
    main, shadow = {"prediction": [1.0, 100.0, None]}, {"prediction": [1.0 + 1e-7, 100.5, 1.0]}
    assert agreement(main, shadow, [], ["prediction"], 1e-6) == [True, False, False]
    assert agreement(main, shadow, [], ["prediction"], 0.01) == [True, True, False]


class _Live:
    def __init__(self, version: int) -> None:
        self.envelope = type("E", (), {"name": "m", "version": version, "format": "onnx"})()
        self.model = type("M", (), {"info": type("I", (), {"engine": "x"})()})()


def _router(bad: set[int]) -> Router:
    def load(env):
        if env.version in bad:
            raise ModelError(f"v{env.version} is broken")
        return _Live(env.version)

    router = Router(load)
    return router


def _envelopes(*versions: int) -> list:
    return [type("E", (), {"name": "m", "version": v})() for v in versions]


def test_router_plans_pin_canary_shadow_and_fallbacks() -> None:
    router = _router(bad={4})
    router.replace([Route("t", "m", pinned=2, canary_version=3, canary_fraction=0.1, shadow_version=4)])
    router.add(_envelopes(1, 2, 3, 4, 5))
    router.choose()
    plan = router.plan("t")
    assert plan.serving() == {"base": 2, "canary": 3}  # v4 refused: no shadow, and a note says why
    assert any("shadow v4 unavailable" in n and "broken" in n for n in plan.notes)
    router.quarantine("m", 2, "engine crashed")
    plan = router.plan("t")
    assert plan.serving() == {"base": 5, "canary": 3} and "pinned v2 unavailable" in plan.notes[0]
    router.replace([Route("t", "m")])
    assert router.plan("t").serving() == {"base": 5}
    router.replace([])
    assert router.plan("t") is None and router.models == {}
