"""Reading PMML documents into the IR: expressions, predicates and text functions (``expressions``,
``predicates``, ``text``), the model elements (``models/``), the document with its MiningSchema
treatments and Output (``document``) and what the IR cannot hold (``validity``)."""
