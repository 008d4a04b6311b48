"""`RemovableHandle`: what every `register_*hook` returns (Tensor, Node, Module); Tensor's hook
methods."""

import itertools
import weakref

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


# --------------------------------------------------------------------------- Tensor's methods
def register_hook(t, hook):
    """Call hook(grad) when t's gradient is computed; a return value replaces it."""
    if not t.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if t.grad_fn is not None:
        return t.grad_fn.register_hook(hook)
    if t._hooks is None:
        t._hooks = []
    t._hooks.append(hook)
    return RemovableHandle(t._hooks, hook)


def register_post_accumulate_grad_hook(t, hook):
    """Call hook(t) once backward has accumulated into t.grad (leaves only), as torch's; the
    hook returns None. The handle's .remove() takes it off."""
    if not t.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if t.grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    from autograd import engine

    return engine.register_post_accumulate_grad_hook(t, hook)


def retain_grad(t):
    """Keep .grad on a non-leaf after backward (leaves always keep theirs)."""
    if not t.requires_grad:
        raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    if t.grad_fn is not None and not t.grad_fn._retain:
        t.grad_fn._retain = True
        t.grad_fn._out = weakref.ref(t)
