"""Data-parallel training, as torch.nn.parallel.DistributedDataParallel.

Every rank holds a whole replica of the model and a shard of each batch. After backward each
rank holds the gradient of its own shard's loss; the mean over ranks is the gradient of the
mean loss over the whole (concatenated) batch, so one step on N ranks with batch B equals one
step of a single process with batch N*B.

Gradients travel in buckets: flat buffers of about `bucket_cap_mb` holding the parameters in
reverse order of registration (roughly the order backward finishes them). A parameter's
post-accumulate-grad hook counts it in; once a bucket's every gradient is final its
all-reduce starts (non-blocking), and once the last bucket has started all are waited for and
the averages written back into each `.grad`.
"""

import contextlib
import time

import autograd.distributed as dist
from autograd.grad_mode import is_grad_enabled, no_grad
from nn.module import Module

__all__ = ["DistributedDataParallel"]


class _Bucket:
    __slots__ = ("params", "offsets", "flat", "pending", "work")

    def __init__(self, params):
        from autograd import zeros

        self.params = params
        self.offsets = []
        n = 0
        for p in params:
            self.offsets.append(n)
            n += p.array.size
        self.flat = zeros(n, dtype=params[0].dtype, device=params[0].device)
        self.pending = len(params)
        self.work = None


class DistributedDataParallel(Module):
    """Wrap `module` for data-parallel training over the default process group.

    At construction: the ranks' models are checked to have the same parameters (names,
    shapes, dtypes) and rank 0's parameters and buffers are copied to every rank. Each
    backward then leaves every rank's .grad equal to the mean of the ranks' gradients.
    `no_sync()` skips the reduction (gradients accumulate locally); `.module` is the model;
    `state_dict()` keys carry a `module.` prefix, as torch's (`.module.state_dict()` does not).
    """

    def __init__(
        self,
        module,
        device_ids=None,
        output_device=None,
        dim=0,
        broadcast_buffers=True,
        process_group=None,
        bucket_cap_mb=25,
        find_unused_parameters=False,
        gradient_as_bucket_view=False,
        static_graph=False,
    ):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: expected an nn.Module, got {type(module)}")
        if find_unused_parameters:
            raise NotImplementedError(
                "DistributedDataParallel: find_unused_parameters=True is not supported yet; "
                "every parameter that requires grad must receive a gradient in each backward"
            )
        world = dist.get_world_size()  # raises if init_process_group was not called
        if bucket_cap_mb is None or bucket_cap_mb <= 0:
            raise ValueError(
                f"DistributedDataParallel: bucket_cap_mb must be > 0, got {bucket_cap_mb}"
            )
        self.module = module
        self.broadcast_buffers = broadcast_buffers
        self.bucket_cap_mb = bucket_cap_mb
        self.require_backward_grad_sync = True
        self.world_size = world
        self.comm_seconds = 0.0  # time spent starting and waiting for all-reduces
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        self._param_names = {id(p): n for n, p in named}
        self._check_same_model(module)
        with no_grad():
            for _, t in list(module.named_parameters()) + list(module.named_buffers()):
                dist.broadcast(t, src=0)
        self._buckets = self._make_buckets([p for _, p in named], bucket_cap_mb * 1024 * 1024)
        self._bucket_of = {}
        for b in self._buckets:
            for i, p in enumerate(b.params):
                self._bucket_of[id(p)] = (b, i)
        self._sync_now = False  # set by a forward that will be followed by a synced backward
        self._marked = set()
        self._launched = 0
        self._hook_handles = [
            p.register_post_accumulate_grad_hook(self._grad_ready) for _, p in named
        ]

    # ------------------------------------------------------------------ construction
    def _check_same_model(self, module):
        g = dist._default()
        meta = [
            (n, tuple(p.shape), str(p.dtype), p.requires_grad) for n, p in module.named_parameters()
        ]
        meta += [
            ("buffer " + n, tuple(b.shape), str(b.dtype), False) for n, b in module.named_buffers()
        ]
        everyone = g.comm.allgather(meta)  # small, once: pickling is fine here
        ref = everyone[0]
        for rank, other in enumerate(everyone[1:], start=1):
            if other == ref:
                continue
            for i in range(max(len(ref), len(other))):
                a = ref[i] if i < len(ref) else None
                b = other[i] if i < len(other) else None
                if a != b:
                    raise RuntimeError(
                        "DistributedDataParallel: the model differs across ranks: parameter "
                        f"#{i} is {_describe(a)} on rank 0 but {_describe(b)} on rank {rank}"
                    )

    @staticmethod
    def _make_buckets(params, cap_bytes):
        buckets = []
        current = []
        size = 0
        for p in reversed(params):  # backward finishes the last layers first
            nbytes = p.array.nbytes
            if current and (size + nbytes > cap_bytes or p.dtype != current[0].dtype):
                buckets.append(_Bucket(current))
                current = []
                size = 0
            current.append(p)
            size += nbytes
        if current:
            buckets.append(_Bucket(current))
        return buckets

    # ------------------------------------------------------------------ forward / backward
    def forward(self, *inputs, **kwargs):
        if self._sync_now and self._marked:
            unready = [
                self._param_names[id(p)]
                for b in self._buckets
                for p in b.params
                if id(p) not in self._marked
            ]
            self._abandon()
            raise RuntimeError(
                "DistributedDataParallel: expected to have finished reduction in the prior "
                "iteration before starting a new one; these parameters received no gradient: "
                + ", ".join(unready)
            )
        if self.broadcast_buffers:
            with no_grad():
                for b in self.module.buffers():
                    dist.broadcast(b, src=0)
        self._sync_now = self.require_backward_grad_sync and is_grad_enabled()
        self._marked = set()
        self._launched = 0
        return self.module(*inputs, **kwargs)

    def _grad_ready(self, p):
        if not self._sync_now:
            return
        key = id(p)
        if key in self._marked:
            raise RuntimeError(
                f"DistributedDataParallel: parameter '{self._param_names[key]}' got a gradient "
                "twice in one iteration (a second backward through the same forward); run "
                "the extra backward under no_sync()"
            )
        self._marked.add(key)
        bucket, i = self._bucket_of[key]
        n = p.array.size
        o = bucket.offsets[i]
        bucket.flat.array[o : o + n] = p.grad.array.reshape(-1)
        bucket.pending -= 1
        if bucket.pending:
            return
        t0 = time.perf_counter()
        bucket.work = dist.all_reduce(bucket.flat, op=dist.ReduceOp.AVG, async_op=True)
        self._launched += 1
        if self._launched == len(self._buckets):
            self._finish()
        self.comm_seconds += time.perf_counter() - t0

    def _finish(self):
        for b in self._buckets:
            b.work.wait()
            b.work = None
            flat = b.flat.array
            for p, o in zip(b.params, b.offsets):
                n = p.array.size
                p.grad.array[...] = flat[o : o + n].reshape(p.grad.shape)
            b.pending = len(b.params)
        self._sync_now = False
        self._launched = 0
        self._marked = set()

    def _abandon(self):
        """Drop a half-done reduction (its started all-reduces finished, results unused), so
        that DDP works again after the error that reports it."""
        for b in self._buckets:
            if b.work is not None:
                b.work.wait()
                b.work = None
            b.pending = len(b.params)
        self._sync_now = False
        self._launched = 0
        self._marked = set()

    @contextlib.contextmanager
    def no_sync(self):
        """Forwards inside skip the reduction: gradients accumulate on each rank alone, and
        the first synced backward after it reduces the accumulated .grad."""
        prev = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = prev


def _describe(meta):
    if meta is None:
        return "missing"
    name, shape, dtype, requires_grad = meta
    return f"'{name}' of shape {shape} and dtype {dtype}" + (
        "" if requires_grad else " (requires_grad=False)"
    )
