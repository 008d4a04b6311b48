"""Random numbers as PyTorch draws them: `Generator`, the default generators, and the random
factories (`rand randn randint randperm multinomial normal bernoulli` and `_like` forms).

Each device has a default generator (`default_generator` for the CPU) that `manual_seed`
seeds; a `Generator` passed as `generator=` draws its own stream.

On the CPU the numbers are PyTorch 2.13's, bit for bit, for the same seed and the same calls
in the same order (backends/mt19937.py reproduces its MT19937 generator and its CPU
kernels): rand, randn, rand_like, randn_like, normal (all four forms), randint,
randint_like, randperm, multinomial (with and without replacement), bernoulli, and the
in-place uniform_, normal_, random_, bernoulli_, exponential_, geometric_, log_normal_,
cauchy_ (filled in memory order, as torch fills a transposed tensor), in float16, float32
and float64 (and integers and bool where torch allows them), with or without `generator=`;
so are nn.init's uniform_/normal_/kaiming_*/xavier_*/trunc_normal_/sparse_, the layers'
default initialisation, dropout's masks and the data samplers' orders. `get_state()` is
torch's 5056-byte state, the same bytes as torch's after the same draws, and torch's states
load here. Not reproduced: randperm beyond 2^32 / 20 elements (torch changes algorithm
there), and orthogonal_'s values (its draws are torch's, its QR is LAPACK's through numpy:
equal to rounding). The GPU's generator (cupy) has its own stream.
"""

import contextlib

from autograd._lazy import LazyModule
from autograd._tensor import Tensor, _wrap
from backends import dtypes, get_backend
from backends import manual_seed as _seed_backends
from backends.backend import default_backend, fresh_seed

# creation's helpers (_make, _size, _dtype), read on first use: creation re-exports our factories
_creation = LazyModule("autograd.creation", globals(), "_creation")

__all__ = [
    "Generator", "default_generator", "manual_seed", "seed", "initial_seed", "get_rng_state",
    "set_rng_state", "fork_rng", "rand", "randn", "randint", "randperm", "multinomial",
    "normal", "bernoulli", "rand_like", "randn_like", "randint_like",
]  # fmt: skip

_DEFAULT_SEED = 67280421310721  # what a new torch.Generator() starts from
_UINT64 = 1 << 64

_torch_name = dtypes.torch_name  # PyTorch's name of a dtype in its messages: 'Long'


def _check_seed(seed):
    """torch's seed rules: an int in [-2^63, 2^64); negatives wrap to uint64."""
    if hasattr(seed, "__index__") and not isinstance(seed, bool) and not hasattr(seed, "dtype"):
        seed = seed.__index__()
    elif isinstance(seed, Tensor) and seed.dtype.kind in "iu" and seed.numel() == 1:
        seed = int(seed.item())
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
    if not -(1 << 63) <= seed < _UINT64:
        raise ValueError(f"Overflow when unpacking long long: seed {seed}")
    return seed % _UINT64


class Generator:
    """A random-number stream of its own, as `torch.Generator(device="cpu")`."""

    def __init__(self, device="cpu"):
        self._backend = get_backend(device)
        self._seed = _DEFAULT_SEED
        self._rng = self._backend.new_rng(_DEFAULT_SEED)

    @property
    def device(self):
        return self._backend.device

    def manual_seed(self, seed):
        """Restart the stream from `seed`; returns the generator."""
        seed = _check_seed(seed)
        self._seed = seed
        self._rng = self._backend.new_rng(seed)
        return self

    def seed(self):
        """Seed from the operating system's entropy; returns the seed."""
        seed = fresh_seed()
        self.manual_seed(seed)
        return seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The state as a uint8 Tensor: on the CPU torch's 5056 bytes, the same bytes as
        torch's for the same draws (the initial seed, the MT19937 words and position, the
        cached normal sample)."""
        state = self._backend.rng_state(self._rng, self._seed)
        cpu = get_backend("cpu")
        return _wrap(cpu.xp.frombuffer(bytearray(state), dtype=dtypes.uint8), cpu)

    def set_state(self, new_state):
        """Restore a state from `get_state`; returns the generator."""
        if not isinstance(new_state, Tensor) or new_state.dtype != dtypes.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        state = bytes(new_state._backend.to_numpy(new_state.array).reshape(-1))
        rng, seed = self._backend.rng_from_state(state)
        self._seed = seed
        self._rng = rng
        return self

    def __repr__(self):
        return f"<autograd.Generator object, device={self.device}>"


class _DefaultGenerator(Generator):
    """A device's default generator: its stream is the backend's, which `manual_seed` seeds."""

    def __init__(self, device):
        self._backend = get_backend(device)

    _seed = property(
        lambda self: self._backend.rng_seed,
        lambda self, seed: setattr(self._backend, "rng_seed", seed),
    )
    _rng = property(
        lambda self: self._backend.rng,
        lambda self, rng: setattr(self._backend, "rng", rng),
    )


default_generator = _DefaultGenerator("cpu")
_default_generators = {"cpu": default_generator}


def _generator(generator, device):
    """The generator to draw from and the backend to put the result on."""
    if generator is None:
        backend = default_backend(device)
        key = str(backend.device)
        gen = _default_generators.get(key)
        if gen is None:
            gen = _default_generators[key] = _DefaultGenerator(key)
        return gen, backend
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be an autograd.Generator, got {type(generator).__name__}")
    backend = generator._backend if device is None else get_backend(device)
    if backend is not generator._backend:
        raise RuntimeError(
            f"Expected a '{backend.device.type}' device type for generator but found "
            f"'{generator.device.type}'"
        )
    return generator, backend


def manual_seed(seed):
    """Seed the default generator of every device; returns the CPU's."""
    _seed_backends(_check_seed(seed))
    return default_generator


def seed():
    """Seed every device's default generator from entropy; returns the seed."""
    s = fresh_seed()
    _seed_backends(s)
    return s


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, **kwargs):
    """Restore the CPU default generator's state on exit (as torch.random.fork_rng)."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


# --------------------------------------------------------------------------- factories
def _float_dtype(dtype, kernel):
    dtype = _creation._dtype(dtype)
    if dtype.kind != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_torch_name(dtype)}'")
    return dtype


def _sizes(size, kw_size, op):
    if kw_size is not None:
        if size:
            raise TypeError(f"{op}() got multiple values for argument 'size'")
        size = (kw_size,)
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    out = []
    for i, s in enumerate(size):
        if isinstance(s, Tensor) and s.dtype.kind in "iu" and s.numel() == 1:
            s = int(s.item())
        # as torch.empty: a bool is a size (1 or 0), except first
        if not isinstance(s, int) or isinstance(s, bool) and i == 0:
            if hasattr(s, "__index__") and not isinstance(s, bool):
                s = s.__index__()
            else:
                raise TypeError(
                    f"{op}(): argument 'size' must be a tuple of ints, but found element of "
                    f"type {type(s).__name__}"
                )
        out.append(s)
    if any(s < 0 for s in out):
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(out)}: {list(out)}"
        )
    return _creation._size(tuple(out))


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, **kw):
    """U[0, 1), `dtype` floating (the default float unless given)."""
    args = (size, kw, generator, dtype, device, requires_grad)
    return _floats("uniform", "rand", "check_uniform_bounds", *args)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, **kw):
    """N(0, 1), `dtype` floating (the default float unless given)."""
    args = (size, kw, generator, dtype, device, requires_grad)
    return _floats("normal", "randn", "normal_kernel_cpu", *args)


def _floats(draw, op, kernel, size, kw, generator, dtype, device, requires_grad):
    """rand and randn: the backend's `draw` ("uniform" or "normal") of floats; `kernel` is
    PyTorch's name in the error for a dtype that is not floating."""
    shape = _sizes(size, kw.pop("size", None), op)
    _no_more(kw, op)
    dtype = _float_dtype(dtype, kernel)
    gen, b = _generator(generator, device)
    return _creation._make(getattr(b, draw)(gen._rng, shape, dtype), b, requires_grad)


def _no_more(kw, op):
    kw.pop("layout", None)
    kw.pop("pin_memory", None)
    if kw:
        raise TypeError(f"{op}() got an unexpected keyword argument '{next(iter(kw))}'")


def _int_bounds(dtype):
    """The values a dtype holds exactly as integers: [min, max]."""
    if dtype.kind == "b":
        return 0, 1
    if dtype.kind == "f":
        digits = {2: 11, 4: 24, 8: 53}[dtype.itemsize]
        return -(1 << digits), 1 << digits
    info = get_backend("cpu").xp.iinfo(dtype)
    return int(info.min), int(info.max)


def _check_int(value, name, op):
    if isinstance(value, Tensor) and value.numel() == 1:
        value = value.item()
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{op}(): argument '{name}' must be int, not {type(value).__name__}")
    return value


def _random_ints(gen, b, low, high, shape, dtype, endpoint=False, full=False):
    """Integers in [low, high) (or [low, high] with endpoint) as `dtype`, with torch's checks
    of the range; `full`: random_() over the dtype's range (torch draws it otherwise)."""
    if low >= high + endpoint:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    lo, hi = _int_bounds(dtype)
    name = {"uint8": "unsigned char", "int8": "signed char", "int16": "short", "int32": "int",
            "int64": "long", "bool": "bool"}.get(dtype.name, dtype.name)  # fmt: skip
    if dtype.kind in "iub":
        if not lo <= low <= hi:
            raise RuntimeError(f"from is out of bounds for {name}")
        if not lo <= high - 1 + endpoint <= hi:
            raise RuntimeError(f"to - 1 is out of bounds for {name}")
    if dtype.kind == "b":
        return b.integers(gen._rng, low, high, shape, dtypes.int8, endpoint, full).astype(dtype)
    return b.integers(gen._rng, low, high, shape, dtype, endpoint, full)


def randint(*args, size=None, generator=None, dtype=None, device=None, requires_grad=False, **kw):
    """Integers in [low, high) (high exclusive), int64 unless `dtype` says otherwise.

    randint(high, size), randint(low, high, size), or with `low=`, `high=`, `size=`.
    """
    low, high = kw.pop("low", None), kw.pop("high", None)
    _no_more(kw, "randint")
    args = list(args)
    if size is None and args and isinstance(args[-1], (tuple, list)):
        size = args.pop()
    if len(args) == 2:
        low, high = args
    elif len(args) == 1:
        if high is None:
            high = args[0]
        else:
            low = args[0]
    elif args:
        raise TypeError(f"randint() takes at most 3 positional arguments ({len(args)} given)")
    if high is None or size is None:
        missing = "high" if high is None else "size"
        raise TypeError(f"randint() missing required argument '{missing}'")
    low = 0 if low is None else _check_int(low, "low", "randint")
    high = _check_int(high, "high", "randint")
    shape = _sizes((size,), None, "randint")
    dtype = dtypes.int64 if dtype is None else dtypes.as_dtype(dtype)
    gen, b = _generator(generator, device)
    return _creation._make(_random_ints(gen, b, low, high, shape, dtype), b, requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False, **kw):
    """A random permutation of 0 .. n-1, int64 unless `dtype` says otherwise."""
    _no_more(kw, "randperm")
    n = _check_int(n, "n", "randperm")
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dtype = dtypes.int64 if dtype is None else dtypes.as_dtype(dtype)
    lo, hi = _int_bounds(dtype)
    if n > 0 and n - 1 > hi:
        raise RuntimeError(
            f"n must be representable by the requested dtype: n = {n}, dtype {_torch_name(dtype)}"
        )
    gen, b = _generator(generator, device)
    return _creation._make(b.permutation(gen._rng, n).astype(dtype), b, requires_grad)


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Indices drawn from the categories of each row of `input` (weights, not necessarily
    normalised): (k,) for a 1-D input, (m, k) for an (m, n) one; int64.

    Without replacement each row's k categories are distinct: the k largest of w_i / E_i,
    E_i ~ Exp(1), which picks them in the order of sequential draws without replacement
    (and serves one draw with replacement, as torch). With replacement: the inverse CDF at
    uniform draws.
    """
    if not isinstance(num_samples, int) or isinstance(num_samples, bool):
        raise TypeError(
            f"multinomial(): argument 'num_samples' (position 2) must be int, not "
            f"{type(num_samples).__name__}"
        )
    if input.dtype.kind != "f":
        raise RuntimeError(
            f"multinomial only supports floating-point dtypes for input, got: "
            f"{_torch_name(input.dtype)}"
        )
    if input.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    n = input.shape[-1]
    if n == 0 and num_samples > 0:
        raise RuntimeError("multinomial: the number of categories must be positive, got 0")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > n:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    xp = input.xp
    w = input.array.reshape(-1, n)  # (m, n), in the input's dtype as torch computes
    if not bool(xp.all(xp.isfinite(w) & (w >= 0))):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if not bool(xp.all(w.sum(axis=1, dtype=dtypes.float64) > 0)):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    gen, b = _generator(generator, input.device)
    m = w.shape[0]
    if replacement and num_samples > 1:
        # torch: each row's cumulative sum normalised in the dtype, then for each float64
        # uniform u the first category whose cumulative probability is >= u
        u = b.uniform(gen._rng, (m, num_samples), dtypes.float64)
        cdf = xp.cumsum(w, axis=1)
        cdf /= cdf[:, -1:]
        cdf[:, -1] = 1.0  # u < 1 <= cdf[-1]: the last category is always reachable
        cdf = cdf.astype(dtypes.float64)
        index = xp.stack([xp.searchsorted(cdf[i], u[i], side="left") for i in range(m)])
    else:
        # torch: the k largest w_i / E_i, E_i ~ Exp(1) in the dtype (which picks them in
        # the order of sequential draws without replacement; k = 1 is a draw with it too)
        keys = w / b.exponential(gen._rng, (m, n), input.dtype)
        index = xp.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    index = index.astype(dtypes.int64).reshape(input.shape[:-1] + (num_samples,))
    return _wrap(index, b)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad=False):  # fmt: skip
    """N(mean, std^2), as torch.normal's four overloads: tensor mean and/or std (broadcast
    together; the result takes the tensor's dtype and device), or float mean and std with
    `size`. The result records no graph (PyTorch's gradient through it is zero)."""
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if mt or st:
        if size is not None or dtype is not None:
            raise TypeError(
                "normal() received an invalid combination of arguments: size= and dtype= go "
                "with float mean and std only"
            )
        ref = mean if mt else std
        out_dtype = ref.dtype
        if mt and st:
            out_dtype = mean.dtype if mean.dtype.kind == "f" else std.dtype
        for t in (mean, std):
            if isinstance(t, Tensor) and t.dtype.kind != "f":
                raise NotImplementedError(
                    f"\"normal_kernel_cpu\" not implemented for '{_torch_name(t.dtype)}'"
                )
        if st:
            if (std.array < 0).any().item():
                raise RuntimeError("normal expects all elements of std >= 0.0")
        else:
            _check_std(std)
        xp = ref.xp
        m = mean.array if mt else mean
        s = std.array if st else std
        try:
            shape = xp.broadcast_shapes(getattr(m, "shape", ()), getattr(s, "shape", ()))
        except ValueError:
            raise _size_mismatch(m.shape, s.shape) from None
        gen, b = _generator(generator, ref.device)
        if st:  # as torch: N(0, 1), then * std, then + mean
            z = b.normal(gen._rng, shape, out_dtype) * s
        else:  # N(0, std) in the kernel, then + mean
            z = b.normal(gen._rng, shape, out_dtype, 0.0, s)
        return _wrap((z + m).astype(out_dtype, copy=False), b)
    if size is None:
        raise TypeError("normal() missing required argument 'size' (for float mean and std)")
    _check_std(std)
    shape = _sizes((size,), None, "normal")
    dtype = _float_dtype(dtype, "normal_kernel_cpu")
    gen, b = _generator(generator, device)
    z = b.normal(gen._rng, shape, dtype, mean, std)
    return _creation._make(z, b, requires_grad)


def _size_mismatch(a, b):
    """torch's broadcasting error, naming the first dim (from the right) that differs."""
    n = max(len(a), len(b))
    for k in range(1, n + 1):
        x = a[-k] if k <= len(a) else 1
        y = b[-k] if k <= len(b) else 1
        if x != y and 1 not in (x, y):
            return RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                f"non-singleton dimension {n - k}"
            )
    return RuntimeError(f"shapes {tuple(a)} and {tuple(b)} are not broadcastable")


def _check_std(std):
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")


def bernoulli(input, p=None, *, generator=None):
    """1 with probability p (the input's elements, or the float `p`), else 0; the input's
    dtype and shape. Records no graph (PyTorch's gradient through it is zero)."""
    xp = input.xp
    gen, b = _generator(generator, input.device)
    if p is None:
        if input.dtype.kind != "f":
            raise NotImplementedError(
                f"\"bernoulli_tensor_cpu_p_\" not implemented for '{_torch_name(input.dtype)}'"
            )
        probs = input.array
        if not bool(xp.all((probs >= 0) & (probs <= 1))):
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    else:
        _check_p(p)
        probs = p
    # as torch: uniforms in p's dtype (float64 for a float p), u < p
    u = b.uniform(gen._rng, input.shape, input.dtype if p is None else dtypes.float64)
    return _wrap((u < probs).astype(input.dtype), b)


def _check_p(p):
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")


def rand_like(input, *, dtype=None, device=None, requires_grad=False, generator=None, **kw):
    return _floats_like(rand, input, dtype, device, requires_grad, generator, kw)


def randn_like(input, *, dtype=None, device=None, requires_grad=False, generator=None, **kw):
    return _floats_like(randn, input, dtype, device, requires_grad, generator, kw)


def _floats_like(draw, input, dtype, device, requires_grad, generator, kw):
    """draw (rand or randn) of input's shape, with input's dtype and device unless given."""
    return draw(
        input.shape,
        generator=generator,
        dtype=input.dtype if dtype is None else dtype,
        device=input.device if device is None else device,
        requires_grad=requires_grad,
        **kw,
    )


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False,
                 generator=None, **kw):  # fmt: skip
    """randint_like(input, high) or randint_like(input, low, high): the input's dtype."""
    if high is None:
        low, high = 0, low
    return randint(
        low,
        high,
        input.shape,
        generator=generator,
        dtype=input.dtype if dtype is None else dtype,
        device=input.device if device is None else device,
        requires_grad=requires_grad,
        **kw,
    )


# --------------------------------------------------------------------------- in-place
_ONE_BOUND = object()  # random_(x): x is `to`; random_(x, None): x is `from`


def _contiguous(t):
    flags = getattr(t.array, "flags", None)
    return flags is None or bool(flags.c_contiguous)


def _in_memory_order(t, draw):
    """draw(shape) laid out as torch's in-place kernels fill `t`: in the order of its
    memory (a transposed tensor is filled as its contiguous base), not of its indices."""
    strides = getattr(t.array, "strides", None)
    if not strides or t.ndim < 2 or min(strides) < 0:
        return draw(t.shape)
    perm = sorted(range(t.ndim), key=lambda i: -strides[i])  # outermost first; stable
    if perm == list(range(t.ndim)):
        return draw(t.shape)
    inverse = [0] * t.ndim
    for k, i in enumerate(perm):
        inverse[i] = k
    return draw(tuple(t.shape[i] for i in perm)).transpose(inverse)


def _fill(t, array):
    """Write a draw into t in place, as torch's `t.normal_()`: a leaf that requires grad
    raises; elsewhere the result records nothing of the draw (its gradient is zero)."""
    from autograd import ops
    from autograd.inplace import inplace

    return inplace(t, ops.Copy, _wrap(array, t._backend))


def normal_(t, mean=0.0, std=1.0, *, generator=None):
    if t.dtype.kind != "f":
        raise NotImplementedError(
            f"\"normal_kernel_cpu\" not implemented for '{_torch_name(t.dtype)}'"
        )
    _check_std(std)
    gen, b = _generator(generator, t.device)
    contiguous = _contiguous(t)
    draw = lambda shape: b.normal(gen._rng, shape, t.dtype, mean, std, contiguous)  # noqa: E731
    return _fill(t, _in_memory_order(t, draw))


def uniform_(t, a=0.0, b=1.0, *, generator=None, **kw):
    a, b = kw.pop("from", a), kw.pop("to", b)
    _no_more(kw, "in-place random")
    if t.dtype.kind != "f":
        raise NotImplementedError(
            f"\"check_uniform_bounds\" not implemented for '{_torch_name(t.dtype)}'"
        )
    if a > b:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={a:g} > to={b:g}"
        )
    gen, backend = _generator(generator, t.device)
    return _fill(t, _in_memory_order(t, lambda s: backend.uniform(gen._rng, s, t.dtype, a, b)))


def exponential_(t, lambd=1.0, *, generator=None):
    if t.dtype.kind != "f":
        raise RuntimeError(
            "Exponential distribution is a continuous probability distribution. dtype must be "
            f"a floating point but you specified {_torch_name(t.dtype)}"
        )
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    gen, b = _generator(generator, t.device)
    return _fill(t, _in_memory_order(t, lambda s: b.exponential(gen._rng, s, t.dtype, lambd)))


def bernoulli_(t, p=0.5, *, generator=None):
    gen, b = _generator(generator, t.device)
    xp = t.xp
    draw = dtypes.float64  # as torch: uniforms in p's dtype (float64 for a float p), u < p
    if isinstance(p, Tensor):
        draw = p.dtype if p.dtype.kind == "f" else dtypes.float64
        probs = p.array
        if not bool(xp.all((probs >= 0) & (probs <= 1))):
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
        try:
            probs = xp.broadcast_to(probs, t.shape)
        except ValueError:
            raise RuntimeError(
                f"bernoulli_: p of shape {tuple(p.shape)} does not broadcast to the tensor's "
                f"shape {tuple(t.shape)}"
            ) from None
    else:
        _check_p(p)
        probs = p
    u = _in_memory_order(t, lambda shape: b.uniform(gen._rng, shape, draw))
    return _fill(t, (u < probs).astype(t.dtype))


def random_(t, a=None, b=_ONE_BOUND, *, generator=None, **kw):
    """random_() over the dtype's integers ([0, 2^digits] for floats), random_(to) over
    [0, to), random_(from, to) over [from, to), random_(from, None) over [from, max]."""
    if "from" in kw:
        a, b = kw.pop("from"), kw.pop("to", None if b is _ONE_BOUND else b)
    elif "to" in kw:
        a, b = (0 if a is None else a), kw.pop("to")
    elif b is _ONE_BOUND:
        a, b = (None, None) if a is None else (0, a)  # random_() or random_(to)
    _no_more(kw, "random_")
    low = 0 if a is None else _check_int(a, "from", "random_")
    gen, backend = _generator(generator, t.device)
    if b is None:  # up to the dtype's largest integer, inclusive
        high = _int_bounds(t.dtype)[1]
        ints = _in_memory_order(
            t, lambda s: _random_ints(gen, backend, low, high, s, t.dtype, True, a is None)
        )
    else:
        high = _check_int(b, "to", "random_")
        ints = _in_memory_order(t, lambda s: _random_ints(gen, backend, low, high, s, t.dtype))
    return _fill(t, ints)


def geometric_(t, p, *, generator=None):
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    gen, b = _generator(generator, t.device)
    return _fill(t, _in_memory_order(t, lambda s: b.geometric(gen._rng, s, t.dtype, p)))


def log_normal_(t, mean=1.0, std=2.0, *, generator=None):
    if t.dtype.kind != "f":
        raise NotImplementedError(
            f"\"log_normal_cpu\" not implemented for '{_torch_name(t.dtype)}'"
        )
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std:g}")
    gen, b = _generator(generator, t.device)
    draw = lambda shape: b.log_normal(gen._rng, shape, t.dtype, mean, std)  # noqa: E731
    return _fill(t, _in_memory_order(t, draw))


def cauchy_(t, median=0.0, sigma=1.0, *, generator=None):
    if t.dtype.kind != "f":
        raise NotImplementedError(f"\"cauchy_cpu\" not implemented for '{_torch_name(t.dtype)}'")
    gen, b = _generator(generator, t.device)
    draw = lambda shape: b.cauchy(gen._rng, shape, t.dtype, median, sigma)  # noqa: E731
    return _fill(t, _in_memory_order(t, draw))
