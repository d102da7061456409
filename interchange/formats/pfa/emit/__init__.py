"""Writing PFA from the IR: the document (``document``), model families (``families``) and
transformations as let bindings (``transforms``).
"""
