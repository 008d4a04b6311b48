"""Grad mode: whether ops record the graph. Thread-local, as in PyTorch."""

import functools
import threading

__all__ = [
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode",
    "is_inference_mode_enabled",
]  # fmt: skip


class _State(threading.local):
    enabled = True
    # The engine's array-speed switch: True while a backward runs its rules on raw arrays
    # (create_graph=False). Per thread, as grad mode: one thread's backward must not switch
    # the rules of another's.
    raw = False
    inference = False  # inside inference_mode


state = _State()


def is_grad_enabled():
    return state.enabled


def is_inference_mode_enabled():
    return state.inference


class _GradMode:
    """Base of the grad-mode switches: a context manager and a decorator, bare (`@no_grad`)
    or called (`@no_grad()`), as PyTorch's."""

    mode = True

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        return self if orig_func is None else self(orig_func)

    def _swap(self):
        """Switch this mode on; returns what to restore."""
        prev = state.enabled
        state.enabled = self.mode
        return prev

    def _restore(self, prev):
        state.enabled = prev

    def __enter__(self):
        self.prev = self._swap()

    def __exit__(self, *exc):
        self._restore(self.prev)
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = self._swap()  # kept per call: decorated calls may nest or run in threads
            try:
                return fn(*args, **kwargs)
            finally:
                self._restore(prev)

        return wrapper


class no_grad(_GradMode):
    """Ops inside record no graph: `with no_grad(): ...` or `@no_grad()`."""

    mode = False


class enable_grad(_GradMode):
    """Turn recording back on inside a `no_grad` block."""

    mode = True


class set_grad_enabled(_GradMode):
    """`set_grad_enabled(False)` as a call, a context manager or a decorator."""

    def __new__(cls, mode):
        return object.__new__(cls)

    def __init__(self, mode):
        self.mode = bool(mode)
        self.prev = state.enabled
        state.enabled = self.mode

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        state.enabled = self.prev
        return False

    def __call__(self, fn):
        # Used as a decorator: the call in __init__ must not leak into the caller.
        state.enabled = self.prev
        return super().__call__(fn)


class inference_mode(_GradMode):
    """`inference_mode()` (or `inference_mode(True)`): grad mode off and
    `is_inference_mode_enabled()` true inside; `inference_mode(False)` turns grad mode on and
    inference mode off, as PyTorch's. A context manager and a decorator, bare or called.
    PyTorch's inference tensors (which refuse later use in a recorded graph) are not
    modelled: a tensor made inside is an ordinary tensor without a graph."""

    def __new__(cls, mode=True):
        if mode is None or isinstance(mode, bool):
            return object.__new__(cls)
        return cls()(mode)  # `@inference_mode` on a function

    def __init__(self, mode=True):
        self.mode = True if mode is None else mode

    def _swap(self):
        prev = (state.enabled, state.inference)
        state.enabled = not self.mode
        state.inference = self.mode
        return prev

    def _restore(self, prev):
        state.enabled, state.inference = prev
