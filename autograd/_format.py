"""A tensor's text as PyTorch prints it: 4 decimals (or scientific notation when magnitudes
span more than 1000x, exceed 1e8 or go below 1e-4), `1.` for whole floats, one column width
per tensor, rows wrapped at 80 columns, and tensors over 1000 elements summarised by their
first and last 3 entries per dim."""

import math

PRECISION = 4
THRESHOLD = 1000
EDGEITEMS = 3
LINEWIDTH = 80


class _Formatter:
    """One width and one style (fixed, whole or scientific) for every element shown."""

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        if not floating:
            for v in values:
                self.max_width = max(self.max_width, len(str(v)))
            return
        finite = [v for v in values if math.isfinite(v) and v != 0]
        if not finite:
            return
        magnitudes = [abs(v) for v in finite]
        lo, hi = min(magnitudes), max(magnitudes)
        self.int_mode = all(v == math.ceil(v) for v in finite)
        if self.int_mode:
            if hi / lo > 1000.0 or hi > 1.0e8:
                self.sci_mode = True
                widths = [len(f"{v:.{PRECISION}e}") for v in finite]
            else:
                widths = [len(f"{v:.0f}") + 1 for v in finite]
        elif hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4:
            self.sci_mode = True
            widths = [len(f"{v:.{PRECISION}e}") for v in finite]
        else:
            widths = [len(f"{v:.{PRECISION}f}") for v in finite]
        self.max_width = max([self.max_width] + widths)

    def format(self, value):
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.max_width}.{PRECISION}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if math.isfinite(value):
                text += "."
        else:
            text = f"{value:.{PRECISION}f}"
        return " " * (self.max_width - len(text)) + text


def _summarized(array, xp):
    """The elements a summarised print shows: the first and last EDGEITEMS along each dim."""
    if array.ndim == 0:
        return array.reshape(-1)
    if array.shape[0] > 2 * EDGEITEMS:
        array = xp.concatenate([array[:EDGEITEMS], array[-EDGEITEMS:]])
    if array.ndim == 1:
        return array
    return xp.concatenate([_summarized(row, xp) for row in array])


def _vector(array, indent, summarize, formatter):
    width = formatter.max_width + 2
    per_line = max(1, int(math.floor((LINEWIDTH - indent) / width)))
    if summarize and array.shape[0] > 2 * EDGEITEMS:
        data = (
            [formatter.format(v) for v in array[:EDGEITEMS].tolist()]
            + [" ..."]
            + [formatter.format(v) for v in array[-EDGEITEMS:].tolist()]
        )
    else:
        data = [formatter.format(v) for v in array.tolist()]
    lines = [", ".join(data[i : i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(array, indent, summarize, formatter):
    if array.ndim == 0:
        return formatter.format(array.item())
    if array.ndim == 1:
        return _vector(array, indent, summarize, formatter)
    n = array.shape[0]
    if summarize and n > 2 * EDGEITEMS:
        rows = [_nested(array[i], indent + 1, summarize, formatter) for i in range(EDGEITEMS)]
        rows += ["..."]
        rows += [
            _nested(array[i], indent + 1, summarize, formatter) for i in range(n - EDGEITEMS, n)
        ]
    else:
        rows = [_nested(array[i], indent + 1, summarize, formatter) for i in range(n)]
    return "[" + ("," + "\n" * (array.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def tensor_body(array, xp, indent):
    """The bracketed numbers of a host array, as torch prints them at this indent."""
    if array.size == 0:
        return "[]"
    summarize = array.size > THRESHOLD
    floating = array.dtype.kind == "f"
    if floating and array.dtype.itemsize < 4:
        array = array.astype("float32")  # as torch: half prints through float
    shown = _summarized(array, xp) if summarize else array.reshape(-1)
    formatter = _Formatter(shown.tolist(), floating)
    return _nested(array, indent, summarize, formatter)


def with_suffixes(text, suffixes, indent):
    """`tensor(...)` with `, dtype=...` and the like, wrapped where torch wraps them: a
    suffix is measured as torch spells it ("dtype=torch.float64"), so lines break alike."""
    parts = [text]
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        width = len(suffix) + (len("torch.") if suffix.startswith("dtype=") else 0)
        if last_line + width + 2 > LINEWIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last_line = indent + width
        else:
            parts.append(", " + suffix)
            last_line += width + 2
    parts.append(")")
    return "".join(parts)
