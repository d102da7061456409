"""The expression layer: derived fields, predicates, transformations, text and array items."""
