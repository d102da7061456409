"""Segmentation as PFA (placeholder until written: refuses by name)."""

from __future__ import annotations

from typing import Any

__all__ = ["SEGMENT_WRITERS"]

SEGMENT_WRITERS: dict[type, Any] = {}
