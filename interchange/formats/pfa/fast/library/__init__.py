"""PFA's function library on the fast path: the registry (``registry``), core operators (``core``),
numbers (``numeric/``: ``m.*``, links, distributions, linear algebra), arrays and maps
(``collections/``), ``impute.*`` / ``cast.*`` (``imputes``, ``casts``), functions of functions
(``lanes``), strings and times."""
