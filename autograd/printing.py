"""How a Tensor prints: PyTorch's layout and number formats, so printed output matches.

The rules, as PyTorch 2.13 prints (the options of `set_printoptions`, defaults in brackets):
- floats share one format per tensor, chosen from its finite non-zero values: whole numbers
  print as `3.`; scientific notation (`1.0000e-05`) when max/min > 1000, max > 1e8 or
  min < 1e-4 (`sci_mode` overrides); otherwise `precision` [4] decimals. Every element is
  right-aligned to the widest.
- rows wrap at `linewidth` [80] characters; more than `threshold` [1000] elements print only
  `edgeitems` [3] at each end of every dim, with `...` between.
- suffixes: `dtype=` unless the default float dtype, int64 or bool; `device=` off the CPU;
  `grad_fn=<...>` or `requires_grad=True`.
"""

import contextlib
import math
from dataclasses import asdict, dataclass

__all__ = ["set_printoptions", "get_printoptions", "printoptions", "tensor_repr"]


@dataclass
class _Options:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: object = None


_OPTS = _Options()
_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):  # fmt: skip
    """As torch.set_printoptions: profile 'default', 'short' or 'full', then the options
    given; sci_mode is always set (None: chosen per tensor)."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: unknown profile {profile!r}")
        for key, value in _PROFILES[profile].items():
            setattr(_OPTS, key, value)
    for key, value in (("precision", precision), ("threshold", threshold),
                       ("edgeitems", edgeitems), ("linewidth", linewidth)):  # fmt: skip
        if value is not None:
            setattr(_OPTS, key, value)
    _OPTS.sci_mode = sci_mode


def get_printoptions():
    return asdict(_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """The print options changed inside a `with` block only."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Format:
    """One number format for all the elements of a tensor."""

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        p = _OPTS.precision
        if not floating:
            self.width = max([len(str(v)) for v in values] + [1])
            return
        finite = [v for v in values if v != 0 and math.isfinite(v)]
        if not finite:
            return
        magnitudes = [abs(v) for v in finite]
        lo, hi = min(magnitudes), max(magnitudes)
        self.int_mode = all(v == math.ceil(v) for v in finite)
        if _OPTS.sci_mode is None:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        else:
            self.sci_mode = bool(_OPTS.sci_mode)
        if self.sci_mode:
            self.width = max(len(f"{v:.{p}e}") for v in finite)
        elif self.int_mode:
            self.width = max(len(f"{v:.0f}") + 1 for v in finite)
        else:
            self.width = max(len(f"{v:.{p}f}") for v in finite)

    def __call__(self, v):
        if not self.floating:
            text = str(v)
        elif self.sci_mode:
            text = f"{v:{self.width}.{_OPTS.precision}e}"
        elif self.int_mode:
            text = f"{v:.0f}" + ("" if math.isinf(v) or math.isnan(v) else ".")
        else:
            text = f"{v:.{_OPTS.precision}f}"
        return text.rjust(self.width)


def _shown(x, summarize):
    """The nested lists of the elements that print (the edges of each dim when summarized)."""
    if not isinstance(x, list):
        return x
    e = _OPTS.edgeitems
    if summarize and len(x) > 2 * e:
        x = x[:e] + x[-e:] if e else []
    return [_shown(item, summarize) for item in x]


def _flat(x, out):
    if isinstance(x, list):
        for item in x:
            _flat(item, out)
    else:
        out.append(x)
    return out


def _body(x, ndim, indent, summarize, fmt):
    e = _OPTS.edgeitems
    if ndim == 0:
        return fmt(x)
    if ndim == 1:
        if summarize and not e:
            items = ["..."]
        elif summarize and len(x) > 2 * e:
            items = [fmt(v) for v in x[:e]] + [" ..."] + [fmt(v) for v in x[-e:]]
        else:
            items = [fmt(v) for v in x]
        per_line = max(1, (_OPTS.linewidth - indent) // (fmt.width + 2))
        lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    if summarize and len(x) > 2 * e:
        rows = [_body(r, ndim - 1, indent + 1, summarize, fmt) for r in x[:e]]
        rows += ["..."] + [_body(r, ndim - 1, indent + 1, summarize, fmt) for r in x[-e:]]
    else:
        rows = [_body(r, ndim - 1, indent + 1, summarize, fmt) for r in x]
    return "[" + ("," + "\n" * (ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def tensor_repr(t, default_dtype, grad_fn_name=None):
    """`tensor([...], dtype=..., grad_fn=<...>)` as PyTorch prints it."""
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    if t.device.type != "cpu":
        suffixes.append(f"device='{t.device}'")
    dtype = t.dtype
    plain_dtype = dtype == default_dtype or dtype.kind == "b" or dtype.name == "int64"
    if t.numel() == 0:
        if t.ndim != 1:
            suffixes.append(f"size={tuple(t.shape)}")
        if dtype != default_dtype:
            suffixes.append(f"dtype={dtype}")
        body = "[]"
    else:
        if not _OPTS.edgeitems:
            suffixes.append(f"size={tuple(t.shape)}")
        if not plain_dtype:
            suffixes.append(f"dtype={dtype}")
        values = t.backend.to_numpy(t.array).tolist()  # printing reads the host copy
        summarize = t.numel() > _OPTS.threshold
        fmt = _Format(_flat(_shown(values, summarize), []), dtype.kind == "f")
        body = _body(values, t.ndim, indent, summarize, fmt)
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    text = prefix + body
    last = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        # Lines break where PyTorch's do, whose dtypes print as "torch.float64".
        width = len(suffix) + (len("torch.") if suffix.startswith("dtype=") else 0)
        if last + width + 2 > _OPTS.linewidth:
            text += ",\n" + " " * indent + suffix
            last = indent + width
        else:
            text += ", " + suffix
            last += width + 2
    return text + ")"
