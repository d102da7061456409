"""PMML TreeModel on the fast path: Nodes read in bulk, the flat and general forms, the predicates for the IR's tree walk."""
