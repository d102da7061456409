"""PFA's function library on the fast path: the registry and core functions, arrays, linear algebra."""
