"""autograd.functional against torch.autograd.functional: same values, same structure."""

import re

import numpy as np
import pytest
import torch
import torch.autograd.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as A
import autograd.functional as AF

# Pairs of the same function written for dagrad (module A) and torch; inputs -> outputs.
FUNCS = {
    "elementwise": (lambda m: lambda x: m.tanh(x) * x.exp()),
    "reduce": (lambda m: lambda x: (x * x).sum(-1) + x.prod()),
    "matmul": (lambda m: lambda x: x @ x.T if x.ndim == 2 else (x * x).sum()),
    "softmax": (lambda m: lambda x: m.softmax(x.reshape(-1), 0)),
    "broadcast": (lambda m: lambda x: (x.unsqueeze(0) - x.unsqueeze(1)).sin()),
}
SCALAR_FUNCS = {
    "cubic": (lambda m: lambda x: (x**3).sum() + (x[..., :1] * x).sum() ** 2),
    "logsumexp": (lambda m: lambda x: m.log(m.exp(x).sum())),
    "rosenbrock": (
        lambda m: (
            lambda x: (
                ((1 - x.reshape(-1)[:-1]) ** 2).sum()
                + 100 * ((x.reshape(-1)[1:] - x.reshape(-1)[:-1] ** 2) ** 2).sum()
            )
        )
    ),
}

shapes = st.lists(st.integers(1, 3), min_size=1, max_size=2).map(tuple)


def _pair(shape, seed):
    data = np.random.default_rng(seed).uniform(-1.5, 1.5, size=shape)
    return A.tensor(data), torch.tensor(data)


def _close(ours, theirs):
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _close(a, b)
        return
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-10, atol=1e-12)


# derivative -> (its functions, how a functional module takes it with a strategy)
DERIVATIVES = {
    "jacobian": (FUNCS, lambda F, f, x, strategy: F.jacobian(f, x, strategy=strategy)),
    "hessian": (
        SCALAR_FUNCS,
        lambda F, f, x, strategy: F.hessian(f, x, outer_jacobian_strategy=strategy),
    ),
}


@pytest.mark.parametrize(
    "derivative, name", [(d, n) for d, (funcs, _) in DERIVATIVES.items() for n in sorted(funcs)]
)
@pytest.mark.parametrize("strategy", ["reverse-mode", "forward-mode"])
@settings(max_examples=8, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**16))
def test_jacobian_and_hessian_match_torch(derivative, name, strategy, shape, seed):
    x, tx = _pair(shape, seed)
    funcs, take = DERIVATIVES[derivative]
    ours = take(AF, funcs[name](A), x, strategy)
    _close(ours, take(TF, funcs[name](torch), tx, "reverse-mode"))  # torch's as reference
    if derivative == "hessian":  # symmetric
        h = ours.numpy().reshape(x.numel(), -1)
        np.testing.assert_allclose(h, h.T)


@pytest.mark.parametrize("name", sorted(SCALAR_FUNCS))
@settings(max_examples=8, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**16))
def test_products_match_torch(name, shape, seed):
    x, tx = _pair(shape, seed)
    v, tv = _pair(shape, seed + 1)
    f = SCALAR_FUNCS[name]
    for ours, theirs in [(AF.hvp, TF.hvp), (AF.vhp, TF.vhp)]:
        _close(ours(f(A), x, v), theirs(f(torch), tx, tv))
    _close(AF.vjp(f(A), x), TF.vjp(f(torch), tx))
    _close(AF.jvp(f(A), x, v), TF.jvp(f(torch), tx, tv))


def _two_in_two_out(m):
    return lambda a, b: (a * b.sum(), m.exp(a).sum() * b)


def test_tuples_of_inputs_and_outputs_nest_as_torch():
    (a, ta), (b, tb) = _pair((2,), 1), _pair((3,), 2)
    for strategy in ("reverse-mode", "forward-mode"):
        j = AF.jacobian(_two_in_two_out(A), (a, b), strategy=strategy)
        _close(j, TF.jacobian(_two_in_two_out(torch), (ta, tb)))
    u, tu = (A.ones_like(a), A.ones_like(b)), (torch.ones_like(ta), torch.ones_like(tb))
    _close(AF.jvp(_two_in_two_out(A), (a, b), u), TF.jvp(_two_in_two_out(torch), (ta, tb), tu))
    w = (A.ones(2, dtype=A.float64), A.ones(3, dtype=A.float64))
    tw = (torch.ones(2, dtype=torch.float64), torch.ones(3, dtype=torch.float64))
    _close(AF.vjp(_two_in_two_out(A), (a, b), w), TF.vjp(_two_in_two_out(torch), (ta, tb), tw))

    def f(m):
        return lambda a, b: (m.exp(a).sum() * b * b).sum()

    _close(AF.hessian(f(A), (a, b)), TF.hessian(f(torch), (ta, tb)))


def test_results_are_detached_unless_create_graph():
    x = A.tensor([0.5, -1.0], dtype=A.float64, requires_grad=True)
    j = AF.jacobian(lambda x: x.sin(), x)
    assert not j.requires_grad
    j = AF.jacobian(lambda x: x.sin(), x, create_graph=True)
    assert j.requires_grad
    # d/dx trace(J) = d/dx sum(cos x) = -sin x: the graph reaches the original input
    (j * A.eye(2, dtype=A.float64)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), -np.sin(x.detach().numpy()))


def test_independent_input_gives_zeros_or_strict_error():
    a, b = A.ones(2, dtype=A.float64), A.ones(3, dtype=A.float64)
    j = AF.jacobian(lambda a, b: a * 2, (a, b))
    assert tuple(j[1].shape) == (2, 3) and not j[1].numpy().any()
    with pytest.raises(RuntimeError, match="independent of input 1"):
        AF.jacobian(lambda a, b: a * 2, (a, b), strict=True)


@pytest.mark.parametrize("lib, m", [(AF, A), (TF, torch)], ids=["dagrad", "torch"])
def test_jvp_output_independent_of_the_inputs_gives_zero_tangent_or_strict_error(lib, m):
    """Forward mode: an output with no tangent gets zeros, or in strict mode a RuntimeError
    naming it, as torch's jvp (run by the same test)."""
    x = m.ones(3, dtype=m.float64)

    def f(a):
        return a * 2, m.ones(2, dtype=m.float64)

    _, tangents = lib.jvp(f, x, m.ones(3, dtype=m.float64))
    assert tangents[0].tolist() == [2.0] * 3 and tangents[1].tolist() == [0.0] * 2
    with pytest.raises(RuntimeError, match=r"[Oo]utput 1 of the user-provided function"):
        lib.jvp(f, x, m.ones(3, dtype=m.float64), strict=True)


def test_errors_name_the_function_and_shapes():
    x = A.ones(3, dtype=A.float64)
    with pytest.raises(RuntimeError, match=r"vjp: The vector v can only be None"):
        AF.vjp(lambda x: x * 2, x)
    with pytest.raises(RuntimeError, match=r"jvp: Mismatch in shape: v\[0\] has shape \(2,\)"):
        AF.jvp(lambda x: x * 2, x, A.ones(2, dtype=A.float64))
    with pytest.raises(RuntimeError, match=r"hessian: .*single element, got shape \(3,\)"):
        AF.hessian(lambda x: x * 2, x)
    with pytest.raises(AssertionError, match="strategy"):  # torch's type for it
        AF.jacobian(lambda x: x, x, strategy="sideways")
    with pytest.raises(TypeError, match=r"jacobian: the inputs\[1\] must be a Tensor"):
        AF.jacobian(lambda a, b: a, (x, 3.0))


def test_empty_output_gives_an_empty_jacobian():
    x = A.ones(3, dtype=A.float64)
    j = AF.jacobian(lambda x: x[:0], x)
    assert tuple(j.shape) == (0, 3)


# Issue 12: strict mode refuses what torch's refuses, with the same exception type and
# torch's words naming the output or input at fault; jacobian's forward mode refuses strict
# and create_graph as torch's does. Each function is written for both libraries (m).
def _strict_funcs(m, w):
    """name -> (number of inputs, function); w is a leaf outside the inputs."""
    return {
        "constant_output": (1, lambda a: (a * 2, m.ones(2, dtype=m.float64))),
        "unused_input": (2, lambda a, b: a * 2),
        "output_of_a_closure": (1, lambda a: (a * 2, w * 3)),
        "linear": (1, lambda a: a * 2),
        "fine": (2, lambda a, b: (a.sin() * b.sum(), b.exp())),
        "scalar_constant": (1, lambda a: m.ones(1, dtype=m.float64).sum()),
        "scalar_unused_input": (2, lambda a, b: (a**3).sum()),
        "scalar_linear": (1, lambda a: a.sum() * 2),
        "scalar_quadratic": (1, lambda a: (a * a).sum()),
        "scalar_closure": (2, lambda a, b: (a**3).sum() + (b * w).sum()),
        "scalar_linear_in_b": (2, lambda a, b: (a**3).sum() + b.sum()),
        "scalar_fine": (2, lambda a, b: (a.sin() * b.exp()).sum()),
    }


def _strict_call(m, F, name, call, create_graph, strategy):
    w = m.ones(2, dtype=m.float64, requires_grad=True)
    n, f = _strict_funcs(m, w)[name]
    xs = tuple(m.tensor(np.linspace(0.1, 0.9, 2) + i) for i in range(n))
    vs = tuple(m.ones(2, dtype=m.float64) for _ in range(n))
    inputs, v = (xs, vs) if n > 1 else (xs[0], vs[0])
    kw = dict(create_graph=create_graph, strict=True)
    if call == "vjp":
        out = f(*xs)
        outs = out if isinstance(out, tuple) else (out,)
        cot = tuple(m.ones(o.shape, dtype=m.float64) for o in outs)
        return F.vjp(f, inputs, cot if isinstance(out, tuple) else cot[0], **kw)
    if call == "jacobian":
        return F.jacobian(f, inputs, strategy=strategy, **kw)
    if call == "hessian":
        return F.hessian(f, inputs, outer_jacobian_strategy=strategy, **kw)
    return getattr(F, call)(f, inputs, v, **kw)


def _flat(r):
    if isinstance(r, (tuple, list)):
        return [y for x in r for y in _flat(x)]
    return [r.detach().numpy()]


def _strict_words(message):
    """What is compared: torch's text, less its module path and ours less our op's name;
    the create_graph message names the input (torch's names the output's index there)."""
    message = re.sub(r"^(torch\.autograd\.functional\.)?\w+: ", "", message)
    message = message.replace("function (output 0)", "function")
    if "when create_graph=True" in message:
        message = re.sub(r"input \d+", "input N", message)
    return message


STRICT_CASES = [
    (name, call, create_graph, strategy)
    for name in _strict_funcs(np, None)
    for call in (
        ("vjp", "jvp", "jacobian", "hessian", "hvp", "vhp")
        if name.startswith("scalar")
        else ("vjp", "jvp", "jacobian")
    )
    for create_graph in (False, True)
    for strategy in (
        ("reverse-mode", "forward-mode") if call in ("jacobian", "hessian") else (None,)
    )
]


@pytest.mark.parametrize(
    "name, call, create_graph, strategy",
    STRICT_CASES,
    ids=[f"{c[1]}-{c[0]}-cg{int(c[2])}" + (f"-{c[3]}" if c[3] else "") for c in STRICT_CASES],
)
def test_strict_mode_errors_match_torch(name, call, create_graph, strategy):
    try:
        theirs = _strict_call(torch, TF, name, call, create_graph, strategy)
    except Exception as exc:  # noqa: BLE001 - the type and words are what is compared
        with pytest.raises(type(exc)) as ours:
            _strict_call(A, AF, name, call, create_graph, strategy)
        assert _strict_words(str(exc)) == _strict_words(str(ours.value))
        assert str(ours.value).startswith(f"{'jacobian' if strategy else call}: ") or (
            call == "hessian"
        )
        return
    ours = _strict_call(A, AF, name, call, create_graph, strategy)
    for a, b in zip(_flat(ours), _flat(theirs), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_jvp_strict_output_that_does_not_require_grad_is_named_as_torch_names_it():
    """It was "jvp: output 1 ... independent of the inputs" where torch says "Output 1 of
    the user-provided function does not require gradients"."""

    def f(m):
        return lambda a: (a * 2, m.ones(2))

    with pytest.raises(RuntimeError) as theirs:
        TF.jvp(f(torch), torch.ones(3), torch.ones(3), strict=True)
    with pytest.raises(type(theirs.value)) as ours:
        AF.jvp(f(A), A.ones(3), A.ones(3), strict=True)
    assert str(ours.value) == f"jvp: {theirs.value}"
    assert "Output 1 of the user-provided function does not require gradients" in str(ours.value)


def test_jvp_strict_refuses_an_input_no_output_uses_as_torch():
    """Forward mode never saw it: an unused input was accepted in strict mode."""
    x, y = A.ones(2, dtype=A.float64), A.ones(3, dtype=A.float64)
    tx, ty = torch.ones(2, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    with pytest.raises(RuntimeError) as theirs:
        TF.jvp(lambda a, b: a * 2, (tx, ty), (tx, ty), strict=True)
    with pytest.raises(type(theirs.value)) as ours:
        AF.jvp(lambda a, b: a * 2, (x, y), (x, y), strict=True)
    assert str(ours.value) == f"jvp: {theirs.value}"


@pytest.mark.parametrize("call", ["jacobian", "hessian"])
def test_strict_and_vectorize_together_are_refused_as_torch(call):
    x, tx = _pair((3,), 0)
    with pytest.raises(RuntimeError) as theirs:
        getattr(TF, call)(lambda a: (a**3).sum(), tx, strict=True, vectorize=True)
    with pytest.raises(type(theirs.value)) as ours:
        getattr(AF, call)(lambda a: (a**3).sum(), x, strict=True, vectorize=True)
    assert _strict_words(str(theirs.value)) == _strict_words(str(ours.value))
