"""PMML predicates on the fast path (the expression compiler is in ``formats/pmml/read/``)."""
