"""`autograd.functional`: Jacobians, Hessians and their products for a function of Tensors,
in PyTorch's spelling (`torch.autograd.functional`).

jacobian(f, x)          J[i..., j...] = d f(x)[i...] / d x[j...]
vjp(f, x, v)            vᵀJ   (one reverse pass)
jvp(f, x, u)            J u   (one forward-mode pass, autograd.forward_ad)
hessian(f, x), hvp(f, x, v), vhp(f, x, v)   second order, for a scalar f

jvp and jacobian(strategy="forward-mode") fall back on the double-backward trick (two
reverse passes, see _jvp_reverse) where forward mode cannot run: inside an active
forward_ad.dual_level (levels do not nest), or through a custom Function without a jvp.

Every result is detached unless `create_graph=True`, so they can be differentiated again.
"""

from autograd import forward_ad
from autograd._tensor import Tensor
from autograd.creation import ones_like, zeros, zeros_like
from autograd.engine import grad
from autograd.grad_mode import enable_grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]

_STRATEGIES = ("forward-mode", "reverse-mode")


def _as_tuple(x, arg, fn):
    """(tuple of Tensors, whether x was a tuple); anything but Tensors is refused."""
    is_tuple = isinstance(x, (tuple, list))
    items = tuple(x) if is_tuple else (x,)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            where = f"{arg}[{i}]" if is_tuple else arg
            raise TypeError(
                f"{fn}: the {where} must be a Tensor or a tuple of Tensors, got {type(t).__name__}"
            )
    return items, is_tuple


def _untuple(items, is_tuple):
    return tuple(items) if is_tuple else items[0]


def _prepare(inputs, create_graph):
    """Fresh leaves to differentiate with respect to; with create_graph an input that already
    requires grad stays attached (through a view), so the result keeps a path back to it."""
    return tuple(
        x.view_as(x) if create_graph and x.requires_grad else x.detach().requires_grad_(True)
        for x in inputs
    )


def _call(func, inputs, fn):
    outputs, is_tuple = _as_tuple(func(*inputs), "output of the user-provided function", fn)
    return outputs, is_tuple


def _check_v(v, outputs, arg, fn, what="output"):
    """v matched to the tensors it multiplies, shape by shape; None only for one scalar."""
    if v is None:
        if len(outputs) != 1 or outputs[0].numel() != 1:
            raise RuntimeError(
                f"{fn}: The vector {arg} can only be None if the user-provided function "
                f"returns a single Tensor with a single element."
            )
        return (ones_like(outputs[0]),)
    v, _ = _as_tuple(v, arg, fn)
    if len(v) != len(outputs):
        raise RuntimeError(
            f"{fn}: {arg} has {len(v)} Tensors but the {what} has {len(outputs)}: they must match"
        )
    for i, (a, b) in enumerate(zip(v, outputs)):
        if tuple(a.shape) != tuple(b.shape):
            raise RuntimeError(
                f"{fn}: Mismatch in shape: {arg}[{i}] has shape {tuple(a.shape)} but the "
                f"{what}[{i}] has shape {tuple(b.shape)}"
            )
    return v


def _grads(outputs, inputs, grad_outputs, create_graph, strict, fn, retain_graph=None):
    """grad() with an unused input giving zeros (or, in strict mode, an error naming it)."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not pairs:
        found = (None,) * len(inputs)
    else:
        found = grad(
            [o for o, _ in pairs],
            inputs,
            [g for _, g in pairs],
            retain_graph=True if retain_graph is None else retain_graph,
            create_graph=create_graph,
            allow_unused=True,
        )
    result = _zeros_for_none(
        found,
        inputs,
        strict,
        lambda i: f"{fn}: The output of the user-provided function is independent of input {i}.",
    )
    return _detach(result, create_graph)


def _zeros_for_none(found, like, strict, independent):
    """found with each None (no path between the two) made zeros shaped as its partner in
    like; in strict mode a None is an error, the message beginning with independent(i)."""
    result = []
    for i, (g, x) in enumerate(zip(found, like)):
        if g is None:
            if strict:
                raise RuntimeError(f"{independent(i)} This is not allowed in strict mode.")
            g = zeros_like(x)
        result.append(g)
    return tuple(result)


def _detach(items, create_graph):
    return tuple(t if create_graph else t.detach() for t in items)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), vᵀ J): the vector-Jacobian product, one reverse pass."""
    inputs, in_tuple = _as_tuple(inputs, "inputs", "vjp")
    with enable_grad():
        x = _prepare(inputs, create_graph)
        outputs, out_tuple = _call(func, x, "vjp")
        v = _check_v(v, outputs, "v", "vjp")
        g = _grads(outputs, x, v, create_graph, strict, "vjp")
    return _untuple(_detach(outputs, create_graph), out_tuple), _untuple(g, in_tuple)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v): the Jacobian-vector product, by forward mode: one pass of func on
    the dual inputs x + v ε."""
    inputs, in_tuple = _as_tuple(inputs, "inputs", "jvp")
    if forward_ad._current() is None:
        try:
            return _jvp_forward(func, inputs, in_tuple, v, create_graph, strict)
        except forward_ad._NoJvpError:
            pass  # a custom Function without jvp: reverse mode can still do it
    return _jvp_reverse(func, inputs, v, create_graph, strict)


def _jvp_forward(func, inputs, in_tuple, v, create_graph, strict):
    with enable_grad():  # func may differentiate its inputs (forward-over-reverse)
        x = _prepare(inputs, create_graph)
        v = _check_v(v, x, "v", "jvp", what="input")
        with forward_ad.dual_level():
            duals = tuple(forward_ad.make_dual(xi, vi) for xi, vi in zip(x, v))
            outputs, out_tuple = _call(func, duals, "jvp")
            tangents = [forward_ad.unpack_dual(o).tangent for o in outputs]
        result = _zeros_for_none(
            tangents,
            outputs,
            strict,
            lambda i: (
                f"jvp: output {i} of the user-provided function is independent of the inputs."
            ),
        )
    outputs = _detach(outputs, create_graph)
    return _untuple(outputs, out_tuple), _untuple(_detach(result, create_graph), out_tuple)


def _jvp_reverse(func, inputs, v, create_graph, strict):
    """J v by the double-backward trick: with u a dummy cotangent, g(u) = uᵀJ is linear in
    u, and d(g·v)/du = J v, two reverse passes for any op whose backward is differentiable."""
    with enable_grad():
        x = _prepare(inputs, create_graph)
        outputs, out_tuple = _call(func, x, "jvp")
        v = _check_v(v, x, "v", "jvp", what="input")
        u = tuple(zeros_like(o, requires_grad=True) for o in outputs)
        g = _grads(outputs, x, u, True, strict, "jvp")
        result = _grads(g, u, v, create_graph, strict, "jvp")
    return _untuple(_detach(outputs, create_graph), out_tuple), _untuple(result, out_tuple)


def _block(vectors, out_shape, x, dim):
    """Flattened rows (dim=0) or columns (dim=1) of J -> a Tensor of out_shape + x.shape."""
    from autograd.functional_ops import stack  # late: it imports the Tensor ops

    shape = out_shape + tuple(x.shape)
    if not vectors:  # an empty output or input: nothing to stack
        return zeros(shape, dtype=x.dtype)
    return stack([t.reshape(-1) for t in vectors], dim=dim).reshape(shape)


def jacobian(
    func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"
):
    """The Jacobian of func at inputs: J[i][j] has shape outputs[i].shape + inputs[j].shape.

    strategy="reverse-mode" takes one vᵀJ per output element (cheap when outputs are few);
    "forward-mode" one J u per input element (cheap when inputs are few). `vectorize` is
    accepted for PyTorch compatibility; rows are computed in a loop either way."""
    if strategy not in _STRATEGIES:
        raise ValueError(
            f'jacobian: Expected strategy to be either "forward-mode" or "reverse-mode", '
            f"got {strategy!r}"
        )
    inputs, in_tuple = _as_tuple(inputs, "inputs", "jacobian")
    with enable_grad():  # forward mode too: func may differentiate its inputs (hessian)
        x = _prepare(inputs, create_graph)
        blocks = None
        if strategy == "forward-mode" and forward_ad._current() is None:
            try:
                blocks, out_tuple = _jacobian_forward(func, x, create_graph, strict)
            except forward_ad._NoJvpError:
                pass  # a custom Function without jvp: the reverse trick can still do it
        if blocks is None:
            outputs, out_tuple = _call(func, x, "jacobian")
            if strategy == "reverse-mode":
                blocks = _jacobian_reverse(outputs, x, create_graph, strict)
            else:
                blocks = _jacobian_forward_trick(func, x, outputs, create_graph, strict)
    rows = tuple(_untuple(row, in_tuple) for row in blocks)
    return _untuple(rows, out_tuple)


def _basis(t, k):
    """The k-th unit vector shaped like t."""
    e = zeros_like(t)
    e.reshape(-1).array[k] = 1  # a fresh contiguous array: the reshape is a view of it
    return e


def _jacobian_reverse(outputs, x, create_graph, strict):
    blocks = []
    for out in outputs:
        per_input = [[] for _ in x]
        for k in range(out.numel()):
            g = _grads((out,), x, (_basis(out, k),), create_graph, strict, "jacobian")
            for j, gj in enumerate(g):
                per_input[j].append(gj)
        blocks.append(tuple(_block(r, tuple(out.shape), xj, 0) for r, xj in zip(per_input, x)))
    return blocks


def _jacobian_forward(func, x, create_graph, strict):
    """Columns J e_k, one forward-mode pass per input element: x_j + e_k ε, the other inputs
    plain. The primal outputs come from the first pass."""
    outputs = out_tuple = None
    columns = []  # columns[j][i]: J e_k of output i for each element k of x[j]
    with forward_ad.dual_level():
        for j, xj in enumerate(x):
            cols = []
            for k in range(xj.numel()):
                args = list(x)
                args[j] = forward_ad.make_dual(xj, _basis(xj, k))
                outs, out_tuple = _call(func, args, "jacobian")
                if outputs is None:
                    outputs = tuple(forward_ad.unpack_dual(o).primal for o in outs)
                cols.append([forward_ad.unpack_dual(o).tangent for o in outs])
            columns.append(cols)
    if outputs is None:  # no input has an element: one plain call for the shapes
        outputs, out_tuple = _call(func, x, "jacobian")
    blocks = []
    for i, out in enumerate(outputs):
        row = []
        for j, xj in enumerate(x):
            col = [c[i] for c in columns[j]]
            if any(t is None for t in col):
                if strict:
                    raise RuntimeError(
                        f"jacobian: The output of the user-provided function is independent of "
                        f"input {j}. This is not allowed in strict mode."
                    )
                col = [zeros_like(out) if t is None else t for t in col]
            row.append(_block(_detach(col, create_graph), tuple(out.shape), xj, 1))
        blocks.append(tuple(row))
    return blocks, out_tuple


def _jacobian_forward_trick(func, x, outputs, create_graph, strict):
    # columns J e_k, one per input element, each through jvp's double-backward product
    u = tuple(zeros_like(o, requires_grad=True) for o in outputs)
    g = _grads(outputs, x, u, True, strict, "jacobian")
    columns = [[None] * len(x) for _ in outputs]  # columns[i][j]: list over x[j]'s elements
    for j, xj in enumerate(x):
        cols = [[] for _ in outputs]
        for k in range(xj.numel()):
            v = tuple(_basis(xi, k) if i == j else zeros_like(xi) for i, xi in enumerate(x))
            jv = _grads(g, u, v, create_graph, strict, "jacobian")
            for i, c in enumerate(jv):
                cols[i].append(c)
        for i, out in enumerate(outputs):
            columns[i][j] = _block(cols[i], tuple(out.shape), xj, 1)
    return [tuple(row) for row in columns]


def _scalar_output(func, fn):
    """func wrapped to check it returns one single-element Tensor, as hessian/hvp require."""

    def checked(*inputs):
        out, is_tuple = _call(func, inputs, fn)
        if is_tuple or out[0].numel() != 1:
            raise RuntimeError(
                f"{fn}: The function given to {fn} should return a single Tensor with a single "
                f"element, got shape {tuple(out[0].shape)}"
                + (f" ({len(out)} outputs)" if is_tuple else "")
            )
        return out[0].reshape(())

    return checked


def hessian(
    func,
    inputs,
    create_graph=False,
    strict=False,
    vectorize=False,
    outer_jacobian_strategy="reverse-mode",
):
    """The Hessian of a scalar func: H[i][j] = d²f / d inputs[i] d inputs[j], of shape
    inputs[i].shape + inputs[j].shape; the Jacobian of the gradient."""
    inputs, in_tuple = _as_tuple(inputs, "inputs", "hessian")
    f = _scalar_output(func, "hessian")

    def gradient(*x):
        out = f(*x)
        return _grads((out,), x, (ones_like(out),), True, strict, "hessian")

    h = jacobian(
        gradient,
        inputs,
        create_graph=create_graph,
        strict=strict,
        vectorize=vectorize,
        strategy=outer_jacobian_strategy,
    )
    return h if in_tuple else h[0][0]


def _vhp(func, inputs, v, create_graph, strict, fn):
    inputs, in_tuple = _as_tuple(inputs, "inputs", fn)
    f = _scalar_output(func, fn)
    with enable_grad():
        x = _prepare(inputs, create_graph)
        out = f(*x)
        v = _check_v(v, x, "v", fn, what="input")
        g = _grads((out,), x, (ones_like(out),), True, strict, fn)
        result = _grads(g, x, v, create_graph, strict, fn)
    return (out if create_graph else out.detach()), _untuple(result, in_tuple)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), vᵀ H) for a scalar func: two reverse passes."""
    return _vhp(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v) for a scalar func; equal to vᵀH since the Hessian of a twice
    continuously differentiable function is symmetric."""
    return _vhp(func, inputs, v, create_graph, strict, "hvp")
