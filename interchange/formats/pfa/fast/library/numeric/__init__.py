"""PFA's numeric library on whole batches: maths, links, distributions, linear algebra."""
