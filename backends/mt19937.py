"""PyTorch's CPU random streams, reproduced: its generator (32-bit MT19937) and the way its
CPU kernels turn the generator's words into numbers (torch 2.13, checked bit for bit against
it in tests/autograd/test_random.py).

The generator is the standard MT19937 seeded by init_genrand with the seed's low 32 bits;
numpy's MT19937 bit generator runs it (`random_raw` gives its 32-bit words in order). A
"random64" is two words, the first one high. Then, as torch's CPU kernels:

- uniform in float32 (and float16, rounded from it): one word, its low 24 bits times 2^-24;
  float64: one random64, its low 53 bits times 2^-53; U(a, b) = fma(u, b - a, a), and a
  value that rounds to b is a.
- normal, float32/float64 with >= 16 elements: the uniforms of all elements, then per block
  of 16 Box-Muller on pairs (j, j + 8): r = sqrt(-2 log(1 - u_j)), t = 2 pi u_{j+8},
  (r cos t, r sin t); a last partial block redraws the last 16 elements (float16: float32's
  fill, rounded). Otherwise a scalar Box-Muller in double on two float64 uniforms (u1, u2):
  r = sqrt(-2 log1p(-u2)), t = 2 pi u1, giving r cos t and caching r sin t in the generator
  for the next scalar draw. mean and std enter as fma(z, std, mean).
- integers in [low, low + range): (word or, for range >= 2^28, random64) mod range, plus
  low; random_() over a dtype's range: a random64 for int64/float64, else a word.
- exponential: -log1p(-u) / lambda on float64 uniforms. randperm: Fisher-Yates with swap
  i <-> i + word mod (n - i). geometric, log-normal and Cauchy as torch's scalar formulas
  (see their functions).

float64 logarithms go through the C library (`math.log`, `math.log1p`), as torch's do: numpy's
own SIMD log differs in the last bit for about 1 value in 300. The float32 fill's log, sin and
cos are torch's avx_mathfun ones (Cephes' float32 polynomials, with the fused multiply-adds
of torch's build), step for step in float32; a fused multiply-add is emulated in float64,
which could round differently only where the exact result lies within 2^-53 of the middle of
two float32s (none seen in millions of draws).
"""

import math

import numpy as np

STATE_SIZE = 5056  # torch's CPUGeneratorImplState, the initial seed first
_N = 624  # MT19937's state words
_MASK53 = np.uint64((1 << 53) - 1)
_CHUNK = 1 << 16  # elements per step of the vectorised work: a multiple of 16
_TWO_PI_F32 = np.float32(2 * math.pi)
_SPLIT = 134217729.0  # 2^27 + 1, Veltkamp's splitter for float64
_EXP_MAX = 709.782712893384  # the largest float64 whose exp is finite
# torch's state: initial seed, left, seeded, next, 624 words (as uint64), normal_x, normal_y,
# normal_rho, normal_is_valid, (pad), next_float_normal_sample, its valid flag, (pad)
_HEAD = np.dtype([("seed", "<u8"), ("left", "<i4"), ("seeded", "<i4"), ("next", "<u8")])
_TAIL = np.dtype(
    [("x", "<f8"), ("y", "<f8"), ("rho", "<f8"), ("valid", "<i4"), ("pad", "<i4"),
     ("float_y", "<f4"), ("float_valid", "u1"), ("pad2", "V3")]
)  # fmt: skip


def _init_key(seed):
    """init_genrand: MT19937's 624 words from a 32-bit seed."""
    key = [seed & 0xFFFFFFFF]
    x = key[0]
    for i in range(1, _N):
        x = (1812433253 * (x ^ (x >> 30)) + i) & 0xFFFFFFFF
        key.append(x)
    return np.array(key, dtype=np.uint32)


class TorchCPUGenerator:
    """The state of one torch CPU generator: the MT19937 words and position, and the
    scalar normal sample cached by the last odd Box-Muller draw (None when there is none)."""

    __slots__ = ("bits", "fresh", "normal", "float_normal")

    def __init__(self, seed):
        self.bits = np.random.MT19937(0)
        self.bits.state = {
            "bit_generator": "MT19937",
            "state": {"key": _init_key(seed), "pos": _N},
        }
        self.fresh = True  # torch's `next` reads 0 (not 624) until the first draw
        self.normal = None
        self.float_normal = None  # kept for the state only: no CPU kernel sets it

    # --- the words
    def words(self, n):
        """n 32-bit words (as uint64)."""
        if n:
            self.fresh = False
        return self.bits.random_raw(n)

    def words64(self, n):
        """n random64s: two words each, the first one high."""
        w = self.words(2 * n).reshape(n, 2)
        return (w[:, 0] << np.uint64(32)) | w[:, 1]

    # --- the state, in torch's layout
    def state_bytes(self, seed):
        st = self.bits.state["state"]
        pos = int(st["pos"])
        head = np.zeros((), _HEAD)
        head["seed"], head["left"], head["seeded"] = seed, _N + 1 - pos, 1
        head["next"] = 0 if self.fresh else pos
        tail = np.zeros((), _TAIL)
        if self.normal is not None:
            tail["y"], tail["valid"] = self.normal, 1
        if self.float_normal is not None:
            tail["float_y"], tail["float_valid"] = self.float_normal, 1
        words = st["key"].astype("<u8")
        return head.tobytes() + words.tobytes() + tail.tobytes()

    @classmethod
    def from_bytes(cls, state):
        """(generator, initial seed) from `state_bytes`; RuntimeError as torch's for a
        state of the wrong size or an invalid one."""
        if len(state) != STATE_SIZE:
            raise RuntimeError(
                f"Expected a CPUGeneratorImplState of size {STATE_SIZE} but found the input "
                f"RNG state size to be {len(state)}"
            )
        head = np.frombuffer(state, _HEAD, 1)[0]
        words = np.frombuffer(state, "<u8", _N, _HEAD.itemsize)
        tail = np.frombuffer(state, _TAIL, 1, _HEAD.itemsize + 8 * _N)[0]
        left, nxt = int(head["left"]), int(head["next"])
        if head["seeded"] != 1 or not 0 < left <= _N or nxt > _N:
            raise RuntimeError("Invalid mt19937 state")
        gen = cls.__new__(cls)
        gen.bits = np.random.MT19937(0)
        gen.bits.state = {
            "bit_generator": "MT19937",
            "state": {"key": words.astype(np.uint32), "pos": _N + 1 - left},
        }
        gen.fresh = nxt == 0 and left == 1
        gen.normal = float(tail["y"]) if tail["valid"] else None
        gen.float_normal = float(tail["float_y"]) if tail["float_valid"] else None
        return gen, int(head["seed"])


# --------------------------------------------------------------------------- arithmetic
def _fma64(a, b, c):
    """a * b + c with one rounding (in float64; off only where the exact value is within
    2^-106 of a tie): Dekker's exact product, then a two-sum."""
    p = a * b
    ah = a * _SPLIT
    ah = ah - (ah - a)
    al = a - ah
    bh = b * _SPLIT
    bh = bh - (bh - b)
    bl = b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s = p + c
    v = s - p
    t = (p - (s - v)) + (c - v)
    out = s + (t + e)
    return np.where(np.isfinite(out), out, s) if out.size else out


def _fma(x, b, c, dtype):
    """fma(x, b, c) in `dtype` (float32 by float64, where the product is exact)."""
    if dtype == np.float64:
        return _fma64(x, np.float64(b), np.float64(c))
    return (x.astype(np.float64) * np.float64(b) + np.float64(c)).astype(dtype)


def _libm(fn, x):
    """fn (math.log, math.log1p) elementwise, by the C library as torch calls it."""
    return np.fromiter(map(fn, x.ravel().tolist()), np.float64, x.size).reshape(x.shape)


# --------------------------------------------------------------------------- distributions
def uniform(gen, n, dtype, low=0.0, high=1.0):
    """n of U[low, high) as torch's uniform kernel: float64 from a random64, float32 (and
    float16, rounded from float32) from a word; a value rounded up to `high` becomes `low`."""
    acc = np.float64 if dtype.itemsize == 8 else np.float32
    x = np.empty(n, acc)
    _uniform_into(gen, x)
    if low == 0 and high == 1:
        x = x.astype(dtype, copy=False)
        if dtype.itemsize == 2:  # float16 rounds the float32s just below 1 up to 1
            x[x == 1] = 0
        return x
    a, b = acc(low), acc(high)
    with np.errstate(over="ignore", invalid="ignore"):
        x = _fma(x, acc(b - a), a, acc).astype(dtype, copy=False)
    x[x == dtype.type(high)] = dtype.type(low)
    return x


def _uniform_into(gen, out):
    """Fill `out` (float32 or float64, 1-D) with U[0, 1) in place, a chunk of words at a time
    (the words take 2 or 4 times the output's memory otherwise)."""
    wide = out.dtype.itemsize == 8
    mask = _MASK53 if wide else np.uint64((1 << 24) - 1)
    for start in range(0, out.size, _CHUNK):
        k = min(_CHUNK, out.size - start)
        w = gen.words64(k) if wide else gen.words(k)
        w &= mask
        out[start : start + k] = w
    out *= out.dtype.type(2.0**-53 if wide else 2.0**-24)


def normal(gen, n, dtype, mean=0.0, std=1.0, contiguous=True):
    """n of N(mean, std^2) as torch's CPU normal kernel (see the module's docstring)."""
    if n >= 16 and contiguous:
        return _normal_fill(gen, n, dtype, mean, std)
    z = _box_muller_serial(gen, n)
    if mean != 0 or std != 1:
        z = _fma64(z, np.float64(std), np.float64(mean))
    return z.astype(dtype)


def _normal_fill(gen, n, dtype, mean, std):
    """Box-Muller over blocks of 16 uniforms; a last partial block is 16 new uniforms
    written over the last 16 elements. float16 is float32's fill rounded, except that its
    first uniforms are drawn for the full blocks only (float32 draws all n)."""
    acc = np.dtype(np.float64 if dtype.itemsize == 8 else np.float32)
    full = n - n % 16
    out = np.empty(n, acc)
    _uniform_into(gen, out if dtype.itemsize >= 4 else out[:full])
    for start in range(0, full, _CHUNK):  # in place, a chunk at a time (bounded temporaries)
        stop = min(start + _CHUNK, full)
        out[start:stop] = _box_muller_16(out[start:stop], acc)
    if full < n:  # (the uniforms past `full` are overwritten here)
        out[n - 16 :] = _box_muller_16(uniform(gen, 16, acc), acc)
    if mean != 0 or std != 1:
        out = _fma(out, acc.type(std), acc.type(mean), acc)
    return out.astype(dtype, copy=False)


def _box_muller_16(u, dtype):
    """Box-Muller over blocks of 16 uniforms: pairs (j, j + 8), j < 8."""
    blocks = u.reshape(-1, 2, 8)
    u1 = 1 - blocks[:, 0]
    u2 = blocks[:, 1]
    if dtype.itemsize == 8:
        radius = np.sqrt(-2 * _libm(math.log, u1))
        theta = (2 * math.pi) * u2
        cos, sin = np.cos(theta), np.sin(theta)
    else:
        radius = np.sqrt(np.float32(-2) * _cephes_log(u1))
        sin, cos = _cephes_sincos(_TWO_PI_F32 * u2)
    out = np.empty_like(blocks)
    np.multiply(radius, cos, out=out[:, 0])
    np.multiply(radius, sin, out=out[:, 1])
    return out.reshape(-1)


# torch's float32 fill calls avx_mathfun's log256_ps and sincos256_ps (Cephes' single
# precision polynomials), compiled with every multiply feeding an add fused: the same steps
# in float32, each fused one as _fma32.
_F = np.float32
_LOG_P = [_F(c) for c in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1,
          -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1,
          -2.4999993993e-1, 3.3333331174e-1)]  # fmt: skip


def _fma32(a, b, c):
    """a * b + c for float32 operands, rounded once (the float64 product is exact)."""
    t = np.multiply(a, b, dtype=np.float64)
    t += c
    return t.astype(np.float32)


def _cephes_log(x):
    """log of positive normal float32s: x = m 2^e with m in [sqrt(1/2), sqrt(2)), then
    log(m) by a degree-9 polynomial in m - 1 and e log 2 in two parts."""
    bits = x.view(np.uint32)
    e = ((bits >> np.uint32(23)).astype(np.int32) - 126).astype(np.float32)
    m = ((bits & np.uint32(0x807FFFFF)) | np.uint32(0x3F000000)).view(np.float32)  # [0.5, 1)
    small = m < _F(0.707106781186547524)
    x = (m - _F(1)) + np.where(small, m, _F(0))
    e -= small
    z = x * x
    y = np.full_like(x, _LOG_P[0])
    for p in _LOG_P[1:]:
        y = _fma32(y, x, p)
    y = _fma32(y * x, z, e * _F(-2.12194440e-4))
    y = _fma32(z, _F(-0.5), y)
    return _fma32(e, _F(0.693359375), x + y)


def _cephes_sincos(theta):
    """(sin, cos) of float32s: reduced by multiples of pi/4 (pi/4 in three parts), then
    Cephes' sine and cosine polynomials, picked and signed by the octant."""
    bits = theta.view(np.uint32)
    x = (bits & np.uint32(0x7FFFFFFF)).view(np.float32)
    octant = (x * _F(1.27323954473516)).astype(np.int32)
    octant = (octant + 1) & ~1
    q = octant.astype(np.float32)
    sign_sin = (bits & np.uint32(0x80000000)) ^ ((octant & 4).astype(np.uint32) << np.uint32(29))
    sign_cos = ((~(octant - 2)) & 4).astype(np.uint32) << np.uint32(29)
    for part in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8):
        x = _fma32(q, _F(part), x)
    z = x * x
    yc = _fma32(_fma32(_F(2.443315711809948e-5), z, _F(-1.388731625493765e-3)), z,
                _F(4.166664568298827e-2))  # fmt: skip
    yc = _fma32(yc * z, z, -(z * _F(0.5))) + _F(1)
    ys = _fma32(_fma32(_F(-1.9515295891e-4), z, _F(8.3321608736e-3)), z,
                _F(-1.6666654611e-1))  # fmt: skip
    ys = _fma32(ys * z, x, x)
    poly = (octant & 2) == 0
    sin = np.where(poly, ys, yc).view(np.uint32) ^ sign_sin
    cos = np.where(poly, yc, ys).view(np.uint32) ^ sign_cos
    return sin.view(np.float32), cos.view(np.float32)


def _box_muller_serial(gen, n):
    """n standard normals in float64 as torch's scalar normal_distribution<double>: a cached
    sample first if the generator holds one, then (r cos t, r sin t) pairs, the last sin
    cached when n leaves it over."""
    out = np.empty(n, np.float64)
    start = 0
    if n and gen.normal is not None:
        out[0] = gen.normal
        gen.normal = None
        start = 1
    m = n - start
    if m <= 0:
        return out
    pairs = (m + 1) // 2
    u = uniform(gen, 2 * pairs, np.dtype(np.float64)).reshape(pairs, 2)
    r = np.sqrt(-2.0 * _libm(math.log1p, -u[:, 1]))
    theta = (2 * math.pi) * u[:, 0]
    seq = np.empty((pairs, 2), np.float64)
    np.multiply(r, np.cos(theta), out=seq[:, 0])
    np.multiply(r, np.sin(theta), out=seq[:, 1])
    seq = seq.reshape(-1)
    out[start:] = seq[:m]
    if m % 2:
        gen.normal = float(seq[m])
    return out


def integers(gen, n, low, span, dtype, full=False):
    """n integers low + (draw mod span), as int64 then `dtype`: torch's random_from_to
    (randint, random_(to), random_(from, to)) draws a random64 for a span of 2^28 or more, a
    word below; its random_() (`full`: the dtype's range) a random64 for int64 and float64
    only. Span 2^64 is every int64 (the random64 itself)."""
    if span == 1 << 64:
        return gen.words64(n).view(np.int64).astype(dtype, copy=False)
    if (dtype in (np.int64, np.float64)) if full else span >= 1 << 28:
        v = gen.words64(n) % np.uint64(span)
        v += np.uint64(low % (1 << 64))  # wraps as torch's int64 sum
        return v.view(np.int64).astype(dtype, copy=False)
    v = gen.words(n).astype(np.uint32)  # (uint32 arithmetic: twice as fast)
    if span < 1 << 32:
        v %= np.uint32(span)
    return (v.astype(np.int64) + low).astype(dtype, copy=False)  # low + span - 1 fits


def exponential(gen, n, dtype, lambd=1.0):
    """n of Exp(lambd): -1/lambd * log1p(-u) on float64 uniforms."""
    u = uniform(gen, n, np.dtype(np.float64))
    return ((-1.0 / lambd) * _libm(math.log1p, -u)).astype(dtype)


def geometric(gen, n, dtype, p):
    """n of Geometric(p) on 1, 2, ...: ceil(log(u) / log1p(-p)) on float64 uniforms."""
    u = uniform(gen, n, np.dtype(np.float64))
    with np.errstate(divide="ignore"):
        return np.ceil(_libm(_log0, u) / math.log1p(-p)).astype(dtype)


def _log0(x):
    return math.log(x) if x else -math.inf


def log_normal(gen, n, dtype, mean, std):
    """n of exp(N(mean, std^2)): the scalar Box-Muller (whatever n), then exp."""
    z = _fma64(_box_muller_serial(gen, n), np.float64(std), np.float64(mean))
    big = z > _EXP_MAX  # math.exp raises there; the C library's exp is inf
    return np.where(big, np.inf, _libm(math.exp, np.where(big, 0.0, z))).astype(dtype)


def cauchy(gen, n, dtype, median, sigma):
    """n of Cauchy(median, sigma): median + sigma tan(pi (u - 1/2)) on float64 uniforms."""
    u = uniform(gen, n, np.dtype(np.float64))
    return (median + sigma * _libm(math.tan, math.pi * (u - 0.5))).astype(dtype)


def permutation(gen, n):
    """torch's CPU randperm: Fisher-Yates, i swapped with i + word mod (n - i)."""
    if n < 2:
        return np.arange(n, dtype=np.int64)
    steps = (gen.words(n - 1) % np.arange(n, 1, -1, dtype=np.uint64)).tolist()
    p = list(range(n))
    for i, z in enumerate(steps):
        j = i + z
        p[i], p[j] = p[j], p[i]
    return np.array(p, dtype=np.int64)
