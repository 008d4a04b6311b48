"""What the benchmarks share: interleaved timing rounds, summaries, machine facts, tables.

The machine is shared and noisy, so contenders are never timed one after the other in long
blocks: every round times each of them once, in an order that rotates from round to round,
and the report gives the minimum (the least disturbed run) beside the median (the typical one).
"""

import gc
import os
import platform
import statistics
import sys
import time
from importlib.metadata import PackageNotFoundError, version

_clock = time.perf_counter


def calibrate(fn, target_s, max_reps=10_000):
    """How many back-to-back calls of fn make one sample of about target_s seconds."""
    fn()  # warm up: first-call caches, lazy imports
    t0 = _clock()
    fn()
    once = max(_clock() - t0, 1e-7)
    return max(1, min(max_reps, round(target_s / once)))


def interleaved(contenders, rounds, reps):
    """Time each contender once per round, in rotating order; gc.collect() between rounds.

    contenders: {name: zero-argument callable}; reps: {name: calls per sample}.
    Returns {name: [seconds per call, one per round]}.
    """
    names = list(contenders)
    samples = {name: [] for name in names}
    for r in range(rounds):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            fn = contenders[name]
            n = reps[name]
            t0 = _clock()
            for _ in range(n):
                fn()
            samples[name].append((_clock() - t0) / n)
        gc.collect()
    return samples


def summary(times, scale=1.0):
    """(min, median) of a list of seconds, multiplied by scale."""
    return min(times) * scale, statistics.median(times) * scale


def machine():
    """A dict of the facts a reader needs to compare numbers across machines."""
    info = {
        "platform": platform.platform(),
        "cpu": _cpu_name(),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
    }
    # From the package metadata: importing torch here would grow the heap that the cyclic
    # garbage collector scans, and so slow down the benchmarks that run after it.
    for package in ("numpy", "torch", "micrograd"):
        try:
            info[package] = version(package)
        except PackageNotFoundError:
            info[package] = "not installed"
    return info


def _cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_line(info):
    return (
        f"{info['cpu']}, {info['cpus']} CPUs, {info['platform']}; Python {info['python']}, "
        f"numpy {info['numpy']}, torch {info['torch']}, micrograd {info['micrograd']}"
    )


def table(header, rows):
    """A markdown table; header and rows are lists of cells."""
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def time_all(fns, rounds, target_s, scale=1e3):
    """Calibrate each contender to about target_s a sample, then time them interleaved:
    {name: (min, median)} of the time per call, multiplied by scale (1e3: milliseconds)."""
    reps = {name: calibrate(fn, target_s) for name, fn in fns.items()}
    gc.collect()
    samples = interleaved(fns, rounds, reps)
    return {name: summary(t, scale) for name, t in samples.items()}


def ratio_rows(per, digits=2, lead=()):
    """Table rows [*lead, name, min, median, dagrad's ratio to it (min / median)], one a
    contender of per = {name: (min, median)}; dagrad's own ratio cell is empty."""
    d = per["dagrad"]
    rows = []
    for name, (lo, med) in per.items():
        ratio = "" if name == "dagrad" else f"{d[0] / lo:.{digits}f}x / {d[1] / med:.{digits}f}x"
        rows.append([*lead, name, f"{lo:.2f}", f"{med:.2f}", ratio])
    return rows


def ratio_table(title, rows, unit, lead=()):
    """The title, then a markdown table of ratio_rows: [*lead, library, min and median in unit
    ("ms/step"), dagrad's ratio to the library]."""
    header = [*lead, "library", f"{unit} min", f"{unit} median", "dagrad ÷ this (min / median)"]
    return title + "\n\n" + table(header, rows)
