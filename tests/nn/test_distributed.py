"""Data-parallel training: post-accumulate-grad hooks, DistributedSampler (in process), and
autograd.distributed / nn.parallel under `mpiexec -n 2|3` (oversubscribed) on scripts written
to tmp_path. The MPI tests skip, saying why, only where mpi4py or mpiexec is absent
(`make test` installs both: dagrad[mpi])."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from helpers import write_fashion

import autograd
import autograd.distributed as dist
import nn
from autograd import Function

ROOT = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------ post-accumulate-grad hooks
def _both(fn):
    """Run fn(lib) for lib in (autograd, torch); return both results."""
    return fn(autograd), fn(torch)


def test_post_accumulate_grad_hook_order_and_values_match_torch():
    def run(lib):
        a = lib.ones(2, requires_grad=True)
        b = lib.ones(2, requires_grad=True)
        seen = []
        a.register_post_accumulate_grad_hook(lambda p: seen.append(("a", p.grad.tolist(), p is a)))
        b.register_post_accumulate_grad_hook(lambda p: seen.append(("b", p.grad.tolist(), p is b)))
        (a * 2 + b).sum().backward()
        (a * 3 * b).sum().backward()  # accumulates: the hook sees the sum
        return seen

    ours, theirs = _both(run)
    assert ours == theirs


def test_post_accumulate_grad_hook_sees_register_hook_result_and_inputs_and_grad():
    def run(lib):
        d = lib.ones(3, requires_grad=True)
        e = lib.ones(3, requires_grad=True)
        seen = []
        d.register_hook(lambda g: g * 10)
        d.register_post_accumulate_grad_hook(lambda p: seen.append(("d", p.grad.tolist())))
        h = e.register_post_accumulate_grad_hook(lambda p: seen.append(("e", p.grad.tolist())))
        calls = []
        (d * e).sum().backward()
        calls.append(sorted(seen))
        seen.clear()
        lib.autograd.grad((d * e).sum(), d) if lib is torch else lib.grad((d * e).sum(), d)
        (d * e * 2).sum().backward(inputs=[e])  # only e accumulates, only its hook fires
        calls.append(sorted(seen))
        seen.clear()
        h.remove()
        (d * e).sum().backward()
        calls.append(sorted(seen))
        return calls

    ours, theirs = _both(run)
    assert ours == theirs


def test_post_accumulate_grad_hook_errors_match_torch():
    for lib in (autograd, torch):
        with pytest.raises(RuntimeError, match="non-leaf"):
            (lib.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(print)
        with pytest.raises(RuntimeError, match="doesn't require gradient"):
            lib.ones(2).register_post_accumulate_grad_hook(print)
        c = lib.ones(2, requires_grad=True)
        c.register_post_accumulate_grad_hook(lambda p: 5)
        with pytest.raises(TypeError, match="int"):
            (c * 2).sum().backward()
        assert c.grad.tolist() == [2.0, 2.0]  # accumulated before the hook ran, as torch


class Boom(Function):
    """x * 1 whose backward fails: an error half-way through a walk."""

    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, grad):
        raise ValueError("boom in backward")


def test_post_accumulate_grad_hook_error_half_way_leaves_grads_and_fires_nothing():
    a = autograd.ones(2, requires_grad=True)
    b = autograd.ones(2, requires_grad=True)
    fired = []
    a.register_post_accumulate_grad_hook(lambda p: fired.append("a"))
    b.register_post_accumulate_grad_hook(lambda p: fired.append("b"))
    with pytest.raises(ValueError, match="boom"):
        (Boom.apply(a) + b * 2).sum().backward()
    assert a.grad is None and b.grad is None and fired == []


# ------------------------------------------------------------------ gradient-final hooks
def test_grad_final_hook_fires_during_the_walk_before_accumulation():
    """DDP's overlap: the hook sees a leaf's gradient as soon as it is final, while earlier
    rules are still to run, with .grad not yet written; .grad then ends as torch's."""
    from autograd import engine

    log = []

    class Mark(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            log.append("rule")
            return grad

    ours = [autograd.tensor([0.5, -1.0, 2.0], requires_grad=True) for _ in range(2)]
    theirs = [torch.tensor([0.5, -1.0, 2.0], requires_grad=True) for _ in range(2)]
    for i, t in enumerate(ours):
        engine.register_grad_final_hook(
            t, lambda p, g, i=i: log.append((i, g.numpy().copy(), p.grad))
        )
    torch_grads = []  # torch's leaf hooks see the same gradient, before accumulation
    for i, t in enumerate(theirs):
        t.register_hook(lambda g, i=i: torch_grads.append((i, g.numpy().copy())))
    for step in range(2):  # the second backward accumulates: the hook sees the old .grad
        a, b = ours
        ((Mark.apply(a * 3).tanh() * b).sum() * 2).backward()
        a, b = theirs
        (((a * 3).tanh() * b).sum() * 2).backward()
        # b's gradient is final before Mark's rule runs, a's only after it
        assert [e if e == "rule" else e[0] for e in log] == [1, "rule", 0]
        hooked = [e for e in log if e != "rule"]
        for (i, g, old), (j, want) in zip(hooked, torch_grads):
            assert i == j
            np.testing.assert_allclose(g, want, rtol=1e-5, atol=1e-6)
            assert (old is None) == (step == 0)  # .grad is written after the walk
        log.clear()
        torch_grads.clear()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_grad_final_hook_error_half_way_and_which_walks_call_it():
    from autograd import engine

    a = autograd.ones(2, requires_grad=True)
    b = autograd.ones(2, requires_grad=True)
    seen = []
    handles = [engine.register_grad_final_hook(t, lambda p, g: seen.append(p)) for t in (a, b)]
    with pytest.raises(ValueError, match="boom"):
        (Boom.apply(a) * b).sum().backward()
    assert seen == [b] and a.grad is None and b.grad is None  # b's was final, not written
    seen.clear()
    autograd.grad((a * b).sum(), [a])  # nothing accumulates: not called
    assert seen == []
    (a * b * 2).sum().backward(inputs=[b])
    assert seen == [b] and a.grad is None and b.grad.tolist() == [2.0, 2.0]
    handles[1].remove()
    seen.clear()
    (a * b).sum().backward()
    assert seen == [a]


# ------------------------------------------------------------------ DistributedSampler
@pytest.mark.parametrize("n", [0, 1, 5, 7, 10])
@pytest.mark.parametrize("replicas", [1, 2, 3, 4])
@pytest.mark.parametrize("drop_last", [False, True])
def test_distributed_sampler_matches_torch_and_partitions(n, replicas, drop_last):
    from torch.utils.data import DistributedSampler as TorchSampler

    shards = []
    for shuffle in (False, True):
        shards = []
        for rank in range(replicas):
            ours = nn.data.DistributedSampler(range(n), replicas, rank, shuffle, 3, drop_last)
            theirs = TorchSampler(range(n), replicas, rank, shuffle, 3, drop_last)
            got = list(ours)
            assert len(ours) == len(theirs) == len(got)
            if not shuffle:
                assert got == list(theirs)
            shards.append(got)
        flat = [i for s in shards for i in s]
        if drop_last:  # disjoint, and only the tail (< replicas) left out
            assert len(set(flat)) == len(flat) and n - len(flat) < replicas
        else:  # every index, the padding repeating at most replicas - 1 of them
            assert set(flat) == set(range(n)) and len(flat) - n < replicas


@pytest.mark.parametrize("replicas,batch", [(2, 3), (3, 2)])
def test_distributed_sampler_batches_are_a_seeded_loaders_bigger_batches(replicas, batch):
    n = 36
    for epoch in (0, 4):
        single = nn.data.DataLoader(range(n), batch_size=replicas * batch, shuffle=True, seed=7)
        single.set_epoch(epoch)
        ranks = []
        for rank in range(replicas):
            sampler = nn.data.DistributedSampler(range(n), replicas, rank, seed=7)
            sampler.set_epoch(epoch)
            ranks.append(list(nn.data.DataLoader(range(n), batch_size=batch, sampler=sampler)))
        for k, big in enumerate(single):
            shards = sorted(i for r in ranks for i in r[k].tolist())
            assert shards == sorted(big.tolist())


def test_distributed_sampler_set_epoch_and_errors():
    s = nn.data.DistributedSampler(range(20), 2, 1, shuffle=True, seed=5)
    first = list(s)
    assert list(s) == first  # same epoch, same order
    s.set_epoch(1)
    assert list(s) != first
    other = nn.data.DistributedSampler(range(20), 2, 0, shuffle=True, seed=5)
    other.set_epoch(1)
    assert sorted(list(s) + list(other)) == list(range(20))
    for rank in (2, -1):
        with pytest.raises(ValueError, match="Invalid rank"):
            nn.data.DistributedSampler(range(4), 2, rank)
    with pytest.raises(RuntimeError, match="init_process_group"):
        nn.data.DistributedSampler(range(4))
    loader = nn.data.DataLoader(range(10), batch_size=2, sampler=nn.data.DistributedSampler(
        range(10), 2, 0, shuffle=False))  # fmt: skip
    assert [b.tolist() for b in loader] == [[0, 2], [4, 6], [8]]


# ------------------------------------------------------------------ without MPI
def test_distributed_without_init_or_without_mpi4py(monkeypatch):
    assert not dist.is_initialized()
    for fn in (dist.get_rank, dist.get_world_size, dist.barrier):
        with pytest.raises(ValueError, match="init_process_group"):
            fn()
    with pytest.raises(ValueError, match="init_process_group"):
        nn.parallel.DistributedDataParallel(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="Invalid backend"):
        dist.init_process_group("gloo")
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # as if not installed
    assert not dist.is_mpi_available()
    with pytest.raises(RuntimeError, match=r"pip install dagrad\[mpi\]"):
        dist.init_process_group("mpi")
    assert not dist.is_initialized()


# ------------------------------------------------------------------ under mpiexec
def _mpiexec():
    """(argv prefix for mpiexec, reason it is missing)."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return None, "mpi4py is not installed (make test installs dagrad[mpi])"
    here = Path(sys.executable).parent / "mpiexec"
    exe = str(here) if here.exists() else shutil.which("mpiexec")
    if exe is None:
        return None, "no mpiexec (make test installs dagrad[mpi], or apt-get install openmpi-bin)"
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
    text = version.stdout + version.stderr
    extra = ["--oversubscribe"] if ("Open MPI" in text or "OpenRTE" in text) else []
    return [exe, *extra], None


MPIEXEC, WHY = _mpiexec()
needs_mpi = pytest.mark.skipif(MPIEXEC is None, reason=str(WHY))


def _launch(tmp_path, n, body, timeout=60):
    script = tmp_path / "job.py"
    script.write_text(textwrap.dedent(body))
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        OMPI_ALLOW_RUN_AS_ROOT="1",
        OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
    )
    argv = [*MPIEXEC, "-n", str(n), sys.executable, "-m", "mpi4py", str(script)]
    start = time.perf_counter()
    proc = subprocess.run(
        argv, capture_output=True, text=True, timeout=timeout, env=env, cwd=tmp_path
    )
    return proc, time.perf_counter() - start


def _launch_ok(tmp_path, n, body):
    """Run body on n ranks; it must exit cleanly with "OK <rank>" printed by every rank."""
    proc, _ = _launch(tmp_path, n, body)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert sorted(line for line in proc.stdout.splitlines() if line.startswith("OK")) == [
        f"OK {r}" for r in range(n)
    ], out
    return proc


COLLECTIVES = """
import numpy as np
import autograd as A
import autograd.distributed as dist

dist.init_process_group("mpi")
r, n = dist.get_rank(), dist.get_world_size()
assert dist.is_initialized() and dist.get_backend() == "mpi"
base = np.arange(6, dtype=np.float64).reshape(2, 3) + 1
each = [base * (k + 1) for k in range(n)]
expected = {
    dist.ReduceOp.SUM: sum(each),
    dist.ReduceOp.AVG: sum(each) / n,
    dist.ReduceOp.MAX: np.maximum.reduce(each),
    dist.ReduceOp.MIN: np.minimum.reduce(each),
    dist.ReduceOp.PRODUCT: np.multiply.reduce(each),
}
for dtype in (np.float32, np.float64):
    for op, want in expected.items():
        t = A.tensor(each[r].astype(dtype))
        v = t._version
        dist.all_reduce(t, op=op)
        assert t.dtype == dtype and t._version == v + 1
        np.testing.assert_allclose(t.numpy(), want, rtol=1e-6)
        # non-contiguous, and async
        t = A.tensor(each[r].T.copy().astype(dtype)).T
        work = dist.all_reduce(t, op=op, async_op=True)
        assert work.wait() and work.is_completed()
        np.testing.assert_allclose(t.numpy(), want, rtol=1e-6)
i = A.tensor([r + 1, 2], dtype=A.int64)
dist.all_reduce(i)
assert i.tolist() == [n * (n + 1) // 2, 2 * n]
try:
    dist.all_reduce(A.tensor([1, 2]), op=dist.ReduceOp.AVG)
    raise AssertionError("AVG on ints")
except ValueError:
    pass
b = A.full((3,), float(r))
dist.broadcast(b, src=n - 1)
assert b.tolist() == [float(n - 1)] * 3
out = [A.zeros(2, dtype=A.int64) for _ in range(n)]
dist.all_gather(out, A.tensor([r, 10 * r]))
assert [o.tolist() for o in out] == [[k, 10 * k] for k in range(n)]
try:
    dist.all_gather(out[:-1], A.tensor([r, 10 * r]))
    raise AssertionError("short tensor_list")
except ValueError:
    pass
dist.barrier()
dist.destroy_process_group()
assert not dist.is_initialized()
print("OK", r)
"""


def test_find_unused_parameters_search_reaches_the_leaves_behind_nested_outputs():
    """DDP's search (in process): every parameter behind a tensor of the output (in lists,
    tuples, dicts) is reached, through a leaf output too, and no other."""
    from nn.parallel import _reached

    used, unused, side = nn.Linear(3, 2), nn.Linear(3, 2), nn.Parameter(autograd.ones(2))
    x = autograd.ones(4, 3)
    reached = _reached({"a": [used(x)], "b": (x * 2, side), "c": 1.0})
    assert all(id(p) in reached for p in [*used.parameters(), side])
    assert not any(id(p) in reached for p in unused.parameters())
    assert _reached(x) == {id(x)} and _reached([]) == set()


@needs_mpi
def test_collectives_over_mpi_two_ranks(tmp_path):
    _launch_ok(tmp_path, 2, COLLECTIVES)


DDP = """
import copy
import numpy as np
import autograd as A
import autograd.distributed as dist
import nn, optim
from nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("mpi")
r, n = dist.get_rank(), dist.get_world_size()
A.manual_seed(100 + r)  # different on each rank: DDP must copy rank 0's
model = nn.Sequential(nn.Linear(5, 7), nn.BatchNorm1d(7), nn.Tanh(), nn.Linear(7, 3))
if r == 0:
    ref = copy.deepcopy(model)
# a tiny cap: several buckets
ddp = DDP(model, bucket_cap_mb=100 / 2**20)
assert ddp.module is model and len(ddp._buckets) > 1
assert all(k.startswith("module.") for k in ddp.state_dict())
bare = copy.deepcopy(model)
bare.load_state_dict(ddp.module.state_dict())

B = 4
rng = np.random.default_rng(0)
X = rng.standard_normal((3, n * B, 5)).astype(np.float32)
Y = rng.integers(0, 3, (3, n * B))
shard = slice(r * B, (r + 1) * B)
opt = optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()
for step in range(2):
    opt.zero_grad()
    loss_fn(ddp(A.tensor(X[step, shard])), A.tensor(Y[step, shard])).backward()
    opt.step()
# gradient accumulation: two half-shards under no_sync, then one synced
opt.zero_grad()
h = B // 2
with ddp.no_sync():
    loss_fn(ddp(A.tensor(X[2, r * B : r * B + h])), A.tensor(Y[2, r * B : r * B + h])).backward()
second = slice(r * B + h, (r + 1) * B)
loss_fn(ddp(A.tensor(X[2, second])), A.tensor(Y[2, second])).backward()
for p in model.parameters():
    p.grad = p.grad / 2  # two half-batch means -> the shard's mean
opt.step()

flat = A.cat([p.detach().reshape(-1) for p in model.parameters()])
everyone = [A.zeros_like(flat) for _ in range(n)]
dist.all_gather(everyone, flat)
for other in everyone:
    assert np.array_equal(other.numpy(), everyone[0].numpy()), "ranks differ"

if r == 0:  # one process over the concatenated batch; BatchNorm normalises per shard, so
    # the reference runs each shard's forward on its own and averages the losses
    ropt = optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
    for step in range(3):
        parts = [(k * B, (k + 1) * B) for k in range(n)]
        if step == 2:
            parts = [(a, a + h) for a, _ in parts] + [(a + h, b) for a, b in parts]
        ropt.zero_grad()
        loss = 0
        for a, b in parts:
            loss = loss + loss_fn(ref(A.tensor(X[step, a:b])), A.tensor(Y[step, a:b]))
        (loss * (1.0 / len(parts))).backward()
        ropt.step()
    rflat = A.cat([p.detach().reshape(-1) for p in ref.parameters()])
    diff = np.abs(rflat.numpy() - flat.numpy()).max()
    assert diff < 1e-5, diff
print("OK", r)
"""


@needs_mpi
@pytest.mark.parametrize("ranks", [2, 3])
def test_ddp_step_equals_single_process_step_over_concatenated_batch(tmp_path, ranks):
    _launch_ok(tmp_path, ranks, DDP)


MLP_EXACT = """
import numpy as np
import autograd as A
import autograd.distributed as dist
import nn
from nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("mpi")
r, n = dist.get_rank(), dist.get_world_size()
A.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 2))
ddp = DDP(model)
rng = np.random.default_rng(1)
X = rng.standard_normal((n * 3, 4)).astype(np.float32)
Y = rng.standard_normal((n * 3, 2)).astype(np.float32)
nn.MSELoss()(ddp(A.tensor(X[r * 3 : r * 3 + 3])), A.tensor(Y[r * 3 : r * 3 + 3])).backward()
if r == 0:  # torch's side runs in the test process (importing torch per rank is slow)
    arrays = {f"p{i}": p.detach().numpy() for i, p in enumerate(model.parameters())}
    arrays.update({f"g{i}": p.grad.numpy() for i, p in enumerate(model.parameters())})
    np.savez("grads.npz", X=X, Y=Y, **arrays)
print("OK", r)
"""


@needs_mpi
def test_ddp_gradients_equal_torch_on_the_whole_batch(tmp_path):
    _launch_ok(tmp_path, 2, MLP_EXACT)
    saved = dict(np.load(tmp_path / "grads.npz"))
    tm = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.ReLU(), torch.nn.Linear(6, 2))
    with torch.no_grad():
        for i, tp in enumerate(tm.parameters()):
            tp.copy_(torch.from_numpy(saved[f"p{i}"]))
    X, Y = torch.from_numpy(saved["X"]), torch.from_numpy(saved["Y"])
    torch.nn.MSELoss()(tm(X), Y).backward()
    for i, tp in enumerate(tm.parameters()):
        np.testing.assert_allclose(saved[f"g{i}"], tp.grad.numpy(), rtol=1e-5, atol=1e-6)


MISMATCH = """
import autograd.distributed as dist
import nn
dist.init_process_group("mpi")
r = dist.get_rank()
model = nn.Sequential(nn.Linear(5, 7 if r == 0 else 8), nn.Linear(7 if r == 0 else 8, 2))
try:
    nn.parallel.DistributedDataParallel(model)
except RuntimeError as e:
    print("MISMATCH", r, e)
    print("OK", r)
"""


@needs_mpi
def test_ddp_mismatched_models_raise_naming_the_parameter(tmp_path):
    proc = _launch_ok(tmp_path, 2, MISMATCH)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("MISMATCH")]
    assert len(lines) == 2
    for line in lines:
        assert "'0.weight'" in line and "(7, 5)" in line and "(8, 5)" in line and "rank 1" in line


FAULT = """
import time
import autograd as A
import autograd.distributed as dist
dist.init_process_group("mpi")
r = dist.get_rank()
if r == 1:
    raise ValueError("boom from rank 1")
t = A.ones(3)
dist.all_reduce(t)  # rank 1 never joins: only the abort ends this
time.sleep(60)
"""


@needs_mpi
def test_exception_on_one_rank_ends_the_whole_job_quickly(tmp_path):
    proc, seconds = _launch(tmp_path, 2, FAULT, timeout=60)
    assert proc.returncode != 0
    assert "ValueError: boom from rank 1" in proc.stdout + proc.stderr
    assert seconds < 30, seconds


@needs_mpi
def test_train_app_distributed_writes_from_rank_0_and_resumes(tmp_path):
    from autograd.serialization import load
    from nn.train.recipes import RECIPES

    data = write_fashion(tmp_path / "fashion", 240, 60)
    common = ["--data", str(data), "--out", str(tmp_path / "out"), "--batch-size", "16"]
    common += ["--no-plots", "--no-progress", "--distributed", "--lr", "0.05"]

    def script(*extra):
        args = common + list(extra)
        return f"import sys\nfrom nn.train.__main__ import main\nsys.exit(main({args!r}))\n"

    proc, _ = _launch(tmp_path, 2, script("--epochs", "1"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert sum(line.startswith("epoch 1/1") for line in lines) == 1  # rank 0 only
    assert sum(line.startswith("done:") for line in lines) == 1
    proc, _ = _launch(tmp_path, 2, script("--epochs", "2", "--resume"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "resumed from" in proc.stdout and "epoch 2/2" in proc.stdout
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["settings"]["world_size"] == 2 and metrics["train_images"] == 240
    state = load(str(tmp_path / "out" / "checkpoints" / "epoch-002.safetensors"))
    bare = RECIPES[metrics["settings"]["recipe"]].build()
    bare.load_state_dict(state["model"])  # the bare model's keys: no "module." prefix
    # one process with batch 2 * 16 takes the same steps (the MLP: no dropout, no batch norm)
    single = ["--data", str(data), "--out", str(tmp_path / "single"), "--batch-size", "32"]
    single += ["--no-plots", "--no-progress", "--lr", "0.05", "--epochs", "2"]
    from nn.train.__main__ import main

    assert main(single) == 0
    alone = load(str(tmp_path / "single" / "checkpoints" / "epoch-002.safetensors"))
    for key, value in state["model"].items():
        np.testing.assert_allclose(alone["model"][key].numpy(), value.numpy(), atol=1e-5)


@needs_mpi
def test_a_rank_killed_mid_run_ends_the_job_and_leaves_loadable_checkpoints(tmp_path):
    import signal

    from autograd.serialization import load
    from nn.train import loop

    data = write_fashion(tmp_path / "fashion", 120, 30)
    out = tmp_path / "out"
    args = ["--data", str(data), "--out", str(out), "--epochs", "10000", "--no-plots"]
    args += ["--no-progress", "--distributed"]
    script = tmp_path / "job.py"
    script.write_text(
        "import os, sys\nimport autograd.distributed as dist\nfrom nn.train.__main__ import main\n"
        "dist.init_process_group('mpi')\n"
        f"open(f'pid-{{dist.get_rank()}}', 'w').write(str(os.getpid()))\n"
        f"sys.exit(main({args!r}))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMPI_ALLOW_RUN_AS_ROOT="1",
               OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMP_NUM_THREADS="1")  # fmt: skip
    argv = [*MPIEXEC, "-n", "2", sys.executable, "-m", "mpi4py", str(script)]
    job = subprocess.Popen(argv, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not os.path.exists(loop.checkpoint_path(str(out), 2)):
            assert time.monotonic() < deadline and job.poll() is None, job.stdout.read()
            time.sleep(0.05)
        os.kill(int((tmp_path / "pid-1").read_text()), signal.SIGKILL)
        start = time.monotonic()
        job.communicate(timeout=30)
        assert time.monotonic() - start < 20
    finally:
        job.kill()
    assert job.returncode != 0
    names = os.listdir(out / "checkpoints")
    assert all(name.startswith("epoch-") for name in names), names  # no temporary file left
    last = load(loop.latest_checkpoint(str(out)))
    assert last["epoch"] == int(sorted(names)[-1][6:9]) >= 2


UNUSED = """
import autograd as A
import autograd.distributed as dist
import nn
from nn.parallel import DistributedDataParallel as DDP


class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.used = nn.Linear(3, 2)
        self.unused = nn.Linear(3, 2)

    def forward(self, x):
        return self.used(x)


dist.init_process_group("mpi")
r = dist.get_rank()
ddp = DDP(TwoHeads(), bucket_cap_mb=1e-5)  # one bucket per parameter
ddp(A.ones(4, 3)).sum().backward()  # the used head's buckets are reduced, the rest wait
try:
    ddp(A.ones(4, 3))
    raise AssertionError("no error for parameters without a gradient")
except RuntimeError as e:
    assert "unused.weight" in str(e) and "unused.bias" in str(e), e
    assert "used.weight" not in str(e).replace("unused.weight", ""), e
ddp.zero_grad()
with ddp.no_sync():  # usable again after the error; no reduction: grads stay local
    ddp(A.ones(4, 3) * (r + 1)).sum().backward()
assert ddp.module.used.weight.grad.tolist()[0][0] == 4.0 * (r + 1)
print("OK", r)
"""


@needs_mpi
def test_ddp_parameters_without_gradient_are_named_at_the_next_forward(tmp_path):
    _launch_ok(tmp_path, 2, UNUSED)


OVERLAP = """
import copy
import numpy as np
import autograd as A
import autograd.distributed as dist
import nn
from nn.parallel import DistributedDataParallel as DDP

LOG = []


class Mark(A.Function):
    fail = False

    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, grad):
        LOG.append("rule")
        if Mark.fail:
            raise ValueError("boom in backward")
        return grad


class MarkLayer(nn.Module):
    def forward(self, x):
        return Mark.apply(x)


dist.init_process_group("mpi")
r, n = dist.get_rank(), dist.get_world_size()
A.manual_seed(r)
model = nn.Sequential(nn.Linear(5, 7), MarkLayer(), nn.Tanh(), nn.Linear(7, 3))
ddp = DDP(model, bucket_cap_mb=1e-6)  # one bucket per parameter
ref = copy.deepcopy(model)  # rank 0's weights, on every rank
params = list(model.parameters())
real = dist.all_reduce


def logged(t, op=dist.ReduceOp.SUM, group=None, async_op=False):
    LOG.append((t.numel(), [None if p.grad is None else p.grad.tolist() for p in params]))
    return real(t, op=op, group=group, async_op=async_op)


dist.all_reduce = logged
rng = np.random.default_rng(0)
X = rng.standard_normal((4, n * 2, 5)).astype(np.float32)
loss_fn = nn.MSELoss()


def loss(m, step, k):
    x = A.tensor(X[step, 2 * k : 2 * k + 2])
    return loss_fn(m(x), x[:, :3])


# 1. overlap: the last layer's buckets start before Mark's rule runs, .grad still unwritten
loss(ddp, 0, r).backward()
assert [e if e == "rule" else e[0] for e in LOG] == [3, 21, "rule", 7, 35], LOG
assert all(g is None for e in LOG if e != "rule" for g in e[1]), "a .grad written mid-walk"
# 2. no_sync accumulates locally; then a synced backward that raises half-way leaves every
#    .grad as it was (bucket 0 and 1 had started: they are dropped at the next forward)
with ddp.no_sync():
    loss(ddp, 1, r).backward()
before = [p.grad.numpy().copy() for p in params]
LOG.clear()
Mark.fail = True
out = ddp(A.tensor(X[2, 2 * r : 2 * r + 2]))
try:
    loss_fn(out, A.tensor(X[2, 2 * r : 2 * r + 2, :3])).backward()
    raise AssertionError("no error")
except ValueError as e:
    assert "boom" in str(e)
Mark.fail = False
assert [e if e == "rule" else e[0] for e in LOG] == [3, 21, "rule"], LOG
for p, b in zip(params, before):
    assert np.array_equal(p.grad.numpy(), b)
# 3. the next step works: the accumulated no_sync gradient plus this one, averaged
loss(ddp, 3, r).backward()
for step in (0,):
    sum(loss(ref, step, k) for k in range(n)).mul(1.0 / n).backward()
mine = [p.grad.numpy().copy() for p in ref.parameters()]
ref.zero_grad()
loss(ref, 1, r).backward()
loss(ref, 3, r).backward()
local = A.cat([p.grad.reshape(-1) for p in ref.parameters()])
dist.all_reduce(local, op=dist.ReduceOp.AVG)
o = 0
for p, g1 in zip(params, mine):
    want = local.numpy()[o : o + p.numel()].reshape(p.shape) + g1
    o += p.numel()
    np.testing.assert_allclose(p.grad.numpy(), want, rtol=1e-5, atol=1e-6)
# 4. a second backward through the same forward, after the reduction, adds this rank's own
#    gradient with no reduction, as torch's (its autograd hooks expect nothing then)
ddp.zero_grad()
y = loss(ddp, 0, r)
y.backward(retain_graph=True)
reduced = [p.grad.numpy().copy() for p in params]
y.backward()
ref.zero_grad()
loss(ref, 0, r).backward()
for p, g, own in zip(params, reduced, ref.parameters()):
    np.testing.assert_allclose(p.grad.numpy(), g + own.grad.numpy(), rtol=1e-5, atol=1e-6)
print("OK", r)
"""


@needs_mpi
def test_ddp_all_reduce_starts_during_backward_and_an_error_half_way_changes_no_grad(
    tmp_path,
):
    _launch_ok(tmp_path, 2, OVERLAP)


FIND_UNUSED = """
import copy
import numpy as np
import autograd as A
import autograd.distributed as dist
import nn
from nn.parallel import DistributedDataParallel as DDP


class Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Linear(4, 3)
        self.branch = nn.Linear(4, 3)
        self.never = nn.Linear(4, 3)

    def forward(self, x, branch, extra=False):
        y = self.trunk(x)
        if branch:
            y = y + self.branch(x).tanh()
        return (y, self.never(x)) if extra else y


dist.init_process_group("mpi")
r, n = dist.get_rank(), dist.get_world_size()
rng = np.random.default_rng(0)
X = rng.standard_normal((3, n, 2, 4)).astype(np.float32)
for cap in (25, 1e-6):  # one bucket; one per parameter (started in order on every rank)
    A.manual_seed(r)
    model = Branchy()
    ddp = DDP(model, bucket_cap_mb=cap, find_unused_parameters=True)
    ref = copy.deepcopy(model)
    for step in range(2):  # the second accumulates onto the first
        if step == 1:
            model.never.weight.grad = A.full((3, 4), float(r + 1))
        (ddp(A.tensor(X[step, r]), branch=r == 0) ** 2).mean().backward()
        loss = sum((ref(A.tensor(X[step, k]), branch=k == 0) ** 2).mean() for k in range(n))
        (loss * (1.0 / n)).backward()
        for (name, p), q in zip(model.named_parameters(), ref.parameters()):
            if name == "never.weight" and step == 1:  # unused on every rank: untouched
                assert p.grad.tolist() == [[float(r + 1)] * 4] * 3, p.grad
            elif name.startswith("never"):
                assert p.grad is None and q.grad is None, name
            else:
                np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-5,
                                           atol=1e-6, err_msg=name)
    # reached by the forward but sent no gradient (an output the loss leaves out): the same
    ddp.zero_grad()
    y, _ = ddp(A.tensor(X[2, r]), branch=False, extra=True)
    y.sum().backward()
    assert model.never.weight.grad is None and model.trunk.weight.grad is not None
    ddp(A.tensor(X[2, r]), branch=False).sum().backward()  # and the next step goes on
print("OK", r)
"""


@needs_mpi
def test_ddp_find_unused_parameters_with_a_branch_used_on_one_rank_only(tmp_path):
    _launch_ok(tmp_path, 3, FIND_UNUSED)
