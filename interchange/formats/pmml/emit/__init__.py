"""Writing PMML 4.4 from the IR: the document (``document``), model elements (``models``,
``families``), transformations (``transforms``) and the lxml element helpers (``xmlbuild``).
"""
