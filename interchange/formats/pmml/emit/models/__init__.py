"""PMML writers of the IR's model steps, one module per family (and its figures)."""
