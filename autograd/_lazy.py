"""`LazyModule`: a module imported on first use.

Tensor's methods call the ops, and the ops build Tensors: one of the two must import the
other late. A module that names a `LazyModule` at its top level imports the other on the
first attribute read, which then replaces the placeholder under its global name, so that
every later read is a plain global lookup (no cost on the hot path).
"""

import importlib


class LazyModule:
    """Stands for module `name` in `namespace` (a module's globals()) under `alias`."""

    def __init__(self, name, namespace, alias):
        self._name = name
        self._namespace = namespace
        self._alias = alias

    def __getattr__(self, attr):
        module = importlib.import_module(self._name)
        self._namespace[self._alias] = module
        return getattr(module, attr)
