"""PFA's model library (and models our writer unrolls) read into IR model steps."""
