"""Tree ensembles and single trees: the walk, missing-value strategies, node figures, multiway trees."""
