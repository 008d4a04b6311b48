"""viz.explain: the backward pass step by step, checked on the lectures' two walk-throughs."""

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, viz


def _edges(expl, node=None, to=None):
    return [
        s
        for s in expl.steps
        if s.kind == "edge" and (node is None or s.node == node) and (to is None or s.to == to)
    ]


def test_polynomial_walk_of_the_lecture():
    """f = y (x^2 + x) at x=2, y=1: the mul sends 6 to y and 1 to the sum, the add sends 1
    to each input, the square sends 2*2*1 = 4, x receives 4 + 1 = 5."""
    x, y = Value(2.0, "x"), Value(1.0, "y")
    s = x**2 + x
    s.label = "s"
    f = y * s
    f.label = "f"
    expl = viz.explain(f)
    assert expl.steps[0].kind == "start" and expl.steps[0].sent == 1.0
    (to_y,) = _edges(expl, "f", "y")
    (to_s,) = _edges(expl, "f", "s")
    assert (to_y.upstream, to_y.local, to_y.sent) == (1.0, 6.0, 6.0)
    assert (to_s.upstream, to_s.local, to_s.sent) == (1.0, 1.0, 1.0)
    add_edges = _edges(expl, "s")
    assert sorted(e.sent for e in add_edges) == [1.0, 1.0] and all(e.local == 1 for e in add_edges)
    (square,) = [e for e in _edges(expl, to="x") if e.node != "s"]
    assert (square.upstream, square.local, square.sent) == (1.0, 4.0, 4.0)
    assert "n x^(n-1)" in square.rule
    (total,) = [st for st in expl.steps if st.kind == "sum"]
    assert total.node == "x" and sorted(total.parts) == [1.0, 4.0] and total.sent == 5.0
    # the steps follow the engine's order: every node sends after it has received everything
    seen = set()
    for st in expl.steps:
        if st.kind == "edge":
            assert st.to not in seen or st.to in ("x",)
            seen.add(st.node)
    text = str(expl)
    assert "1 x 6 = 6" in text and "1 + 4 = 5" in text and "dz/dy = x" in text


def test_explain_changes_no_gradient():
    x, y = Value(2.0, "x"), Value(1.0, "y")
    f = y * (x**2 + x)
    viz.explain(f)
    assert (x.grad, y.grad) == (0.0, 0.0)
    f.backward()
    viz.explain(f)
    assert (x.grad, y.grad) == (5.0, 6.0)


def test_two_two_two_network_walk_of_the_lecture():
    """dE/dout_o1 = 0.74136507, dout_o1/dnet_o1 = 0.186815602, dnet_o1/dw5 = 0.593269992,
    so dE/dw5 = 0.082167041."""
    W = [0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55]
    w = [Value(v, label=f"w{k + 1}") for k, v in enumerate(W)]
    i1, i2, b1, b2 = Value(0.05), Value(0.10), Value(0.35), Value(0.60)
    h1 = (w[0] * i1 + w[1] * i2 + b1).sigmoid()
    h2 = (w[2] * i1 + w[3] * i2 + b1).sigmoid()
    net_o1 = w[4] * h1 + w[5] * h2 + b2
    net_o1.label = "net_o1"
    o1 = net_o1.sigmoid()
    o1.label = "out_o1"
    o2 = (w[6] * h1 + w[7] * h2 + b2).sigmoid()
    E = 0.5 * (0.01 - o1) ** 2 + 0.5 * (0.99 - o2) ** 2
    expl = viz.explain(E, digits=9)
    (sig,) = _edges(expl, "out_o1", "net_o1")
    assert sig.upstream == pytest.approx(0.74136507, abs=1e-8)
    assert sig.local == pytest.approx(0.186815602, abs=1e-9)
    assert "y (1 - y)" in sig.rule or "z (1 - z)" in sig.rule
    (to_w5,) = _edges(expl, to="w5")
    assert to_w5.local == pytest.approx(0.593269992, abs=1e-9)
    assert to_w5.sent == pytest.approx(0.082167041, abs=1e-9)
    assert "0.08216704" in str(expl)


def test_tensor_graph_sends_what_the_engine_computes():
    a = Tensor([1.0, -2.0, 0.5], requires_grad=True, dtype=autograd.float64)
    a.name = "a"
    b = Tensor(np.arange(6.0).reshape(2, 3) / 7, requires_grad=True)
    b.name = "b"
    loss = ((a * b).sum(0) * a).tanh().sum()
    expl = viz.explain(loss)
    loss.backward()
    (total,) = [st for st in expl.steps if st.kind == "sum"]
    assert total.node == "a" and len(total.parts) == 2
    np.testing.assert_allclose(total.sent.numpy(), a.grad.numpy(), rtol=1e-12)
    (to_b,) = _edges(expl, to="b")
    np.testing.assert_allclose(to_b.sent.numpy(), b.grad.numpy(), rtol=1e-12)
    assert to_b.local is None and "dz/dy = x" in to_b.rule
    md = expl.to_markdown()
    assert md.startswith("| # | at node |") and md.count("\n") == len(expl.steps) + 1


def test_explain_of_a_freed_graph_raises_and_a_retained_one_works():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    assert viz.explain(y).steps[-2].to == "leaf a (2,)"
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        viz.explain(y)


def test_explain_rejects_what_has_no_graph():
    with pytest.raises(TypeError, match="Value or a Tensor"):
        viz.explain(3.0)
    with pytest.raises(RuntimeError, match="does not require grad"):
        viz.explain(Tensor([1.0]))
    with pytest.raises(RuntimeError, match="needs `gradient=`"):
        viz.explain(Tensor([1.0, 2.0], requires_grad=True) * 2)


# --------------------------------------------------------------------------- circuit pictures
def _wires(dot):
    """{(tail label, head label): (value, gradient)} read back from circuit DOT."""
    import re

    labels = dict(re.findall(r'^\t(\w+) \[label="([^"]*)"', dot, flags=re.M))
    wires = {}
    for tail, head, value, grad in re.findall(
        r'^\t(\w+) -> (\w+) \[label=<<font color="#1a7f37">([^<]*)</font><br/>'
        r'<font color="#cf222e"><i>∂ ([^<]*)</i></font>>\];',
        dot,
        flags=re.M,
    ):
        wires.setdefault((labels[tail], labels[head]), []).append((value, grad))
    return wires


def test_circuit_puts_value_above_and_gradient_below_each_wire():
    x, y = Value(2.0, "x"), Value(1.0, "y")
    f = y * (x**2 + x)
    f.label = "f"
    wires = _wires(viz.to_dot(f, style="circuit"))
    assert wires[("y", "*")] == [("1", "6")]
    assert wires[("+", "*")] == [("6", "1")]
    assert wires[("x", "**2")] == [("2", "4")]  # the square sends 4 back along its wire
    assert wires[("x", "+")] == [("2", "1")]
    assert wires[("*", "f")] == [("6", "1")]
    assert (x.grad, y.grad) == (0.0, 0.0)  # drawing ran no backward into .grad


def test_circuit_of_a_small_tensor_graph():
    a = Tensor([1.0, 2.0], requires_grad=True)
    a.name = "a"
    loss = (a * a).sum()
    loss.name = "loss"
    wires = _wires(viz.to_dot(loss, style="circuit"))
    assert wires[("a", "*")] == [("[1, 2]", "[1, 2]"), ("[1, 2]", "[1, 2]")]
    assert wires[("sum", "loss")] == [("5", "1")]


def test_circuit_style_is_checked_and_graph_stays_the_default():
    x = Value(1.0, "x")
    f = x * 2
    assert viz.to_dot(f) == viz.to_dot(f, style="graph")
    assert 'shape="circle"' not in viz.to_dot(f)
    with pytest.raises(ValueError, match="style"):
        viz.to_dot(f, style="circuits")


def test_rules_are_split_per_input_of_a_fused_op():
    import nn

    layer = nn.Linear(3, 2)
    for name, p in layer.named_parameters():
        p.name = name
    expl = viz.explain(layer(Tensor([[1.0, 2.0, 3.0]])).sum())
    (to_w,) = _edges(expl, to="weight")
    (to_b,) = _edges(expl, to="bias")
    assert to_w.rule.startswith("dy/dW") and to_b.rule.startswith("dy/db")
    x = Value(1.0, "x")
    (edge, _) = _edges(viz.explain(x + x))
    assert edge.rule == "dz/dx = dz/dy = 1"
