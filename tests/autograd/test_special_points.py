"""Forward values and gradients at each differentiable primitive's special points, against
PyTorch: 0 and -0, +-inf, saturation (sigmoid(30.) is 1.0 in float32), ties (max, min,
maximum, minimum, clamp at its bounds, abs and relu at 0), zero variance, 0^0, log(0),
sqrt(0), division by 0. NaN only where PyTorch gives NaN, in float32 and float64.

One row per op: the inputs as lists of points (binary ops take every pair), evaluated in one
vectorised call; the upstream gradient is all ones (elementwise ops) or a fixed pattern.
"""

import dataclasses
import itertools
import math
import warnings
from typing import Callable, Optional

import numpy as np
import pytest
import torch
import torch.nn.functional as torch_F

import autograd
import nn.functional as F

INF = math.inf
# Where elementwise ops change behaviour: signed zeros, infinities, +-1, and saturation.
POINTS = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 30.0, -30.0, 100.0, -100.0, INF, -INF]
EXPONENTS = [0.0, 0.5, 1.0, 2.0, 3.0, -0.5, -1.0, -2.0, 1.5]
PROBS = [0.0, 1.0, 1e-8, 1.0 - 1e-7, 0.5, float(torch.sigmoid(torch.tensor(30.0)))]


@dataclasses.dataclass(frozen=True)
class Row:
    name: str
    fn: Callable  # fn(lib, *tensors), lib = (autograd, nn.functional) or (torch, torch F)
    inputs: tuple  # one list of points per input, or a tuple of full vectors (pairs=False)
    pairs: bool = True  # binary rows: every pair of points
    torch_fn: Optional[Callable] = None

    def __repr__(self):
        return self.name


OURS = (autograd, F)
THEIRS = (torch, torch_F)


def unary(name, fn, points=POINTS, torch_fn=None):
    return Row(name, fn, (points,), torch_fn=torch_fn)


def binary(name, fn, xs=POINTS, ys=POINTS, torch_fn=None):
    return Row(name, fn, (xs, ys), torch_fn=torch_fn)


def vectors(name, fn, *vecs, torch_fn=None):
    """A row whose inputs are whole vectors (reductions): one case per vector tuple."""
    return Row(name, fn, vecs, pairs=False, torch_fn=torch_fn)


CONSTANT = [2.0, 2.0, 2.0, 2.0]
TIED = [1.0, 3.0, 3.0, -1.0]
WITH_ZERO = [0.0, 2.0, -3.0, 0.5]
TWO_ZEROS = [0.0, 2.0, 0.0, 0.5]
WITH_INF = [1.0, INF, 2.0, -1.0]
WITH_NEG_INF = [1.0, -INF, 2.0, -1.0]
ALL_NEG_INF = [-INF, -INF, -INF, -INF]
SINGLE = [3.0]
REDUCED = (CONSTANT, TIED, WITH_ZERO, TWO_ZEROS, WITH_INF, WITH_NEG_INF, ALL_NEG_INF, SINGLE)

ROWS = [
    # ---------------------------------------------------------------- binary
    binary("add", lambda L, x, y: x + y),
    binary("sub", lambda L, x, y: x - y),
    binary("mul", lambda L, x, y: x * y),
    binary("div", lambda L, x, y: x / y),
    binary("pow", lambda L, x, y: x**y, POINTS, EXPONENTS + [INF, -INF, 0.25]),
    unary("pow_scalar_2", lambda L, x: x**2),
    unary("pow_scalar_0", lambda L, x: x**0),
    unary("pow_scalar_1", lambda L, x: x**1),
    unary("pow_scalar_half", lambda L, x: x**0.5),
    unary("pow_scalar_minus_half", lambda L, x: x**-0.5),
    unary("pow_scalar_minus_1", lambda L, x: x**-1),
    unary("pow_scalar_3", lambda L, x: x**3),
    unary("pow_scalar_base_2", lambda L, y: 2.0**y, EXPONENTS + [INF, -INF]),
    unary("pow_scalar_base_0", lambda L, y: 0.0**y, EXPONENTS + [INF, -INF]),
    unary("pow_scalar_base_negative", lambda L, y: (-2.0) ** y, EXPONENTS + [INF, -INF]),
    binary("maximum", lambda L, x, y: L[0].maximum(x, y)),
    binary("minimum", lambda L, x, y: L[0].minimum(x, y)),
    binary("where", lambda L, x, y: L[0].where(x > y, x, y)),
    binary(
        "bce",
        lambda L, x, y: L[1].binary_cross_entropy(x, y, reduction="none"),
        PROBS,
        [0.0, 1.0, 0.3],
    ),
    binary(
        "bce_with_logits",
        lambda L, x, y: L[1].binary_cross_entropy_with_logits(x, y, reduction="none"),
        POINTS,
        [0.0, 1.0, 0.3],
    ),
    binary(
        "bce_with_logits_pos_weight",
        lambda L, x, y: L[1].binary_cross_entropy_with_logits(
            x, y, reduction="none", pos_weight=L[0].tensor([2.0], dtype=x.dtype)
        ),
        POINTS,
        [0.0, 1.0, 0.3],
    ),
    # ---------------------------------------------------------------- unary
    unary("neg", lambda L, x: -x),
    unary("exp", lambda L, x: x.exp()),
    unary("log", lambda L, x: x.log()),
    unary("log1p", lambda L, x: x.log1p(), POINTS + [1e-8, -1e-8]),
    unary("expm1", lambda L, x: x.expm1(), POINTS + [1e-8, -1e-8]),
    unary("sqrt", lambda L, x: x.sqrt()),
    unary("sqrt_chained", lambda L, x: (x * x).sqrt()),
    unary("rsqrt", lambda L, x: x.rsqrt()),
    unary("reciprocal", lambda L, x: x.reciprocal()),
    unary("square", lambda L, x: x.square()),
    unary("sin", lambda L, x: x.sin()),
    unary("cos", lambda L, x: x.cos()),
    unary("tanh", lambda L, x: x.tanh()),
    unary("sigmoid", lambda L, x: x.sigmoid()),
    unary("relu", lambda L, x: x.relu()),
    unary("abs", lambda L, x: x.abs()),
    unary("sign", lambda L, x: x.sign()),
    unary("clamp", lambda L, x: x.clamp(-1.0, 2.0)),
    unary("clamp_min", lambda L, x: x.clamp(min=0.0)),
    unary("clamp_max", lambda L, x: x.clamp(max=0.5)),
    # ---------------------------------------------------------------- reductions
    vectors("sum", lambda L, x: x.sum(), *REDUCED),
    vectors("mean", lambda L, x: x.mean(), *REDUCED),
    vectors("var", lambda L, x: x.var(), *REDUCED),
    vectors("std", lambda L, x: x.std(), *REDUCED),
    vectors("std_biased", lambda L, x: x.std(correction=0), *REDUCED),
    vectors("var_sqrt", lambda L, x: x.var().sqrt(), *REDUCED),
    vectors("prod", lambda L, x: x.prod(), *REDUCED),
    vectors("amax", lambda L, x: x.amax(), *REDUCED),
    vectors("amin", lambda L, x: x.amin(), *REDUCED),
    vectors("max", lambda L, x: x.max(), *REDUCED),
    vectors("min", lambda L, x: x.min(), *REDUCED),
    vectors("max_dim", lambda L, x: x.max(0)[0], *REDUCED),
    vectors("min_dim", lambda L, x: x.min(0)[0], *REDUCED),
    vectors("logsumexp", lambda L, x: x.logsumexp(0), *REDUCED),
    vectors("softmax", lambda L, x: x.softmax(0), *REDUCED),
    vectors("log_softmax", lambda L, x: x.log_softmax(0), *REDUCED),
    vectors("layer_norm", lambda L, x: L[1].layer_norm(x, (4,)), CONSTANT, TIED, WITH_ZERO),
    vectors(
        "batch_norm",
        lambda L, x: L[1].batch_norm(x.reshape(4, 1), None, None, training=True),
        CONSTANT,
        TIED,
        WITH_ZERO,
    ),  # fmt: skip
    vectors("normalise_by_std", lambda L, x: (x - x.mean()) / (x.std() + 1e-5), CONSTANT, TIED),
    vectors("mse_loss", lambda L, x: L[1].mse_loss(x, L[0].zeros_like(x) + 2.0), *REDUCED),
]


def _cases(row):
    if not row.pairs:
        return [(v,) for v in row.inputs]
    if len(row.inputs) == 1:
        return [row.inputs]
    xs, ys = zip(*itertools.product(*row.inputs))
    return [(list(xs), list(ys))]


def _run(lib, row, arrays, dtype):
    tdtype = getattr(torch, dtype) if lib is THEIRS else getattr(autograd, dtype)
    leaves = [lib[0].tensor(a, dtype=tdtype, requires_grad=True) for a in arrays]
    out = (row.torch_fn or row.fn)(lib, *leaves) if lib is THEIRS else row.fn(lib, *leaves)
    weights = np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape))
    (out * lib[0].tensor(weights, dtype=tdtype)).sum().backward()
    grads = [None if t.grad is None else t.grad.detach().numpy().astype(np.float64) for t in leaves]
    return out.detach().numpy().astype(np.float64), grads


def _same(ours, theirs, what, dtype, atol=1e-30):  # atol: float32's subnormals
    rtol = 1e-5 if dtype == "float32" else 1e-10
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs), err_msg=f"{what}: NaNs")
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=what)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("row", ROWS, ids=repr)
def test_special_points_match_torch(row, dtype):
    for arrays in _cases(row):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out, grads = _run(OURS, row, arrays, dtype)
            t_out, t_grads = _run(THEIRS, row, arrays, dtype)
        where = f"{row.name}({', '.join(map(str, arrays))})"
        _same(out, t_out, f"{where}: value", dtype)
        for i, (g, tg) in enumerate(zip(grads, t_grads)):
            assert (g is None) == (tg is None), f"{where}: gradient {i} present"
            if g is not None:
                _same(g, tg, f"{where}: gradient of input {i}", dtype)


# --------------------------------------------------------------------------- named regressions
def _grads(lib, fn, *values, dtype="float32"):
    tdtype = getattr(lib, dtype)
    leaves = [lib.tensor(v, dtype=tdtype, requires_grad=True) for v in values]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fn(*leaves)
        out.sum().backward()
    return [t.grad.detach().numpy() for t in leaves]


def _check_grads(fn_ours, fn_theirs, *values, dtype="float32"):
    for g, tg in zip(_grads(autograd, fn_ours, *values, dtype=dtype),
                     _grads(torch, fn_theirs, *values, dtype=dtype)):  # fmt: skip
        _same(g.astype(np.float64), tg.astype(np.float64), "gradient", dtype)
    return _grads(autograd, fn_ours, *values, dtype=dtype)


def test_bce_of_saturated_probability_has_finite_gradient():
    p = float(torch.sigmoid(torch.tensor(30.0)))  # exactly 1.0 in float32
    assert p == 1.0
    (gx, gy) = _check_grads(
        lambda x, y: F.binary_cross_entropy(x, y),
        lambda x, y: torch_F.binary_cross_entropy(x, y),
        [p, 0.0],
        [0.0, 1.0],
    )
    assert np.isfinite(gx).all()


def test_bce_through_sigmoid_of_large_logit_has_finite_gradient():
    (g,) = _check_grads(
        lambda z: F.binary_cross_entropy(z.sigmoid(), autograd.ones_like(z)),
        lambda z: torch_F.binary_cross_entropy(z.sigmoid(), torch.ones_like(z)),
        [30.0, -30.0, 0.0],
    )
    assert np.isfinite(g).all()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_std_of_constant_input_has_zero_gradient(dtype):
    (g,) = _check_grads(lambda x: x.std(), lambda x: x.std(), [2.0, 2.0, 2.0], dtype=dtype)
    np.testing.assert_array_equal(g, 0)
    # layer and batch norm of a constant input, and normalisation by std + eps
    _check_grads(lambda x: F.layer_norm(x, (3,)), lambda x: torch_F.layer_norm(x, (3,)),
                 [[2.0, 2.0, 2.0]], dtype=dtype)  # fmt: skip
    _check_grads(
        lambda x: F.batch_norm(x, None, None, training=True),
        lambda x: torch_F.batch_norm(x, None, None, training=True),
        [[2.0], [2.0], [2.0]],
        dtype=dtype,
    )
    normalise = lambda x: (x - x.mean()) / (x.std() + 1e-5) * x  # noqa: E731
    _check_grads(normalise, normalise, [2.0, 2.0], dtype=dtype)


def test_sqrt_of_var_at_zero_is_nan_as_torch():
    """sqrt's own slope at 0 is inf, and inf * 0 = nan in PyTorch too: only std masks it."""
    (g,) = _check_grads(lambda x: x.var().sqrt(), lambda x: x.var().sqrt(), [2.0, 2.0])
    assert np.isnan(g).all()


def test_var_with_an_infinite_element_is_nan_only_there():
    (g,) = _check_grads(lambda x: x.var(), lambda x: x.var(), [1.0, math.inf, 2.0])
    assert np.isnan(g).tolist() == [False, True, False]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pow_tensor_exponent_at_zero_zero_has_zero_gradient(dtype):
    gx, gy = _check_grads(lambda x, y: x**y, lambda x, y: x**y, [0.0, 0.0, -2.0, 0.0],
                          [0.0, 0.5, 2.0, -1.0], dtype=dtype)  # fmt: skip
    assert gx[0] == 0 and gy[0] == 0


def test_sigmoid_negative_tail_keeps_precision():
    for dtype in ("float32", "float64"):
        x = [-30.0, -100.0, -700.0]
        ours = autograd.tensor(x, dtype=dtype).sigmoid().numpy()
        theirs = torch.tensor(x, dtype=getattr(torch, dtype)).sigmoid().numpy()
        # float32's subnormals (sigmoid(-100.) = 3.8e-44) PyTorch's vectorised exp flushes to 0
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-30)
