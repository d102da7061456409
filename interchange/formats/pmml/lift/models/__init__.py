"""PMML 4.4 model elements lifted into IR model steps, one module per family."""
