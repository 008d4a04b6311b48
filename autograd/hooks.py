"""`RemovableHandle`: what every `register_*hook` returns (Tensor, Node, Module)."""

import itertools

__all__ = ["RemovableHandle"]


class RemovableHandle:
    """`handle.remove()` unregisters the hook it was returned for; also a context manager
    (the hook is removed on leaving the `with` block). Removing twice does nothing.

    `hooks` is where the hook is registered: a dict keyed by `handle.id` (modules keep their
    hooks so, in registration order), or a list holding `hook` itself (tensors and nodes).
    """

    _ids = itertools.count()

    def __init__(self, hooks, hook=None):
        self._hooks = hooks
        self._hook = hook
        self.id = next(RemovableHandle._ids)

    def remove(self):
        hooks = self._hooks
        if isinstance(hooks, dict):
            hooks.pop(self.id, None)
        elif self._hook in hooks:
            hooks.remove(self._hook)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
