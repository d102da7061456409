"""Fitted model estimators to IR model steps, one module per family."""
