"""ONNX writers of tree steps: ensembles, node figures, multiway trees."""
