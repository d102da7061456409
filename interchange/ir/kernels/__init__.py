"""Plain-numpy kernels: the one copy of each column operation the IR evaluates with.

A module here imports only the standard library, numpy, the batch helpers
(``interchange.batch.is_missing`` / ``missing_mask`` / ``category_key``) and other plain modules
(``interchange.ir.links``, its sibling kernels), so ``interchange codegen --lang python`` copies
their source verbatim into a generated module (interchange.codegen.python.kernels) and generated
code runs the IR's own code. The IR's steps keep the dataclasses and the errors; they call these.
"""
