"""What anomaly mode costs: per_op's 200-op chain (16x16 float32, forward + backward) with

  off       the mode off, as shipped
  stripped  the mode off, and Function.apply recompiled from its source without the two
            anomaly lines: the baseline that shows what "off" costs (the engine's check is
            once per backward pass, not per op)
  lines     on with check_nan=False: the creating line is recorded per op, nothing checked
  on        on: lines recorded, every output and gradient checked for NaN/Inf

Run: .venv/bin/python bench/anomaly_cost.py [--quick]
"""

import inspect
import os
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _cli as cli  # noqa: E402
from _timing import table, time_all  # noqa: E402
from per_op import N_OPS, chain, make_inputs  # noqa: E402


def stripped_apply():
    """Function.apply without `if _anomaly is not None: _anomaly.forward(...)`."""
    from autograd import function

    source = textwrap.dedent(inspect.getsource(function.Function.apply.__func__))
    lines = source.splitlines()
    i = next(k for k, line in enumerate(lines) if "if _anomaly is not None" in line)
    assert "_anomaly.forward" in lines[i + 1], "apply's anomaly hook moved: update this bench"
    namespace = {}
    exec("\n".join(lines[:i] + lines[i + 2 :]), vars(function), namespace)  # noqa: S102
    return namespace["apply"]


def contenders():
    import autograd
    from autograd import Tensor
    from autograd.function import Function

    inputs = make_inputs()
    k = {name: Tensor(v) for name, v in inputs.items() if name != "x"}
    x = Tensor(inputs["x"], requires_grad=True)
    shipped, stripped = Function.__dict__["apply"], stripped_apply()

    def step(apply, mode, check_nan=True):
        def fn():
            Function.apply = apply
            autograd.set_detect_anomaly(mode, check_nan)
            try:
                x.grad = None
                chain(x, k).sum().backward()
            finally:
                autograd.set_detect_anomaly(False)
                Function.apply = shipped

        return fn

    return {
        "off": step(shipped, False),
        "stripped": step(stripped, False),
        "lines": step(shipped, True, check_nan=False),
        "on": step(shipped, True),
    }


def run(rounds=30, target_s=0.05):
    return time_all(contenders(), rounds, target_s, 1e6 / N_OPS), rounds


def report(results, rounds):
    base = results["stripped"]
    rows = [
        [name, f"{lo:.2f}", f"{med:.2f}", f"{lo / base[0]:.2f}x / {med / base[1]:.2f}x"]
        for name, (lo, med) in results.items()
    ]
    header = ["anomaly mode", "µs/op min", "µs/op median", "÷ stripped (min / median)"]
    title = (
        f"Anomaly mode's cost: {N_OPS}-op chain, forward + backward, {rounds} interleaved rounds"
    )
    return title + "\n\n" + table(header, rows)


def main(argv=None):
    args = cli.parser(__doc__, json=False).parse_args(argv)
    results, rounds = run(cli.rounds(args, 8, 30), 0.01 if args.quick else 0.05)
    cli.finish(args, results, lambda res: report(res, rounds))


if __name__ == "__main__":
    main()
