"""`autograd.functional`: Jacobians, Hessians and their products for a function of Tensors,
in PyTorch's spelling (`torch.autograd.functional`).

jacobian(f, x)          J[i..., j...] = d f(x)[i...] / d x[j...]
vjp(f, x, v)            vᵀJ   (one reverse pass)
jvp(f, x, u)            J u   (one forward-mode pass, autograd.forward_ad)
hessian(f, x), hvp(f, x, v), vhp(f, x, v)   second order, for a scalar f

jvp and jacobian(strategy="forward-mode") fall back on the double-backward trick (two
reverse passes, see _jvp_reverse) where forward mode cannot run: inside an active
forward_ad.dual_level (levels do not nest), or through a custom Function without a jvp.

strict=True refuses what PyTorch's refuses, with its exception types and words (naming the
output or input at fault): jvp and hvp then take PyTorch's own route, the double-backward
trick, since forward mode cannot see an input that no output uses; jacobian's forward mode
refuses strict and create_graph, as PyTorch's does.

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


# Strict mode's errors, in PyTorch's words (torch.autograd.functional's _check_requires_grad
# and _fill_in_zeros), each naming the output or input at fault; `fn: ` goes in front.
_NO_GRAD = {
    "outputs": "Output {i} of the user-provided function does not require gradients. The "
    "outputs must be computed in a differentiable manner from the input when running in "
    "strict mode.",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of the "
    "user-provided function. This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided "
    "function with respect to input {i} is independent of the input. This is not allowed in "
    "strict mode. You should ensure that your function is twice differentiable and that the "
    "jacobian depends on the inputs (this would be violated by a linear function for example).",
}
_UNUSED = "The output of the user-provided function is independent of input {i}. This is not "
_UNUSED += "allowed in strict mode."
_NONE = {  # a gradient that found no path, by the pass that looked for it
    "back": _UNUSED,
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
    "grad_outputs when using the double backward trick to compute forward mode gradients. "
    "This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. "
    "This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry "
    "{i} in the grad_jacobian. This is not allowed in strict mode as it prevents from using "
    "the double backward trick to replace forward mode AD.",
}
_CONSTANT = {  # with create_graph: a gradient that exists but has no graph of its own
    "first": "The jacobian of the user-provided function is independent of input {i}. This "
    "is not allowed in strict mode when create_graph=True.",
    "second": "The hessian of the user-provided function is independent of input {i}. This "
    "is not allowed in strict mode when create_graph=True.",
}


def _check_requires_grad(items, kind, strict, fn):
    """Strict mode: each of items (outputs, or gradients found with create_graph) must be on
    the graph; None (no path from an input) or a constant is an error naming its index."""
    if not strict:
        return
    for i, t in enumerate(items):
        if t is None:
            raise RuntimeError(f"{fn}: {_UNUSED.format(i=i)}")
        if not t.requires_grad:
            raise RuntimeError(f"{fn}: {_NO_GRAD[kind].format(i=i)}")


def _raw_grads(outputs, inputs, grad_outputs, create_graph, retain_graph=None):
    """grad() over the outputs that require grad (None where an output is None), an input
    with no path from them None; all None when no output requires grad."""
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return grad(
        [o for o, _ in pairs],
        inputs,
        [g for _, g in pairs],
        retain_graph=True if retain_graph is None else retain_graph,
        create_graph=create_graph,
        allow_unused=True,
    )


def _fill_in_zeros(found, like, strict, create_graph, stage, fn):
    """found with each None made zeros shaped as its partner in like; in strict mode a None
    is an error (worded by the stage that found it), and with create_graph so is a
    gradient off the graph."""
    result = []
    for i, (g, x) in enumerate(zip(found, like)):
        if g is None:
            if strict:
                raise RuntimeError(f"{fn}: {_NONE[stage].format(i=i)}")
            g = zeros_like(x)
        elif strict and create_graph and not g.requires_grad:
            order = "second" if stage.startswith("double") else "first"
            raise RuntimeError(f"{fn}: {_CONSTANT[order].format(i=i)}")
        result.append(g)
    return tuple(result)


def _grads(outputs, inputs, grad_outputs, create_graph, strict, fn, stage="back"):
    """grad() with an unused input giving zeros (or, in strict mode, an error naming it)."""
    found = _raw_grads(outputs, inputs, grad_outputs, create_graph)
    result = _fill_in_zeros(found, inputs, strict, create_graph, stage, fn)
    return _detach(result, create_graph)


def _detach(items, create_graph):
    return tuple(t if create_graph else t.detach() for t in items)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), vᵀ J): the vector-Jacobian product, one reverse pass."""
    inputs, in_tuple = _as_tuple(inputs, "inputs", "vjp")
    with enable_grad():
        x = _prepare(inputs, create_graph)
        outputs, out_tuple = _call(func, x, "vjp")
        _check_requires_grad(outputs, "outputs", strict, "vjp")
        v = _check_v(v, outputs, "v", "vjp")
        g = _grads(outputs, x, v, create_graph, strict, "vjp")
    return _untuple(_detach(outputs, create_graph), out_tuple), _untuple(g, in_tuple)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v): the Jacobian-vector product, by forward mode: one pass of func on
    the dual inputs x + v ε."""
    inputs, in_tuple = _as_tuple(inputs, "inputs", "jvp")
    if forward_ad._current() is None and not strict:
        try:
            return _jvp_forward(func, inputs, in_tuple, v, create_graph)
        except forward_ad._NoJvpError:
            pass  # a custom Function without jvp: reverse mode can still do it
    # strict mode takes PyTorch's own route, the double-backward trick, so that it refuses
    # what PyTorch's refuses (an input no output uses, say), with the same words
    return _jvp_reverse(func, inputs, v, create_graph, strict)


def _jvp_forward(func, inputs, in_tuple, v, create_graph):
    with enable_grad():  # func may differentiate its inputs (forward-over-reverse)
        x = _prepare(inputs, create_graph)
        v = _check_v(v, x, "v", "jvp", what="input")
        with forward_ad.dual_level():
            duals = tuple(forward_ad.make_dual(xi, vi) for xi, vi in zip(x, v))
            outputs, out_tuple = _call(func, duals, "jvp")
            tangents = [forward_ad.unpack_dual(o).tangent for o in outputs]
        result = _fill_in_zeros(tangents, outputs, False, create_graph, "back_trick", "jvp")
    outputs = _detach(outputs, create_graph)
    return _untuple(outputs, out_tuple), _untuple(_detach(result, create_graph), out_tuple)


def _jvp_reverse(func, inputs, v, create_graph, strict):
    """J v by the double-backward trick: with u a dummy cotangent, g(u) = uᵀJ is linear in
    u, and d(g·v)/du = J v, two reverse passes for any op whose backward is differentiable."""
    with enable_grad():
        x = _prepare(inputs, create_graph)
        v = _check_v(v, x, "v", "jvp", what="input")
        outputs, out_tuple = _call(func, x, "jvp")
        _check_requires_grad(outputs, "outputs", strict, "jvp")
        u = tuple(zeros_like(o, requires_grad=True) for o in outputs)
        g = _raw_grads(outputs, x, u, True)
        _check_requires_grad(g, "grad_inputs", strict, "jvp")
        result = _grads(g, u, v, create_graph, strict, "jvp", "back_trick")
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
        raise AssertionError(  # PyTorch's type for it
            f'jacobian: Expected strategy to be either "forward-mode" or "reverse-mode", '
            f"got {strategy!r}"
        )
    if strategy == "forward-mode" and create_graph:
        raise NotImplementedError(
            'jacobian: `create_graph=True` and `strategy="forward-mode"` are not supported '
            "together (yet). Please either set `create_graph=False` or "
            '`strategy="reverse-mode"`.'
        )
    if strategy == "forward-mode" and strict:
        raise RuntimeError(
            'jacobian: `strict=True` and `strategy="forward-mode"` are not supported together '
            '(yet). Please either set `strict=False` or `strategy="reverse-mode"`.'
        )
    inputs, in_tuple = _as_tuple(inputs, "inputs", "jacobian")
    with enable_grad():  # forward mode too: func may differentiate its inputs (hessian)
        x = _prepare(inputs, create_graph)
        blocks = None
        if strategy == "forward-mode" and forward_ad._current() is None:
            try:
                blocks, out_tuple = _jacobian_forward(func, x)
            except forward_ad._NoJvpError:
                pass  # a custom Function without jvp: the reverse trick can still do it
        if blocks is None:
            outputs, out_tuple = _call(func, x, "jacobian")
            if strategy == "reverse-mode":
                _check_requires_grad(outputs, "outputs", strict, "jacobian")
                if vectorize and strict:
                    raise RuntimeError(
                        "jacobian: `strict=True` and `vectorized=True` are not supported "
                        "together. Please either set `strict=False` or `vectorize=False`."
                    )
                blocks = _jacobian_reverse(outputs, x, create_graph, strict)
            else:
                blocks = _jacobian_forward_trick(func, x, outputs)
    rows = tuple(_untuple(row, in_tuple) for row in blocks)
    return _untuple(rows, out_tuple)


def _basis(t, k):
    """The k-th unit vector shaped like t."""
    e = zeros_like(t)
    e.reshape(-1).array[k] = 1  # a fresh contiguous array: the reshape is a view of it
    return e


def _jacobian_reverse(outputs, x, create_graph, strict):
    blocks = []
    for i, out in enumerate(outputs):
        per_input = [[] for _ in x]
        for k in range(out.numel()):
            found = _raw_grads((out,), x, (_basis(out, k),), create_graph)
            for j, (g, xj) in enumerate(zip(found, x)):
                if g is None:
                    if strict:
                        raise RuntimeError(
                            f"jacobian: Output {i} of the user-provided function is independent "
                            f"of input {j}. This is not allowed in strict mode."
                        )
                    g = zeros_like(xj)
                elif strict and create_graph and not g.requires_grad:
                    raise RuntimeError(
                        f"jacobian: The jacobian of the user-provided function (output {i}) is "
                        f"independent of input {j}. This is not allowed in strict mode when "
                        "create_graph=True."
                    )
                per_input[j].append(g if create_graph else g.detach())
        blocks.append(tuple(_block(r, tuple(out.shape), xj, 0) for r, xj in zip(per_input, x)))
    return blocks


def _jacobian_forward(func, x):
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
            col = [zeros_like(out) if c[i] is None else c[i].detach() for c in columns[j]]
            row.append(_block(col, tuple(out.shape), xj, 1))
        blocks.append(tuple(row))
    return blocks, out_tuple


def _jacobian_forward_trick(func, x, outputs):
    # columns J e_k, one per input element, each through jvp's double-backward product
    u = tuple(zeros_like(o, requires_grad=True) for o in outputs)
    g = _grads(outputs, x, u, True, False, "jacobian")
    columns = [[None] * len(x) for _ in outputs]  # columns[i][j]: list over x[j]'s elements
    for j, xj in enumerate(x):
        cols = [[] for _ in outputs]
        for k in range(xj.numel()):
            v = tuple(_basis(xi, k) if i == j else zeros_like(xi) for i, xi in enumerate(x))
            jv = _grads(g, u, v, False, False, "jacobian")
            for i, c in enumerate(jv):
                cols[i].append(c)
        for i, out in enumerate(outputs):
            columns[i][j] = _block(cols[i], tuple(out.shape), xj, 1)
    return [tuple(row) for row in columns]


def _scalar_output(func, fn, strict):
    """func wrapped to check it returns one single-element Tensor, as hessian/hvp require
    (and in strict mode, first, that it is on the graph)."""

    def checked(*inputs):
        out, is_tuple = _call(func, inputs, fn)
        _check_requires_grad(out, "outputs", strict, fn)
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
    f = _scalar_output(func, "hessian", strict)

    def gradient(*x):
        out = f(*x)
        g = _grads((out,), x, (ones_like(out),), True, False, "hessian")
        _check_requires_grad(g, "jacobian", strict, "hessian")  # zeros for an unused input
        return g

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
    f = _scalar_output(func, fn, strict)
    with enable_grad():
        x = _prepare(inputs, create_graph)
        v = _check_v(v, x, "v", fn, what="input")
        out = f(*x)
        g = _raw_grads((out,), x, (ones_like(out),), True)
        _check_requires_grad(g, "jacobian", strict, fn)
        if fn == "hvp" and strict:
            # PyTorch's route for H v, the double-backward trick (d/du of uᵀH v), so that
            # strict mode refuses what PyTorch's does, in its words
            u = tuple(zeros_like(xi, requires_grad=True) for xi in x)
            uh = _raw_grads(g, x, u, True)
            result = _grads(uh, u, v, create_graph, strict, fn, "double_back_trick")
        else:
            result = _grads(g, x, v, create_graph, strict, fn, "double_back")
    return (out if create_graph else out.detach()), _untuple(result, in_tuple)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), vᵀ H) for a scalar func: two reverse passes."""
    return _vhp(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v) for a scalar func; equal to vᵀH since the Hessian of a twice
    continuously differentiable function is symmetric (strict mode takes PyTorch's own
    route, the double-backward trick)."""
    return _vhp(func, inputs, v, create_graph, strict, "hvp")
