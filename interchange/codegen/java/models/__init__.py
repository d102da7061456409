"""Java emitters of the IR's model steps, one module per family."""
