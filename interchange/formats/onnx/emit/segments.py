"""Segmentation in ONNX (to be written)."""

from __future__ import annotations
