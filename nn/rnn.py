"""Recurrent layers `RNN`, `LSTM`, `GRU` and their one-step cells, composed from Tensor ops.

The layers run the cells' step over time: for each layer and direction, one matmul projects the
input of every timestep at once, then each step adds h W_hh^T and applies the gates. Gradients
come from the primitives (matmul, sigmoid, tanh, indexing, cat), so there is no backward here.
Parameter names, shapes, gate order and initialisation follow PyTorch, so its state dicts load.
"""

import math
import numbers
import warnings
from collections import namedtuple

from autograd import Tensor, cat, empty, stack, zeros
from nn import functional as F
from nn import init
from nn._args import _float_arg
from nn.module import Module
from nn.parameter import Parameter

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

# One direction of one layer, prepared once per forward: W_hh^T, the bias added inside the
# step (GRU's b_hh only; RNN and LSTM fold b_hh into the input projection) and W_hr^T.
_Recurrence = namedtuple("_Recurrence", "w_hh_t b_hh w_hr_t")


# --------------------------------------------------------------------------- steps
# Each step takes gx = x W_ih^T + b_ih (+ b_hh where it folds), shape (N, gates * H), and the
# previous state, and returns the next state.
def _rnn_tanh_step(gx, h, rec):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    return (gx + h @ rec.w_hh_t).tanh()


def _rnn_relu_step(gx, h, rec):
    """h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    return (gx + h @ rec.w_hh_t).relu()


def _lstm_step(gx, state, rec):
    """Gates i, f, g, o: c' = f c + i g, h' = o tanh(c') (times W_hr^T with a projection)."""
    h, c = state
    hidden = c.shape[-1]
    gates = gx + h @ rec.w_hh_t  # (N, 4H)
    # one sigmoid over all four gates costs less than three ops; its g quarter goes unused
    s = gates.sigmoid()
    i = s[..., :hidden]
    f = s[..., hidden : 2 * hidden]
    g = gates[..., 2 * hidden : 3 * hidden].tanh()
    o = s[..., 3 * hidden :]
    c = f * c + i * g
    h = o * c.tanh()
    if rec.w_hr_t is not None:
        h = h @ rec.w_hr_t
    return h, c


def _gru_step(gx, h, rec):
    """r, z = sigmoid(.), n = tanh(x W_in^T + b_in + r (h W_hn^T + b_hn)), h' = (1-z) n + z h."""
    hidden = h.shape[-1]
    gh = h @ rec.w_hh_t  # (N, 3H)
    if rec.b_hh is not None:
        gh = gh + rec.b_hh
    rz = (gx[..., : 2 * hidden] + gh[..., : 2 * hidden]).sigmoid()
    r = rz[..., :hidden]
    z = rz[..., hidden:]
    n = (gx[..., 2 * hidden :] + r * gh[..., 2 * hidden :]).tanh()
    return n + z * (h - n)  # = (1 - z) n + z h, one op fewer


# mode -> (gates per hidden unit, step, whether b_hh folds into the input projection)
_MODES = {
    "RNN_TANH": (1, _rnn_tanh_step, True),
    "RNN_RELU": (1, _rnn_relu_step, True),
    "LSTM": (4, _lstm_step, True),
    "GRU": (3, _gru_step, False),
}


def _input_gates(x, w_ih, b_ih, b_hh, fold):
    """x W_ih^T + b_ih, plus b_hh where it does not sit inside a gate: (*, H_in) -> (*, G)."""
    gx = x @ w_ih.t()
    if b_ih is None:
        return gx
    return gx + (b_ih + b_hh if fold else b_ih)


def _timesteps(x):
    """x[0], ..., x[L-1] of x (L, ...), by halving: each index scatters its gradient back into
    zeros the size of what it indexed, so halving costs O(L log L) in backward, not O(L^2)."""
    out = []
    pending = [x]
    while pending:
        part = pending.pop()
        n = part.shape[0]
        if n == 1:
            out.append(part[0])
        elif n <= 4:
            out.extend(part[t] for t in range(n - 1, -1, -1))
        else:
            pending.append(part[: n // 2])
            pending.append(part[n // 2 :])
    out.reverse()
    return out


def _check_type(value, kind, name):
    """PyTorch's isinstance check: a bool passes for an int, a numpy integer does not."""
    if not isinstance(value, kind):
        raise TypeError(f"{name} should be of type {kind.__name__}, got: {type(value).__name__}")


def _shape(t):
    return tuple(t.shape)


def _check_tensor(name, label, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: {label} should be a Tensor, got {type(x).__name__}")


def _check_rank(module, input, ranks, expected):
    """The module's name, once input is known to be a Tensor of one of the ranks (expected
    says them in words)."""
    name = type(module).__name__
    _check_tensor(name, "input", input)
    if input.ndim not in ranks:
        raise ValueError(
            f"{name}: Expected input to be {expected}, got {input.ndim}D tensor of shape "
            f"{_shape(input)} instead"
        )
    return name


# --------------------------------------------------------------------------- layers
class RNNBase(Module):
    """The multi-layer, optionally bidirectional recurrence shared by `RNN`, `LSTM` and `GRU`.

    Parameters per layer k and direction (suffix `_reverse` for the backward one):
    weight_ih_l{k} (G, H_in or D*H_out), weight_hh_l{k} (G, H_out), bias_ih_l{k} (G,),
    bias_hh_l{k} (G,), with G = gates * hidden_size, plus weight_hr_l{k} (proj_size, H)
    for a projected LSTM. All start as U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None):  # fmt: skip
        super().__init__()
        if mode not in _MODES:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        dropout_value = _float_arg(dropout, "dropout", type(self).__name__)
        if isinstance(dropout, bool) or not isinstance(dropout, numbers.Number):
            raise ValueError(
                f"dropout should be a number in range [0, 1] representing the probability of an "
                f"element being zeroed, got {dropout!r}"
            )
        if not 0 <= dropout <= 1:
            raise ValueError(
                f"dropout should be a number in range [0, 1] representing the probability of an "
                f"element being zeroed, got {dropout}"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                f"num_layers={num_layers}",
                stacklevel=2,
            )
        _check_type(bias, bool, "bias")
        _check_type(batch_first, bool, "batch_first")
        _check_type(input_size, int, "input_size")
        _check_type(hidden_size, int, "hidden_size")
        if input_size <= 0:
            raise ValueError(f"input_size must be greater than zero, got {input_size}")
        if hidden_size <= 0:
            raise ValueError(f"hidden_size must be greater than zero, got {hidden_size}")
        if num_layers <= 0:
            raise ValueError(f"num_layers must be greater than zero, got {num_layers}")
        if proj_size < 0:
            raise ValueError(
                f"proj_size should be a positive integer or zero to disable projections, "
                f"got {proj_size}"
            )
        if proj_size != proj_size:  # NaN: PyTorch builds weight_hr (NaN, H), refused by empty()
            raise TypeError(f"{mode}: proj_size must be an int, got {proj_size!r}")
        if proj_size >= hidden_size:
            raise ValueError(
                f"proj_size has to be smaller than hidden_size, got proj_size={proj_size} and "
                f"hidden_size={hidden_size}"
            )
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = dropout_value
        self.bidirectional = bidirectional
        self.proj_size = proj_size

        gates = _MODES[mode][0]
        # as PyTorch: one gate's size is hidden_size itself, so a bool is refused by empty()
        gate_size = hidden_size if gates == 1 else gates * hidden_size
        real_hidden_size = proj_size if proj_size > 0 else hidden_size
        num_directions = 2 if bidirectional else 1
        kw = {"device": device, "dtype": dtype}
        # Registration order is PyTorch's (layer, then direction, then ih, hh, biases, hr),
        # so state_dict keys line up one to one.
        for layer in range(num_layers):
            layer_input_size = input_size if layer == 0 else real_hidden_size * num_directions
            for direction in range(num_directions):
                names = self._param_names(layer, direction)
                shapes = [(gate_size, layer_input_size), (gate_size, real_hidden_size)]
                if bias:
                    shapes += [(gate_size,), (gate_size,)]
                if proj_size > 0:
                    shapes += [(proj_size, hidden_size)]
                for name, shape in zip(names, shapes):
                    setattr(self, name, Parameter(empty(*shape, **kw)))
        self.reset_parameters()

    def _param_names(self, layer, direction):
        """The present parameters' names, in PyTorch's order: ih, hh, [b_ih, b_hh], [hr]."""
        suffix = "_reverse" if direction == 1 else ""
        names = ["weight_ih", "weight_hh"]
        if self.bias:
            names += ["bias_ih", "bias_hh"]
        if self.proj_size > 0:
            names += ["weight_hr"]
        return [f"{n}_l{layer}{suffix}" for n in names]

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self):
        """Nothing to do (cuDNN packs weights in PyTorch); kept so that calls to it still run."""

    @property
    def all_weights(self):
        """The parameters, one list per layer and direction."""
        directions = 2 if self.bidirectional else 1
        return [
            [getattr(self, name) for name in self._param_names(layer, direction)]
            for layer in range(self.num_layers)
            for direction in range(directions)
        ]

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ------------------------------------------------------------------ forward
    def _state_shapes(self, batch):
        """Expected (h_0, c_0) shapes; c_0 only for LSTM."""
        if type(self.num_layers) is bool:  # range() took it; PyTorch's kernel refuses it
            raise TypeError(
                f"{type(self).__name__}: num_layers must be int, not bool "
                f"(num_layers={self.num_layers})"
            )
        k = self.num_layers * (2 if self.bidirectional else 1)
        h_size = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (k, batch, h_size), (k, batch, self.hidden_size)

    def _check_input(self, input):
        """Check input's type, rank, dtype and feature size; (L, N, H_in) view of it and
        whether it was batched."""
        name = _check_rank(self, input, (2, 3), "2D (L, H_in) or 3D (batched)")
        weight = self.weight_ih_l0
        if input.dtype != weight.dtype:
            raise ValueError(
                f"{name}: input dtype ({input.dtype}) does not match weight dtype "
                f"({weight.dtype}). Convert input: input.to({weight.dtype}), or convert model: "
                f"model.to({input.dtype})"
            )
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"{name}: input.size(-1) must be equal to input_size. Expected "
                f"{self.input_size}, got {input.shape[-1]} (input of shape {_shape(input)})"
            )
        batched = input.ndim == 3
        if not batched:
            input = input.unsqueeze(1)  # (L, 1, H_in)
        elif self.batch_first:
            input = input.transpose(0, 1)  # (N, L, H_in) -> (L, N, H_in)
        if input.shape[0] == 0:
            raise RuntimeError(f"{name}: Expected sequence length to be larger than 0")
        return input, batched

    def _check_hidden(self, hx, expected, batched, label):
        """Check one initial state against its expected (batched) shape; its batched form."""
        name = type(self).__name__
        _check_tensor(name, label, hx)
        want = 3 if batched else 2
        if hx.ndim != want:
            kind = "batched 3-D" if batched else "unbatched 2-D"
            raise RuntimeError(
                f"{name}: For {kind} input, {label} should also be {want}-D but got "
                f"{hx.ndim}-D tensor of shape {_shape(hx)}"
            )
        if not batched:
            expected = (expected[0], expected[2])
        if _shape(hx) != expected:
            raise RuntimeError(f"{name}: Expected {label} size {expected}, got {list(hx.shape)}")
        return hx if batched else hx.unsqueeze(1)

    def _run(self, input, states):
        """input (L, N, H_in) through every layer and direction, from the initial states (one
        per layer and direction, in h_n's order); the last layer's output and final states."""
        directions = 2 if self.bidirectional else 1
        finals = []
        x = input
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                state = states[layer * directions + direction]
                out, state = self._direction(x, state, layer, direction)
                outputs.append(out)
                finals.append(state)
            x = outputs[0] if directions == 1 else cat(outputs, 2)  # (L, N, D * H_out)
            if self.training and self.dropout > 0 and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        return x, finals

    def _direction(self, x, state, layer, direction):
        """One layer, one direction over the sequence: (L, N, H_in) -> (L, N, H_out), and the
        state after the last step taken (the first timestep's, in reverse)."""
        _, step, fold = _MODES[self.mode]
        params = [getattr(self, n) for n in self._param_names(layer, direction)]
        w_ih, w_hh = params[:2]
        b_ih, b_hh = params[2:4] if self.bias else (None, None)
        w_hr = params[-1] if self.proj_size > 0 else None
        seq_len, batch, features = x.shape
        # one matmul projects the input of every timestep
        gx = _input_gates(x.reshape(seq_len * batch, features), w_ih, b_ih, b_hh, fold)
        gx = _timesteps(gx.reshape(seq_len, batch, gx.shape[1]))  # L tensors (N, G)
        rec = _Recurrence(w_hh.t(), None if fold else b_hh, None if w_hr is None else w_hr.t())
        hs = [None] * seq_len
        for t in range(seq_len - 1, -1, -1) if direction == 1 else range(seq_len):
            state = step(gx[t], state, rec)
            hs[t] = state[0] if isinstance(state, tuple) else state
        return stack(hs), state

    def _output(self, output, batched):
        if not batched:
            return output.squeeze(1)
        return output.transpose(0, 1) if self.batch_first else output

    def forward(self, input, hx=None):
        """input (L, N, H_in), or (N, L, H_in) with batch_first, or unbatched (L, H_in);
        hx (D * num_layers, N, H_out), zeros if None. Returns (output, h_n) with output
        (L, N, D * H_out) and h_n shaped like hx."""
        input, batched = self._check_input(input)
        h_shape, _ = self._state_shapes(input.shape[1])
        if hx is None:
            hx = zeros(*h_shape, dtype=input.dtype, device=input.device)
        else:
            hx = self._check_hidden(hx, h_shape, batched, "hx")
        output, finals = self._run(input, hx.unbind(0))
        h_n = stack(finals)
        return self._output(output, batched), h_n if batched else h_n.squeeze(1)


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu), stacked
    num_layers deep, optionally bidirectional; forward(input, hx) -> (output, h_n)."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None,
                 dtype=None):  # fmt: skip
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        self.nonlinearity = nonlinearity
        mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)  # fmt: skip


class LSTM(RNNBase):
    """Long short-term memory, gates i, f, g, o: c_t = f c_{t-1} + i g, h_t = o tanh(c_t),
    with h_t projected by W_hr when proj_size > 0; forward(input, (h_0, c_0)) ->
    (output, (h_n, c_n))."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None,
                 dtype=None):  # fmt: skip
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device=device, dtype=dtype)  # fmt: skip

    def forward(self, input, hx=None):
        """As RNN's, with the state a pair (h_0, c_0); c has hidden_size features, h has
        proj_size when projected."""
        input, batched = self._check_input(input)
        h_shape, c_shape = self._state_shapes(input.shape[1])
        if hx is None:
            h0 = zeros(*h_shape, dtype=input.dtype, device=input.device)
            c0 = zeros(*c_shape, dtype=input.dtype, device=input.device)
        else:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError(
                    f"LSTM: hx should be a tuple (h_0, c_0) of two Tensors, got {type(hx).__name__}"
                )
            h0 = self._check_hidden(hx[0], h_shape, batched, "hx[0]")
            c0 = self._check_hidden(hx[1], c_shape, batched, "hx[1]")
        output, finals = self._run(input, list(zip(h0.unbind(0), c0.unbind(0))))
        h_n = stack([h for h, _ in finals])
        c_n = stack([c for _, c in finals])
        if not batched:
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        return self._output(output, batched), (h_n, c_n)


class GRU(RNNBase):
    """Gated recurrent unit, gates r, z, n: n = tanh(x W_in^T + b_in + r (h W_hn^T + b_hn)),
    h_t = (1 - z) n + z h_{t-1}; forward(input, hx) -> (output, h_n)."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):  # fmt: skip
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)  # fmt: skip


# --------------------------------------------------------------------------- cells
class RNNCellBase(Module):
    """One step of a recurrence: weight_ih (G, input_size), weight_hh (G, hidden_size),
    bias_ih and bias_hh (G,), G = gates * hidden_size, all U(-1/sqrt(H), 1/sqrt(H))."""

    _mode = None

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        # as PyTorch's cells: no type checks, the weights' shapes refuse a bad size
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        kw = {"device": device, "dtype": dtype}
        self.weight_ih = Parameter(empty(num_chunks * hidden_size, input_size, **kw))
        self.weight_hh = Parameter(empty(num_chunks * hidden_size, hidden_size, **kw))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, **kw))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, **kw))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _check(self, input, states, labels):
        """Check input (N, H_in) or (H_in,) and each state (N, H) or (H,); all as batched."""
        name = _check_rank(self, input, (1, 2), "1D or 2D")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"{name}: input has inconsistent input_size: got {input.shape[-1]} expected "
                f"{self.input_size} (input of shape {_shape(input)})"
            )
        if input.dtype != self.weight_ih.dtype:
            raise ValueError(
                f"{name}: input dtype ({input.dtype}) does not match weight dtype "
                f"({self.weight_ih.dtype})"
            )
        batched = input.ndim == 2
        if not batched:
            input = input.unsqueeze(0)
        batch = input.shape[0]
        out = []
        for state, label in zip(states, labels):
            if state is None:
                state = zeros(batch, self.hidden_size, dtype=input.dtype, device=input.device)
                out.append(state)
                continue
            _check_tensor(name, label, state)
            expected = (batch, self.hidden_size) if batched else (self.hidden_size,)
            if _shape(state) != expected:
                raise RuntimeError(
                    f"{name}: Expected {label} of shape {expected} for input of shape "
                    f"{_shape(input) if batched else (self.input_size,)}, got {_shape(state)}"
                )
            out.append(state if batched else state.unsqueeze(0))
        return input, out, batched

    def _gates(self, input, fold):
        return _input_gates(input, self.weight_ih, self.bias_ih, self.bias_hh, fold)


class RNNCell(RNNCellBase):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu); h defaults to zeros."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):  # fmt: skip
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        super().__init__(input_size, hidden_size, bias, 1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        """input (N, input_size) or (input_size,); hx (N, hidden_size) or (hidden_size,)."""
        input, (h,), batched = self._check(input, (hx,), ("hx",))
        step = _rnn_tanh_step if self.nonlinearity == "tanh" else _rnn_relu_step
        h = step(self._gates(input, True), h, _Recurrence(self.weight_hh.t(), None, None))
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """c' = f c + i g, h' = o tanh(c') with gates i, f, g, o; forward(input, (h, c)) ->
    (h', c'), zeros when hx is None."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        if hx is None:
            hx = (None, None)
        elif not isinstance(hx, (tuple, list)) or len(hx) != 2:
            raise TypeError(
                f"LSTMCell: hx should be a tuple (h, c) of two Tensors, got {type(hx).__name__}"
            )
        input, (h, c), batched = self._check(input, hx, ("hx[0]", "hx[1]"))
        rec = _Recurrence(self.weight_hh.t(), None, None)
        h, c = _lstm_step(self._gates(input, True), (h, c), rec)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """r, z = sigmoid(.), n = tanh(x W_in^T + b_in + r (h W_hn^T + b_hn)),
    h' = (1 - z) n + z h; h defaults to zeros."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        input, (h,), batched = self._check(input, (hx,), ("hx",))
        rec = _Recurrence(self.weight_hh.t(), self.bias_hh, None)
        h = _gru_step(self._gates(input, False), h, rec)
        return h if batched else h.squeeze(0)
