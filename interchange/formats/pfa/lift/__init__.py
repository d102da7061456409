"""Reading PFA documents into the IR: core expressions (``expressions``, ``operators``, ``vectors``,
``text``, ``loops``), the model library (``models/``), the document and its outputs (``document``)."""
