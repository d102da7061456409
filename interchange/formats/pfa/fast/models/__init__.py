"""PFA's model.* library on the fast path: regression, clusters, neighbours, naive Bayes, neural nets, SVM scores."""
