"""Differential fuzzing of dagrad against PyTorch: inputs, layouts, running and comparing.

A *case* is some input tensors (logical values, dtype, memory layout, requires_grad) and a
few lines of code over them (`T` is the library: `autograd` or `torch`; `F` its functional
namespace) that set `out`. The same code runs on both libraries; `check_case` compares what
comes out (values, dtype, shape, requires_grad, exceptions) and, where inputs require grad,
the gradients of a random-weighted sum of the outputs. A mismatch raises an AssertionError
whose message ends in a one-line dagrad reproducer to paste into Python.

Layouts build the same logical values with different strides: `contiguous`, `transposed`
(last two dims swapped in memory), `strided` (every other element of a larger array) and
`negative` (a reversed view). torch has no negative strides, so its side gets a copy.
"""

import json
import math
import os
import re
import warnings

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd
import nn.functional as dagrad_F

DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64")
INTS = ("uint8", "int8", "int16", "int32", "int64")
FLOATS = ("float16", "float32", "float64")
LAYOUTS = ("contiguous", "transposed", "strided", "negative")
# Finite values near the top of each float type (overflow/saturation in sums, products, exp).
_BIG = {"float16": 6.0e4, "float32": 3.0e38, "float64": 1.0e308}
# Relative/absolute tolerance per float dtype (forward; gradients get twice as much).
_TOL = {"float16": (1e-2, 1e-2), "float32": (1e-5, 1e-5), "float64": (1e-10, 1e-10)}


class Input:
    """One input tensor: logical values, dtype, layout, requires_grad."""

    def __init__(self, name, values, layout, requires_grad):
        self.name = name
        self.values = values
        self.layout = (
            layout if values.ndim >= (2 if layout == "transposed" else 1) else "contiguous"
        )
        self.requires_grad = requires_grad

    @property
    def dtype(self):
        return str(self.values.dtype)

    def numpy_source(self):
        """numpy code building the values in this layout."""
        v = self.values
        if self.layout == "transposed":
            v = v.swapaxes(-1, -2)
        base = f"np.array({_literal(v)}, dtype='{self.dtype}')"
        if v.ndim and 0 in v.shape and self.layout == "contiguous":
            base = f"np.zeros({v.shape}, dtype='{self.dtype}')"
        return {
            "contiguous": base,
            "transposed": f"{base}.swapaxes(-1, -2)",
            "strided": f"np.repeat({base}, 2, axis=-1)[..., ::2]",
            "negative": f"np.flip(np.flip({base}, -1).copy(), -1)",
        }[self.layout]

    def source(self):
        """dagrad code for this input (zero-copy from numpy, so the layout is kept; from_numpy
        refuses negative strides, as torch, so that layout is a reversing slice of a copy)."""
        grad = ".requires_grad_()" if self.requires_grad else ""
        if self.layout == "negative":
            flipped = f"np.flip({self.numpy_source()}, -1).copy()"
            return f"{self.name} = T.from_numpy({flipped})[..., ::-1]{grad}"
        return f"{self.name} = T.from_numpy({self.numpy_source()}){grad}"

    def build(self, lib):
        array = eval(self.numpy_source(), {"np": np})
        assert np.array_equal(array, self.values, equal_nan=True)
        if lib is torch:
            t = torch.from_numpy(array.copy() if self.layout == "negative" else array)
        elif self.layout == "negative":  # dagrad's reversing slice: a view of negative stride
            t = autograd.from_numpy(np.flip(array, -1).copy())[..., ::-1]
        else:
            t = autograd.from_numpy(array)
        return t.requires_grad_() if self.requires_grad else t


def _literal(v):
    text = repr(v.tolist())
    text = re.sub(r"\bnan\b", "np.nan", text)
    return re.sub(r"\binf\b", "np.inf", text)


# --------------------------------------------------------------------------- strategies
def elements(dtype, special):
    """Python numbers for an array of `dtype`; with `special`, extremes, +-0, +-inf, nan."""
    if dtype == "bool":
        return st.booleans()
    if dtype in INTS:
        info = np.iinfo(dtype)
        small = st.integers(max(-4, int(info.min)), 4)
        if not special:
            return small
        return st.one_of(small, st.sampled_from([int(info.min), int(info.max), int(info.max) - 1]))
    width = np.dtype(dtype).itemsize * 8
    small = st.one_of(
        st.integers(-4, 4).map(float),  # ties and exact zeros
        st.floats(-4, 4, width=width, allow_subnormal=False),
    )
    if not special:
        return small
    big = _BIG[dtype]
    return st.one_of(
        small, st.sampled_from([0.0, -0.0, 0.5, -0.5, big, -big, math.inf, -math.inf, math.nan])
    )


def arrays(dtype, shape, special=False):
    return hnp.arrays(np.dtype(dtype), shape, elements=elements(dtype, special))


def shapes(min_dims=0, max_dims=4, min_side=0, max_side=4):
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


# --------------------------------------------------------------------------- running
class Case:
    """Inputs and code; `tags` name the conditions the KNOWN table can match."""

    def __init__(self, op, inputs, code, tags=()):
        self.op = op
        self.inputs = inputs
        self.code = code if "out =" in code else f"out = {code}"
        self.tags = set(tags)
        self.weights = None

    @property
    def dtypes(self):
        return {i.dtype for i in self.inputs}

    def reproducer(self, weights=None):
        lines = ["import numpy as np, autograd as T, nn.functional as F"]
        lines += [i.source() for i in self.inputs]
        lines.append(self.code.replace("\n", "; "))
        if weights:
            ws = ", ".join(
                f"T.from_numpy(np.array({_literal(w)}, dtype='{w.dtype}'))" for w in weights
            )
            outs = "[out]" if len(weights) == 1 else "[o for o in out if o.requires_grad]"
            lines.append(f"T.backward({outs}, [{ws}])")
            lines.append("print([" + ", ".join(f"{i.name}.grad" for i in self.inputs) + "])")
        else:
            lines.append("print(out)")
        return "; ".join(lines)


def _outputs(out):
    """The tensors of an op's result, in order (tuples and namedtuples flattened)."""
    if isinstance(out, (tuple, list)):
        return [o for x in out for o in _outputs(x)]
    return [out]


def _run(lib, case):
    F = torch.nn.functional if lib is torch else dagrad_F
    tensors = [i.build(lib) for i in case.inputs]
    ns = {"T": lib, "F": F, "np": np, "math": math}
    ns.update({i.name: t for i, t in zip(case.inputs, tensors, strict=True)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(case.code, ns)
    return tensors, _outputs(ns["out"])


def _family(exc):
    for kind in (IndexError, TypeError, ValueError, NotImplementedError, RuntimeError):
        if isinstance(exc, kind):
            return "RuntimeError" if kind is NotImplementedError else kind.__name__
    return type(exc).__name__


def _dtype_name(dtype):
    return str(dtype).replace("torch.", "")


def _array(t):
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    if isinstance(t, autograd.Tensor):
        return np.asarray(t.array)
    return np.asarray(t)


def _compare(what, ours, theirs, scale=1):
    """Raise AssertionError naming `what` when the two tensors differ."""
    if isinstance(theirs, torch.Tensor) != isinstance(ours, autograd.Tensor):
        raise AssertionError(
            f"{what}: type {type(ours).__name__}, torch gives {type(theirs).__name__}"
        )
    if not isinstance(theirs, torch.Tensor):
        if ours != theirs:
            raise AssertionError(f"{what}: {ours!r}, torch gives {theirs!r}")
        return
    dt, tt = _dtype_name(ours.dtype), _dtype_name(theirs.dtype)
    if dt != tt:
        raise AssertionError(f"{what}: dtype {dt}, torch gives {tt}")
    if tuple(ours.shape) != tuple(theirs.shape):
        raise AssertionError(f"{what}: shape {tuple(ours.shape)}, torch {tuple(theirs.shape)}")
    a, b = _array(ours), _array(theirs)
    if dt in _TOL:
        rtol, atol = (t * scale for t in _TOL[dt])
        a64, b64 = a.astype("float64"), b.astype("float64")
        same = np.isclose(a64, b64, rtol=rtol, atol=atol, equal_nan=True)
        # infinities must match exactly (isclose does that); signs of zero are not compared
    else:
        same = a == b
    if not np.all(same):
        bad = tuple(int(i) for i in np.argwhere(~np.asarray(same))[0]) if a.ndim else ()
        raise AssertionError(
            f"{what}: values differ at {bad}: {a[bad]!r}, torch gives {b[bad]!r} "
            f"({int(np.size(same) - np.count_nonzero(same))} of {np.size(same)} differ)"
        )


def run_case(case, rng_seed=0):
    """Run `case` on both libraries; return None when they agree, else the discrepancy."""
    results = {}
    for lib in (torch, autograd):
        try:
            results[lib] = ("ok", _run(lib, case))
        except Exception as e:  # noqa: BLE001  (every exception is compared)
            results[lib] = ("raised", e)
    (tk, tres), (dk, dres) = results[torch], results[autograd]
    if tk != dk:
        if tk == "raised":
            return f"dagrad returns, torch raises {type(tres).__name__}: {str(tres)[:150]}"
        return f"dagrad raises {type(dres).__name__}: {str(dres)[:150]}; torch returns"
    if tk == "raised":
        if _family(tres) != _family(dres):
            return (
                f"dagrad raises {type(dres).__name__} ({str(dres)[:100]}), "
                f"torch {type(tres).__name__} ({str(tres)[:100]})"
            )
        return None
    (t_in, t_out), (d_in, d_out) = tres, dres
    try:
        if len(t_out) != len(d_out):
            raise AssertionError(f"{len(d_out)} outputs, torch gives {len(t_out)}")
        for k, (o, t) in enumerate(zip(d_out, t_out, strict=True)):
            _compare(f"output {k}", o, t)
            if isinstance(t, torch.Tensor) and bool(o.requires_grad) != t.requires_grad:
                raise AssertionError(
                    f"output {k}: requires_grad {o.requires_grad}, torch {t.requires_grad}"
                )
        _check_grads(case, t_in, t_out, d_in, d_out, rng_seed)
    except AssertionError as e:
        return str(e)
    return None


def _check_grads(case, t_in, t_out, d_in, d_out, seed):
    if not any(i.requires_grad for i in case.inputs):
        return
    rng = np.random.default_rng(seed)
    pairs = [
        (o, t)
        for o, t in zip(d_out, t_out, strict=True)
        if isinstance(t, torch.Tensor) and t.requires_grad
    ]
    if not pairs:
        return
    # weights on a grid of 1/8 in [-2, 2]: exact in every float dtype
    weights = [
        np.asarray(rng.integers(-16, 17, size=t.shape) / 8).astype(_dtype_name(t.dtype))
        for _, t in pairs
    ]
    case.weights = weights
    errors = {}
    for lib, outs in ((torch, [t for _, t in pairs]), (autograd, [o for o, _ in pairs])):
        ws = [lib.from_numpy(w.copy()) for w in weights]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                (torch.autograd if lib is torch else autograd).backward(outs, ws)
        except Exception as e:  # noqa: BLE001
            errors[lib] = e
    if (torch in errors) != (autograd in errors):
        which = "dagrad" if autograd in errors else "torch"
        raise AssertionError(f"backward: only {which} raises: {next(iter(errors.values()))}")
    if errors:
        return
    for i, d, t in zip(case.inputs, d_in, t_in, strict=True):
        if not i.requires_grad:
            continue
        if (d.grad is None) != (t.grad is None):
            raise AssertionError(f"{i.name}.grad: {d.grad is None=}, torch {t.grad is None=}")
        if t.grad is not None:
            _compare(f"{i.name}.grad", d.grad, t.grad, scale=2)


def log_outcome(case, outcome):
    """With DAGRAD_FUZZ_LOG=path, one JSON line per case: op, outcome ("ok", "known" or the
    discrepancy), tags and, for a discrepancy, the reproducer."""
    log = os.environ.get("DAGRAD_FUZZ_LOG")
    if not log:
        return
    record = {"op": case.op, "outcome": outcome, "tags": sorted(case.tags)}
    if outcome not in ("ok", "known"):
        record["repro"] = case.reproducer(case.weights)
    with open(log, "a") as f:
        f.write(json.dumps(record) + "\n")


def check_case(case, seed=0):
    """Assert that dagrad and torch agree on `case`; the message carries a reproducer.

    With DAGRAD_FUZZ_LOG=path, a discrepancy is appended to that file (one JSON line)
    instead: a survey run that keeps going past the first class it finds.
    """
    problem = run_case(case, seed)
    if os.environ.get("DAGRAD_FUZZ_LOG"):
        log_outcome(case, "ok" if problem is None else problem)
    elif problem is not None:
        raise AssertionError(f"[{case.op}] {problem}\n  repro: {case.reproducer(case.weights)}")
