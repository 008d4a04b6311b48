"""GPU benchmarks, side by side in one run: dagrad on cuda against raw cupy and PyTorch CUDA.

  matmul      n x n @ n x n float32, n = 1024..8192: GFLOPS (2 n^3 / time), dagrad vs cupy
              (the lectures' BLAS lab: within 10% of raw cupy) and torch when it has CUDA
  mlp step    784-256-256-10, batch 1024, float32: forward, cross-entropy, backward, SGD
  cnn step    conv(1->8,3)-relu-pool-conv(8->16,3)-relu-pool-linear(784->10), batch 256

Rounds are interleaved (a, b, c, a, b, c, ...) and every timing ends with a device
synchronisation; min and median per contender, and dagrad's ratio to each. Writes a markdown
section to --out (appends) and prints it. Without a GPU it says so and exits 2.
Run: .venv/bin/python bench/gpu_bench.py [--quick] [--out bench/results/gpu.md]
"""

import argparse
import datetime
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import optim  # noqa: E402


def _torch_cuda():
    try:
        import torch
    except ImportError:
        return None
    return torch if torch.cuda.is_available() else None


def _cupy():
    import cupy

    return cupy


def timed(fn, sync, rounds, warmup=2):
    for _ in range(warmup):
        fn()
    sync()
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        sync()
        out.append(time.perf_counter() - start)
    return out


def interleaved(contenders, rounds):
    """{name: [seconds]}: each round runs every contender once, in turn."""
    times = {name: [] for name in contenders}
    for fn, sync in contenders.values():
        timed(fn, sync, 0, warmup=2)
    for _ in range(rounds):
        for name, (fn, sync) in contenders.items():
            times[name] += timed(fn, sync, 1, warmup=0)
    return times


def matmul(rounds, sizes):
    cp, torch = _cupy(), _torch_cuda()
    rows = []
    for n in sizes:
        rng = np.random.default_rng(0)
        a_host = rng.standard_normal((n, n), dtype=np.float32)
        b_host = rng.standard_normal((n, n), dtype=np.float32)
        a, b = autograd.tensor(a_host, device="cuda"), autograd.tensor(b_host, device="cuda")
        ca, cb = cp.asarray(a_host), cp.asarray(b_host)
        contenders = {
            "dagrad": (lambda a=a, b=b: a @ b, autograd.cuda.synchronize),
            "cupy": (lambda a=ca, b=cb: a @ b, cp.cuda.Device().synchronize),
        }
        if torch is not None:
            ta, tb = torch.tensor(a_host, device="cuda"), torch.tensor(b_host, device="cuda")
            contenders["torch"] = (lambda a=ta, b=tb: a @ b, torch.cuda.synchronize)
        np.testing.assert_allclose(
            (a @ b).cpu().numpy()[:4, :4], cp.asnumpy(ca @ cb)[:4, :4], rtol=1e-3, atol=1e-2
        )
        times = interleaved(contenders, rounds)
        flops = 2 * n**3
        gflops = {k: flops / min(v) / 1e9 for k, v in times.items()}
        rows.append((n, gflops, times))
        contenders.clear()  # free n=8192's buffers before the next size
    return rows


def _mlp_parts():
    sizes = (784, 256, 256, 10)
    rng = np.random.default_rng(0)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, (fan_out,)).astype(np.float32))
    x = rng.random((1024, 784), dtype=np.float32)
    y = rng.integers(0, 10, 1024)
    return params, x, y


def _cnn_parts():
    rng = np.random.default_rng(1)
    return rng.random((256, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, 256)


def _model(nn, kind):
    """The MLP or the CNN, built from `nn` (dagrad's, or torch.nn): the same layers on both
    sides."""
    if kind == "mlp":
        return nn.Sequential(
            nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)
        )
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 7 * 7, 10),
    )  # fmt: skip


def training_step(kind, rounds):
    """One SGD step of the MLP or the CNN, same initial weights on both sides."""
    torch = _torch_cuda()
    if kind == "mlp":
        _, x_host, y_host = _mlp_parts()
    else:
        x_host, y_host = _cnn_parts()
    model = _model(nn, kind).to("cuda")
    opt = optim.SGD(model.parameters(), lr=0.01)
    x, y = autograd.tensor(x_host, device="cuda"), autograd.tensor(y_host, device="cuda")

    def ours():
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    contenders = {"dagrad": (ours, autograd.cuda.synchronize)}
    if torch is not None:
        tmodel = _model(torch.nn, kind).cuda()
        with torch.no_grad():
            for tp, p in zip(tmodel.parameters(), model.parameters()):
                tp.copy_(torch.from_numpy(p.detach().cpu().numpy()))
        topt = torch.optim.SGD(tmodel.parameters(), lr=0.01)
        tx = torch.tensor(x_host, device="cuda")
        ty = torch.tensor(y_host, device="cuda")

        def theirs():
            topt.zero_grad()
            torch.nn.functional.cross_entropy(tmodel(tx), ty).backward()
            topt.step()

        contenders["torch"] = (theirs, torch.cuda.synchronize)
    return interleaved(contenders, rounds)


def _ms(v):
    return f"{min(v) * 1e3:.3f} / {statistics.median(v) * 1e3:.3f}"


def report(quick):
    sizes = (1024, 2048) if quick else (1024, 2048, 4096, 8192)
    rounds = 5 if quick else 20
    lines = []
    card = autograd.cuda.get_device_name()
    cp = _cupy()
    torch = _torch_cuda()
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines += [
        f"## GPU benchmarks: {card}, {stamp}",
        "",
        f"cupy {cp.__version__}, CUDA runtime {cp.cuda.runtime.runtimeGetVersion()}, "
        f"torch {'(no CUDA)' if torch is None else torch.__version__}; {rounds} interleaved "
        "rounds; times are min / median.",
        "",
        "### matmul, float32 (GFLOPS from the min time)",
        "",
        "| n | dagrad | cupy | torch | dagrad / cupy |",
        "|---|---|---|---|---|",
    ]
    for n, g, _ in matmul(rounds, sizes):
        lines.append(
            f"| {n} | {g['dagrad']:.0f} | {g['cupy']:.0f} | "
            f"{g.get('torch', float('nan')):.0f} | {g['dagrad'] / g['cupy']:.3f} |"
        )
    for kind, title in (("mlp", "MLP 784-256-256-10 step, batch 1024"),
                        ("cnn", "small CNN step, batch 256, 1x28x28")):  # fmt: skip
        times = training_step(kind, rounds)
        lines += ["", f"### {title} (ms, min / median)", "", "| dagrad | torch | ratio |",
                  "|---|---|---|"]  # fmt: skip
        t = times.get("torch")
        ratio = "n/a" if t is None else f"{min(times['dagrad']) / min(t):.2f}x"
        lines.append(f"| {_ms(times['dagrad'])} | {'n/a' if t is None else _ms(t)} | {ratio} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n up to 2048, 5 rounds")
    parser.add_argument("--out", help="append the markdown to this file")
    args = parser.parse_args(argv)
    if not autograd.cuda.is_available():
        print("gpu_bench: no CUDA device (cupy missing or no GPU): nothing to measure")
        return 2
    text = report(args.quick)
    print(text)
    if args.out:
        with open(args.out, "a") as f:
            f.write("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
