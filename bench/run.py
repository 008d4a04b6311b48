"""Run the benchmarks and print markdown to paste into the README (`make bench`).

  per_op.py     per-op cost, 200-op elementwise chain: dagrad vs torch vs a minimal DAG vs numpy
  value_mlp.py  micrograd's demo training step: autograd.Value vs micrograd
  cnn_step.py   a small CNN's training step: dagrad vs hand-written numpy vs torch
  mlp_step.py   an MNIST-sized MLP's training step: dagrad vs hand-written numpy vs torch
  memory.py     peak extra memory of single ops (multiples of the input): dagrad vs torch

Each benchmark runs in a fresh interpreter: the cost of Python's cyclic garbage collector
grows with everything alive in the process (torch's modules, for one), and value_mlp's
timings with gc on depend on it.

Usage: .venv/bin/python bench/run.py [--quick] [--only per_op|value_mlp|cnn_step|mlp_step|memory]
"""

import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import _cli as cli  # noqa: E402
import cnn_step  # noqa: E402
import memory  # noqa: E402
import mlp_step  # noqa: E402
import per_op  # noqa: E402
import value_mlp  # noqa: E402
from _timing import machine, machine_line  # noqa: E402

BENCHMARKS = {
    "per_op": per_op,
    "value_mlp": value_mlp,
    "cnn_step": cnn_step,
    "mlp_step": mlp_step,
    "memory": memory,
}


def run_isolated(name, quick):
    """Run bench/<name>.py --json in a child interpreter; its diagnostics pass to stderr."""
    cmd = [sys.executable, os.path.join(HERE, f"{name}.py"), "--json"]
    if quick:
        cmd.append("--quick")
    done = subprocess.run(cmd, stdout=subprocess.PIPE, check=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = cli.parser(__doc__, rounds=False, json=False)
    parser.add_argument("--only", choices=tuple(BENCHMARKS), default=None)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    sections = []
    for name, module in BENCHMARKS.items():
        if args.only in (None, name):
            sections.append(module.report(run_isolated(name, args.quick)))
    print()
    print("Machine: " + machine_line(machine()))
    print()
    print("\n\n".join(sections))
    print()
    print(
        f"(min = least disturbed run, median = typical run; contenders interleaved round by "
        f"round, each benchmark in a fresh interpreter; {'--quick, ' if args.quick else ''}"
        f"{time.perf_counter() - t0:.0f} s in all)"
    )


if __name__ == "__main__":
    main()
