"""`Function`: one primitive with its local gradient; `Node`: its record in the graph (the ctx).

Every op, built-in or user-defined, goes through `Function.apply`, so there is one mechanism.
"""

from autograd.grad_mode import state as _grad
from autograd.tensor import Tensor, _shared_vc, _wrap
from backends import DeviceError

__all__ = ["Function", "Node", "once_differentiable"]

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
    _versions = ()
    _freed = False

    def __init__(self, fn, edges):
        self._fn = fn
        self._next = edges

    @property
    def needs_input_grad(self):
        return tuple(edge is not None for edge in self._next)

    def save_for_backward(self, *tensors):
        self._saved = tensors
        self._versions = tuple(_version_of(t) for t in tensors)

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(_FREED)
        for t, v in zip(self._saved, self._versions):
            if v is not None and _version_of(t) != v:
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified "
                    f"by an inplace operation: [{t.dtype} tensor of shape {tuple(t.shape)}] "
                    f"is at version {_version_of(t)}; expected version {v} instead "
                    f"(saved by {self.name()}). Use an out-of-place op, or .clone() the tensor "
                    f"before modifying it."
                )
        return self._saved

    def name(self):
        return f"{self._fn.__name__}Backward"

    def register_hook(self, hook):
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return RemovableHandle(self._hooks, hook)

    def _release(self):
        if self._saved:
            self._saved = ()
            self._freed = True

    def _accumulate(self, grad, create_graph):
        """retain_grad(): the output tensor keeps its gradient, summed over backward calls."""
        out = self._out()
        if out is not None:
            _accumulate_into(out, grad, create_graph)

    def __repr__(self):
        return f"<{self.name()}>"


def _version_of(t):
    if t.__class__ is Tensor or isinstance(t, Tensor):
        vc = t._vc
        return 0 if vc is None else vc[0]
    return None


def _accumulate_into(t, grad, create_graph):
    """t.grad += grad, out of place so no two tensors ever share a .grad buffer."""
    if not create_graph:
        grad = _wrap(grad.data.copy(), grad._backend) if t.grad is None else grad.detach()
    if grad.data.dtype != t.data.dtype:
        grad = grad.to(t.data.dtype)
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
    Tensor ops so that `create_graph=True` differentiates it again.
    """

    # Built-in primitives are trusted to return gradients of the right shapes.
    _check_grads = True
    # The output may share storage with the first argument (reshape, permute, ...).
    _view = False

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        backend = None
        requires_grad = False
        for i, a in enumerate(args):
            if a.__class__ is Tensor or isinstance(a, Tensor):
                if backend is None:
                    backend = a._backend
                elif a._backend is not backend:
                    raise _mixed_devices(cls, args, i)
                if a.requires_grad:
                    requires_grad = True
        if requires_grad and _grad.enabled:
            ctx = Node(cls, tuple(_edge(a) for a in args))
            _grad.enabled = False
            try:
                out = cls.forward(ctx, *args, **kwargs)
            finally:
                _grad.enabled = True
            if cls._check_grads:
                ctx._shapes = tuple(getattr(a, "shape", None) for a in args)
            if out.__class__ is Tensor:
                out = out.data
            t = _wrap(out, backend)
            if out.dtype.kind == "f":
                t.requires_grad = True
                t.grad_fn = ctx
        else:
            out = cls.forward(Node(cls, None), *args, **kwargs)
            if out.__class__ is Tensor:
                out = out.data
            t = _wrap(out, backend)
        if cls._view:
            t._vc = _shared_vc(args[0])
        return t


def _edge(a):
    if a.__class__ is Tensor or isinstance(a, Tensor):
        if a.requires_grad:
            return a.grad_fn or a
    return None


def _mixed_devices(cls, args, i):
    devices = [
        f"argument {j} on {a.device}" for j, a in enumerate(args) if isinstance(a, Tensor)
    ]
    return DeviceError(
        f"{cls.__name__}: expected all tensors on the same device, but argument {i} is on "
        f"{args[i].device} ({', '.join(devices)}). Move them with .to(device) first."
    )


def once_differentiable(backward):
    """Mark a backward that is not itself differentiable: create_graph through it raises."""

    def wrapper(ctx, *grads):
        if _grad.enabled:
            raise RuntimeError(
                f"{ctx.name()} is not differentiable twice (its backward is "
                "once_differentiable)"
            )
        return backward(ctx, *grads)

    return wrapper
