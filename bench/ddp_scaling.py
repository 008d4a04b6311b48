"""Weak scaling of DistributedDataParallel over MPI: the MLP recipe's training step on 1 and
on 2 ranks (one BLAS thread each), the same per-rank batch.

The step: MLP 784-256-256-10, batch 128 per rank, cross-entropy, backward (gradients
all-reduced in DDP's buckets), SGD. Reported per world size: the median step time, the time
in all-reduce per step (DDP starting and waiting for its buckets), a bare MPI Allreduce of
the same 1.07 MB of gradients, images/s, and weak-scaling efficiency t(1) / t(N) (1.0: N
ranks do N times the work in the same time).

Run: .venv/bin/python bench/ddp_scaling.py [--ranks 1 2] [--steps 60]
(launches `mpiexec -n N` on itself; needs dagrad[mpi]).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import _cli as cli  # noqa: E402

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

SIZES = (784, 256, 256, 10)
BATCH = 128


def worker(steps):
    import numpy as np

    sys.path.insert(0, ROOT)
    import autograd
    import autograd.distributed as dist
    import nn
    import optim
    from nn.parallel import DistributedDataParallel

    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    autograd.manual_seed(0)
    layers = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
    model = nn.Sequential(*layers[:-1])
    ddp = DistributedDataParallel(model)
    opt = optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.default_rng(rank)
    x = autograd.tensor(rng.random((BATCH, SIZES[0]), dtype=np.float32))
    y = autograd.tensor(rng.integers(0, SIZES[-1], BATCH))
    times = []
    comm = []
    for step in range(steps + 10):
        dist.barrier()
        before = ddp.comm_seconds
        t0 = time.perf_counter()
        opt.zero_grad()
        loss_fn(ddp(x), y).backward()
        opt.step()
        if step >= 10:  # warm-up left out
            times.append(time.perf_counter() - t0)
            comm.append(ddp.comm_seconds - before)
    grads = autograd.zeros(sum(p.numel() for p in model.parameters()))
    bare = []
    for i in range(steps + 10):
        dist.barrier()
        t0 = time.perf_counter()
        dist.all_reduce(grads)
        if i >= 10:
            bare.append(time.perf_counter() - t0)
    if rank == 0:
        print(
            json.dumps(
                {
                    "world": world,
                    "step_ms": 1e3 * float(np.median(times)),
                    "step_min_ms": 1e3 * float(np.min(times)),
                    "allreduce_in_step_ms": 1e3 * float(np.median(comm)),
                    "bare_allreduce_ms": 1e3 * float(np.median(bare)),
                    "grad_mb": grads.numel() * 4 / 2**20,
                }
            )
        )


def launch(n, steps):
    here = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    exe = here if os.path.exists(here) else shutil.which("mpiexec")
    if exe is None:
        sys.exit("no mpiexec: pip install dagrad[mpi] (or make mpi-deps)")
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    cmd = [exe, "--oversubscribe", "-n", str(n), sys.executable, "-m", "mpi4py"]
    cmd += [os.path.abspath(__file__), "--worker", "--steps", str(steps)]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    p = cli.parser(__doc__, quick=False, rounds=False, json=False)
    p.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        worker(args.steps)
        return
    rows = [launch(n, args.steps) for n in args.ranks]
    load = os.getloadavg()[0]
    print(f"MLP 784-256-256-10, batch {BATCH} per rank; {os.cpu_count()} cores, load {load:.1f}")
    print()
    print("| ranks | step ms (median / min) | all-reduce in step ms | bare Allreduce ms "
          "| images/s | weak-scaling efficiency |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for r in rows:
        eff = rows[0]["step_ms"] / r["step_ms"]  # weak scaling: t(first) / t(N)
        print(
            f"| {r['world']} | {r['step_ms']:.2f} / {r['step_min_ms']:.2f} | "
            f"{r['allreduce_in_step_ms']:.2f} | {r['bare_allreduce_ms']:.3f} "
            f"({r['grad_mb']:.2f} MB) | {1e3 * BATCH * r['world'] / r['step_ms']:,.0f} | "
            f"{eff:.0%} |"
        )


if __name__ == "__main__":
    main()
