"""Plain-numpy kernels: the one copy of each column operation the IR evaluates with.

Each module here imports only the standard library, numpy and the batch helpers
(``interchange.batch.category_key`` / ``missing_mask``), and its top-level functions and tables
read nothing else, so ``interchange codegen --lang python`` copies their source verbatim into a
generated module (interchange.codegen.python.kernels): generated code runs the IR's own code.
"""
