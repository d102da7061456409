"""Fast-path compilers of the model families evaluated through their lift (one module per family)."""
