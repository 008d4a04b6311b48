"""gradcheck / gradgradcheck: analytic gradients against central finite differences (float64)."""

from autograd._tensor import Tensor
from autograd.engine import grad as _grad
from autograd.grad_mode import enable_grad, no_grad

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(RuntimeError):
    """Analytic and numerical gradients disagree; the message names input, element and values."""


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _float_outputs(out):
    return tuple(o for o in _as_tuple(out) if isinstance(o, Tensor) and o.dtype.kind == "f")


def _flat_index(shape, k):
    index = []
    for s in reversed(shape):
        index.append(k % s)
        k //= s
    return tuple(reversed(index))


def _fail(msg, raise_exception):
    if raise_exception:
        raise GradcheckError(msg)
    return False


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Check d fn(inputs) / d inputs, element by element, against (f(x+eps) - f(x-eps)) / 2eps.

    Every input that requires grad must be float64. Returns True, or raises `GradcheckError`
    naming the output, input, element and both values (returns False if raise_exception=False).
    """
    inputs = _as_tuple(inputs)
    wrt = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not wrt:
        raise ValueError("gradcheck expects at least one input tensor with requires_grad=True")
    for i in wrt:
        if inputs[i].dtype.kind != "f" or inputs[i].dtype.itemsize != 8:
            raise ValueError(
                f"gradcheck: input {i} has dtype {inputs[i].dtype}; finite differences need "
                "float64 (use .double())"
            )
    outputs = _float_outputs(fn(*inputs))
    analytic = _analytic(outputs, [inputs[i] for i in wrt])
    numeric = _numeric(fn, inputs, wrt, eps)
    for o, out in enumerate(outputs):
        for j, i in enumerate(wrt):
            a, n = analytic[o][j], numeric[o][j]
            for r, (arow, nrow) in enumerate(zip(a, n)):
                for c, (av, nv) in enumerate(zip(arow, nrow)):
                    if not abs(av - nv) <= atol + rtol * abs(nv):
                        return _fail(
                            f"Jacobian mismatch for output {o} with respect to input {i}: "
                            f"d out{list(_flat_index(out.shape, r))} / d in"
                            f"{list(_flat_index(inputs[i].shape, c))}: analytic {av!r} vs "
                            f"numerical {nv!r} (|diff| {abs(av - nv):.3g} > atol {atol} + "
                            f"rtol {rtol} * |numerical|)",
                            raise_exception,
                        )
    return True


def _analytic(outputs, xs):
    """J[o][j][r][c] = d outputs[o].flat[r] / d xs[j].flat[c], one backward per output element."""
    jac = []
    for out in outputs:
        rows = [[[0.0] * x.array.size for _ in range(out.array.size)] for x in xs]
        if out.requires_grad:
            for r in range(out.array.size):
                seed = out.xp.zeros(out.shape, dtype=out.dtype)
                seed.reshape(-1)[r] = 1.0
                grads = _grad(
                    out, xs, Tensor(seed, device=out.device), retain_graph=True, allow_unused=True
                )
                for j, g in enumerate(grads):
                    if g is not None:
                        rows[j][r] = [float(v) for v in g.array.reshape(-1).tolist()]
        jac.append(rows)
    return jac


def _numeric(fn, inputs, wrt, eps):
    """The same Jacobian by central differences, perturbing each input element in place."""
    with no_grad():
        base = _float_outputs(fn(*inputs))
        jac = [[[[0.0] * inputs[i].array.size for _ in range(o.array.size)] for i in wrt]
               for o in base]  # fmt: skip
        for j, i in enumerate(wrt):
            flat = inputs[i].array.reshape(-1)
            for c in range(flat.size):
                orig = flat[c].item()  # explicit: device arrays refuse float()
                flat[c] = orig + eps
                plus = [o.array.reshape(-1).tolist() for o in _float_outputs(fn(*inputs))]
                flat[c] = orig - eps
                minus = [o.array.reshape(-1).tolist() for o in _float_outputs(fn(*inputs))]
                flat[c] = orig
                for o in range(len(base)):
                    for r, (p, m) in enumerate(zip(plus[o], minus[o])):
                        jac[o][j][r][c] = (p - m) / (2 * eps)
    return jac


def gradgradcheck(
    fn, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True
):
    """Check second derivatives: gradcheck of (inputs, v) -> grad(fn(inputs), inputs, v)."""
    from autograd.creation import randn

    inputs = _as_tuple(inputs)
    wrt = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if grad_outputs is None:
        outs = _float_outputs(fn(*inputs))
        grad_outputs = tuple(
            randn(o.shape, dtype=o.dtype, device=o.device, requires_grad=True) for o in outs
        )
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)

    @enable_grad()  # gradcheck's finite differences run under no_grad; this needs a graph
    def first_derivative(*args):
        xs, vs = args[:n], args[n:]
        outs = _float_outputs(fn(*xs))
        live = [(o, v) for o, v in zip(outs, vs) if o.requires_grad]
        if not live:
            return ()
        grads = _grad(
            [o for o, _ in live],
            [xs[i] for i in wrt],
            [v for _, v in live],
            create_graph=True,
            allow_unused=True,
        )
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivative, inputs + grad_outputs, eps, atol, rtol, raise_exception)
