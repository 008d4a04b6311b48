"""Forward-mode AD: dual tensors that carry a tangent through every op, in PyTorch's spelling
(`torch.autograd.forward_ad`).

    with forward_ad.dual_level():
        x = forward_ad.make_dual(x, u)            # the dual number x + u ε
        y, jvp = forward_ad.unpack_dual(f(x))     # jvp = J u, in the same pass as y

Forward accumulation: every op y = op(x_1, ..., x_n) also computes its tangent
ẏ = Σ_i ∂y/∂x_i ẋ_i, by the `jvp(ctx, *tangents)` rule that each Function keeps beside its
backward, built-in or user-defined alike, as in PyTorch: one tangent per positional forward
argument, returning ẏ. The ctx is the forward's, for the length of the call, with the
forward's arguments (`ctx.args`, `ctx.kwargs`, `ctx.inputs`) and output (`ctx.output`); a user
Function keeps what it needs with `ctx.save_for_forward` and reads it as `ctx.saved_tensors`.
A user Function gets PyTorch's tangents (zeros for a Tensor argument without one, None for
the others) and its result is checked; a built-in primitive gets None for any argument
without a tangent (it skips that term). Rules are written in Tensor ops, so a tangent is
itself recorded for reverse mode (reverse-over-forward), and backward ops carry tangents
(forward-over-reverse: Hessian-vector products). Values (the scalar engine) take float
tangents through the same mechanism.

One level at a time, as in PyTorch. Tangents live in the level, keyed weakly by their primal,
and leave with it. Grad mode does not apply: no_grad stops recording, not tangents. An
in-place op gives the tensor it writes the new tangent; unlike PyTorch, views of that tensor
(or its base, when it is a view) keep their old tangents.
"""

import functools
import inspect
import weakref
from typing import Any, NamedTuple

from autograd import function as _function
from autograd._tensor import Tensor, _wrap
from backends import DeviceError

__all__ = [
    "UnpackedDualTensor",
    "dual_level",
    "enter_dual_level",
    "exit_dual_level",
    "make_dual",
    "unpack_dual",
]


class _NoJvpError(NotImplementedError):
    """A user Function without a jvp met a tangent (autograd.functional falls back on it)."""


class _DualLevel:
    """The active forward-AD level: the tangent of each dual Tensor or Value, and the rule
    dispatch that `Function.apply` calls while the level is active."""

    __slots__ = ("index", "_tangents")

    def __init__(self, index):
        self.index = index
        # id(primal) -> (weak reference to the primal, tangent). Keyed by id: Tensor.__eq__ is
        # elementwise. The reference's callback drops the entry when the primal dies.
        self._tangents = {}

    def tangent(self, x):
        entry = self._tangents.get(id(x))
        return None if entry is None else entry[1]

    def set_tangent(self, x, tangent):
        key = id(x)
        if tangent is None:
            self._tangents.pop(key, None)
            return
        tangents = self._tangents
        tangents[key] = (weakref.ref(x, lambda _: tangents.pop(key, None)), tangent)

    def transfer(self, src, dst):
        """dst takes src's tangent (or loses its own): in-place ops, where dst is rewritten."""
        self.set_tangent(dst, self.tangent(src))

    def jvp(self, cls, ctx, args, kwargs, out):
        """Give `out` = cls(*args, **kwargs) its tangent, when any argument has one: the one
        call of a rule, `cls.jvp(ctx, *tangents)`, for built-in and user Functions alike."""
        tangents = self._tangents
        found = [tangents.get(id(a)) for a in args]
        if not any(found):
            return
        if isinstance(out, Tensor) and out.dtype.kind != "f":
            return  # integer and bool results have no tangent
        found = [None if entry is None else entry[1] for entry in found]
        if cls.jvp is _function.Function.jvp:
            raise _NoJvpError(_no_jvp_message(cls))
        builtin = cls._builtin
        if not builtin:  # PyTorch's contract: zeros for a Tensor without a tangent
            found = [
                t if t is not None else _zeros_like(a) if isinstance(a, Tensor) else None
                for a, t in zip(args, found)
            ]
        jvp_ctx = _JvpCtx(ctx, cls, args, kwargs, out)
        # The rule's own ops carry no tangents: they compute one.
        _function._dual_level = None
        try:
            tangent = cls.jvp(jvp_ctx, *found)
            if not builtin:
                tangent = _checked(cls, tangent, out)
            if isinstance(out, Tensor) and tangent is not None:
                tangent = _fit(tangent, out)
        finally:
            jvp_ctx._release()
            _function._dual_level = self
        if tangent is not None:
            self.set_tangent(out, tangent)


def _no_jvp_message(cls):
    if cls._builtin:
        return (
            f"{cls.__name__}: forward-mode AD reached this primitive, which has no jvp rule; "
            "give it `@staticmethod jvp(ctx, *tangents)` beside its backward (ctx.args and "
            "ctx.output are the forward's arguments and output)"
        )
    return (
        f"{cls.__name__}: forward-mode AD reached this custom Function, which has no jvp. "
        "Define `@staticmethod jvp(ctx, *grad_inputs)` returning the output's tangent (save "
        "what it needs in forward with ctx.save_for_forward)."
    )


def _fit(tangent, out):
    """The tangent in out's shape and dtype: a rule may leave broadcasting of a one-sided
    tangent (x + y where only y is dual) to here."""
    if tangent.shape != out.shape:
        tangent = tangent.broadcast_to(out.shape)
    if tangent.dtype != out.dtype:
        tangent = tangent.to(out.dtype)
    return tangent


class _JvpCtx:
    """The ctx a jvp rule sees, for the length of the call only (so that no node holds its
    inputs or output, and no cycle out -> node -> out forms):

    - what the forward stored on its ctx (ctx.dims, ...), read and written through;
    - `saved_tensors`: the tensors the forward kept with `ctx.save_for_forward` (PyTorch);
    - `args`, `kwargs`: the forward's arguments as called; `output`: its output;
    - `inputs`: the forward's arguments in its signature's order, keyword arguments in their
      places and defaults filled in (`x, dims, keepdim = ctx.inputs`).

    A built-in op that records no graph runs its forward with a ctx that keeps nothing, so a
    built-in rule reads args and output, not what the forward stored. A user forward that
    stores an attribute named args, kwargs, output or inputs keeps it (PyTorch's ctx has none).
    """

    # (forward's ctx, Function class, args, kwargs, output), in one slot: the wrapper is
    # made and released once per op that carries a tangent
    __slots__ = ("_state",)

    def __init__(self, ctx, cls, args, kwargs, output):
        object.__setattr__(self, "_state", (ctx, cls, args, kwargs, output))

    def _release(self):
        """Drop the references to the forward's arguments and output (a rule that kept its
        ctx keeps none of them)."""
        state = self._state
        object.__setattr__(self, "_state", (state[0], state[1], None, None, None))

    def _view(self, name, ours):
        """Ours (args, kwargs, output, inputs), unless a user forward stored its own."""
        ctx, cls = self._state[:2]
        if not cls._builtin:
            stored = getattr(ctx, "__dict__", None)
            if stored and name in stored:
                return stored[name]
        return ours

    @property
    def args(self):
        return self._view("args", self._state[2])

    @property
    def kwargs(self):
        return self._view("kwargs", self._state[3])

    @property
    def output(self):
        return self._view("output", self._state[4])

    @property
    def inputs(self):
        _, cls, args, kwargs, _ = self._state
        names, defaults = _signature(cls)
        if names is None or (len(args) == len(names) and not kwargs):
            return self._view("inputs", args)
        filled = list(args)
        for name in names[len(args) :]:
            if name in kwargs:
                filled.append(kwargs[name])
            elif name in defaults:
                filled.append(defaults[name])
            else:
                raise TypeError(f"{cls.__name__}.jvp: the forward's {name!r} is missing")
        return self._view("inputs", tuple(filled))

    @property
    def saved_tensors(self):
        return getattr(self._state[0], "_saved_forward", ())

    def __getattr__(self, name):
        ctx, cls = self._state[:2]
        try:
            return getattr(ctx, name)
        except AttributeError:
            pass
        why = " (a built-in rule reads ctx.args and ctx.output)" if cls._builtin else ""
        raise AttributeError(f"{cls.__name__}.jvp: ctx has no attribute {name!r}{why}")

    def __setattr__(self, name, value):
        setattr(self._state[0], name, value)


# Function class -> (its forward's argument names, {name: default}); weak: user classes come
# and go
_signatures = weakref.WeakKeyDictionary()


def _signature(cls):
    """The names of the forward's arguments after ctx (None when it takes *args) and their
    defaults."""
    found = _signatures.get(cls)
    if found is None:
        params = list(inspect.signature(cls.forward).parameters.values())[1:]
        if any(p.kind in (p.VAR_POSITIONAL, p.KEYWORD_ONLY) for p in params):
            found = (None, {})
        else:
            names = tuple(p.name for p in params if p.kind != p.VAR_KEYWORD)
            defaults = {p.name: p.default for p in params if p.default is not p.empty}
            found = (names, defaults)
        _signatures[cls] = found
    return found


def _checked(cls, tangent, out):
    """A user Function's jvp result (PyTorch's checks): a Tensor of the output's shape, or
    None; a 1-tuple is unpacked."""
    if isinstance(tangent, tuple) and len(tangent) == 1:
        tangent = tangent[0]
    if tangent is None:
        return None
    if not isinstance(tangent, Tensor):
        raise TypeError(
            f"{cls.__name__}.jvp must return a Tensor (the output's tangent) or None, got "
            f"{type(tangent).__name__}"
        )
    if tangent.shape != out.shape:
        raise RuntimeError(
            f"{cls.__name__}.jvp returned a tangent of shape {tuple(tangent.shape)} for an "
            f"output of shape {tuple(out.shape)}: they must match"
        )
    return tangent


def _zeros_like(x):
    return _wrap(x.xp.zeros(x.shape, dtype=x.dtype), x._backend)


# ----------------------------------------------------------------------- the public API
class UnpackedDualTensor(NamedTuple):
    """(primal, tangent), as returned by `unpack_dual`; tangent is None when there is none."""

    primal: Any
    tangent: Any


def _current():
    return _function._dual_level


def enter_dual_level():
    """Enter a forward-AD level (the only one: nesting is not supported, as in PyTorch) and
    return its index."""
    if _function._dual_level is not None:
        raise RuntimeError(
            "Nested forward mode AD is not supported at the moment: a dual_level is already "
            "active (exit it first)"
        )
    _function._dual_level = _DualLevel(0)
    return 0


def exit_dual_level(*, level=None):
    """Exit the active level: every tangent it holds is dropped."""
    current = _function._dual_level
    if current is None:
        raise RuntimeError("exit_dual_level: no forward AD level is active")
    if level is not None and level != current.index:
        raise RuntimeError(
            "Trying to exit a forward AD level that was not the last one that was created. "
            f"This is not supported (level {level}, current level {current.index})."
        )
    _function._dual_level = None
    current._tangents.clear()


class dual_level:
    """Context manager (or decorator) within which dual tensors carry tangents:

    with dual_level():
        y, y_t = unpack_dual(f(make_dual(x, x_t)))
    """

    def __enter__(self):
        return enter_dual_level()

    def __exit__(self, *exc):
        exit_dual_level()
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


def _level(level, op):
    current = _function._dual_level
    if current is None:
        if op == "unpack_dual":
            return None
        raise RuntimeError(
            "Trying to create a dual Tensor for forward AD but no level exists, make sure to "
            "enter_dual_level() first."
        )
    if level is not None and level != current.index:
        raise RuntimeError(f"{op}: level {level} is not the active level {current.index}")
    return current


def make_dual(tensor, tangent, *, level=None):
    """A new Tensor that aliases `tensor` (a view: backward reaches `tensor`) and carries
    `tangent`, which must have its shape and device (a float tangent is cast to its dtype).
    On a `Value`, tangent is a number."""
    from autograd.value import Value

    current = _level(level, "make_dual")
    if isinstance(tensor, Value):
        return _make_dual_value(current, tensor, tangent)
    if not isinstance(tensor, Tensor):
        raise TypeError(f"make_dual: expected a Tensor or a Value, got {type(tensor).__name__}")
    if tensor.dtype.kind != "f":
        raise ValueError(
            f"Expected primal to be floating point or complex, but got: {tensor.dtype}"
        )
    if not isinstance(tangent, Tensor):
        raise TypeError(
            f"make_dual: expected the tangent to be a Tensor, got {type(tangent).__name__}"
        )
    if tangent.dtype.kind != "f":
        raise ValueError(
            f"Expected tangent to be floating point or complex, but got: {tangent.dtype}"
        )
    if tangent.shape != tensor.shape:
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the "
            f"original Tensor, this is not supported. Tensor is of size {list(tensor.shape)} "
            f"while the given forward gradient is of size {list(tangent.shape)}."
        )
    if tangent._backend is not tensor._backend:
        raise DeviceError(
            f"make_dual: the tangent is on {tangent.device} but the primal on {tensor.device} "
            f"(another backend): move the tangent with .to(device) first"
        )
    if current.tangent(tensor) is not None:
        raise RuntimeError(
            "Making a dual Tensor based on a Tensor that already has a forward gradient at the "
            f"same level {current.index} is not supported."
        )
    if tangent.dtype != tensor.dtype:
        tangent = tangent.to(tensor.dtype)
    dual = tensor.view_as(tensor)
    current.set_tangent(dual, tangent)
    return dual


def _make_dual_value(current, value, tangent):
    from autograd.value import Alias, Value

    if isinstance(tangent, Value):
        tangent = tangent.array
    if not isinstance(tangent, (int, float)) or isinstance(tangent, bool):
        raise TypeError(
            f"make_dual: the tangent of a Value is a number, got {type(tangent).__name__}"
        )
    if current.tangent(value) is not None:
        raise RuntimeError(
            "Making a dual Value based on a Value that already has a forward gradient at the "
            f"same level {current.index} is not supported."
        )
    dual = Alias.apply(value)
    dual.label = value.label
    current.set_tangent(dual, float(tangent))
    return dual


def unpack_dual(tensor, *, level=None):
    """(primal, tangent) of a dual Tensor or Value: primal a view of it without the tangent,
    tangent as stored (None if it has none, or when no level is active)."""
    current = _level(level, "unpack_dual")
    tangent = None if current is None else current.tangent(tensor)
    if tangent is None:
        return UnpackedDualTensor(tensor, None)
    _function._dual_level = None  # the primal view must not take the tangent along
    try:
        if isinstance(tensor, Tensor):
            primal = tensor.view_as(tensor)
        else:
            from autograd.value import Alias

            primal = Alias.apply(tensor)
            primal.label = tensor.label
    finally:
        _function._dual_level = current
    return UnpackedDualTensor(primal, tangent)
