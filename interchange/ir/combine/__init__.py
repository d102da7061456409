"""Models of models: segmentation, per-row segment weights, selectAll's results, model chains."""
