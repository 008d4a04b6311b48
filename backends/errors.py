"""numpy's floating-point warnings, off around the kernels that meet inf and nan on purpose
(exp overflowing inside sigmoid, log 0, 0/0 in var): PyTorch computes them silently.

`np.errstate` costs about 1 µs a use, as much as a small op's whole kernel, so `off()` sets
numpy's error-state context variable directly (about 0.1 µs), falling back to errstate on a
numpy without it. cupy has no floating-point warnings: nothing to do there."""

import numpy as np

try:  # numpy >= 2: the error state is a context variable
    from numpy._core._multiarray_umath import _extobj_contextvar, _make_extobj

    _IGNORE = _make_extobj(all="ignore")
except ImportError:  # pragma: no cover - older numpy
    _extobj_contextvar = None


def off():
    """Switch the warnings off in this context; returns the token `restore` takes."""
    if _extobj_contextvar is not None:
        return _extobj_contextvar.set(_IGNORE)
    state = np.errstate(all="ignore")
    state.__enter__()
    return state


def restore(token):
    """Undo the `off()` that returned token."""
    if _extobj_contextvar is not None:
        _extobj_contextvar.reset(token)
    else:
        token.__exit__(None, None, None)


class quiet:
    """`with quiet():` the warnings off for a block (re-entrant; one object a use)."""

    __slots__ = ("_token",)

    def __init__(self, xp=None):  # xp: the array module, for call sites that name it
        self._token = None

    def __enter__(self):
        self._token = off()
        return self

    def __exit__(self, *exc):
        restore(self._token)
