"""The router: which routes a scorer serves and, per route, the versions that score right now.

It keeps one :class:`Versions` per routed model (fed by one model follower for all names) and
turns each route's policy into a :class:`Plan`: the base version (pinned, else latest), an
optional canary and an optional shadow. A pinned or canary version that is unknown, refused or
quarantined is left out with a note (the route then serves latest / no canary): an operator
sees the note in logs and metrics, and events keep flowing. A route whose model has no usable
version has no plan; its events wait.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from interchange.kafka.modeltopic import Envelope, ModelRef
from interchange.kafka.routes.route import Route
from interchange.kafka.scorer.live import LiveModel, Versions

__all__ = ["Plan", "Router"]

log = logging.getLogger("interchange.kafka.scorer")


@dataclass(frozen=True)
class Plan:
    """What scores one route's events now."""

    route: Route
    base: LiveModel
    canary: LiveModel | None = None
    shadow: LiveModel | None = None
    notes: tuple[str, ...] = ()

    def serving(self) -> dict[str, int]:
        """role -> version, for stats and the live-versions gauge."""
        roles = {"base": self.base.envelope.version}
        if self.canary is not None:
            roles["canary"] = self.canary.envelope.version
        if self.shadow is not None:
            roles["shadow"] = self.shadow.envelope.version
        return roles


class Router:
    """Routes by input topic, and the versions of every routed model."""

    def __init__(self, load_version: Callable[[Envelope], LiveModel]) -> None:
        self._load = load_version
        self.routes: dict[str, Route] = {}
        self.models: dict[str, Versions] = {}
        self._noted: dict[str, tuple[str, ...]] = {}
        self.generation = 0  # moves on every change to the routes or to what a model serves
        self._plans: dict[str, Plan | None] = {}  # plans of this generation (the loop asks once per batch and topic)
        self._plans_at = -1

    def _changed(self) -> None:
        self.generation += 1

    # --- routes -----------------------------------------------------------------------
    def replace(self, routes: Iterable[Route]) -> bool:
        """Serve exactly these routes; True when anything changed."""
        new = {r.input_topic: r for r in routes}
        if new == self.routes:
            return False
        for topic in self.routes.keys() - new.keys():
            log.info("route retired: %s", self.routes[topic].describe())
        for topic, route in new.items():
            if self.routes.get(topic) != route:
                log.info("route set: %s", route.describe())
        self.routes = new
        self._changed()
        for name in {r.model for r in new.values()}:
            self.models.setdefault(name, Versions(name, self._load, self._changed))
        for name in [n for n in self.models if n not in self.model_names()]:
            del self.models[name]
        for versions in self.models.values():
            wanted = [v for r in new.values() if r.model == versions.name for v in (r.pinned, r.canary_version, r.shadow_version)]
            versions.prune(v for v in wanted if v is not None)
        return True

    def model_names(self) -> set[str]:
        return {r.model for r in self.routes.values()}

    def topics(self) -> list[str]:
        return sorted(self.routes)

    # --- versions ---------------------------------------------------------------------
    def add(self, envelopes: Iterable[Envelope]) -> None:
        envelopes = list(envelopes)
        for versions in self.models.values():
            versions.add(envelopes)

    def withdraw(self, refs: Iterable[ModelRef]) -> None:
        for ref in refs:
            if ref.name in self.models:
                self.models[ref.name].withdraw(ref.version)

    def choose(self) -> int:
        """Pick each model's newest passing version; how many models changed version."""
        return sum(1 for versions in self.models.values() if versions.choose())

    def quarantine(self, model: str, version: int, reason: str) -> None:
        if model in self.models:
            self.models[model].quarantine(reason, version)

    def events(self) -> list[str]:
        return [f"{v.name} {e}" for v in self.models.values() for e in v.events]

    # --- plans ------------------------------------------------------------------------
    def plan(self, topic: str) -> Plan | None:
        """The versions scoring ``topic`` now; None when the topic is not routed or its model has none.

        Made once per generation: a plan stays right until the routes or a model's versions change."""
        if self._plans_at != self.generation:
            self._plans, self._plans_at = {}, self.generation
        elif topic in self._plans:
            return self._plans[topic]
        generation = self.generation
        plan = self._plan(topic)
        if self.generation == generation:  # making it loaded no version (else make it again next time)
            self._plans[topic] = plan
        return plan

    def _plan(self, topic: str) -> Plan | None:
        route = self.routes.get(topic)
        if route is None:
            return None
        versions = self.models[route.model]
        notes: list[str] = []
        base = versions.live
        if route.pinned is not None:
            pinned = versions.serve(route.pinned)
            if pinned is None:
                notes.append(f"pinned v{route.pinned} unavailable ({_why(versions, route.pinned)}), serving latest")
            else:
                base = pinned
        if base is None:
            return None
        canary = shadow = None
        if route.canary_version is not None:
            canary = versions.serve(route.canary_version)
            if canary is None:
                notes.append(f"canary v{route.canary_version} unavailable ({_why(versions, route.canary_version)})")
            elif canary is base:
                canary = None
        if route.shadow_version is not None:
            shadow = versions.serve(route.shadow_version)
            if shadow is None:
                notes.append(f"shadow v{route.shadow_version} unavailable ({_why(versions, route.shadow_version)})")
        plan = Plan(route, base, canary, shadow, tuple(notes))
        if self._noted.get(topic) != plan.notes:
            self._noted[topic] = plan.notes
            for note in plan.notes:
                log.warning("route %s: %s", topic, note)
        return plan


def _why(versions: Versions, version: int) -> str:
    if version in versions.bad:
        return versions.bad[version]
    return "not on the model topic"
