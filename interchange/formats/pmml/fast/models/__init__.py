"""PMML model families on the fast path, one module per family (and MiningModel's segments)."""
