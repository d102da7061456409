"""PFA's function library on the fast path: the registry (``registry``), core operators (``core``),
``m.*`` (``maths``), ``impute.*`` / ``cast.*`` (``imputes``), functions of functions (``lanes``),
arrays, linear algebra, strings, distributions, times."""
