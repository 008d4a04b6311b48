"""sum_to: the one place broadcasting is undone."""


def sum_to(x, shape):
    """Sum `x` down to `shape`: over the leading dims broadcasting added and the dims it
    stretched from 1. The adjoint of broadcast_to."""
    if x.shape == shape:
        return x
    lead = x.ndim - len(shape)
    dims = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and x.shape[i + lead] != 1
    )
    out = ops.Sum.call(x, dims, True)  # x: raw arrays in an array-speed backward, or Tensors
    return out if out.shape == shape else ops.Reshape.call(out, shape)


from autograd import ops  # noqa: E402  (the ops use sum_to: define it first)
