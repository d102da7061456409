"""Reading PMML expressions, shared by the fast path (``fast``) and the lift (``lift``): the
compiler of DerivedFields / Apply into batch functions over a scope (``compile``, ``functions``,
``text``, ``scope``) and their lift into IR expressions and predicates (``ir/``)."""
