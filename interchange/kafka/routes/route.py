"""One route: an input topic, the model that scores it, and which of its versions (the version policy).

Policies combine: the base is ``latest`` (the newest version that passes its checks) or
``pinned: N`` (rollback = pin an older version); ``canary`` sends a deterministic fraction of
events (by a hash of the event key) to another version; ``shadow`` scores every event with
another version into ``<model>-shadow`` and counts how often it agrees with the served output.
Routes come from a YAML file (:func:`load_routes`) and from the routes topic (Avro,
``schemas/route.avsc``).

Example file::

    routes:
      - model: iris                       # input defaults to iris-features
      - input: fraud-features
        model: fraud
        pinned: 3
        canary: {version: 4, fraction: 0.1}
        shadow: {version: 5, tolerance: 1.0e-6}
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from interchange.errors import ConfigError

__all__ = ["Route", "load_routes", "parse_routes", "in_canary", "DEFAULT_ROUTES_TOPIC"]

DEFAULT_ROUTES_TOPIC = "interchange-routes"

_VERSION = {"type": "integer", "minimum": 1}
_FILE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["routes"],
    "additionalProperties": False,
    "properties": {
        "routes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["model"],
                "additionalProperties": False,
                "properties": {
                    "input": {"type": "string", "minLength": 1},
                    "model": {"type": "string", "minLength": 1},
                    "version": {"const": "latest"},
                    "pinned": _VERSION,
                    "canary": {
                        "type": "object",
                        "required": ["version", "fraction"],
                        "additionalProperties": False,
                        "properties": {"version": _VERSION, "fraction": {"type": "number"}},
                    },
                    "shadow": {
                        "oneOf": [
                            _VERSION,
                            {
                                "type": "object",
                                "required": ["version"],
                                "additionalProperties": False,
                                "properties": {"version": _VERSION, "tolerance": {"type": "number", "minimum": 0}},
                            },
                        ]
                    },
                    "output": {"type": "string", "minLength": 1},
                    "dead_letters": {"type": "string", "minLength": 1},
                },
            },
        }
    },
}


@dataclass(frozen=True)
class Route:
    """Input topic -> model name + version policy; topic names default from the model name."""

    input_topic: str
    model: str
    pinned: int | None = None
    canary_version: int | None = None
    canary_fraction: float | None = None
    shadow_version: int | None = None
    tolerance: float = 1e-6
    output_topic: str | None = None
    dead_letter_topic: str | None = None

    def __post_init__(self) -> None:
        where = f"route {self.input_topic!r}"
        if not self.model or not self.input_topic:
            raise ConfigError(f"{where}: a route needs an input topic and a model name", key="model")
        if (self.canary_version is None) != (self.canary_fraction is None):
            raise ConfigError(f"{where}: a canary needs both a version and a fraction", key="canary")
        if self.canary_fraction is not None and not 0.0 < self.canary_fraction < 1.0:
            raise ConfigError(
                f"{where}: canary fraction must be between 0 and 1 (exclusive), got {self.canary_fraction}", key="canary"
            )
        for key, value in (("pinned", self.pinned), ("canary", self.canary_version), ("shadow", self.shadow_version)):
            if value is not None and value < 1:
                raise ConfigError(f"{where}: {key} version must be at least 1, got {value}", key=key)
        if self.tolerance < 0:
            raise ConfigError(f"{where}: tolerance must not be negative", key="tolerance")
        if len({self.input_topic, self.output, self.dead_letters, self.shadow_topic}) < 4:
            raise ConfigError(f"{where}: input, output, dead-letter and shadow topics must all differ", key="output")

    @property
    def output(self) -> str:
        return self.output_topic or f"{self.model}-predictions"

    @property
    def dead_letters(self) -> str:
        return self.dead_letter_topic or f"{self.model}-dlq"

    @property
    def shadow_topic(self) -> str:
        return f"{self.model}-shadow"

    def describe(self) -> str:
        """One line for logs and ``interchange route list``."""
        text = f"{self.input_topic} -> {self.model} " + (f"pinned v{self.pinned}" if self.pinned else "latest")
        if self.canary_version is not None:
            text += f", canary v{self.canary_version} at {self.canary_fraction:g}"
        if self.shadow_version is not None:
            text += f", shadow v{self.shadow_version} (tolerance {self.tolerance:g})"
        return text

    # --- the routes topic -------------------------------------------------------------
    def to_record(self) -> dict[str, Any]:
        return {
            "input_topic": self.input_topic,
            "model": self.model,
            "pinned": self.pinned,
            "canary_version": self.canary_version,
            "canary_fraction": self.canary_fraction,
            "shadow_version": self.shadow_version,
            "tolerance": self.tolerance,
            "output_topic": self.output_topic,
            "dead_letter_topic": self.dead_letter_topic,
            "updated_at": int(time.time() * 1000),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Route:
        fields = {k: v for k, v in record.items() if k != "updated_at"}
        return cls(**fields)


def parse_routes(data: Any, where: str = "routes") -> list[Route]:
    """Routes from the parsed YAML shape (``{"routes": [...]}``); ConfigError naming what is wrong."""
    try:
        jsonschema.validate(data, _FILE_SCHEMA)
    except jsonschema.ValidationError as exc:
        path = "/".join(str(p) for p in exc.absolute_path) or "(top)"
        raise ConfigError(f"{where}: {path}: {exc.message}", key=path) from None
    routes: list[Route] = []
    for item in data["routes"]:
        canary = item.get("canary") or {}
        shadow = item.get("shadow")
        shadow = {"version": shadow} if isinstance(shadow, int) else (shadow or {})
        routes.append(
            Route(
                input_topic=item.get("input") or f"{item['model']}-features",
                model=item["model"],
                pinned=item.get("pinned"),
                canary_version=canary.get("version"),
                canary_fraction=None if not canary else float(canary["fraction"]),
                shadow_version=shadow.get("version"),
                tolerance=float(shadow.get("tolerance", 1e-6)),
                output_topic=item.get("output"),
                dead_letter_topic=item.get("dead_letters"),
            )
        )
    topics = [r.input_topic for r in routes]
    dupes = sorted({t for t in topics if topics.count(t) > 1})
    if dupes:
        raise ConfigError(f"{where}: input topic {dupes[0]!r} has more than one route", key="input")
    return routes


def load_routes(path: str | Path) -> list[Route]:
    """Routes from a YAML file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise ConfigError(f"cannot read routes file {path}: {exc.strerror}", key="routes") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"routes file {path} is not valid YAML: {exc}", key="routes") from exc
    return parse_routes(data, str(path))


def in_canary(key: bytes | None, fraction: float, fallback: bytes = b"") -> bool:
    """Whether an event goes to the canary: a stable hash of its key (``fallback`` for keyless events)
    mapped to [0, 1), so the same key always lands on the same side and the share is ``fraction``."""
    digest = hashlib.blake2b(key if key is not None else fallback, digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64 < fraction
