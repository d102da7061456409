"""The PFA fast path: a document's action compiled into numpy closures over whole batches
(``engine`` holds the Model; ``compile`` the expressions; the rest PFA's library by area).

Strict: what it does not implement exactly raises NotCovered, and the document runs on titus2.
"""
