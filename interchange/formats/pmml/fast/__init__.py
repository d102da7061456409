"""The PMML fast path: a parsed document compiled into numpy functions over whole batches
(``engine`` holds the Model), one module per model family or expression layer.

Strict: what it does not implement exactly raises NotCovered, and the document runs on pypmml.
"""
