"""interchange: ML models from the notebook to a Kafka stream through open model standards.

Convert a fitted estimator to ONNX, PMML or PFA with proof that it predicts the same
(``convert``), write it as one Python or Java source file (``codegen``), load any such
document behind one interface (``load``), and publish it with its Avro contract to a Schema
Registry and a Kafka model topic (``publish``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from interchange import formats as _formats  # noqa: F401,E402  (registers the format plugins)
from interchange.check import CheckRow, check  # noqa: E402
from interchange.codegen import Generated  # noqa: E402
from interchange.convert import Converted, convert, infer_signature  # noqa: E402
from interchange.errors import *  # noqa: E402,F403
from interchange.errors import __all__ as _errors
from interchange.ir.lifted import Lifted  # noqa: E402
from interchange.lift import lift  # noqa: E402
from interchange.model import Model, ModelInfo, load  # noqa: E402
from interchange.signature import InputField, OutputField, Signature  # noqa: E402
from interchange.verification import Tolerance, Verification  # noqa: E402
from interchange.version import __version__

if TYPE_CHECKING:
    from interchange.codegen.api import codegen
    from interchange.kafka.modeltopic.publish import Published
else:
    # The subpackage, callable as its ``codegen``: binding the function here would hide the
    # subpackage from ``import interchange.codegen.python.kernels`` (see interchange/codegen).
    from interchange import codegen


def publish(converted: Converted, *, name: str, **kwargs: Any) -> Published:
    """Register the model's Avro contract and publish it, versioned, to the model topic.

    See :func:`interchange.kafka.modeltopic.publish.publish` for the options.
    """
    from interchange.kafka.modeltopic.publish import publish as _publish

    return _publish(converted, name=name, **kwargs)


__all__ = [
    "__version__",
    "check",
    "CheckRow",
    "convert",
    "codegen",
    "Generated",
    "load",
    "lift",
    "Lifted",
    "publish",
    "infer_signature",
    "Converted",
    "Model",
    "ModelInfo",
    "Signature",
    "InputField",
    "OutputField",
    "Tolerance",
    "Verification",
    *_errors,
]
