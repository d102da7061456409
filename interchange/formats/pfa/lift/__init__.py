"""Reading PFA documents into the IR: core expressions (``expressions``), the model library
(``models``), tree records (``trees``), the document and its outputs (``document``)."""
