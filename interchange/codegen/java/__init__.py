"""Generated Java: one class with no dependencies, ``double[] predict(double[])`` and typed records."""
