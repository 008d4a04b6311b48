"""In-place writes, version counters and views: what keeps a gradient right when storage
changes under a recorded graph.

Invariants (each function below keeps them; any new code that writes a tensor's storage in
place must go through `inplace`, or call `bump` itself):

1. **A version counter counts the in-place writes to one storage.** `t._vc` is
   `[version, views]`, created on first need (`shared_vc`); `None` means version 0 and no
   view was ever taken. Every write bumps it (`bump`): recorded ops, writes under no_grad,
   optimizer steps, `.grad` accumulated in place, the collectives of autograd.distributed.
   Writes through `.data` are the one exception, as in PyTorch (`.data` gets no counter).
2. **Tensors that share storage share the counter object**: a view and its base
   (`register_view`), `detach()` and its source, a Function's output and the input or saved
   tensor it returns. A write through any of them is seen by all.
3. **A saved tensor is stale when its counter moved since it was saved**: `Node.
   save_for_backward` records the versions (only when some saved tensor has a counter) and
   `Node.saved_tensors` compares them; a stale one raises instead of giving a wrong gradient.
4. **The epoch shortcut**: `epoch[0]` counts every bump of every counter (`bump` is where
   both move). A node compares versions only when the epoch moved since it saved, so a graph
   with no in-place op in its lifetime never pays for the check. This is safe because no
   counter moves without the epoch moving (invariant 1: every write bumps both).
5. **Views**: a view knows its root base (the tensor that is no one's view) and the steps
   that derive it from the root (`t._view_of = (root, steps)`); the root's counter lists its
   live views weakly. A recorded write into a view rebases the root onto a graph that
   writes the new values into the view's region (`_rebase_root`, PyTorch's CopySlices), and
   after any recorded write every live view of the root is derived again from the root's new
   graph (`_refresh_views`). A view that is gone costs nothing.

The gradient a leaf accumulates is stolen, not copied, when nothing else holds it
(`accumulate`, with `_sole_owner`'s reference count); see `_sole_owner` for why that count
is exact and why its failure mode is only a copy.
"""

from sys import getrefcount
from weakref import ref as _weakref

from autograd._lazy import LazyModule
from autograd._tensor import Tensor, _as_tensor, _wrap
from autograd.grad_mode import state as _grad
from backends import DeviceError, dtypes

__all__ = [
    "inplace",
    "copy_",
    "bump",
    "shared_vc",
    "register_view",
    "view_dtype",
    "accumulate",
    "epoch",
]

# The ops and the Function machinery import this module (views, versions): theirs are read
# on first use.
ops = LazyModule("autograd.ops", globals(), "ops")
_function = LazyModule("autograd.function", globals(), "_function")

# Bumped with every version counter (invariant 4): while it is unchanged, no saved tensor can
# have changed.
epoch = [0]


def bump(t):
    """t's storage was written in place: its version and the epoch move (invariants 1, 4)."""
    vc = t._vc
    if vc is None:
        vc = t._vc = [0, False]
    vc[0] += 1
    epoch[0] += 1


def shared_vc(t):
    """The version counter `t` shares with its views, created on first need."""
    vc = t._vc
    if vc is None:
        vc = t._vc = [0, False]
    return vc


def accumulate(t, grad, create_graph):
    """t.grad += grad, for the engine (as `Tensor._accumulate`). A first gradient that
    nothing else holds becomes .grad itself, as PyTorch's AccumulateGrad steals a gradient
    whose use count is 1: no copy of an array only the engine holds."""
    if t.grad is None and not create_graph and _sole_owner(grad, t.dtype):
        t._grad = _wrap(grad.array, grad._backend)
        return
    _function._accumulate_into(t, grad, create_graph)  # copies: no two tensors share a .grad


def copy_(t, src):
    """t's values replaced by src's (broadcast, cast to t's dtype, moved to t's device)."""
    src = _as_tensor(src, t)
    if src._backend is not t._backend:  # copy_ moves across devices, as torch's
        src = src.to(t.device)
    return inplace(t, ops.Copy, src)


def register_view(base, out, fn, args):
    """Record that `out` = fn.apply(base, *args) shares base's storage (invariants 2, 5)."""
    vc = base._vc
    if vc is None:
        vc = base._vc = [0, False]
    out._vc = vc
    step = (fn, args, base.array.shape)
    view = base._view_of
    out._view_of = (base, (step,)) if view is None else (view[0], view[1] + (step,))
    views = vc[1]
    if not views:
        views = vc[1] = []
    views.append(_weakref(out))
    n = len(views)
    if n >= 32 and not n & (n - 1):  # at powers of two: amortised O(1) pruning
        views[:] = [r for r in views if r() is not None]


def _live_views(root):
    vc = root._vc
    views = vc[1] if vc is not None else None
    if not views:
        return []
    out = []
    for ref in views:
        v = ref()
        if v is not None and v._view_of is not None and v._view_of[0] is root:
            out.append(v)
    return out


def _derive(root, steps):
    v = root
    for fn, args, _ in steps:
        v = fn.apply(v, *args)
    return v


def _refresh_views(root, views):
    """Derive each live view of root again from root's current graph (PyTorch rebases a
    view's grad_fn the same way after an in-place op on its base)."""
    for v in views:
        steps = v._view_of[1]
        if any(fn is _ViewDtype for fn, _, _ in steps):
            continue  # not differentiable: nothing to rebase
        nv = _derive(root, steps)
        v.grad_fn = nv.grad_fn
        v._requires_grad = nv._requires_grad


def _rebase_root(root, steps, new):
    """The root after its view (root seen through steps) takes the values of `new`:
    root + A(new - V(root)), with V the view and A its adjoint (scatter back into the
    root's shape). Gradient: to root, grad with the view's region zeroed; to new, V(grad)."""
    from autograd.ops.shape import sum_to

    d = new - _derive(root, steps)
    for fn, args, in_shape in reversed(steps):
        if fn is ops.GetItem:
            d = ops.IndexAdd.apply(d, args[0], in_shape)
        elif fn is ops.Reshape:
            d = ops.Reshape.apply(d, in_shape)
        elif fn is ops.Permute:
            dims = args[0]
            d = ops.Permute.apply(d, tuple(sorted(range(len(dims)), key=dims.__getitem__)))
        elif fn is ops.Expand:
            d = sum_to(d, in_shape)
        else:
            raise AssertionError(f"no adjoint for view step {fn.__name__}")
    return root + d


_OVERLAP = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation."
)


def _overlaps(a):
    """Whether two elements of array a share memory (a stride 0 over a dim of size > 1:
    expand's views; PyTorch checks the same)."""
    strides = a.strides
    if 0 not in strides or a.size == 0:
        return False
    return any(st == 0 and n > 1 for st, n in zip(strides, a.shape))


def _written(t, fn, args):
    """The part of t's array that an in-place fn writes."""
    if fn is ops.SetItem:
        index = args[1]
        if index.__class__ is ops.index.Advanced:
            return None  # index_put_ warns, no more (PyTorch)
        return t.array[index + (Ellipsis,)]
    return t.array


def inplace(t, fn, *args):
    """Apply `fn` out of place, then write the result into t's storage and bump its version.

    When the graph is recorded the old value becomes the op's input (copied, since the
    storage is about to change) and t takes the op's node as its grad_fn. Writing into a
    view rebases its root, and every live view of the root is derived again (see
    invariant 5 in the module docstring).
    """
    written = _written(t, fn, args)
    if written is not None and fn is not ops.Fill and _overlaps(written):
        raise RuntimeError(_OVERLAP)  # fill_ writes one value: no element can disagree
    record = (
        _grad.enabled
        and t.array.dtype.kind == "f"  # no gradient flows into an integer or bool tensor
        and (t.requires_grad or any(isinstance(a, Tensor) and a.requires_grad for a in args))
    )
    level = _function._dual_level  # forward mode: t's tangent follows its new value
    view = t._view_of
    name = fn.__name__.lower()
    if record:
        if t.grad_fn is None and t.requires_grad:
            raise RuntimeError(
                f"a leaf Variable that requires grad is being used in an in-place operation "
                f"({name}_ on a tensor of shape {tuple(t.shape)}). "
                "Wrap it in `with no_grad():` or use the out-of-place op."
            )
        if view is not None:
            root = view[0]
            if root.grad_fn is None and root.requires_grad:
                raise RuntimeError(
                    f"a view of a leaf Variable that requires grad is being used in an in-place "
                    f"operation ({name}_ on a view of shape {tuple(t.shape)} of a leaf of shape "
                    f"{tuple(root.shape)}). Wrap it in `with no_grad():` or clone() the leaf."
                )
            if any(step[0] is _ViewDtype for step in view[1]):
                raise RuntimeError(
                    f"in-place {name}_ with gradients recorded on a view(dtype) of a tensor: "
                    "such a view is not differentiable. Use the out-of-place op."
                )
        old = _wrap(t.array.copy(), t._backend)
        old._requires_grad = t._requires_grad
        old.grad_fn = t.grad_fn
        if level is not None:
            level.transfer(t, old)
        out = fn.apply(old, *args)
    elif level is None and (
        (fn._inplace is not None and _direct_ok(fn, t, args)) or fn is ops.SetItem
    ):
        # Nothing recorded: compute straight into t's storage (optimizer steps, no_grad code).
        if fn is ops.SetItem:
            value = args[0]
            if isinstance(value, Tensor) and value._backend is not t._backend:
                raise DeviceError(
                    f"index_put_: the value is on {value.device}, the tensor on {t.device}"
                )
            ops.SetItem.write(t.array, value, args[1])
            bump(t)
        else:
            _inplace_direct(t, fn, *args)
        return t
    else:
        out = fn.apply(t, *args)
    if out.shape != t.shape:
        raise RuntimeError(
            f"output with shape {tuple(t.shape)} doesn't match the broadcast shape "
            f"{tuple(out.shape)} in {name}_"
        )
    if out.dtype != t.dtype and not dtypes.can_cast(out.dtype, t.dtype):
        raise RuntimeError(
            f"result type {dtypes.torch_name(out.dtype)} can't be cast to the desired output "
            f"type {dtypes.torch_name(t.dtype)} (in {name}_)"
        )
    if record and out.grad_fn is not None and out.array.dtype != t.array.dtype:
        # the gradient arriving is t's (float16 a.mul_(0-d float32 b)): the rule computes in
        # t's dtype, as PyTorch's, not in the op's wider result dtype (t a view or not)
        out.grad_fn._dtype = t.array.dtype
    if record and view is not None:
        new_root = _rebase_root(root, view[1], out)  # reads the root before the write
    if fn is ops.SetItem:
        _write_index(t.array, args[1], out.array)  # only the indexed region changes
    else:
        t.array[...] = out.array
    bump(t)
    if level is not None:
        level.transfer(out, t)
    if record:
        if view is None:
            root = t
            _take_graph(t, out)
        else:
            _take_graph(root, new_root)
        views = _live_views(root)
        if views:
            _refresh_views(root, views)
    return t


def _take_graph(t, out):
    """t (written in place) now stands for out's value in the graph."""
    prev = t.grad_fn
    t.grad_fn = out.grad_fn
    t._requires_grad = out._requires_grad
    if prev is not None and prev._retain:
        # retain_grad() follows t to its new value (as PyTorch): .grad is d/d(new t).
        prev._retain = False
        t.grad_fn._retain = True
        t.grad_fn._out = prev._out


def _write_index(a, index, values):
    """a[index] = values[index]: the region of a setitem, from the full result."""
    if index.__class__ is ops.index.Advanced:
        if not index.empty:
            region = index.basic + (Ellipsis,)
            a[region][index.adv] = values[region][index.adv]
    else:
        region = index + (Ellipsis,)
        a[region] = values[region]


class _ViewDtype:
    """The step of a view(dtype): a reinterpretation of bits, not differentiable."""

    @staticmethod
    def apply(x, dtype):
        return view_dtype(x, dtype)


_TORCH_NAMES = {
    "float32": "Float", "float64": "Double", "float16": "Half", "uint8": "Byte",
    "int8": "Char", "int16": "Short", "int32": "Int", "int64": "Long", "bool": "Bool",
}  # fmt: skip


def view_dtype(x, dtype):
    """x's bits read as dtype, as Tensor.view(dtype): the same shape for the same itemsize,
    else the last dim scaled by the ratio of itemsizes (PyTorch's errors where it cannot)."""
    a = x.array
    old, new = a.dtype.itemsize, dtypes.as_dtype(dtype).itemsize
    if old != new:
        what = (
            f"to view {_TORCH_NAMES.get(a.dtype.name, a.dtype.name)} as "
            f"{_TORCH_NAMES.get(dtypes.as_dtype(dtype).name, str(dtype))} (different element sizes)"
        )
        if a.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {what}")
        if a.shape[-1] != 1 and a.strides[-1] != old:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {a.strides[-1] // old}")
        if new > old:
            k = new // old
            if a.shape[-1] % k:
                raise RuntimeError(
                    f"self.size(-1) must be divisible by {k} {what}, but got {a.shape[-1]}"
                )
            offset = _storage_offset(a)
            if offset % k:
                raise RuntimeError(
                    f"self.storage_offset() must be divisible by {k} {what}, but got {offset}"
                )
            for d in range(a.ndim - 1):
                if (a.strides[d] // old) % k:
                    raise RuntimeError(
                        f"self.stride({d}) must be divisible by {k} {what}, but got "
                        f"{a.strides[d] // old}"
                    )
        if a.size == 0:
            shape = a.shape[:-1] + (a.shape[-1] * old // new,)
            out = _wrap(x.xp.empty(shape, dtype=dtype), x._backend)
            register_view(x, out, _ViewDtype, (dtype,))
            return out
    out = _wrap(a.view(dtype), x._backend)  # not differentiable (PyTorch): no graph
    register_view(x, out, _ViewDtype, (dtype,))
    return out


def _storage_offset(a):
    """a's offset in elements from the start of the array that owns its memory."""
    base = a
    while getattr(base, "base", None) is not None and hasattr(base.base, "dtype"):
        base = base.base
    start = getattr(a, "__array_interface__", None)
    if start is not None:
        return (start["data"][0] - base.__array_interface__["data"][0]) // a.dtype.itemsize
    return (a.data.ptr - base.data.ptr) // a.dtype.itemsize  # cupy


def _direct_ok(fn, t, args):
    """Whether numpy's own `op=` computes what PyTorch's promotion does: copy_, or a float
    tensor beside a tensor of its dtype or a Python number (float16 aside: PyTorch computes
    that in float32). Everything else takes the out-of-place route and a checked cast."""
    if fn is ops.Copy:
        return True
    dt = t.array.dtype
    if dt.kind != "f" or dt == dtypes.float16:
        return False
    other = args[0]
    if other.__class__ is Tensor:
        return other.array.dtype == dt
    return other.__class__ is float or other.__class__ is int


def _inplace_direct(t, fn, other):
    """t.array op= other, with the errors of the out-of-place route; bumps t's version."""
    if isinstance(other, Tensor):
        if other._backend is not t._backend:
            raise DeviceError(
                f"{fn.__name__.lower()}_: expected both tensors on the same device, got "
                f"{t.device} and {other.device}"
            )
        other = other.array
    try:
        fn._inplace(t.array, other)
    except ValueError:
        if not t.array.flags.writeable:
            raise RuntimeError(
                f"{fn.__name__.lower()}_: the tensor's memory is read-only (a read-only array "
                "given to from_numpy?); clone() it first"
            ) from None
        raise RuntimeError(
            f"output with shape {tuple(t.shape)} doesn't match the broadcast shape of "
            f"{tuple(t.shape)} and {tuple(getattr(other, 'shape', ()))} in "
            f"{fn.__name__.lower()}_"
        ) from None
    except TypeError:  # numpy's casting error: a float result into an integer tensor
        raise RuntimeError(
            f"result type of {fn.__name__.lower()}_ can't be cast to the desired output type "
            f"{t.dtype}"
        ) from None
    bump(t)


def _sole_owner(t, dtype):
    """Whether gradient t, which the engine hands to `accumulate` holding it in one variable
    only, is referenced from nowhere else, nor its array (no other tensor, no view, no hook
    that kept it), and has the given dtype.

    The references counted are exactly those the call chain makes: to t, the engine's
    variable, `accumulate`'s and this function's arguments and getrefcount's own; to its
    array a, t.array, the local a and getrefcount's. An explicit "owned" flag would need the
    engine to track which gradient arrays reached two leaves (an add hands one array to both
    operands) and which a hook kept; the count answers that in O(1). Its failure mode is
    safe: a frame added between the engine and here raises the count, so the gradient is
    copied (slower), never shared. `Tensor._accumulate` is this module's `accumulate` itself,
    not a wrapper, for that reason."""
    a = t.array
    return a.base is None and a.dtype == dtype and getrefcount(t) == 4 and getrefcount(a) == 3
