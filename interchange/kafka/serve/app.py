"""The HTTP API: models, versions, signatures, verification; JSON scoring; the status page.

``GET /models``, ``GET /models/{name}``, ``GET /models/{name}/versions/{v}`` describe what is
published; ``POST /models/{name}/predict`` scores ``{"records": [...]}`` or one record with the
newest verified version (or ``?version=N``). Records are checked against the signature first
(422 naming the field). FastAPI writes the OpenAPI description at ``/openapi.json``; its
interactive docs pages are off because they load scripts from a CDN.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import numpy as np
from fastapi import Body, FastAPI, HTTPException, Query
from fastapi.responses import HTMLResponse, JSONResponse

from interchange.errors import RecordError
from interchange.kafka.serve.catalog import Catalog, Version
from interchange.kafka.serve.feed import StatusFeed
from interchange.kafka.serve.page import render_status
from interchange.kafka.serve.validate import check_records, record_schema

__all__ = ["create_app"]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def _rows(outputs: dict[str, np.ndarray], names: list[str], count: int) -> list[dict[str, Any]]:
    columns = {n: np.asarray(outputs[n]).tolist() for n in names if n in outputs}
    return [{n: _plain(col[i]) for n, col in columns.items()} for i in range(count)]


def _not_found(what: str) -> HTTPException:
    return HTTPException(status_code=404, detail=what)


def create_app(catalog: Catalog, feed: StatusFeed | None = None, *, manage: bool = True) -> FastAPI:
    """The app over ``catalog`` (and ``feed`` for the status page); ``manage`` starts and stops their threads."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if manage:
            catalog.start()
            if feed is not None:
                feed.start()
        try:
            yield
        finally:
            if manage:
                catalog.stop()
                if feed is not None:
                    feed.stop()

    app = FastAPI(
        title="interchange serve",
        description="Models from the interchange model topic: their versions, signatures and verification, and JSON scoring.",
        version="1",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )

    def _version(name: str, version: int | None) -> Version:
        if name not in catalog.names():
            raise _not_found(f"no model named {name!r}; GET /models lists them")
        found = catalog.get(name, version)
        if found is None:
            raise _not_found(
                f"model {name!r} has no version {version}"
                if version is not None
                else f"model {name!r} has no verified version yet"
            )
        return found

    @app.get("/models", summary="Models and their live versions")
    def list_models() -> list[dict[str, Any]]:
        out = []
        for name in catalog.names():
            live = catalog.get(name)
            versions = catalog.versions(name)
            out.append(
                {
                    "name": name,
                    "live_version": live.envelope.version if live else None,
                    "versions": [v.envelope.version for v in versions],
                }
            )
        return out

    @app.get("/models/{name}", summary="One model: every version, the live one described in full")
    def get_model(name: str) -> dict[str, Any]:
        if name not in catalog.names():
            raise _not_found(f"no model named {name!r}; GET /models lists them")
        live = catalog.get(name)
        return {
            "name": name,
            "live_version": live.envelope.version if live else None,
            "live": live.describe(full=True) if live else None,
            "versions": [v.describe() for v in catalog.versions(name)],
        }

    @app.get("/models/{name}/versions/{version}", summary="One version: signature, verification, lineage, status")
    def get_version(name: str, version: int) -> dict[str, Any]:
        found = _version(name, version)
        out = found.describe(full=True)
        out["input_json_schema"] = record_schema(found.signature)
        return out

    @app.post("/models/{name}/predict", summary="Score one record or {'records': [...]} with the live or a given version")
    def predict(
        name: str,
        body: dict[str, Any] = Body(..., examples=[{"records": [{"x1": 1.0, "x2": 2.0}]}, {"x1": 1.0, "x2": 2.0}]),
        version: int | None = Query(None, description="A published version; default the newest verified one"),
    ) -> JSONResponse:
        found = _version(name, version)
        if found.loaded is None:
            raise HTTPException(status_code=409, detail=f"model {name!r} v{found.envelope.version} was refused: {found.error}")
        batch = isinstance(body.get("records"), list) and "records" not in found.signature.input_names
        records = body["records"] if batch else [body]
        if not records:
            raise HTTPException(status_code=422, detail={"message": "no records to score", "field": "records"})
        try:
            check_records(found.envelope.signature, records)
            with found.lock:
                outputs = found.loaded.model.predict(records)
        except RecordError as exc:
            detail = {"message": exc.message, "field": getattr(exc, "field", None), "record": getattr(exc, "record", None)}
            raise HTTPException(status_code=422, detail=detail) from None
        env = found.envelope
        return JSONResponse(
            {
                "model": {"name": env.name, "version": env.version, "format": env.format},
                "predictions": _rows(outputs, found.signature.output_names, len(records)),
            }
        )

    @app.get("/healthz", summary="Liveness: the model topic has been read once")
    def health() -> dict[str, Any]:
        return {"ready": catalog.ready.is_set(), "models": len(catalog.names()), "last_error": catalog.last_error}

    @app.get("/", response_class=HTMLResponse, summary="Status page")
    def status() -> HTMLResponse:
        from interchange.kafka.serve.feed import Snapshot

        snap = feed.snapshot() if feed is not None else Snapshot()
        return HTMLResponse(render_status(catalog, snap))

    return app
