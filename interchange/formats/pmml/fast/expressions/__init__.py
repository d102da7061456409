"""PMML expressions on the fast path: the compiler of DerivedFields / Apply, the built-in functions, predicates."""
