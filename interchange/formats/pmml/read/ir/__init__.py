"""PMML expressions, predicates and text functions lifted into the IR (``expressions``, ``predicates``, ``text``)."""
