"""Generated Python: one module with numpy as its only dependency, a columnar ``predict``."""
