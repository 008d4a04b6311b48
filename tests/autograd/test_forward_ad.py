"""Forward mode (autograd.forward_ad), driven by the op table of test_ops.py.

Every row's Jacobian-vector product J u, computed in one pass with dual inputs, is checked
under hypothesis shapes (broadcasting, size-1 and 0-d) against

    central differences   (f(x + εu) - f(x - εu)) / 2ε, float64
    reverse mode          vᵀ(J u) = (vᵀJ) u, with vᵀJ from autograd.grad

and, for smooth rows, second order four ways: forward-over-reverse (with and without
create_graph), reverse-over-forward and reverse-over-reverse give the same H u. Composites
(mean, var, softmax, stack, split, pad modes, ...) have no rule of their own: their rows
check that tangents come through the primitives they are made of. A check that every
primitive has a jvp rule and is reached by some row keeps future primitives honest.
Then the API (make_dual / unpack_dual / levels, errors), in-place ops, custom Functions,
Values (the seed's forward-accumulation table) and autograd.functional against torch.
"""

import gc
import inspect
import math
import weakref

import numpy as np
import pytest
import test_ops as table  # the op table of tests/autograd/test_ops.py
import torch
import torch.autograd.forward_ad as tfw
from helpers import Double
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from test_ops import (
    GRAD_ROWS,
    SIDE_GRADCHECK,
    SIDE_GRADGRAD,
    Row,
    as_list,
    case,
    ours_leaves,
    param_rows,
)

import autograd
import autograd.functional as AF
from autograd import Function, Tensor, Value, forward_ad, ops
from autograd import value as value_ops
from autograd.forward_ad import dual_level, make_dual, unpack_dual
from autograd.ops import linalg, reduce
from autograd.testing import broadcastable_shapes
from autograd.value import ScalarFunction
from backends import DeviceError


# --------------------------------------------------------------------------- extra rows
# Primitives that test_ops reaches through nn (linear, nll_loss): called directly here.
def _linear(T, x, w, b):
    return linalg.Linear.apply(x, w, b)


def _linear_layout(draw, side):
    n, k, m = (draw(st.integers(1, side)) for _ in range(3))
    lead = draw(st.sampled_from([(), (n,), (2, n)]))
    return [lead + (k,), (m, k), (m,)]


def _nll(T, x, target, reduction):
    return reduce.NLLLoss.apply(x, T.tensor(target).array, None, -100, reduction)


def _nll_layout(draw, side):
    n, c = draw(st.integers(1, side)), draw(st.integers(1, side))
    target = draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n))
    reduction = draw(st.sampled_from(["mean", "sum", "none"]))
    return [(n, c)], {"target": target, "reduction": reduction}


def _one_sided(draw, side):
    shape_x, shape_c = draw(broadcastable_shapes(2, max_side=side), label="shapes")
    c = draw(hnp.arrays(np.float64, shape_c, elements=st.floats(-2, 2)), label="c")
    return [shape_x], {"c": c}


EXTRA_ROWS = [
    # a tangent on one side only: the constant's shape stretches it
    Row("one_sided", lambda T, x, c: x * T.tensor(c) + T.tensor(c), case(_one_sided)),
]
if hasattr(linalg, "Linear"):
    EXTRA_ROWS.append(Row("linear", _linear, case(_linear_layout)))
if hasattr(reduce, "NLLLoss"):
    EXTRA_ROWS.append(Row("nll_loss", _nll, case(_nll_layout)))
ROWS = GRAD_ROWS + EXTRA_ROWS
SMOOTH_ROWS = [row for row in ROWS if row.smooth]


# --------------------------------------------------------------------------- helpers
def _float_outputs(outs):
    return [o for o in as_list(outs) if isinstance(o, Tensor) and o.dtype.kind == "f"]


def _jvp(row, params, xs, us):
    """Float outputs of the row at xs and their tangents along us (zeros where None)."""
    with dual_level():
        duals = [make_dual(x, u) for x, u in zip(xs, us)]
        outs = _float_outputs(row.ours(*duals, **params))
        tangents = [unpack_dual(o).tangent for o in outs]
    tangents = [
        np.zeros(o.shape) if t is None else t.detach().numpy() for o, t in zip(outs, tangents)
    ]
    return outs, tangents


def _values(row, params, arrays):
    with autograd.no_grad():
        outs = _float_outputs(row.ours(*[Tensor(a) for a in arrays], **params))
    return [o.numpy() for o in outs]


def _rng(data):
    return np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))


def _dot(a, b):
    return float(sum((x * y).sum() for x, y in zip(a, b)))


# --------------------------------------------------------------------------- table tests
@param_rows(ROWS)
@settings(max_examples=10)
@given(data=st.data())
def test_jvp_matches_finite_differences(row, data):
    c = data.draw(row.inputs(SIDE_GRADCHECK, empty=False), label="case")
    rng = _rng(data)
    arrays = [a.astype(np.float64) for a in c.arrays]
    us = [rng.standard_normal(a.shape) for a in arrays]
    _, tangents = _jvp(row, c.params, [Tensor(a) for a in arrays], [Tensor(u) for u in us])
    eps = row.tol.get("eps", 1e-6)
    plus = _values(row, c.params, [a + eps * u for a, u in zip(arrays, us)])
    minus = _values(row, c.params, [a - eps * u for a, u in zip(arrays, us)])
    assert len(tangents) == len(plus)
    for i, (t, p, m) in enumerate(zip(tangents, plus, minus)):
        np.testing.assert_allclose(
            t,
            (p - m) / (2 * eps),
            rtol=row.tol.get("rtol", 1e-3),
            atol=row.tol.get("atol", 1e-5),
            err_msg=f"output {i}",
        )


@param_rows(ROWS)
@settings(max_examples=10)
@given(data=st.data())
def test_jvp_matches_reverse_mode(row, data):
    """vᵀ(J u) by forward mode equals (vᵀJ) u by reverse mode."""
    c = data.draw(row.inputs(SIDE_GRADCHECK), label="case")
    rng = _rng(data)
    xs = ours_leaves(c.arrays)
    us = [rng.standard_normal(x.shape) for x in xs]
    outs, tangents = _jvp(row, c.params, xs, [Tensor(u) for u in us])
    pairs = [(o, t) for o, t in zip(outs, tangents) if o.requires_grad]
    assert pairs, "no differentiable output"
    vs = [rng.standard_normal(o.shape) for o, _ in pairs]
    grads = autograd.grad([o for o, _ in pairs], xs, [Tensor(v) for v in vs], allow_unused=True)
    grads = [np.zeros(x.shape) if g is None else g.numpy() for x, g in zip(xs, grads)]
    forward = _dot(vs, [t for _, t in pairs])
    reverse = _dot(grads, us)
    tol = 1e-5 if row.tol else 1e-9  # rows with their own tolerance go through float32
    assert forward == pytest.approx(reverse, rel=tol, abs=tol)


@param_rows(SMOOTH_ROWS)
@settings(max_examples=5)
@given(data=st.data())
def test_second_order_modes_agree(row, data):
    """H u of s(x) = Σ w·f(x): forward-over-reverse (with and without create_graph),
    reverse-over-forward and reverse-over-reverse."""
    c = data.draw(row.inputs(SIDE_GRADGRAD, empty=False), label="case")
    rng = _rng(data)
    xs = ours_leaves(c.arrays)
    us = [Tensor(rng.standard_normal(x.shape)) for x in xs]
    ws = [Tensor(rng.standard_normal(o.shape)) for o in _float_outputs(row.ours(*xs, **c.params))]
    zero = autograd.zeros((), dtype=autograd.float64)

    def s(*inputs):
        outs = _float_outputs(row.ours(*inputs, **c.params))
        return sum(((w * o).sum() for w, o in zip(ws, outs) if o.requires_grad), zero)

    def numpy(grads):
        return [np.zeros(x.shape) if g is None else g.detach().numpy() for x, g in zip(xs, grads)]

    base = s(*xs)
    if not base.requires_grad:
        return  # s is constant: nothing to differentiate
    g = autograd.grad(base, xs, create_graph=True, allow_unused=True)
    inner = sum(((gi * u).sum() for gi, u in zip(g, us) if gi is not None), zero)
    expected = numpy(
        autograd.grad(inner, xs, allow_unused=True) if inner.requires_grad else [None] * len(xs)
    )
    results = {}
    for create_graph in (False, True):
        with dual_level():
            duals = [make_dual(x, u) for x, u in zip(xs, us)]
            out = s(*duals)
            grads = autograd.grad(out, duals, create_graph=create_graph, allow_unused=True)
            tangents = [None if gi is None else unpack_dual(gi).tangent for gi in grads]
        results[f"forward-over-reverse, create_graph={create_graph}"] = numpy(tangents)
    with dual_level():
        duals = [make_dual(x, u) for x, u in zip(xs, us)]
        tangent = unpack_dual(s(*duals)).tangent
        if tangent is not None and tangent.requires_grad:
            results["reverse-over-forward"] = numpy(autograd.grad(tangent, xs, allow_unused=True))
    for name, got in results.items():
        for i, (a, b) in enumerate(zip(got, expected)):
            np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9, err_msg=f"{name}, input {i}")


def _builtin_functions():
    """Every built-in Function class of autograd.ops, registered in PRIMITIVES or not."""
    found = set()
    stack = [Function]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls._builtin and cls.__module__.startswith("autograd.ops") and "forward" in vars(cls):
            found.add(cls)
    return found


def test_every_primitive_has_a_jvp_rule():
    classes = set(ops.PRIMITIVES) | _builtin_functions()
    missing = sorted(c.__name__ for c in classes if c.jvp is Function.jvp)
    assert not missing, f"primitives without a jvp rule: {missing}"
    scalar = [c for c in _subclasses(ScalarFunction) if c.jvp is Function.jvp]
    assert not scalar, f"Value ops without a jvp rule: {scalar}"


def _subclasses(cls):
    out = []
    stack = [cls]
    while stack:
        for sub in stack.pop().__subclasses__():
            out.append(sub)
            stack.append(sub)
    return out


def _positional(fn, skip=1):
    """(required, named, variadic) of fn's positional parameters after the first `skip`."""
    params = list(inspect.signature(fn).parameters.values())[skip:]
    named = [p for p in params if p.kind == p.POSITIONAL_OR_KEYWORD]
    required = sum(p.default is p.empty for p in named)
    return required, len(named), any(p.kind == p.VAR_POSITIONAL for p in params)


def test_every_jvp_has_the_one_signature_jvp_ctx_tangents():
    """Built-in rules have Function's (PyTorch's) signature, jvp(ctx, *tangents), and take
    one tangent per positional argument of every call the forward accepts: a second
    signature, such as the old jvp(tangents, out, *args), cannot come back."""
    classes = {
        c
        for c in _subclasses(Function)
        if c._builtin and c.__module__.startswith("autograd") and c.jvp is not Function.jvp
    }
    assert {ops.Mul, ops.Cat, linalg.MatMul, ops.ToDevice, value_ops.Add} <= classes
    assert set(ops.PRIMITIVES) <= classes
    wrong = []
    for cls in sorted(classes, key=lambda c: c.__name__):
        sig = inspect.signature(cls.jvp)  # a classmethod's is bound: cls is not listed
        params = list(sig.parameters.values())
        if (
            not params
            or params[0].name != "ctx"
            or params[0].kind != params[0].POSITIONAL_OR_KEYWORD
        ):
            wrong.append(f"{cls.__name__}.jvp{sig}: the first parameter must be ctx")
            continue
        if any(p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD) for p in params):
            wrong.append(f"{cls.__name__}.jvp{sig}: tangents are positional only")
            continue
        if cls.forward is not Function.forward:
            lo, hi, var = _positional(cls.forward)
        else:  # ToDevice: its own apply (bound, no ctx) is the forward
            lo, hi, var = _positional(cls.apply, skip=0)
        t_lo, t_hi, t_var = _positional(cls.jvp)
        if t_lo > lo or not (t_var or (not var and t_hi >= hi)):
            wrong.append(f"{cls.__name__}.jvp{sig} does not take the tangents of every call")
    assert not wrong, "\n".join(wrong)


def test_every_primitive_is_reached_with_a_tangent(monkeypatch):
    """Some row runs each primitive's rule: in its forward pass, or in a backward pass that
    carries tangents (forward-over-reverse reaches TanhGrad, IndexAdd, ...)."""
    seen = set()
    rule = forward_ad._DualLevel.jvp

    def spy(level, cls, ctx, args, kwargs, out):
        if any(level.tangent(a) is not None for a in args):
            seen.add(cls)
        return rule(level, cls, ctx, args, kwargs, out)

    monkeypatch.setattr(forward_ad._DualLevel, "jvp", spy)
    for row in ROWS:
        _run_with_tangents(row)
    seen.add(ops.FloorDivide)  # no forward AD in PyTorch: test_floor_divide_has_no_jvp
    missing = sorted(p.__name__ for p in set(ops.PRIMITIVES) - seen)
    assert not missing, f"primitives whose jvp no row runs: {missing}"


def _run_with_tangents(row):
    """The row's forward pass on dual inputs, then its backward with a dual upstream."""

    @settings(max_examples=4)
    @given(row.inputs(SIDE_GRADCHECK))
    def run(c):
        xs = ours_leaves(c.arrays)
        with dual_level():
            duals = [make_dual(x, autograd.ones_like(x)) for x in xs]
            outs = [o for o in _float_outputs(row.ours(*duals, **c.params)) if o.requires_grad]
            upstream = [make_dual(autograd.ones_like(o), autograd.ones_like(o)) for o in outs]
            if outs:
                autograd.grad(outs, duals, upstream, allow_unused=True)

    run()


# --------------------------------------------------------------------------- the API
def _x(*shape):
    return autograd.randn(*shape, dtype=autograd.float64)


def test_make_dual_and_unpack_dual():
    x, u = _x(3), _x(3)
    with dual_level() as level:
        assert level == 0
        d = make_dual(x, u)
        assert d is not x and np.shares_memory(d.array, x.array)  # a view, as in PyTorch
        primal, tangent = unpack_dual(d)
        assert tangent is u and unpack_dual(d).tangent is u
        assert unpack_dual(primal).tangent is None  # the primal view carries no tangent
        np.testing.assert_array_equal(primal.numpy(), x.numpy())
        assert unpack_dual(x).tangent is None  # the original is left alone
        y, t = unpack_dual(d.sin() * 2)
        np.testing.assert_allclose(t.numpy(), 2 * np.cos(x.numpy()) * u.numpy())
    primal, tangent = unpack_dual(d)
    assert primal is d and tangent is None


def test_tangents_leave_with_their_level():
    x, u = _x(4), _x(4)
    with dual_level():
        d = make_dual(x, u)
        y = d.exp()
        assert unpack_dual(y).tangent is not None
    assert unpack_dual(y).tangent is None
    with dual_level():  # a new level starts empty
        assert unpack_dual(y).tangent is None and unpack_dual(d).tangent is None
        assert unpack_dual(y * 2).tangent is None


def test_a_dead_dual_leaves_no_entry_and_no_tangent_keeps_its_primal_alive():
    x = _x(3).requires_grad_()
    with dual_level() as index:
        level = forward_ad._current()
        d = make_dual(x, _x(3).requires_grad_())
        before = len(level._tangents)
        for op in (Tensor.exp, Tensor.tanh, Tensor.sigmoid, Tensor.sqrt):
            y = op(d.abs())  # recorded: the tangent's graph must not hold y
            ref = weakref.ref(y)
            del y
            assert ref() is None, f"{op.__name__}'s tangent keeps its output alive"
        gc.collect()
        assert len(level._tangents) == before
        assert index == 0


def test_dual_level_as_a_decorator_and_the_enter_exit_functions():
    @dual_level()
    def tangent_of_square(x, u):
        return unpack_dual(make_dual(x, u) ** 2).tangent

    x, u = _x(2), _x(2)
    np.testing.assert_allclose(tangent_of_square(x, u).numpy(), 2 * x.numpy() * u.numpy())
    assert forward_ad._current() is None
    level = forward_ad.enter_dual_level()
    try:
        assert unpack_dual(make_dual(x, u, level=level)).tangent is u
    finally:
        forward_ad.exit_dual_level(level=level)
    assert forward_ad._current() is None


def test_level_errors_are_clear():
    x = _x(2)
    with pytest.raises(RuntimeError, match="no level exists"):
        make_dual(x, x)
    with pytest.raises(RuntimeError, match="no forward AD level is active"):
        forward_ad.exit_dual_level()
    with dual_level():
        with pytest.raises(RuntimeError, match="Nested forward mode AD is not supported"):
            forward_ad.enter_dual_level()
        with pytest.raises(RuntimeError, match="was not the last one"):
            forward_ad.exit_dual_level(level=3)
        with pytest.raises(RuntimeError, match="level 1 is not the active level 0"):
            make_dual(x, x, level=1)
    assert forward_ad._current() is None  # the failed calls left no level behind
    with pytest.raises(ZeroDivisionError):
        with dual_level():
            raise ZeroDivisionError
    assert forward_ad._current() is None  # an exception exits the level too


def test_make_dual_errors_name_what_is_wrong():
    x = _x(2, 3)
    with dual_level():
        with pytest.raises(RuntimeError, match=r"size \[2, 3\] while the given .* size \[3\]"):
            make_dual(x, _x(3))
        with pytest.raises(ValueError, match="Expected primal to be floating point.*int64"):
            make_dual(autograd.tensor([1, 2]), _x(2))
        with pytest.raises(ValueError, match="Expected tangent to be floating point.*int64"):
            make_dual(_x(2), autograd.tensor([1, 2]))
        with pytest.raises(TypeError, match="expected the tangent to be a Tensor, got list"):
            make_dual(_x(2), [1.0, 2.0])
        with pytest.raises(TypeError, match="expected a Tensor or a Value, got float"):
            make_dual(1.0, 1.0)
        with pytest.raises(DeviceError, match="make_dual: the tangent is on cpu .*another backend"):
            make_dual(x, ops.ToDevice.apply(_x(2, 3), table._OTHER_CPU))
        d = make_dual(x, autograd.ones(2, 3, dtype=autograd.float32))
        assert unpack_dual(d).tangent.dtype == autograd.float64  # cast to the primal's dtype
        with pytest.raises(
            RuntimeError, match="already has a forward gradient at the same level 0"
        ):
            make_dual(d, x)
        assert unpack_dual(d).tangent.numpy().tolist() == [[1.0] * 3] * 2  # unchanged


def test_grad_mode_does_not_stop_tangents_and_detach_drops_them():
    x, u = _x(3), _x(3)
    with dual_level():
        d = make_dual(x, u)
        with autograd.no_grad():
            y = d * 3
        np.testing.assert_allclose(unpack_dual(y).tangent.numpy(), 3 * u.numpy())
        assert unpack_dual(d.detach()).tangent is None  # as PyTorch
        assert unpack_dual(d > 0).tangent is None  # comparisons are not differentiable
        assert unpack_dual(d.argmax()).tangent is None


def test_inplace_ops_update_the_tangent():
    x, u = _x(2, 3), _x(2, 3)
    w, v = _x(3), _x(3)
    with dual_level():
        d, e = make_dual(x, u), make_dual(w, v)
        y = d.clone()
        y.mul_(e)  # ẏ = u w + x v
        np.testing.assert_allclose(
            unpack_dual(y).tangent.numpy(), u.numpy() * w.numpy() + x.numpy() * v.numpy()
        )
        y.fill_(1.0)
        assert not unpack_dual(y).tangent.numpy().any()
        z = x.clone()  # a plain tensor takes a tangent from what is written into it
        z[0] = e
        expected = np.zeros((2, 3))
        expected[0] = v.numpy()
        np.testing.assert_array_equal(unpack_dual(z).tangent.numpy(), expected)
        z.add_(d)
        np.testing.assert_allclose(unpack_dual(z).tangent.numpy(), expected + u.numpy())
        d.mul_(2)  # make_dual's view of x: x changes too, and stays without a tangent
        np.testing.assert_allclose(unpack_dual(d).tangent.numpy(), 2 * u.numpy())
        np.testing.assert_array_equal(d.numpy(), x.numpy())
        assert unpack_dual(x).tangent is None


def test_inplace_on_a_recorded_dual_keeps_both_graphs():
    x, w = _x(3).requires_grad_(), _x(3)
    u, v = _x(3), _x(3)
    with dual_level():
        y = make_dual(x, u) * 1.0
        y.mul_(make_dual(w, v))  # recorded in place: y = x w, ẏ = u w + x v
        tangent = unpack_dual(y).tangent.detach().numpy()
        np.testing.assert_allclose(tangent, u.numpy() * w.numpy() + x.detach().numpy() * v.numpy())
        y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), w.numpy())


# --------------------------------------------------------------------------- custom Functions
class Cube(Function):
    """y = x^3 k (k a number, c a tensor constant) with its own jvp, as in PyTorch."""

    @staticmethod
    def forward(ctx, x, c, k):
        ctx.save_for_backward(x)
        ctx.save_for_forward(x)
        ctx.k = k
        return x * x * x * k + c

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x * ctx.k, grad, None

    @staticmethod
    def jvp(ctx, tx, tc, tk):
        (x,) = ctx.saved_tensors  # what save_for_forward kept
        assert tk is None and not tc.numpy().any()  # zeros for a Tensor without a tangent
        return tx * 3 * x * x * ctx.k + tc


class NoJvp(Double):
    """A Function with a backward and no jvp."""


def test_custom_function_jvp():
    x, u, c = _x(3), _x(3), _x(3)
    for requires_grad in (False, True):
        with dual_level():
            y, t = unpack_dual(Cube.apply(make_dual(x.requires_grad_(requires_grad), u), c, 2.0))
        np.testing.assert_allclose(t.detach().numpy(), 6 * x.detach().numpy() ** 2 * u.numpy())
        np.testing.assert_allclose(y.detach().numpy(), 2 * x.detach().numpy() ** 3 + c.numpy())


def test_custom_function_without_jvp_is_named():
    with dual_level():
        d = make_dual(_x(3), _x(3))
        with pytest.raises(NotImplementedError, match="NoJvp: forward-mode AD reached this custom"):
            NoJvp.apply(d)
        NoJvp.apply(_x(3))  # no tangent: nothing to do, no error
    # autograd.functional.jvp falls back on the double-backward trick for it
    x, v = _x(3), _x(3)
    _, jv = AF.jvp(lambda x: NoJvp.apply(x).sin(), x, v)
    np.testing.assert_allclose(jv.numpy(), np.cos(2 * x.numpy()) * 2 * v.numpy())


def test_custom_function_jvp_returning_a_wrong_shape_is_named():
    class Bad(Cube):
        @staticmethod
        def jvp(ctx, tx, tc, tk):
            return tx.sum()

    with dual_level():
        with pytest.raises(RuntimeError, match=r"Bad.jvp returned a tangent of shape \(\)"):
            Bad.apply(make_dual(_x(3), _x(3)), _x(3), 1.0)


# --------------------------------------------------------------------------- the jvp's ctx
class Scale(Function):
    """y = x k (k a number, positional, by keyword or the default), whose jvp reads what its
    ctx shows: the forward's arguments, their defaults, its output and what it stored."""

    seen = []
    stash = False  # True: the jvp keeps its ctx (it must not keep args or output alive)

    @staticmethod
    def forward(ctx, x, k=2.0):
        ctx.note = "stored"
        return x * k

    @staticmethod
    def backward(ctx, grad):
        return grad * 2.0, None

    @staticmethod
    def jvp(ctx, *tangents):
        x, k = ctx.inputs
        if Scale.stash:
            Scale.seen.append(ctx)
        else:
            Scale.seen.append((ctx.args, dict(ctx.kwargs), k, ctx.output, ctx.note, tangents))
        return tangents[0] * k


def test_jvp_ctx_shows_the_forwards_arguments_defaults_and_output():
    x, u = _x(3), _x(3)
    with dual_level():
        d = make_dual(x, u)
        for call, args, kwargs, k in [
            (lambda: Scale.apply(d), (d,), {}, 2.0),
            (lambda: Scale.apply(d, 3.0), (d, 3.0), {}, 3.0),
            (lambda: Scale.apply(d, k=4.0), (d,), {"k": 4.0}, 4.0),
        ]:
            Scale.seen.clear()
            y = call()
            [(got_args, got_kwargs, got_k, output, note, tangents)] = Scale.seen
            assert got_args == args and got_kwargs == kwargs and got_k == k
            assert output is y and note == "stored"
            assert len(tangents) == len(args) and tangents[0] is unpack_dual(d).tangent
            if len(args) == 2:
                assert tangents[1] is None  # a number has no tangent, as in PyTorch
            np.testing.assert_allclose(unpack_dual(y).tangent.numpy(), k * u.numpy())
    Scale.seen.clear()


def test_jvp_ctx_keeps_what_a_user_forward_stored_under_its_names():
    class Keeps(Scale):
        @staticmethod
        def forward(ctx, x, k=2.0):
            ctx.output = "mine"  # PyTorch's ctx has no output: the user's attribute wins
            return x * k

        @staticmethod
        def jvp(ctx, tx, tk):
            assert ctx.output == "mine" and ctx.args[1] == 5.0
            return tx * 5.0

    with dual_level():
        y = Keeps.apply(make_dual(_x(2), _x(2)), 5.0)
        assert unpack_dual(y).tangent is not None


def test_builtin_rules_get_none_where_user_rules_get_zeros(monkeypatch):
    """Primitive's cheaper contract: None for an argument without a tangent (Cube, above,
    checks the zeros a user Function gets); its ctx shows args and output, and a forward
    that recorded nothing stored nothing, which the error says."""
    seen = []
    rule = ops.Mul.jvp

    def spy(ctx, tx, ty):
        seen.append((ctx.args, ctx.output, tx, ty))
        if not ctx.output.requires_grad:
            with pytest.raises(AttributeError, match=r"Mul.jvp: ctx has no attribute 'dims'"):
                _ = ctx.dims
        return rule(ctx, tx, ty)

    monkeypatch.setattr(ops.Mul, "jvp", staticmethod(spy))
    for requires_grad in (False, True):
        x, u, c = _x(3).requires_grad_(requires_grad), _x(3), _x(3)
        seen.clear()
        with dual_level():
            d = make_dual(x, u)
            y = d * c
            [(args, output, tx, ty)] = seen
            assert args[0] is d and args[1] is c and output is y
            assert tx is unpack_dual(d).tangent and ty is None
            np.testing.assert_allclose(unpack_dual(y).tangent.detach().numpy(), (u * c).numpy())
        seen.clear()


def test_forward_ad_keeps_no_reference_from_a_node_to_its_output_or_arguments():
    """The ctx a rule sees lives for the call only: a node holds neither its output (a
    cycle out -> node -> out) nor an argument it did not save, even when a user jvp keeps
    its ctx. Reference counting alone frees them: no cycle for the collector to find."""
    saves_nothing = {
        "add": lambda a: a + 1.0,
        "neg": lambda a: -a,
        "reshape": lambda a: a.reshape(3, 1),
        "sum": lambda a: a.sum(0),
        "custom": lambda a: Scale.apply(a, 3.0),
        "custom, ctx kept": lambda a: Scale.apply(a, 3.0),
    }
    saves_its_argument = {  # for backward; their rules read their output
        "exp": lambda a: a.exp(),
        "logsumexp": lambda a: a.logsumexp(0),
        "log_softmax": lambda a: a.log_softmax(0),
    }
    gc.collect()
    gc.disable()
    try:
        with dual_level():
            d = make_dual(_x(3).requires_grad_(), _x(3))
            for name, op in {**saves_nothing, **saves_its_argument}.items():
                Scale.stash = name == "custom, ctx kept"
                a = d * 1.0
                y = op(a)
                if name == "custom":
                    Scale.seen.clear()  # the record Scale.jvp keeps for the test above
                node = y.grad_fn
                assert node is not None and unpack_dual(y).tangent is not None, name
                refs = weakref.ref(a), weakref.ref(y)
                del a, y
                if name in saves_nothing:
                    assert refs[0]() is None, f"{name}: the node keeps its argument alive"
                assert refs[1]() is None, f"{name}: the node keeps its output alive"
                del node
            kept = Scale.seen[-1]
            assert kept.args is None and kept.output is None and kept.kwargs is None
    finally:
        gc.enable()
        Scale.stash = False
        Scale.seen.clear()


# --------------------------------------------------------------------------- Value
def test_seed_forward_accumulation_table():
    """z = x1 x2 + sin x1, step by step as in the lectures, seeded for ∂/∂x1 then ∂/∂x2."""
    a, b = 1.5, 0.5
    for seed in ((1.0, 0.0), (0.0, 1.0)):
        with dual_level():
            w1 = make_dual(Value(a, "x1"), seed[0])
            w2 = make_dual(Value(b, "x2"), seed[1])
            w3 = w1 * w2
            w4 = w1.sin()
            w5 = w3 + w4
            dot = {name: unpack_dual(w).tangent for name, w in
                   [("w1", w1), ("w2", w2), ("w3", w3), ("w4", w4), ("w5", w5)]}  # fmt: skip
        assert (dot["w1"], dot["w2"]) == seed
        assert dot["w3"] == w2.data * dot["w1"] + w1.data * dot["w2"]
        assert dot["w4"] == math.cos(w1.data) * dot["w1"]
        assert dot["w5"] == dot["w3"] + dot["w4"]
        assert w5.data == a * b + math.sin(a)
        # the same derivative by reverse mode, through the dual Values (views of x1, x2)
        w5.backward()
        assert dot["w5"] == pytest.approx(w1.grad if seed[0] else w2.grad, rel=1e-15)
    assert dot["w5"] == pytest.approx(a)  # ∂z/∂x2 = x1


VALUE_FUNCS = {
    "arith": lambda a, b: (a * b - a / (b * b + 1)) * 2 + 3 - b,
    "pow": lambda a, b: (a * a + 1) ** 1.5 + b**3,
    "unary": lambda a, b: (a * 0.5).exp() + (a * a + 0.5).log() + (a * b).tanh() + b.sigmoid(),
    "trig": lambda a, b: a.sin() * b.cos() - (a * b).sin(),
    "kinks": lambda a, b: (a - b).relu() * a + a.maximum(b) * 2 - (-a),
}


@pytest.mark.parametrize("name", sorted(VALUE_FUNCS))
@settings(max_examples=10)
@given(a=st.floats(-2, 2), b=st.floats(-2, 2))
def test_value_tangents_match_reverse_mode_and_torch(name, a, b):
    f = VALUE_FUNCS[name]
    if abs(a - b) < 1e-3:
        b = a + 0.5  # kinks are tested in test_value.py
    va, vb = Value(a), Value(b)
    out = f(va, vb)
    out.backward()
    with dual_level():
        ta = unpack_dual(f(make_dual(Value(a), 1.0), Value(b))).tangent
        tb = unpack_dual(f(Value(a), make_dual(Value(b), 1.0))).tangent
    assert ta == pytest.approx(va.grad, rel=1e-12, abs=1e-12)
    assert tb == pytest.approx(vb.grad, rel=1e-12, abs=1e-12)
    if name != "kinks":  # torch has no Value.maximum spelling; the rest reads the same
        xa, xb = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (a, b))
        f(xa, xb).backward()
        assert va.grad == pytest.approx(xa.grad.item(), rel=1e-12, abs=1e-12)
        assert vb.grad == pytest.approx(xb.grad.item(), rel=1e-12, abs=1e-12)


def test_value_ties_split_the_tangent_and_relu_at_zero():
    with dual_level():
        a, b = make_dual(Value(1.0), 1.0), make_dual(Value(1.0), 3.0)
        assert unpack_dual(a.maximum(b)).tangent == 2.0
        assert unpack_dual(make_dual(Value(0.0), 1.0).relu()).tangent == 0.0
        with pytest.raises(TypeError, match="the tangent of a Value is a number"):
            make_dual(Value(1.0), "1")


# --------------------------------------------------------------------------- functional
def _pair(shape, seed):
    data = np.random.default_rng(seed).uniform(-1.5, 1.5, size=shape)
    return autograd.tensor(data), torch.tensor(data)


FUNCS = {
    "mlp": lambda m, F: lambda x: F.tanh(x.reshape(-1, 1) * x.reshape(1, -1)).sum(0).exp(),
    "softmax": lambda m, F: lambda x: F.log_softmax(x.reshape(1, -1), 1) * x.sum(),
}


@pytest.mark.parametrize("name", sorted(FUNCS))
@settings(max_examples=8)
@given(n=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_functional_forward_mode_matches_torch(name, n, seed):
    import nn.functional as F

    x, tx = _pair((n,), seed)
    v, tv = _pair((n,), seed + 1)
    f, tf = FUNCS[name](autograd, F), FUNCS[name](torch, torch.nn.functional)
    out, jv = AF.jvp(f, x, v)
    tout, tjv = torch.autograd.functional.jvp(tf, tx, tv)
    np.testing.assert_allclose(jv.numpy(), tjv.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(out.numpy(), tout.numpy(), rtol=1e-12)
    with tfw.dual_level():  # and against torch's own forward mode
        ttangent = tfw.unpack_dual(tf(tfw.make_dual(tx, tv))).tangent
    np.testing.assert_allclose(jv.numpy(), ttangent.numpy(), rtol=1e-10, atol=1e-12)
    j = AF.jacobian(f, x, strategy="forward-mode")
    tj = torch.autograd.functional.jacobian(tf, tx, strategy="forward-mode", vectorize=True)
    np.testing.assert_allclose(j.numpy(), tj.numpy(), rtol=1e-10, atol=1e-12)


def test_functional_forward_mode_runs_one_pass_per_input_element(monkeypatch):
    calls = []

    def f(x):
        calls.append(forward_ad._current() is not None)
        return x.sin() * 2

    x = _x(5)
    AF.jacobian(f, x, strategy="forward-mode")
    assert calls == [True] * 5  # dual passes only: no extra plain call, no double backward
    calls.clear()
    AF.jvp(f, x, _x(5))
    assert calls == [True]


def test_nested_jvp_falls_back_and_matches_torch():
    """jvp of jvp: the inner call meets an active level and uses the double-backward trick."""
    (x, tx), (u, tu), (w, tw) = _pair((3,), 1), _pair((3,), 2), _pair((3,), 3)

    def inner(m):
        return lambda x: (x.sin() * x).sum() * x

    ours = AF.jvp(lambda x: AF.jvp(inner(autograd), x, u, create_graph=True)[1], x, w)[1]
    theirs = torch.autograd.functional.jvp(
        lambda x: torch.autograd.functional.jvp(inner(torch), x, tu, create_graph=True)[1], tx, tw
    )[1]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-12)


def test_functional_jvp_create_graph_differentiates_the_product():
    x = _x(3).requires_grad_()
    v = _x(3)
    _, jv = AF.jvp(lambda x: x.exp(), x, v, create_graph=True)
    assert jv.requires_grad
    jv.sum().backward()  # d/dx Σ e^x v = e^x v
    np.testing.assert_allclose(x.grad.numpy(), np.exp(x.detach().numpy()) * v.numpy())


def test_functional_jvp_strict_names_the_independent_output():
    x = _x(2)
    with pytest.raises(RuntimeError, match="jvp: Output 1 of the user-provided function does not"):
        AF.jvp(lambda x: (x * 2, autograd.ones(2, dtype=autograd.float64)), x, x, strict=True)
    out, jv = AF.jvp(lambda x: (x * 2, autograd.ones(2, dtype=autograd.float64)), x, x)
    assert not jv[1].numpy().any()


# --------------------------------------------------------------------------- nn layers
def test_tangents_flow_through_nn_layers():
    """A network of conv, batch norm (training), pooling, linear, GELU (a custom Function with
    a jvp), layer norm, attention and recurrent layers: vᵀ(J u) both ways; the running
    statistics that batch norm updates under no_grad take no tangent."""
    import nn
    import nn.functional as F

    conv = pytest.importorskip("nn.conv")
    pooling = pytest.importorskip("nn.pooling")
    norm = pytest.importorskip("nn.normalization")
    rnn = pytest.importorskip("nn.rnn")
    attention = pytest.importorskip("nn.attention")
    autograd.manual_seed(0)
    autograd.set_default_dtype(autograd.float64)
    try:
        model = nn.Sequential(
            conv.Conv2d(2, 3, 3, padding=1),
            norm.BatchNorm2d(3),
            nn.ReLU(),
            pooling.MaxPool2d(2),
            pooling.AvgPool2d(1),
            nn.Flatten(),
            nn.Linear(12, 8),
            nn.GELU(),
            norm.LayerNorm(8),
            nn.Linear(8, 4),
        )
        att = attention.MultiheadAttention(4, 2, batch_first=True)
        lstm, gru = rnn.LSTM(4, 5, batch_first=True), rnn.GRU(5, 4, batch_first=True)
    finally:
        autograd.set_default_dtype(autograd.float32)
    target = autograd.tensor([1, 3])

    def f(x):
        h = model(x)  # (2, 4)
        seq = h.unsqueeze(1).expand(2, 3, 4)
        out, _ = gru(lstm(att(seq, seq, seq)[0])[0])
        return F.cross_entropy(out[:, -1], target) + h.sum()

    x, u = _x(2, 2, 4, 4), _x(2, 2, 4, 4)
    with dual_level():
        tangent = unpack_dual(f(make_dual(x, u))).tangent
        assert unpack_dual(model[1].running_mean).tangent is None
    xr = x.requires_grad_()
    f(xr).backward()
    assert tangent.item() == pytest.approx((xr.grad * u).sum().item(), rel=1e-9)


def test_floor_divide_has_no_jvp_as_torch():
    import torch.autograd.forward_ad as torch_fwad

    with torch_fwad.dual_level():
        x = torch_fwad.make_dual(torch.tensor([7.5, -7.5]), torch.tensor([1.0, 1.0]))
        with pytest.raises(NotImplementedError, match="floor_divide"):
            x // 2.0
    with forward_ad.dual_level():
        x = forward_ad.make_dual(autograd.tensor([7.5, -7.5]), autograd.tensor([1.0, 1.0]))
        with pytest.raises(NotImplementedError, match="floor_divide"):
            x // 2.0
