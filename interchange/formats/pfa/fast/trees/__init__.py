"""PFA's model.tree.* on the fast path: the walks on the IR's tree walk, simple / missing / compound / surrogate tests."""
