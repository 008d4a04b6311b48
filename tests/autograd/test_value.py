"""Value: micrograd's scalar API on the shared engine, checked against torch scalars."""

import math

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


def test_value_and_tensor_run_on_the_same_engine(monkeypatch):
    """Value.backward and Tensor.backward both end in autograd.engine.run_backward."""
    assert autograd.value.run_backward is autograd.engine.run_backward
    original = autograd.engine.run_backward
    calls = []

    def spy(roots, *args, **kwargs):
        calls.append(type(roots[0]).__name__)
        return original(roots, *args, **kwargs)

    monkeypatch.setattr(autograd.engine, "run_backward", spy)
    monkeypatch.setattr(autograd.value, "run_backward", spy)
    a = Value(2.0)
    (a * a).backward()
    x = Tensor([2.0], requires_grad=True)
    (x * x).sum().backward()
    assert len(calls) == 2
    assert calls[0] == "Value"  # a Value is its own vertex
    assert calls[1] != "Value"
    assert a.grad == pytest.approx(4.0)
    assert x.grad.item() == pytest.approx(4.0)


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
