"""What `interchange stack up` shows while it works: stage lines, and a bar on a terminal.

A first start downloads ~170 MB of jars through Maven, which otherwise prints nothing for
minutes. Every stage prints one line with the seconds elapsed since the start; on a terminal a
bar (with a total when it is known) follows downloads as they grow. Off a terminal only the
stage lines are written, so logs of CI runs stay short.
"""

from __future__ import annotations

import re
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

__all__ = ["Progress", "SILENT", "MavenOutput", "FileWatch", "remote_size"]

_WIDTH = 28


def _mb(size: float) -> str:
    return f"{size / 1e6:.1f} MB"


class Progress:
    """Stage lines to ``stream`` (None: silent); a bar when ``stream`` is a terminal."""

    def __init__(self, stream: TextIO | None = None, tty: bool | None = None) -> None:
        self.stream = stream
        self.tty = bool(stream is not None and (stream.isatty() if tty is None else tty))
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._bar_shown = False
        self._last_bar = 0.0

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def stage(self, text: str) -> None:
        if self.stream is None:
            return
        with self._lock:
            if self._bar_shown:
                self.stream.write("\n")
                self._bar_shown = False
            self.stream.write(f"[{self.elapsed():6.1f}s] {text}\n")
            self.stream.flush()

    def bar(self, label: str, done: float, total: float | None = None, force: bool = False) -> None:
        """Redraw the bar (terminal only, at most 10 times a second unless ``force``)."""
        if not self.tty or self.stream is None:
            return
        now = time.monotonic()
        if not force and now - self._last_bar < 0.1:
            return
        self._last_bar = now
        if total:
            filled = int(_WIDTH * min(done / total, 1.0))
            text = f"{label} [{'#' * filled}{'.' * (_WIDTH - filled)}] {_mb(done)} / {_mb(total)}"
        else:
            text = f"{label} {_mb(done)}"
        with self._lock:
            self.stream.write(f"\r[{self.elapsed():6.1f}s] {text}\x1b[K")
            self.stream.flush()
            self._bar_shown = True


SILENT = Progress(None)

_DOWNLOADED = re.compile(r"Downloaded from [^:]+: (\S+) \(([\d.,]+) (B|kB|KB|MB|GB)")
_UNITS = {"B": 1, "kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9}


class MavenOutput:
    """Counts the files and bytes Maven reports as downloaded (``mvn -B`` prints one line each)."""

    def __init__(self, progress: Progress, label: str) -> None:
        self.progress = progress
        self.label = label
        self.files = 0
        self.bytes = 0.0

    def feed(self, line: str) -> None:
        match = _DOWNLOADED.search(line)
        if match:
            self.files += 1
            self.bytes += float(match.group(2).replace(",", "")) * _UNITS[match.group(3)]
            self.progress.bar(f"{self.label}: {self.files} files", self.bytes)

    def summary(self) -> str:
        return f"{self.files} files, {_mb(self.bytes)} downloaded" if self.files else "nothing to download"


def remote_size(url: str, timeout: float = 5.0) -> int | None:
    """Content-Length of ``url`` from a HEAD request, or None (no network, no header)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout) as resp:
            length = resp.headers.get("Content-Length")
            return int(length) if length else None
    except (OSError, ValueError):
        return None


class FileWatch:
    """While open, redraws a bar from the total size of the files in ``directory``."""

    def __init__(self, progress: Progress, label: str, directory: Path, total: Callable[[], int | None]) -> None:
        self.progress, self.label, self.directory, self._total = progress, label, directory, total
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.total: int | None = None

    def size(self) -> int:
        try:
            return sum(p.stat().st_size for p in self.directory.iterdir() if p.is_file())
        except OSError:
            return 0

    def _run(self) -> None:
        self.total = self._total()
        while not self._stop.wait(0.25):
            self.progress.bar(self.label, self.size(), self.total, force=True)

    def __enter__(self) -> FileWatch:
        if self.progress.tty:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=1)
