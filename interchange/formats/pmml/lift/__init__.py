"""Reading PMML documents into the IR: the model elements (``models/``), the document with its
MiningSchema treatments and Output (``document``) and what the IR cannot hold (``validity``); the
expressions, predicates and text functions are lifted by ``formats/pmml/read/ir/``."""
