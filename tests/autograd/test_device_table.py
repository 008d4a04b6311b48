"""The whole op table of test_ops.py on every device present plus the strict test double.

On each device, per row: forward values and dtypes, and gradients for one upstream gradient,
equal ours on the CPU (which test_ops.py holds to torch); gradcheck runs on the device; forward
mode's tangents equal the CPU's. On the strict device (tests/strict_backend.py) any host leak
(`np.asarray` of a device array, `float()` of one, a host array mixed in) raises, so a pass
means the op keeps to the device discipline cupy enforces. A few draws per row: the CPU tables
do the thorough sampling; this one checks where the arrays live.
"""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_forward_ad import ROWS as FORWARD_ROWS
from test_ops import (
    GRAD_ROWS,
    ROWS,
    SIDE_GRADCHECK,
    SIDE_PARITY,
    as_list,
    param_rows,
)

import autograd
from autograd.forward_ad import dual_level, make_dual, unpack_dual

# the device fixture (tests/conftest.py) is set up once per test: nothing to reset between
# examples
FIXTURE_OK = [HealthCheck.function_scoped_fixture]


def leaves(arrays, device, dtype=np.float64, requires_grad=True):
    return [
        autograd.tensor(a.astype(dtype), device=device, requires_grad=requires_grad) for a in arrays
    ]


def run(row, c, xs, device):
    """The row's outputs; constants the row makes (`T.tensor(index)`) go to xs' device."""
    with autograd.device(device):
        return as_list(row.ours(*xs, **c.params))


def host(t):
    return None if t is None else t.detach().cpu().numpy()


def assert_same(on_device, on_cpu, what, rtol=1e-12, atol=1e-12):
    assert on_device.shape == on_cpu.shape, f"{what}: shape {on_device.shape} != {on_cpu.shape}"
    assert on_device.dtype == on_cpu.dtype, f"{what}: dtype {on_device.dtype} != {on_cpu.dtype}"
    np.testing.assert_allclose(on_device, on_cpu, rtol=rtol, atol=atol, equal_nan=True)


@param_rows(ROWS)
@settings(max_examples=2, suppress_health_check=FIXTURE_OK)
@given(data=st.data())
def test_forward_and_backward_on_device_match_the_cpu(device, row, data):
    c = data.draw(row.inputs(SIDE_PARITY), label="case")
    for dtype in (np.float64, np.float32):
        xs, cs = leaves(c.arrays, device, dtype), leaves(c.arrays, "cpu", dtype)
        outs, expected = run(row, c, xs, device), run(row, c, cs, "cpu")
        assert len(outs) == len(expected)
        for i, (o, e) in enumerate(zip(outs, expected, strict=True)):
            assert o.requires_grad == e.requires_grad, f"output {i}"
            assert_same(host(o), host(e), f"output {i} ({dtype.__name__})", 1e-5, 1e-6)
    if not row.grad:
        return
    xs, cs = leaves(c.arrays, device), leaves(c.arrays, "cpu")
    pairs = [
        (o, e)
        for o, e in zip(run(row, c, xs, device), run(row, c, cs, "cpu"), strict=True)
        if e.requires_grad
    ]
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    upstream = [rng.standard_normal(e.shape) for _, e in pairs]
    autograd.backward(
        [o for o, _ in pairs],
        [autograd.tensor(g, device=o.device) for (o, _), g in zip(pairs, upstream)],
    )
    autograd.backward([e for _, e in pairs], [autograd.tensor(g) for g in upstream])
    for i, (x, cx) in enumerate(zip(xs, cs, strict=True)):
        assert (x.grad is None) == (cx.grad is None), f"input {i}"
        if x.grad is not None:
            assert x.grad.device == x.device, f"input {i}: grad on {x.grad.device}"
            assert_same(host(x.grad), host(cx.grad), f"grad of input {i}", 1e-9, 1e-9)


@param_rows(GRAD_ROWS)
@settings(max_examples=2, suppress_health_check=FIXTURE_OK)
@given(data=st.data())
def test_gradcheck_on_device(device, row, data):
    c = data.draw(row.inputs(SIDE_GRADCHECK, empty=False), label="case")
    xs = leaves(c.arrays, device)

    def fn(*args):
        with autograd.device(device):
            return row.ours(*args, **c.params)

    assert autograd.gradcheck(fn, xs, **row.tol)


def _tangents(row, c, xs, us, device):
    with dual_level():
        duals = [make_dual(x, u) for x, u in zip(xs, us, strict=True)]
        outs = [o for o in run(row, c, duals, device) if o.dtype.kind == "f"]
        tangents = [unpack_dual(o).tangent for o in outs]
    return [np.zeros(o.shape) if t is None else host(t) for o, t in zip(outs, tangents)]


@param_rows(FORWARD_ROWS)
@settings(max_examples=2, suppress_health_check=FIXTURE_OK)
@given(data=st.data())
def test_forward_mode_on_device_matches_the_cpu(device, row, data):
    c = data.draw(row.inputs(SIDE_GRADCHECK), label="case")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    us = [rng.standard_normal(a.shape) for a in c.arrays]
    ours = _tangents(
        row, c, leaves(c.arrays, device), leaves(us, device, requires_grad=False), device
    )
    cpu = _tangents(row, c, leaves(c.arrays, "cpu"), leaves(us, "cpu", requires_grad=False), "cpu")
    assert len(ours) == len(cpu)
    for i, (t, e) in enumerate(zip(ours, cpu, strict=True)):
        assert_same(t, e, f"tangent {i}", 1e-9, 1e-9)
