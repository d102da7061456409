"""PFA's array and map functions on whole batches: items, orders, summaries."""
