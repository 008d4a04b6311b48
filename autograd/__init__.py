"""dagrad's engine: Tensor and Value, the ops they record, and the backward pass.

from autograd import Tensor, Value
x = Tensor([1.0, 2.0], requires_grad=True)
(x * x).sum().backward()        # x.grad == 2x
"""

__version__ = "0.1.0"  # the one place of the version: setup.cfg reads it

from autograd._tensor import Tensor, get_default_dtype, set_default_dtype, tensor
from autograd.creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    zeros,
    zeros_like,
)
from autograd.engine import backward, grad
from autograd.finite_differences import GradcheckError, gradcheck, gradgradcheck
from autograd.function import Function, Node, once_differentiable
from autograd.functional_ops import *  # noqa: F401,F403  (torch.exp, torch.cat, ...)
from autograd.functional_ops import __all__ as _functional_all
from autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from autograd.ops.elementwise import where
from autograd.ops.index import gather
from autograd.ops.shape import sum_to
from autograd.value import Value
from backends import Device as device
from backends import available
from backends.dtypes import (
    bool_,
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    long,
    uint8,
)

bool = bool_  # noqa: A001  (as torch.bool)

__all__ = [
    "Tensor", "tensor", "Value", "Function", "Node", "once_differentiable",
    "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "set_default_dtype", "get_default_dtype", "gradcheck", "gradgradcheck", "GradcheckError",
    "zeros", "ones", "full", "empty", "zeros_like", "ones_like", "full_like", "empty_like",
    "rand_like", "randn_like", "arange", "linspace", "eye", "rand", "randn", "randint",
    "manual_seed", "from_numpy", "as_tensor", "where", "gather", "sum_to", "device",
    "available", "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
    "is_anomaly_check_nan_enabled", "AnomalyError", "float16", "float32", "float64", "half",
    "double", "int8", "int16", "int32", "int64", "long", "uint8", "bool",
] + list(_functional_all)  # fmt: skip

# torch.autograd.forward_ad, .functional and anomaly mode (they need the above)
from autograd import forward_ad, functional  # noqa: E402,F401
from autograd.anomaly import (  # noqa: E402
    AnomalyError,
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_detect_anomaly,
)

# --- printing and constants (lead) ---
from autograd.printing import get_printoptions, printoptions, set_printoptions  # noqa: E402

pi, e = 3.141592653589793, 2.718281828459045
inf, nan = float("inf"), float("nan")
__all__ += ["set_printoptions", "get_printoptions", "printoptions", "pi", "e", "inf", "nan"]
# --- learner names (random): generators, random factories, dtypes, devices, dlpack ---
__all__ += [
    "random", "Generator", "default_generator", "seed", "initial_seed", "get_rng_state",
    "set_rng_state", "randperm", "multinomial", "normal", "bernoulli", "randint_like",
    "float", "int", "short", "bfloat16", "dtype", "finfo", "iinfo", "promote_types",
    "result_type", "can_cast", "is_tensor", "is_floating_point", "numel", "cuda", "accelerator",
    "backends", "set_default_device", "get_default_device", "from_dlpack",
]  # fmt: skip

from autograd import accelerator, cuda, random  # noqa: E402  (torch.cuda, torch.random, ...)
from autograd._learner import (  # noqa: E402
    backends,
    bfloat16,
    can_cast,
    dtype,
    finfo,
    iinfo,
    is_floating_point,
    is_tensor,
    numel,
    promote_types,
    result_type,
)
from autograd.creation import from_dlpack  # noqa: E402
from autograd.random import (  # noqa: E402
    Generator,
    bernoulli,
    default_generator,
    get_rng_state,
    initial_seed,
    multinomial,
    normal,
    randint_like,
    randperm,
    seed,
    set_rng_state,
)
from backends.backend import get_default_device, set_default_device  # noqa: E402
from backends.dtypes import short  # noqa: E402

float = float32  # noqa: A001  (torch.float)
int = int32  # noqa: A001  (torch.int)
# --- tensor math (helper math): torch.linalg; numpy's axis= for gather ---
# isort: split
from autograd import linalg  # noqa: E402,F401
from autograd.args import _numpy_names  # noqa: E402

gather = _numpy_names(gather)
# --- legacy typed constructors (lead) ---
from autograd.creation import (  # noqa: E402
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
)

__all__ += [
    "FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor",
    "ByteTensor", "CharTensor", "BoolTensor",
]  # fmt: skip
# --- torch.save / torch.load (lead): safetensors checkpoints, as nn.save / nn.load ---
from autograd.serialization import load, save  # noqa: E402

__all__ += ["save", "load"]
# --- index helper (indexing, views, splits) ---
from autograd.ops.composite import tensor_split  # noqa: E402

tensor_split = _numpy_names(tensor_split)

__all__ += ["tensor_split"]

# --- mpi (torch.distributed) ---
from autograd import distributed  # noqa: E402,F401  (imports without mpi4py)

# --- learner2: torch.nn, torch.optim, torch.utils.data as attributes (lazy: nn imports us) ---


def __getattr__(name):
    """`torch.nn.Module`, `torch.optim.Optimizer`, `torch.utils.data.DataLoader`,
    `torch.autograd.grad` (this module is torch.autograd too).

    Learner code reaches the sibling packages through the top-level module
    (`isinstance(net, torch.nn.Module)`); they import autograd, so they load on first use.
    """
    import importlib

    if name in ("nn", "optim"):
        return importlib.import_module(name)
    if name == "utils":
        return importlib.import_module("autograd._torch_utils")
    if name == "testing":  # torch.testing.assert_close (hypothesis only for the strategies)
        return importlib.import_module("autograd.testing")
    if name == "autograd":  # torch.autograd.grad, .Function, .Variable under `import ... as torch`
        return importlib.import_module("autograd")
    raise AttributeError(f"module 'autograd' has no attribute '{name}'")


# --- learner names: torch.Size, torch.autograd.Variable, inference mode ---
from autograd._learner import Variable  # noqa: E402
from autograd.args import Size  # noqa: E402
from autograd.grad_mode import inference_mode, is_inference_mode_enabled  # noqa: E402

__all__ += ["Size", "Variable", "inference_mode", "is_inference_mode_enabled"]

# --- learner names (names helper): std_mean, var_mean, take_along_dim, det ---
from autograd.extra_ops import det, std_mean, take_along_dim, var_mean  # noqa: E402

__all__ += ["std_mean", "var_mean", "take_along_dim", "det"]
