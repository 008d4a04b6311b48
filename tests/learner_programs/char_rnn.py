# A character-level language model as the RNN lessons write it: a vocabulary from a short
# text, F.one_hot inputs, nn.RNN and nn.GRU with batch_first, a linear decoder,
# gradient clipping with clip_grad_norm_, perplexity as exp of the mean loss, and greedy
# prediction of a continuation.
# tolerance: abs=5e-3 rel=5e-3
# (float32 summation order drifts the late grad norms by ~2e-3 over 20 epochs at lr 1;
# with the default dtype float64 both print the same digits throughout)
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

text = "the time machine by h g wells the time traveller for so it will be convenient "
text = text * 4
vocab = sorted(set(text))
char_to_idx = {ch: i for i, ch in enumerate(vocab)}
corpus = torch.tensor([char_to_idx[ch] for ch in text])
vocab_size = len(vocab)
print("vocab", vocab_size, "".join(vocab))
print("corpus", len(corpus), corpus[:10])

num_steps, batch_size = 10, 4
num_seqs = (len(corpus) - 1) // num_steps
starts = torch.arange(0, num_seqs * num_steps, num_steps)
X_all = torch.stack([corpus[s : s + num_steps] for s in starts.tolist()])
Y_all = torch.stack([corpus[s + 1 : s + num_steps + 1] for s in starts.tolist()])
print("batches of", tuple(X_all.shape), tuple(Y_all.shape))
print(F.one_hot(torch.tensor([0, 2]), vocab_size).sum(dim=0)[:5])
print(F.one_hot(X_all[:2, :3].T, vocab_size).shape[-1] == vocab_size)


class RNNModel(nn.Module):
    def __init__(self, rnn_layer, vocab_size):
        super().__init__()
        self.rnn = rnn_layer
        self.vocab_size = vocab_size
        self.num_hiddens = self.rnn.hidden_size
        self.linear = nn.Linear(self.num_hiddens, self.vocab_size)

    def forward(self, inputs, state):
        X = F.one_hot(inputs.long(), self.vocab_size).type(torch.float32)
        Y, state = self.rnn(X, state)
        output = self.linear(Y.reshape((-1, Y.shape[-1])))
        return output, state

    def begin_state(self, batch_size):
        return torch.zeros((self.rnn.num_layers, batch_size, self.num_hiddens))


def init_deterministic(model):
    with torch.no_grad():
        for j, p in enumerate(model.parameters()):
            k = torch.arange(p.numel(), dtype=torch.float32)
            p.copy_((0.2 * torch.sin(0.7 * k + j)).reshape(p.shape))


def grad_clipping(net, theta):
    params = [p for p in net.parameters() if p.requires_grad]
    norm = torch.sqrt(sum(torch.sum(p.grad**2) for p in params))
    if norm > theta:
        for param in params:
            param.grad[:] *= theta / norm
    return norm


def predict(prefix, num_preds, net):
    state = net.begin_state(batch_size=1)
    outputs = [char_to_idx[prefix[0]]]

    def get_input():
        return torch.tensor([outputs[-1]]).reshape((1, 1))

    for y in prefix[1:]:
        _, state = net(get_input(), state)
        outputs.append(char_to_idx[y])
    for _ in range(num_preds):
        y, state = net(get_input(), state)
        outputs.append(int(y.argmax(dim=1).reshape(1)))
    return "".join(vocab[i] for i in outputs)


def train(net, epochs, lr, use_builtin_clip):
    loss = nn.CrossEntropyLoss()
    updater = optim.SGD(net.parameters(), lr=lr)
    for epoch in range(epochs):
        total, tokens = 0.0, 0
        for b in range(0, len(X_all), batch_size):
            X, Y = X_all[b : b + batch_size], Y_all[b : b + batch_size]
            state = net.begin_state(batch_size=X.shape[0])
            y_hat, state = net(X, state)
            ls = loss(y_hat, Y.reshape(-1))
            updater.zero_grad()
            ls.backward()
            if use_builtin_clip:
                norm = nn.utils.clip_grad_norm_(net.parameters(), max_norm=1.0)
            else:
                norm = grad_clipping(net, 1.0)
            updater.step()
            total += ls.item() * Y.numel()
            tokens += Y.numel()
        if epoch % 5 == 4:
            ppl = math.exp(total / tokens)
            print(f"epoch {epoch + 1}: perplexity {ppl:.3f}, last grad norm {float(norm):.4f}")


num_hiddens = 24
rnn_layer = nn.RNN(vocab_size, num_hiddens, batch_first=True)
net = RNNModel(rnn_layer, vocab_size)
init_deterministic(net)
print(net)
print("untrained:", predict("time ", 10, net))
train(net, 20, 1.0, use_builtin_clip=False)
print("trained:  ", predict("time ", 20, net))

gru = RNNModel(nn.GRU(vocab_size, num_hiddens, batch_first=True), vocab_size)
init_deterministic(gru)
state = gru.begin_state(batch_size=2)
out, new_state = gru(X_all[:2], state)
print(tuple(out.shape), tuple(new_state.shape))
print(new_state[0, :, :4].detach())
train(gru, 20, 2.0, use_builtin_clip=True)
print("gru:      ", predict("the ", 20, gru))

two_layer = nn.RNN(vocab_size, num_hiddens, num_layers=2, batch_first=True)
deep = RNNModel(two_layer, vocab_size)
init_deterministic(deep)
out, h = deep(X_all[:3], deep.begin_state(batch_size=3))
print(tuple(out.shape), tuple(h.shape), f"{out.detach().abs().mean().item():.5f}")
print(sum(p.numel() for p in deep.parameters()))
