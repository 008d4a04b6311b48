"""NCCL collectives on cupy arrays, for autograd.distributed's backend "nccl".

The only place outside cupy_backend.py that imports cupy: the communicator (NCCL's unique id
sent from rank 0 over the MPI communicator) and the in-place collectives on raw device
arrays, enqueued on the current stream. Written to torch.distributed's contract; it has not
yet run on a GPU.
"""

__all__ = ["is_available", "communicator", "all_reduce", "broadcast", "all_gather"]

_OPS = ("sum", "prod", "min", "max")


def is_available():
    try:
        from cupy.cuda import nccl  # noqa: F401
    except Exception:
        return False
    return True


def communicator(comm):
    """An NCCL communicator over the ranks of the MPI communicator `comm`, one GPU each."""
    import cupy
    from cupy.cuda import nccl

    cupy.cuda.Device(comm.Get_rank() % cupy.cuda.runtime.getDeviceCount()).use()
    uid = nccl.get_unique_id() if comm.Get_rank() == 0 else None
    uid = comm.bcast(uid, root=0)
    return nccl.NcclCommunicator(comm.Get_size(), uid, comm.Get_rank())


def _dtype(a):
    from cupy.cuda import nccl

    names = {
        "float16": nccl.NCCL_FLOAT16,
        "float32": nccl.NCCL_FLOAT32,
        "float64": nccl.NCCL_FLOAT64,
        "int32": nccl.NCCL_INT32,
        "int64": nccl.NCCL_INT64,
        "uint8": nccl.NCCL_UINT8,
        "int8": nccl.NCCL_INT8,
    }
    if str(a.dtype) not in names:
        raise TypeError(f"nccl: unsupported dtype {a.dtype}")
    return names[str(a.dtype)]


def all_reduce(nc, a, op):
    """a reduced in place over the ranks (op: 'sum', 'prod', 'min' or 'max'); the stream."""
    import cupy
    from cupy.cuda import nccl

    code = {"sum": nccl.NCCL_SUM, "prod": nccl.NCCL_PROD, "min": nccl.NCCL_MIN,
            "max": nccl.NCCL_MAX}[op]  # fmt: skip
    stream = cupy.cuda.get_current_stream()
    nc.allReduce(a.data.ptr, a.data.ptr, a.size, _dtype(a), code, stream.ptr)
    return stream


def broadcast(nc, a, src):
    """a overwritten in place with rank src's; the stream."""
    import cupy

    stream = cupy.cuda.get_current_stream()
    nc.bcast(a.data.ptr, a.size, _dtype(a), src, stream.ptr)
    return stream


def all_gather(nc, a, world_size):
    """(every rank's a stacked along a new first dim, the stream)."""
    import cupy

    recv = cupy.empty((world_size,) + a.shape, dtype=a.dtype)
    stream = cupy.cuda.get_current_stream()
    nc.allGather(a.data.ptr, recv.data.ptr, a.size, _dtype(a), stream.ptr)
    return recv, stream
