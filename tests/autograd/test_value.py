"""Value: micrograd's scalar API on the shared engine, checked against torch scalars."""

import gc
import math
import weakref

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import autograd.engine
import autograd.value
from autograd import Tensor, Value


def tscalar(x):
    return torch.tensor(float(x), dtype=torch.float64, requires_grad=True)


def test_value_attributes():
    v = Value(3, label="a")
    assert v.data == 3.0 and isinstance(v.data, float)
    assert v.grad == 0.0 and isinstance(v.grad, float)
    assert v.label == "a"
    assert Value(2.5).label == ""


# Each row: a function of two scalars written once, run on Value and on torch tensors.
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "radd": lambda a, b: 2.5 + a + b,
    "rsub": lambda a, b: 1.5 - a * b,
    "rmul": lambda a, b: 2 * a * b,
    "rdiv": lambda a, b: 3.0 / (a * a + 1) + b,
    "neg": lambda a, b: -a * b,
    "pow": lambda a, b: (a * a + 1) ** 1.5 + b**3,
    "pow_neg": lambda a, b: (a * a + 1) ** -2 + b,
    "reuse": lambda a, b: a * a * a + a * b + b,
    "tanh": lambda a, b: (a * b).tanh(),
    "sigmoid": lambda a, b: (a - b).sigmoid(),
    "exp": lambda a, b: (a * 0.5).exp() * b,
    "log": lambda a, b: (a * a + 0.5).log() + b,
    "relu": lambda a, b: (a - b).relu() * a,
    "maximum": lambda a, b: a.maximum(b) * 2,
}


@pytest.mark.parametrize("name", sorted(BINARY))
@settings(max_examples=12, deadline=None)
@given(a=st.floats(-3, 3), b=st.floats(-3, 3))
def test_value_ops_match_torch(name, a, b):
    f = BINARY[name]
    if name == "div":
        b = b if abs(b) > 0.1 else 0.5
    if name in ("relu", "maximum") and abs(a - b) < 1e-6:
        b = a + 0.5  # kinks are tested separately
    va, vb = Value(a), Value(b)
    out = f(va, vb)
    out.backward()
    ta, tb = tscalar(a), tscalar(b)
    tout = f(ta, tb) if name not in ("maximum",) else torch.maximum(ta, tb) * 2
    tout.backward()
    assert out.data == pytest.approx(tout.item(), rel=1e-9, abs=1e-12)
    assert va.grad == pytest.approx(ta.grad.item(), rel=1e-9, abs=1e-12)
    assert vb.grad == pytest.approx(tb.grad.item(), rel=1e-9, abs=1e-12)


def test_kinks_match_torch():
    # relu'(0) = 0; maximum splits a tie in half.
    z = Value(0.0)
    z.relu().backward()
    tz = tscalar(0.0)
    tz.relu().backward()
    assert z.grad == tz.grad.item() == 0.0
    a, b = Value(1.0), Value(1.0)
    a.maximum(b).backward()
    ta, tb = tscalar(1.0), tscalar(1.0)
    torch.maximum(ta, tb).backward()
    assert (a.grad, b.grad) == (ta.grad.item(), tb.grad.item()) == (0.5, 0.5)


@pytest.mark.parametrize("upstream", [math.inf, -math.inf, math.nan])
@pytest.mark.parametrize("how", ["backward", "grad", "create_graph"])
def test_relu_and_maximum_send_zero_not_nan_to_the_unused_input(upstream, how):
    """Regression: relu's and maximum's rules multiplied the gradient by 0.0, so an inf or
    nan gradient reached the unused input as nan; PyTorch sends it 0."""
    a, b = Value(-1.0), Value(2.0)
    outs = [a.relu() * upstream, a.maximum(b) * upstream]
    ta, tb = tscalar(-1.0), tscalar(2.0)
    touts = [ta.relu() * upstream, torch.maximum(ta, tb) * upstream]
    for out, tout in zip(outs, touts, strict=True):
        a.grad = b.grad = 0.0
        expected = torch.autograd.grad(tout, [ta, tb], allow_unused=True)
        expected = [0.0 if e is None else e.item() for e in expected]
        if how == "backward":
            out.backward()
            got = [a.grad, b.grad]
        else:
            grads = autograd.grad(out, [a, b], allow_unused=True, create_graph=how != "grad")
            got = [0.0 if g is None else g.data for g in grads]
        for g, e in zip(got, expected, strict=True):
            assert _same_float(g, e), (how, got, expected)


def test_maximum_with_number():
    a = Value(2.0)
    out = a.maximum(5.0)
    assert out.data == 5.0
    out.backward()
    assert a.grad == 0.0


def test_pow_rejects_value_exponent():
    with pytest.raises(TypeError):
        Value(2.0) ** Value(3.0)


def test_intermediate_values_have_grad_after_backward():
    """micrograd semantics: every node in the graph shows its gradient."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    d = c + a
    e = d.tanh()
    e.backward()
    ta, tb = tscalar(2.0), tscalar(-3.0)
    tc = ta * tb
    tc.retain_grad()
    td = tc + ta
    td.retain_grad()
    te = td.tanh()
    te.backward()
    assert e.grad == 1.0
    assert d.grad == pytest.approx(td.grad.item())
    assert c.grad == pytest.approx(tc.grad.item())
    assert a.grad == pytest.approx(ta.grad.item())
    assert b.grad == pytest.approx(tb.grad.item())


def test_value_grads_accumulate_across_backward_calls():
    a = Value(3.0)
    y = a * a
    y.backward()
    y.backward()
    assert a.grad == pytest.approx(12.0)


def _spy_run_backward(monkeypatch):
    original = autograd.engine.run_backward
    calls = []

    def spy(roots, *args, **kwargs):
        calls.append(type(roots[0]).__name__)
        return original(roots, *args, **kwargs)

    monkeypatch.setattr(autograd.engine, "run_backward", spy)
    monkeypatch.setattr(autograd.value, "run_backward", spy)
    return calls


def test_value_and_tensor_run_on_the_same_engine(monkeypatch):
    """The engine's walk takes Values wherever it takes Tensors: autograd.backward,
    autograd.grad, and Value.backward when the backward is recorded or checked; a plain
    Value.backward() takes the float walk (value._backward_floats)."""
    assert autograd.value.run_backward is autograd.engine.run_backward
    calls = _spy_run_backward(monkeypatch)
    a = Value(2.0)
    (a * a).backward()
    assert calls == [] and a.grad == 4.0
    (a * a).backward(create_graph=True)
    autograd.backward(a * a)
    with autograd.detect_anomaly():
        (a * a).backward()
    x = Tensor([2.0], requires_grad=True)
    (x * x).sum().backward()
    assert calls == ["Value", "Value", "Value", "SumBackward0"]  # a Value is its own vertex
    assert a.grad == pytest.approx(16.0)
    assert x.grad.item() == pytest.approx(4.0)


def _same_float(a, b):
    return a == b or (math.isnan(a) and math.isnan(b))


# Each op on inputs where it is smooth; the binary ones also with their inputs equal.
OP_CASES = {
    "Add": lambda a, b: a + b,
    "Mul": lambda a, b: a * b,
    "Div": lambda a, b: a / b,
    "Neg": lambda a, b: -a,
    "Pow": lambda a, b: a**2.5,
    "Exp": lambda a, b: a.exp(),
    "Log": lambda a, b: a.log(),
    "Tanh": lambda a, b: a.tanh(),
    "Sigmoid": lambda a, b: a.sigmoid(),
    "Relu": lambda a, b: a.relu(),
    "Maximum": lambda a, b: a.maximum(b),
    "Sin": lambda a, b: a.sin(),
    "Cos": lambda a, b: a.cos(),
    "Alias": lambda a, b: autograd.value.Alias.apply(a),
}


def test_op_cases_cover_every_scalar_function():
    subclasses = autograd.value.ScalarFunction.__subclasses__()
    ops = {c.__name__ for c in subclasses if c.__module__ == "autograd.value"}
    assert ops == set(OP_CASES)


@pytest.mark.parametrize("name", sorted(OP_CASES))
@settings(max_examples=15, deadline=None)
@given(
    a=st.floats(0.05, 4) | st.sampled_from([0.5, 1.0, 2.0]),
    b=st.floats(0.05, 4) | st.sampled_from([0.5, 1.0, 2.0]),
    g=st.floats(-3, 3) | st.sampled_from([0.0, -0.0, 1.0]),
)
def test_float_walk_applies_each_rule_bit_for_bit(name, a, b, g):
    """Value.backward()'s float walk inlines the common rules: each must give exactly what
    the op's backward gives through the engine (autograd.grad runs the rule on floats)."""
    out = OP_CASES[name](Value(a), Value(b)) * g  # g: the upstream gradient of the op
    inputs = [v for v in (out._a._a, out._a._b) if v is not None]
    expected = autograd.grad(out, inputs)
    out.backward()
    for v, e in zip(inputs, expected, strict=True):
        assert _same_float(v.grad, e.data), (name, v.grad, e.data)
        assert v.grad.__class__ is float and v._g is None


OPS = [
    lambda x, y: x + y,
    lambda x, y: x - y,
    lambda x, y: x * y,
    lambda x, y: x / (y * y + 1),
    lambda x, y: (x * x + 0.5).log(),
    lambda x, y: x.tanh(),
    lambda x, y: x.sigmoid(),
    lambda x, y: (x * 0.3).exp(),
    lambda x, y: x.relu() + y,
    lambda x, y: (x * x + 1) ** 0.5,
    lambda x, y: -x,
    lambda x, y: 2.0 - x * 0.5,
    lambda x, y: x.sin() * y,
]


@settings(max_examples=25, deadline=None)
@given(
    leaves=st.lists(st.floats(-2, 2), min_size=1, max_size=4),
    program=st.lists(
        st.tuples(st.integers(0, len(OPS) - 1), st.integers(0, 99), st.integers(0, 99)),
        min_size=1,
        max_size=30,
    ),
)
def test_float_walk_on_random_graphs_matches_torch(leaves, program):
    """Random DAGs (values used many times, diamonds, an op on the same input twice): the
    gradients of every leaf and every intermediate Value as torch computes them."""

    def build(pool):
        for op, i, j in program:
            pool.append(OPS[op](pool[i % len(pool)], pool[j % len(pool)]))
        return pool

    vs = build([Value(x) for x in leaves])
    ts = [tscalar(x) for x in leaves]
    ts = build(ts)
    for t in ts[len(leaves) :]:
        t.retain_grad()
    vs[-1].backward()
    ts[-1].backward()
    for v, t in zip(vs, ts, strict=True):
        expected = 0.0 if t.grad is None else t.grad.item()
        assert v.grad == pytest.approx(expected, rel=1e-9, abs=1e-12)
        assert v._g is None


class _Flaky(autograd.value.Alias):
    """z = x, whose backward raises while `fail` is set."""

    fail = True

    @staticmethod
    def backward(ctx, grad):
        if _Flaky.fail:
            raise RuntimeError("flaky backward")
        return grad


def test_error_half_way_leaves_every_grad_untouched():
    """An error in the middle of Value.backward changes no .grad, and the next backward of
    the same graph is right (the walk's marks were cleared)."""
    a, b = Value(1.5), Value(-2.0)
    c = a * b
    out = _Flaky.apply(c) * a + b.tanh()
    a.grad, b.grad = 0.25, 0.5
    _Flaky.fail = True
    with pytest.raises(RuntimeError, match="flaky"):
        out.backward()
    assert (a.grad, b.grad, c.grad, out.grad) == (0.25, 0.5, 0.0, 0.0)
    _Flaky.fail = False
    out.backward()
    ta, tb = tscalar(1.5), tscalar(-2.0)
    (ta * tb * ta + tb.tanh()).backward()
    assert a.grad == pytest.approx(0.25 + ta.grad.item())
    assert b.grad == pytest.approx(0.5 + tb.grad.item())
    assert out.grad == 1.0


class _Nested(autograd.value.Alias):
    """z = x, whose backward first runs a backward of its own on another graph."""

    inner = None

    @staticmethod
    def backward(ctx, grad):
        _Nested.inner.backward()
        return grad


def test_backward_inside_a_backward_shares_values():
    """A walk started while another is under way (here by a rule; or by another thread) goes
    through the engine, so the two never mix their sums in the Values they share."""
    a, b = Value(1.5), Value(-2.0)
    c = a * b
    _Nested.inner = c.tanh()  # c's sum is complete before the outer walk reaches _Nested
    out = c * _Nested.apply(a)
    out.backward()
    ta, tb = tscalar(1.5), tscalar(-2.0)
    tc = ta * tb
    tc.tanh().backward(retain_graph=True)
    (tc * ta).backward()
    assert a.grad == pytest.approx(ta.grad.item(), rel=1e-12)
    assert b.grad == pytest.approx(tb.grad.item(), rel=1e-12)
    assert not autograd.value._walking.locked()


def test_value_graph_has_no_reference_cycle():
    """A Value holds only its inputs: dropping the output frees the graph at once, without
    the cyclic collector (micrograd's closures make every node a cycle)."""
    gc.disable()
    try:
        w = [Value(0.1 * k) for k in range(4)]
        out = sum((wi * wi).tanh() for wi in w) / 4
        out.backward()
        inner = weakref.ref(out._a)
        del out
        assert inner() is None
    finally:
        gc.enable()


def test_value_graph_creates_one_gc_tracked_object_per_op():
    """Each recorded op allocates one container (its Value, no tuple or closure): what the
    cyclic collector's allocation count and its scans grow with."""
    x, y = Value(1.0), Value(2.0)

    def allocations(n):
        gc.collect()
        gc.disable()
        try:
            before = gc.get_count()[0]
            z = x
            for _ in range(n):
                z = (z * y + x).relu()
            return gc.get_count()[0] - before
        finally:
            gc.enable()

    assert allocations(200) - allocations(100) == 300


def test_value_ops_are_functions():
    out = Value(1.0) * Value(2.0)
    assert issubclass(out._fn, autograd.Function)
    assert len(out._next) == 2


def test_no_grad_with_values():
    a = Value(2.0)
    with autograd.no_grad():
        b = a * 3
    assert b.is_leaf
    b.backward()
    assert a.grad == 0.0 and b.grad == 1.0


def test_value_second_derivative_via_grad():
    x = Value(1.3)
    y = x**3 + x.tanh() * x
    (g,) = autograd.grad(y, x, create_graph=True)
    (h,) = autograd.grad(g, x)
    tx = tscalar(1.3)
    ty = tx**3 + tx.tanh() * tx
    (tg,) = torch.autograd.grad(ty, tx, create_graph=True)
    (th,) = torch.autograd.grad(tg, tx)
    assert g.data == pytest.approx(tg.item(), rel=1e-10)
    assert h.data == pytest.approx(th.item(), rel=1e-10)
    assert x.grad == 0.0  # grad() leaves .grad alone


def test_value_grad_of_grad_for_every_op():
    fns = [
        (lambda v: v.exp(), lambda t: t.exp()),
        (lambda v: v.log(), lambda t: t.log()),
        (lambda v: v.sigmoid(), lambda t: t.sigmoid()),
        (lambda v: v.tanh(), lambda t: t.tanh()),
        (lambda v: 1 / v, lambda t: 1 / t),
        (lambda v: v**2.5, lambda t: t**2.5),
        (lambda v: (v * v).relu(), lambda t: (t * t).relu()),
    ]
    for f, tf in fns:
        x = Value(0.8)
        (g,) = autograd.grad(f(x), x, create_graph=True)
        (h,) = autograd.grad(g, x)
        tx = tscalar(0.8)
        (tg,) = torch.autograd.grad(tf(tx), tx, create_graph=True)
        (th,) = torch.autograd.grad(tg, tx)
        assert h.data == pytest.approx(th.item(), rel=1e-9)


def test_value_backward_create_graph_keeps_float_grad():
    x = Value(2.0)
    (x**3).backward(create_graph=True)
    assert isinstance(x.grad, float) and x.grad == pytest.approx(12.0)


def test_deep_value_chain():
    x = Value(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad == 1.0


def test_value_repr_mentions_data_and_grad():
    r = repr(Value(1.5, label="w"))
    assert "1.5" in r and "w" in r


def test_log_of_negative_raises():
    with pytest.raises(ValueError):
        Value(-1.0).log()
    assert math.isfinite(Value(-800.0).sigmoid().data)
