"""Reading ONNX graphs into the IR: the lifter that runs a graph symbolically (``lifter``, its
column, arithmetic and value mixins), the double writer's masks and shapes read back (``blanks``,
``double``, ``match``), the model operators (``models/``) and the document's inputs and outputs
(``document``)."""
