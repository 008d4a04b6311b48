"""numpy's floating-point warnings, which PyTorch does not have: x / 0, log 0, exp(1000),
an overflowing product give inf and nan silently there.

Two means. Around the kernels that meet inf and nan on purpose (exp overflowing inside
sigmoid, 0/0 in var), `quiet` switches them off. Everywhere else, `silence_ours` filters
the warnings numpy raises from this project's own modules (a filter is consulted only when a
warning is raised: it costs nothing on the way of an op), so a user's own numpy code keeps
its warnings. The filter goes in when this module is first imported (a program that imports
dagrad inside `warnings.catch_warnings()` loses it at the block's end: call `silence_ours()`).

`np.errstate` costs about 1 µs a use, as much as a small op's whole kernel, so `off()` sets
numpy's error-state context variable directly (about 0.1 µs), falling back to errstate on a
numpy without it. cupy has no floating-point warnings: nothing to do there."""

import warnings

import numpy as np

# numpy's floating-point messages ("divide by zero encountered in divide", ...)
_MESSAGE = r"(overflow|underflow|divide by zero|invalid value) encountered in "
_OURS = r"(autograd|nn|optim|backends)(\.|$)"


def silence_ours():
    """Ignore numpy's floating-point RuntimeWarnings raised from autograd/, nn/, optim/ and
    backends/ (idempotent: warnings drops a filter it already has)."""
    warnings.filterwarnings("ignore", _MESSAGE, RuntimeWarning, _OURS)


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


silence_ours()
