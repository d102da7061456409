"""Format plugins: one folder per model format (ONNX, PMML, PFA).

Each folder is the only place its format's libraries are imported. A plugin recognises,
validates and loads documents of its format and writes estimators into it; it is registered
here by name and created on first use, so adding a format is one folder and one line.
"""

from __future__ import annotations

from interchange.model import Format, register_format


def _onnx() -> Format:
    from interchange.formats.onnx import ONNXFormat

    return ONNXFormat()


register_format("onnx", _onnx)


def _pmml() -> Format:
    from interchange.formats.pmml import PMMLFormat

    return PMMLFormat()


def _pfa() -> Format:
    from interchange.formats.pfa import PFAFormat

    return PFAFormat()


register_format("pmml", _pmml)
register_format("pfa", _pfa)
