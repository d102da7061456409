"""The status page at ``/``: one self-contained HTML document, no script, no external resource.

Sections: models with their live version and lineage; alerts firing now; per model, the last
hour of throughput, dead letters, quality (accuracy, AUC, log-loss, RMSE, MAE), drift (PSI per
feature) and latency as server-drawn SVG charts. The page reloads itself every 15 seconds.
"""

from __future__ import annotations

import time
from collections import defaultdict
from html import escape
from typing import Any

from interchange.kafka.serve.catalog import Catalog, Version
from interchange.kafka.serve.feed import Snapshot
from interchange.kafka.serve.svg import line_chart

__all__ = ["render_status", "CHARTS"]

# chart id -> (title, unit, does a metric name belong to it?, shown as a rate?)
CHARTS: list[tuple[str, str, str, Any, bool]] = [
    ("throughput", "Throughput", "events/s", lambda n: n in ("events_in", "events_out", "predictions", "scored"), True),
    ("dead-letters", "Dead letters", "events/s", lambda n: n.startswith("dead_letter"), True),
    ("quality", "Accuracy and error", "", lambda n: n in ("accuracy", "auc", "log_loss", "logloss", "rmse", "mae", "r2"), False),
    ("drift", "Drift", "PSI", lambda n: n.startswith(("psi", "drift")), False),
    ("latency", "Latency", "ms", lambda n: n.startswith("latency"), False),
]

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}
h1{font-size:1.4em;margin:0 0 .2em} h2{font-size:1.15em;margin:1.4em 0 .4em;border-bottom:1px solid #ddd}
h3{font-size:1em;margin:1em 0 .3em} table{border-collapse:collapse;margin:.3em 0}
td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left;font-size:.9em;vertical-align:top}
th{background:#f3f3f3} .muted{color:#777;font-size:.85em} .ok{color:#1a7f37} .bad{color:#c62828;font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:.6em} .chart-title{font-size:12px;font-weight:600}
.tick,.legend{font-size:10px;fill:#555} .empty{font-size:11px;fill:#999} code{font-size:.85em}
"""


def _when(ms: int | float | None) -> str:
    if not ms:
        return ""
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ms / 1000))


def _lineage(version: Version) -> str:
    lineage = version.describe(full=True)["lineage"]
    if not isinstance(lineage, dict) or not lineage:
        return f"<span class='muted'>{escape(str(lineage or 'none recorded'))}</span>"
    items = []
    for key in sorted(lineage):
        value = lineage[key]
        text = (
            value
            if isinstance(value, str | int | float)
            else ", ".join(f"{k} {v}" for k, v in value.items())
            if isinstance(value, dict)
            else str(value)
        )
        items.append(f"<li><b>{escape(str(key))}</b>: {escape(str(text))[:160]}</li>")
    return f"<ul class='lineage'>{''.join(items)}</ul>"


def _models(catalog: Catalog) -> str:
    names = catalog.names()
    if not names:
        return f"<p class='muted' id='no-models'>No models on {escape(catalog.model_topic)} yet.</p>"
    rows = []
    for name in names:
        versions = catalog.versions(name)
        live = catalog.get(name)
        refused = [v for v in versions if v.error]
        status = (
            f"<span class='ok'>v{live.envelope.version}</span> ({escape(live.envelope.format)} via {escape(live.loaded.engine)})"
            if live and live.loaded
            else "<span class='bad'>none verified</span>"
        )
        refusals = "".join(f"<li>v{v.envelope.version}: {escape(v.error or '')}</li>" for v in refused)
        rows.append(
            f"<tr class='model' data-model='{escape(name)}'><td><b>{escape(name)}</b></td><td class='live'>{status}</td>"
            f"<td>{len(versions)} published{_refused(refused, refusals)}</td>"
            f"<td>{_when(live.envelope.created_at) if live else ''}</td><td>{_lineage(live) if live else ''}</td></tr>"
        )
    head = "<tr><th>model</th><th>live version</th><th>versions</th><th>published</th><th>lineage</th></tr>"
    return f"<table id='models'>{head}{''.join(rows)}</table>"


def _refused(refused: list[Version], items: str) -> str:
    return f", <span class='bad'>{len(refused)} refused</span><ul>{items}</ul>" if refused else ""


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


def _alerts(snap: Snapshot) -> str:
    if not snap.firing:
        return "<p class='ok' id='no-alerts'>No alerts firing.</p>"
    rows = "".join(
        f"<tr class='alert'><td class='bad'>{escape(a['rule'])}</td><td>{escape(a['model'])}</td><td>{a['version'] or ''}</td>"
        f"<td>{escape(a['metric'])}</td><td>{_num(a['value'])}</td><td>{a['threshold']:.4g}</td>"
        f"<td>{escape(a['message'])}</td><td>{_when(a['at'] * 1000)}</td></tr>"
        for a in snap.firing
    )
    head = "".join(f"<th>{h}</th>" for h in ("rule", "model", "version", "metric", "value", "threshold", "message", "since"))
    head = f"<tr>{head}</tr>"
    return f"<table id='alerts'>{head}{rows}</table>"


def _series_name(metric: dict[str, Any]) -> str:
    labels = metric.get("labels") or {}
    extra = ",".join(f"{k}={v}" for k, v in sorted(labels.items()) if k not in ("partition",))
    return f"{metric['name']}{{{extra}}}" if extra else metric["name"]


def _charts(model: str, metrics: list[dict[str, Any]], snap: Snapshot) -> str:
    start, end = snap.now - snap.window_s, snap.now
    thresholds: dict[str, dict[str, float]] = defaultdict(dict)
    for a in snap.firing:
        if a["model"] == model:
            thresholds[a["metric"]][f"{a['rule']} threshold"] = a["threshold"]
    parts = []
    for chart_id, title, unit, belongs, as_rate in CHARTS:
        series: dict[str, list[tuple[float, float]]] = defaultdict(list)
        marks: dict[str, float] = {}
        for m in metrics:
            if belongs(m["name"]):
                value = m["value"] / m["window_s"] if as_rate and m.get("window_s") else m["value"]
                series[_series_name(m)].append((m["at"], value))
                marks.update(thresholds.get(m["name"], {}))
        chart = line_chart(series, title=title, unit=unit, start=start, end=end, thresholds=marks)
        parts.append(f"<figure id='{escape(model)}-{chart_id}' class='figure {chart_id}'>{chart}</figure>")
    dead = sum(m["value"] for m in metrics if m["name"].startswith("dead_letter"))
    total = f"<p class='muted'>dead letters in the window: <b class='dead-total'>{dead:.0f}</b></p>"
    return f"{total}<div class='charts'>{''.join(parts)}</div>"


def render_status(catalog: Catalog, snap: Snapshot) -> str:
    """The whole page as one HTML string."""
    by_model: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in snap.metrics:
        by_model[m["model"]].append(m)
    models = sorted(set(catalog.names()) | set(by_model))
    sections = "".join(
        f"<section class='model-metrics' data-model='{escape(name)}'><h3>{escape(name)}</h3>"
        f"{_charts(name, by_model.get(name, []), snap)}</section>"
        for name in models
    )
    notes = f"<p class='bad'>{snap.undecodable} undecodable metric/alert events skipped</p>" if snap.undecodable else ""
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><meta http-equiv='refresh' content='15'>"
        "<link rel='icon' href='data:,'><title>interchange status</title>"
        f"<style>{_STYLE}</style></head><body>"
        f"<h1>interchange status</h1><p class='muted'>{_when(snap.now * 1000)} · model topic {escape(catalog.model_topic)} · "
        f"window {snap.window_s / 60:.0f} min · <a href='/openapi.json'>OpenAPI</a></p>"
        f"<h2>Models</h2>{_models(catalog)}<h2>Alerts firing</h2>{_alerts(snap)}"
        f"<h2>Last hour</h2>{notes}{sections or '<p class=muted>No metrics in the window.</p>'}</body></html>"
    )
