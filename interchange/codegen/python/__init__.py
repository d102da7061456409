"""Generated Python: one module with numpy (and the standard library) as its only dependency, a
columnar ``predict``. It runs the IR's own kernels, their source copied in (kernels.py), so it
agrees with the IR evaluator to the last bits."""
