"""The double-precision ONNX writer: IR graphs to ONNX, one emitter per IR step family.

``transforms`` (imputing, scaling, encoding, ...), ``linear`` (regression, links, neural
networks), ``trees`` (``ai.onnx.ml`` TreeEnsemble opset 5 in double) and ``distance``
(SVMs, neighbours, centers, naive Bayes) and ``expressions`` (Derive: derived fields and
let-bindings; Validate) register emitters by IR step class;
``document.write_graph`` lays out inputs and outputs the way the ONNX export always has.
"""

from __future__ import annotations

from interchange.formats.onnx.emit.document import write_graph

__all__ = ["write_graph"]
