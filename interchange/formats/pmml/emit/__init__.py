"""Writing PMML 4.4 from the IR: the document (``document``), model elements (``models/``, one
module per family), transformations (``transforms``, ``expressions``, ``predicates``, ``validity``)
and the lxml element helpers (``xmlbuild``).
"""
