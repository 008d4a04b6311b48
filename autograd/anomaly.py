"""Anomaly mode: the first NaN or Inf, forward or backward, raises an error that names the op,
its shapes and the line of your code that created it.

with autograd.detect_anomaly():
    loss = model(x).log().sum()      # AnomalyError: Log produced nan ... at train.py:12
    loss.backward()                  # or: LogBackward returned nan for input 0 ...

Unlike PyTorch's, it checks the forward pass too, and names the culprit op rather than only
printing a traceback. The creating line is recorded per op only while the mode is on.
"""

import os
import sys

from autograd import function as _function

__all__ = [
    "AnomalyError",
    "detect_anomaly",
    "set_detect_anomaly",
    "is_anomaly_enabled",
    "is_anomaly_check_nan_enabled",
]

_HERE = os.path.dirname(os.path.abspath(__file__))
# Frames inside these packages are ours: the line to report is the first one outside them.
_PACKAGES = tuple(os.path.join(d, "") for d in (_HERE, os.path.join(os.path.dirname(_HERE), "nn")))


class AnomalyError(RuntimeError):
    """A NaN or Inf appeared; `.op`, `.where` (file:line of the creating code) say where."""

    def __init__(self, message, op, where):
        super().__init__(message)
        self.op = op
        self.where = where


class _Anomaly:
    """What Function.apply and the engine consult when the mode is on."""

    def __init__(self, check_nan):
        self.check_nan = check_nan
        self.in_backward = 0  # a backward's own ops are judged by backward(), per node

    def forward(self, cls, ctx, args, out):
        """After an op's forward: remember the user's line on the node; check the output."""
        if self.in_backward:
            return
        where = _user_line()
        if ctx is not _function._NO_CTX:
            ctx._anomaly_where = where
        if self.check_nan and _bad(out):
            shapes = _shapes(args)
            raise AnomalyError(
                f"anomaly: {cls.__name__} produced {_what(out)} in its output of shape "
                f"{tuple(out.shape)} (inputs of shapes {shapes}), at {where}",
                cls.__name__,
                where,
            )

    def backward(self, node, grads):
        """After a node's backward: the first NaN/Inf gradient names the node and its line."""
        if not self.check_nan:
            return
        for i, g in enumerate(grads):
            if g is None or not hasattr(g, "data") or not _bad(g):
                continue
            where = getattr(node, "_anomaly_where", None) or "a line run before anomaly mode"
            shapes = [tuple(x.shape) for x in grads if hasattr(x, "shape")]
            raise AnomalyError(
                f"anomaly: {node.name()} returned {_what(g)} in its gradient for input {i} "
                f"(gradient shapes {shapes}), for the op created at {where}",
                node.name(),
                where,
            )


def _bad(t):
    data = t.array
    if data.dtype.kind not in "fc" or data.size == 0:
        return False
    return not bool(t.xp.isfinite(data).all())


def _what(t):
    return "nan" if t.xp.isnan(t.array).any().item() else "inf"


def _shapes(args):
    return [tuple(a.shape) for a in args if hasattr(a, "shape")]


def _user_line():
    """file:line: code of the innermost frame outside autograd/ and nn/."""
    frame = sys._getframe(2)
    while frame is not None:
        path = os.path.abspath(frame.f_code.co_filename)
        if not path.startswith(_PACKAGES):
            import linecache

            code = linecache.getline(path, frame.f_lineno).strip()
            return f"{frame.f_code.co_filename}:{frame.f_lineno}: {code}"
        frame = frame.f_back
    return "<unknown>"


def set_detect_anomaly(mode, check_nan=True):
    """Turn anomaly mode on or off for the whole process (as PyTorch, not per thread)."""
    _function._anomaly = _Anomaly(check_nan) if mode else None


def is_anomaly_enabled():
    return _function._anomaly is not None


def is_anomaly_check_nan_enabled():
    return _function._anomaly is not None and _function._anomaly.check_nan


class detect_anomaly:
    """Context manager (and decorator) that turns anomaly mode on inside it."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self._prev = _function._anomaly
        set_detect_anomaly(True, self.check_nan)
        return self

    def __exit__(self, *exc):
        _function._anomaly = self._prev

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return fn(*args, **kwargs)

        return wrapper
