"""`Function`: one primitive with its local gradient; `Node`: its record in the graph (the ctx).

Every op, built-in or user-defined, goes through `Function.apply`, so there is one mechanism.
"""

from autograd.grad_mode import state as _grad
from autograd.tensor import Tensor, _inplace_epoch, _register_view, _wrap
from backends import DeviceError

__all__ = ["Function", "Node", "once_differentiable"]

# The active forward-mode level (autograd.forward_ad), None when off: while it is None, an op
# pays one lookup of this global for forward mode.
_dual_level = None
_anomaly = None  # autograd.anomaly's checker while anomaly mode is on

_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


class Node:
    """A recorded op: the `ctx` its forward and backward share, and a vertex of the graph.

    `_next` holds one edge per forward argument: the producing Node, a leaf Tensor that
    accumulates, or None where no gradient is needed.
    """

    # Class-level defaults keep the per-op cost to the attributes an op actually sets.
    _hooks = None  # gradient hooks of the output tensor
    _retain = False  # output called retain_grad()
    _out = None  # weak reference to the output, for retain_grad
    _saved = ()
    _saved_forward = ()  # what a user Function's forward kept for its jvp
    _versions = None  # versions of the saved tensors, when any was ever modified in place
    _epoch = 0
    _freed = False
    _out_vc = None  # version counter of the output, when backward reads the output's array

    def __init__(self, fn, edges):
        self._fn = fn
        self._next = edges

    @property
    def needs_input_grad(self):
        edges = self._next
        if len(edges) == 2:  # most ops: spare the comprehension
            return edges[0] is not None, edges[1] is not None
        return [edge is not None for edge in edges]

    def save_for_backward(self, *tensors):
        self._saved = tensors
        self._epoch = _inplace_epoch[0]
        for t in tensors:
            if isinstance(t, Tensor) and t._vc is not None:
                self._versions = [_version_of(t) for t in tensors]
                break

    def save_for_forward(self, *tensors):
        """Keep tensors for the Function's jvp (forward mode), which reads ctx.saved_tensors."""
        self._saved_forward = tensors

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(_FREED)
        if self._epoch != _inplace_epoch[0]:  # some in-place op ran since: check ours
            saved = self._saved
            versions = self._versions or [0] * len(saved)
            for t, v in zip(saved, versions):
                if v != _version_of(t):
                    raise RuntimeError(
                        f"one of the variables needed for gradient computation has been "
                        f"modified by an inplace operation: [{t.dtype} tensor of shape "
                        f"{tuple(t.shape)}] is at version {_version_of(t)}; expected version "
                        f"{v} instead (saved by {self.name()}). Use an out-of-place op, or "
                        f".clone() the tensor before modifying it."
                    )
            if self._out_vc is not None and self._out_vc[0]:
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified "
                    f"by an inplace operation: the output of {self.name()} is at version "
                    f"{self._out_vc[0]}; expected version 0 instead. Use an out-of-place op, "
                    f"or .clone() the output before modifying it."
                )
        return self._saved

    def name(self):
        return f"{self._fn.__name__}Backward"

    def register_hook(self, hook):
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return RemovableHandle(self._hooks, hook)

    def _accumulate(self, grad, create_graph):
        """retain_grad(): the output tensor keeps its gradient, summed over backward calls."""
        out = self._out()
        if out is not None:
            _accumulate_into(out, grad, create_graph)

    def __repr__(self):
        return f"<{self.name()}>"


def _version_of(t):
    if isinstance(t, Tensor):
        vc = t._vc
        return 0 if vc is None else vc[0]
    return 0  # a saved number or None never changes


def _accumulate_into(t, grad, create_graph):
    """t.grad += grad, out of place so no two tensors ever share a .grad buffer."""
    if not create_graph:
        grad = _wrap(grad.array.copy(), grad._backend) if t.grad is None else grad.detach()
    elif t.grad is None:
        grad = grad.clone()  # recorded, so grad-of-grad still flows; never shared (as torch)
    if grad.array.dtype != t.array.dtype:
        grad = grad.to(t.array.dtype)
    t.grad = grad if t.grad is None else t.grad + grad


class RemovableHandle:
    """Returned by register_hook; `.remove()` takes the hook off again."""

    def __init__(self, hooks, hook):
        self._hooks = hooks
        self._hook = hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


class Function:
    """Subclass with static `forward(ctx, *args)` and `backward(ctx, grad)`; call `.apply`.

    `forward` sees Tensors (with grad recording off) and returns an array or a Tensor;
    `backward` returns one gradient (Tensor or None) per forward argument, written in
    Tensor ops so that `create_graph=True` differentiates it again. For forward mode
    (autograd.forward_ad), `jvp(ctx, *grad_inputs)` returns the output's tangent from one
    tangent per forward argument, as in PyTorch.

    Built-in primitives instead define `jvp(tangents, out, *args, **kwargs)`: the tangent of
    `out` from the forward's arguments and their tangents (a list aligned with args, None
    where an argument has none), in Tensor ops.
    """

    # Built-in primitives compute on arrays in forward (no grad mode to switch off) and are
    # trusted to return gradients of the right shapes; user Functions get both checks.
    _builtin = False
    # The output may share storage with the first argument (reshape, permute, ...).
    _view = False
    # forward keeps its output array in ctx.out for backward (exp, tanh, ...).
    _saves_output = False
    # (array, operand) -> None, updating the array in place: the op's `x op= y` for
    # in-place calls that record nothing; None means "compute out of place, then copy".
    _inplace = None

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        backend = None
        record = False
        if _grad.enabled:
            edges = []
            for a in args:
                if isinstance(a, Tensor):
                    if backend is None:
                        backend = a._backend
                    elif a._backend is not backend:
                        raise _mixed_devices(cls, args)
                    if a.requires_grad:
                        record = True
                        edges.append(a.grad_fn or a)
                        continue
                edges.append(None)
        else:
            edges = None
            for a in args:
                if isinstance(a, Tensor):
                    if backend is None:
                        backend = a._backend
                    elif a._backend is not backend:
                        raise _mixed_devices(cls, args)
        if record:
            ctx = _new(Node)  # Node(cls, edges) without the __init__ call
            ctx._fn = cls
            ctx._next = edges
            if cls._builtin:
                out = cls.forward(ctx, *args, **kwargs)
            else:
                ctx._shapes = [getattr(a, "shape", None) for a in args]
                _grad.enabled = False
                try:
                    out = _custom_forward(cls, ctx, args, kwargs)
                finally:
                    _grad.enabled = True
                alias = out if isinstance(out, Tensor) else None
                if alias is not None:
                    out = out.array
            t = _wrap(out, backend)
            if out.dtype.kind == "f":
                t.requires_grad = True
                t.grad_fn = ctx
            if cls._builtin:
                if cls._saves_output:
                    # backward reads the output's array (ctx.out): watch it for in-place changes.
                    t._vc = ctx._out_vc = [0, False]
            elif alias is not None:
                # t shares the returned tensor's array (maybe saved, maybe an input): and so
                # its version counter, so that the saved tensor's check sees t's in-place changes.
                if alias._vc is None:
                    alias._vc = [0, False]
                t._vc = alias._vc
        else:
            if cls._builtin:
                ctx = _NO_CTX
                out = cls.forward(ctx, *args, **kwargs)
            else:
                ctx = Node(cls, edges or [None] * len(args))
                out = _custom_forward(cls, ctx, args, kwargs)
                if isinstance(out, Tensor):
                    out = out.array
            t = _wrap(out, backend)
        if cls._view:
            _register_view(args[0], t, cls, args[1:])
        if _dual_level is not None:
            _dual_level.jvp(cls, ctx, args, kwargs, t)
        if _anomaly is not None:
            _anomaly.forward(cls, ctx, args, t)
        return t


_new = object.__new__


def _custom_forward(cls, ctx, args, kwargs):
    """A user Function's forward. In forward mode its own ops carry no tangents: its jvp
    gives the output's."""
    global _dual_level
    level = _dual_level
    if level is None:
        return cls.forward(ctx, *args, **kwargs)
    _dual_level = None
    try:
        return cls.forward(ctx, *args, **kwargs)
    finally:
        _dual_level = level


class _NoCtx:
    """The ctx of a built-in op that records nothing: what forward stores is dropped."""

    __slots__ = ()

    def __setattr__(self, name, value):
        pass

    def save_for_backward(self, *tensors):
        pass


_NO_CTX = _NoCtx()


def _mixed_devices(cls, args):
    i = next(
        j
        for j, a in enumerate(args)
        if isinstance(a, Tensor)
        and a._backend is not next(b for b in args if isinstance(b, Tensor))._backend
    )
    devices = [f"argument {j} on {a.device}" for j, a in enumerate(args) if isinstance(a, Tensor)]
    return DeviceError(
        f"{cls.__name__}: expected all tensors on the same device, but argument {i} is on "
        f"{args[i].device} ({', '.join(devices)}). Move them with .to(device) first."
    )


def once_differentiable(backward):
    """Mark a backward that is not itself differentiable: create_graph through it raises."""

    def wrapper(ctx, *grads):
        if _grad.enabled:
            raise RuntimeError(
                f"{ctx.name()} is not differentiable twice (its backward is once_differentiable)"
            )
        return backward(ctx, *grads)

    return wrapper
