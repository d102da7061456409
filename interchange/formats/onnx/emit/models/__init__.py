"""ONNX writers of the IR's model steps other than trees, one module per family."""
