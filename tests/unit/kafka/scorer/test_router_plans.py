"""The router makes each route's plan once per change, not once per batch, and never serves a stale one."""

from __future__ import annotations

from typing import Any

from interchange.errors import ModelError
from interchange.kafka.routes.route import Route
from interchange.kafka.scorer.router import Router


def _router(bad: set[int], loads: list[int]) -> Router:
    def load(env: Any) -> Any:
        loads.append(env.version)
        if env.version in bad:
            raise ModelError("broken", model=env.name, version=env.version)
        engine = type("Model", (), {"info": type("Info", (), {"engine": "x"})()})()
        return type("Live", (), {"envelope": env, "model": engine})()

    return Router(load)


def _envelopes(*versions: int) -> list[Any]:
    return [type("E", (), {"name": "m", "version": v, "format": "onnx"})() for v in versions]


def test_plans_are_kept_until_something_changes() -> None:
    loads: list[int] = []
    router = _router({4}, loads)
    router.replace([Route("t", "m", canary_version=1, canary_fraction=0.1, shadow_version=4), Route("u", "m")])
    router.add(_envelopes(1, 2, 3, 4))
    router.choose()
    router.plan("t")  # loads canary v1 and tries shadow v4 (a change: this plan is made again next time)
    first = router.plan("t")
    assert first is not None and first.serving() == {"base": 3, "canary": 1}
    generation = router.generation
    assert router.plan("t") is first and router.plan("u") is router.plan("u")  # the same plan, made once
    router.add([])
    router.choose()  # nothing new: still the same plans
    assert router.generation == generation and router.plan("t") is first
    assert loads.count(4) == 1  # the refused shadow is not tried again batch after batch


def test_every_change_makes_new_plans() -> None:
    router = _router(set(), [])
    router.replace([Route("t", "m", pinned=1)])
    router.add(_envelopes(1, 2))
    router.choose()
    assert router.plan("t").serving() == {"base": 1}
    router.quarantine("m", 1, "crashed")
    assert router.plan("t").serving() == {"base": 2}  # pinned v1 gone: latest
    router.add(_envelopes(3))
    router.choose()
    assert router.plan("t").serving() == {"base": 3}
    router.withdraw([type("Ref", (), {"name": "m", "version": 3})()])
    router.choose()
    assert router.plan("t").serving() == {"base": 2}
    router.replace([Route("t", "m", pinned=2, shadow_version=3)])
    assert router.plan("t").serving() == {"base": 2}  # v3 withdrawn: no shadow
    router.replace([])
    assert router.plan("t") is None
