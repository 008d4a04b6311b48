"""All parameters as one flat vector and back, as torch.nn.utils."""

from autograd import Tensor, cat, no_grad

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _check_device(param, device):
    if device is not None and param.device != device:
        raise TypeError(
            "Found two parameters on different devices, this is currently not supported."
        )
    return param.device


def parameters_to_vector(parameters):
    """cat of every parameter flattened, in order (a node of the graph, as PyTorch)."""
    device = None
    flat = []
    for p in parameters:
        device = _check_device(p, device)
        flat.append(p.reshape(-1))
    return cat(flat)


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of vec into the parameters, in order (unrecorded)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    device = None
    pointer = 0
    with no_grad():
        for p in parameters:
            device = _check_device(p, device)
            n = p.numel()
            p.copy_(vec[pointer : pointer + n].reshape(p.shape))
            pointer += n
