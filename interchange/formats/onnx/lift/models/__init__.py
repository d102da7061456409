"""The ONNX lifter's reading of model operators and of the graphs converters write for whole models."""
