"""Data-parallel training, as torch.nn.parallel.DistributedDataParallel.

Every rank holds a whole replica of the model and a shard of each batch. After backward each
rank holds the gradient of its own shard's loss; the mean over ranks is the gradient of the
mean loss over the whole (concatenated) batch, so one step on N ranks with batch B equals one
step of a single process with batch N*B.

Gradients travel in buckets: flat buffers of about `bucket_cap_mb` holding the parameters in
reverse order of registration (roughly the order backward finishes them). The engine calls a
gradient-final hook the moment a parameter's gradient for this backward is final (during the
walk, before it is accumulated): the hook copies .grad + that gradient into the bucket, and
once a bucket's every gradient is in, its all-reduce starts (non-blocking; buckets start in
index order, the same on every rank, as MPI's collectives must) while the walk goes on with
the earlier layers. After the walk, once every leaf has accumulated, the first
post-accumulate-grad hook waits for the buckets and writes the averages into each `.grad`.

An error half-way through a backward leaves every .grad as it was (the engine writes .grad
only at the end of the walk); the buckets already started are waited for and dropped at the
next forward, so the next step works (on every rank that took the same error: a rank that
catches an error alone leaves the others waiting in their all-reduce, as in PyTorch).
"""

import contextlib
import time

import autograd.distributed as dist
from autograd import engine as _engine
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

    def view(self, i):
        """The bucket's slice for its i-th parameter, as an array of that parameter's shape."""
        p = self.params[i]
        o = self.offsets[i]
        return self.flat.array[o : o + p.array.size].reshape(p.array.shape)


class DistributedDataParallel(Module):
    """Wrap `module` for data-parallel training over the default process group.

    At construction: the ranks' models are checked to have the same parameters (names,
    shapes, dtypes) and rank 0's parameters and buffers are copied to every rank. Each
    backward then leaves every rank's .grad equal to the mean of the ranks' gradients, the
    buckets' all-reduces overlapping the backward computation. `no_sync()` skips the
    reduction (gradients accumulate locally); `.module` is the model; `state_dict()` keys
    carry a `module.` prefix, as torch's (`.module.state_dict()` does not).

    `find_unused_parameters=True`, as torch's: the forward walks the graph from its outputs,
    and parameters it does not reach are marked ready (their .grad, or zeros, in the bucket)
    at the backward's first gradient, so that every bucket's all-reduce takes place and the
    ranks agree; a parameter that got a gradient on some rank ends with the mean (the other
    ranks counting zero), one that got none on any rank keeps its .grad (None stays None).
    A parameter reached but sent no gradient (an output the loss did not use) is marked at
    the end of the walk in the same way (torch reports it as an error at the next forward).
    Without it, a parameter that gets no gradient is named in an error at the next forward.
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
        world = dist.get_world_size()  # raises if init_process_group was not called
        if bucket_cap_mb is None or bucket_cap_mb <= 0:
            raise ValueError(
                f"DistributedDataParallel: bucket_cap_mb must be > 0, got {bucket_cap_mb}"
            )
        self.module = module
        self.broadcast_buffers = broadcast_buffers
        self.bucket_cap_mb = bucket_cap_mb
        self.find_unused_parameters = bool(find_unused_parameters)
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
        self._params = [p for b in self._buckets for p in b.params]
        # Per iteration: a forward that will be followed by a synced backward sets _sync_now;
        # _marked holds the parameters whose gradient is in its bucket, _next the index of the
        # next bucket to start, _walked whether a backward got to its end.
        self._sync_now = False
        self._marked = set()
        self._next = 0
        self._walked = False
        self._unreached = None  # find_unused_parameters: those the forward's graph misses
        self._used = set()  # find_unused_parameters: those that got a gradient here
        self._hook_handles = []
        for _, p in named:
            self._hook_handles.append(_engine.register_grad_final_hook(p, self._grad_final))
            self._hook_handles.append(p.register_post_accumulate_grad_hook(self._after_backward))

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
            if not self._walked:
                # The last backward raised half-way (no .grad changed): drop its buckets.
                self._abandon()
            else:
                unready = [self._param_names[id(p)] for p in self._params if id(p) not in
                           self._marked]  # fmt: skip
                self._abandon()
                raise RuntimeError(
                    "DistributedDataParallel: expected to have finished reduction in the prior "
                    "iteration before starting a new one; these parameters received no "
                    "gradient: " + ", ".join(unready) + " (pass find_unused_parameters=True "
                    "if they are unused on purpose)"
                )
        if self.broadcast_buffers:
            with no_grad():
                for b in self.module.buffers():
                    dist.broadcast(b, src=0)
        self._abandon()
        self._sync_now = self.require_backward_grad_sync and is_grad_enabled()
        out = self.module(*inputs, **kwargs)
        if self._sync_now and self.find_unused_parameters:
            reached = _reached(out)
            self._unreached = [p for p in self._params if id(p) not in reached]
        return out

    def _grad_final(self, p, grad):
        """The engine's gradient-final hook: p's gradient of this backward is `grad` (p.grad,
        not yet written, holds what came before). Into the bucket, then start what is ready."""
        if not self._sync_now:
            return
        key = id(p)
        if key in self._marked:
            raise RuntimeError(
                f"DistributedDataParallel: parameter '{self._param_names[key]}' got a gradient "
                "twice in one iteration (a second backward through the same forward); run "
                "the extra backward under no_sync()"
            )
        if self._unreached:  # the first gradient of the walk: the unused ones are ready
            unreached, self._unreached = self._unreached, None
            for q in unreached:
                self._mark(q, None)
        self._used.add(key)
        self._mark(p, grad.array)

    def _mark(self, p, grad):
        """p's bucket slice <- p.grad + grad (either may be None: zeros); start every bucket
        that is complete, in index order."""
        key = id(p)
        if key in self._marked:
            return
        self._marked.add(key)
        bucket, i = self._bucket_of[key]
        view = bucket.view(i)
        old = p.grad
        if old is None:
            if grad is None:
                view[...] = 0
            else:
                view[...] = grad
        else:
            view[...] = old.array
            if grad is not None:
                view += grad
        bucket.pending -= 1
        if bucket.pending:
            return
        t0 = time.perf_counter()
        buckets = self._buckets
        while self._next < len(buckets) and buckets[self._next].pending == 0:
            b = buckets[self._next]
            b.work = dist.all_reduce(b.flat, op=dist.ReduceOp.AVG, async_op=True)
            self._next += 1
        for b in buckets[: self._next]:  # MPI moves messages only inside its calls
            b.work.is_completed()
        self.comm_seconds += time.perf_counter() - t0

    def _after_backward(self, p):
        """The post-accumulate-grad hook: the first one after a synced walk (every leaf has
        accumulated by then) finishes the reduction for all parameters."""
        if not self._sync_now or self._walked:
            return
        self._walked = True
        if self.find_unused_parameters:
            self._unreached = None
            for q in self._params:  # reached but sent no gradient: as the unreached
                self._mark(q, None)
        if self._next < len(self._buckets):
            return  # a parameter got no gradient: the next forward says which
        self._finish()

    def _finish(self):
        t0 = time.perf_counter()
        used = None
        if self.find_unused_parameters:  # which parameters got a gradient on some rank
            from autograd import tensor

            used = tensor([int(id(p) in self._used) for p in self._params])
            dist.all_reduce(used, op=dist.ReduceOp.MAX)
            used = dict(zip(map(id, self._params), used.tolist()))
        for b in self._buckets:
            b.work.wait()
            b.work = None
        self.comm_seconds += time.perf_counter() - t0
        with no_grad():
            for b in self._buckets:
                for i, p in enumerate(b.params):
                    if used is not None and not used[id(p)]:
                        continue  # unused on every rank: .grad as it was, as torch
                    if p.grad is None:  # unused here, used elsewhere
                        p.grad = b.flat[b.offsets[i] : b.offsets[i] + p.numel()].view(
                            p.shape).clone()  # fmt: skip
                    else:
                        p.grad.array[...] = b.view(i)
        self._abandon()

    def _abandon(self):
        """Reset for the next iteration, waiting for (and dropping) any all-reduce started."""
        for b in self._buckets:
            if b.work is not None:
                b.work.wait()
                b.work = None
            b.pending = len(b.params)
        self._sync_now = False
        self._next = 0
        self._marked = set()
        self._walked = False
        self._unreached = None
        self._used = set()

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


def _reached(out):
    """ids of every vertex (op or leaf) of the graph behind the tensors in `out` (a tensor, or
    lists, tuples and dicts of them), as torch's find_unused_parameters search."""
    from autograd.viz import _tensors_in, _walk

    roots = [t.grad_fn if t.grad_fn is not None else t for t in _tensors_in(out)]
    return {id(v) for v in _walk(roots, None)[0]}


def _describe(meta):
    if meta is None:
        return "missing"
    name, shape, dtype, requires_grad = meta
    return f"'{name}' of shape {shape} and dtype {dtype}" + (
        "" if requires_grad else " (requires_grad=False)"
    )
