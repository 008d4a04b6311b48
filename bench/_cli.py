"""The command line every benchmark script shares: --quick (a smoke run), --rounds (timing
rounds, overriding the script's default) and --json (the raw results, for bench/run.py), and
the one way results are printed."""

import argparse
import json

from _timing import machine, machine_line


def parser(doc, *, quick=True, rounds=True, json=True):
    """An ArgumentParser described by the first line of the script's docstring, with the
    shared options asked for (quick may be a string: its help); the script adds its own."""
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    if quick:
        text = quick if isinstance(quick, str) else "fewer, shorter rounds"
        p.add_argument("--quick", action="store_true", help=text)
    if rounds:
        p.add_argument("--rounds", type=int, default=None, help="timing rounds")
    if json:
        p.add_argument("--json", action="store_true", help="print the raw results as JSON")
    return p


def rounds(args, quick, full):
    """--rounds when given, else the script's count for a --quick or a full run."""
    return args.rounds or (quick if args.quick else full)


def timed_main(doc, argv, run, report, *, quick, full):
    """The main() of a script that only times: quick and full are its (rounds, seconds per
    sample) for a --quick and a full run; --rounds overrides the count."""
    args = parser(doc).parse_args(argv)
    count, target_s = quick if args.quick else full
    res = run(rounds=args.rounds or count, target_s=target_s)
    finish(args, res, report)


def finish(args, results, report):
    """Print the results: as one JSON line with --json, else the machine and report(results)."""
    if getattr(args, "json", False):
        print(json.dumps(results))
        return
    print(machine_line(machine()))
    print()
    print(report(results))
