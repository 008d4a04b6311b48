"""Learner-style PyTorch programs run unchanged but for their imports.

Each program in tests/learner_programs/ is written as a PyTorch user writes it. The test
runs it under torch and again with the imports swapped to dagrad's, each in a fresh
interpreter, and requires the same printed output: the same words, and numbers equal to
the program's tolerance (`# tolerance: abs=... rel=...` in its first lines, else the
defaults below: float32 results computed in another summation order).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROGRAMS = sorted((Path(__file__).parent / "learner_programs").glob("*.py"))
SWAPS = [
    (r"^import torch$", "import autograd as torch"),
    (r"^import torch\.nn as nn$", "import nn"),
    (r"^import torch\.nn\.functional as F$", "import nn.functional as F"),
    (r"^import torch\.optim as optim$", "import optim"),
    (r"^from torch\.utils\.data import ", "from nn.data import "),
]
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def ported(source):
    """The program with only its imports changed, as a user porting it would."""
    for pattern, replacement in SWAPS:
        source = re.sub(pattern, replacement, source, flags=re.M)
    return source


def run(source, tmp_path, name):
    path = tmp_path / name
    path.write_text(source)
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    done = subprocess.run(
        [sys.executable, str(path)], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, f"{name} failed:\n{done.stderr[-3000:]}"
    return done.stdout


def tolerance(source):
    found = re.search(r"# tolerance: abs=([\d.e-]+) rel=([\d.e-]+)", source)
    return (float(found[1]), float(found[2])) if found else (2e-3, 2e-3)


def same_output(ours, theirs, atol, rtol):
    """Word for word, numbers to tolerance; the first difference, or None."""
    a_lines, b_lines = ours.splitlines(), theirs.splitlines()
    if len(a_lines) != len(b_lines):
        return f"{len(a_lines)} lines printed, torch printed {len(b_lines)}"
    for a, b in zip(a_lines, b_lines):
        if NUMBER.sub("#", a) != NUMBER.sub("#", b):
            return f"line differs:\n  ours:  {a}\n  torch: {b}"
        for x, y in zip(NUMBER.findall(a), NUMBER.findall(b)):
            if abs(float(x) - float(y)) > atol + rtol * abs(float(y)):
                return f"number {x} != torch's {y} on:\n  ours:  {a}\n  torch: {b}"
    return None


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_learner_program_prints_what_torch_prints(program, tmp_path):
    source = program.read_text()
    assert re.search(r"^import torch$", source, flags=re.M), "write programs as torch code"
    theirs = run(source, tmp_path, "torch_" + program.name)
    ours = run(ported(source), tmp_path, "dagrad_" + program.name)
    assert ours.strip(), "the program printed nothing"
    difference = same_output(ours, theirs, *tolerance(source))
    assert difference is None, difference


def test_the_comparison_catches_a_changed_number():
    assert same_output("loss 1.2345", "loss 1.2345", 1e-4, 0) is None
    assert same_output("loss 1.2399", "loss 1.2345", 1e-4, 0) is not None
    assert same_output("loss 1.2345", "lost 1.2345", 1e-4, 0) is not None
    assert same_output("a\nb", "a", 1e-4, 0) is not None
