"""PMML model elements the fast path evaluates through their lift (``step``: the lift's IR step over
the fast path's scope; ``models/``: the fast-path compilers of those families). Above both ``fast``
and ``lift``; the fast engine loads ``models/`` by name."""
