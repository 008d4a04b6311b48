# Softmax regression on a generated three-class problem: from scratch (softmax by exp and
# a keepdim sum, cross-entropy by fancy indexing, accuracy by argmax) and then with
# nn.Flatten + nn.Linear, nn.CrossEntropyLoss and optim.SGD over a DataLoader.
import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

n, num_inputs, num_outputs = 150, 4, 3
t = torch.arange(n * num_inputs, dtype=torch.float32).reshape(n, num_inputs)
y_all = torch.arange(n) % num_outputs
X_all = torch.sin(0.7 * t) + y_all.reshape(-1, 1) * torch.tensor([1.0, -0.5, 0.25, 0.8])
train = TensorDataset(X_all[:120], y_all[:120])
test = TensorDataset(X_all[120:], y_all[120:])
train_iter = DataLoader(train, batch_size=16)
test_iter = DataLoader(test, batch_size=16)

X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print(X.sum(0, keepdim=True), X.sum(1, keepdim=True))


def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition


X = torch.linspace(-1, 1, 10).reshape(2, 5)
X_prob = softmax(X)
# the row sums are 1 to an ulp either way, and print as 1. or 1.0000 by that ulp
print(X_prob, [f"{v:.4f}" for v in X_prob.sum(1).tolist()])

W = (0.01 * torch.linspace(-2, 2, num_inputs * num_outputs).cos()).reshape(num_inputs, num_outputs)
W.requires_grad_(True)
b = torch.zeros(num_outputs, requires_grad=True)


def net(X):
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)


y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
print(y_hat[[0, 1], y])


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])


print(cross_entropy(y_hat, y))


def accuracy(y_hat, y):
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


print(accuracy(y_hat, y) / len(y))


class Accumulator:
    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def __getitem__(self, idx):
        return self.data[idx]


def evaluate_accuracy(net, data_iter):
    if isinstance(net, torch.nn.Module):
        net.eval()
    metric = Accumulator(2)
    with torch.no_grad():
        for X, y in data_iter:
            metric.add(accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]


print(f"untrained test accuracy {evaluate_accuracy(net, test_iter):.4f}")


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def train_epoch(net, train_iter, loss, updater):
    if isinstance(net, torch.nn.Module):
        net.train()
    metric = Accumulator(3)
    for X, y in train_iter:
        y_hat = net(X)
        ls = loss(y_hat, y)
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()
            ls.mean().backward()
            updater.step()
        else:
            ls.sum().backward()
            updater(X.shape[0])
        metric.add(float(ls.sum()), accuracy(y_hat, y), y.numel())
    return metric[0] / metric[2], metric[1] / metric[2]


def updater(batch_size):
    return sgd([W, b], 0.1, batch_size)


for epoch in range(5):
    train_loss, train_acc = train_epoch(net, train_iter, cross_entropy, updater)
    test_acc = evaluate_accuracy(net, test_iter)
    print(f"epoch {epoch + 1}: loss {train_loss:.4f}, train acc {train_acc:.3f}", end=", ")
    print(f"test acc {test_acc:.3f}")
X, y = next(iter(test_iter))
print("predictions", net(X).argmax(axis=1)[:8])
print("labels     ", y[:8])

model = nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, num_outputs))


def init_weights(m):
    if type(m) == nn.Linear:  # noqa: E721  (as the lesson writes it)
        with torch.no_grad():
            m.weight.copy_(
                0.01 * torch.linspace(0, 3, m.weight.numel()).sin().reshape(m.weight.shape)
            )
            nn.init.zeros_(m.bias)


model.apply(init_weights)
loss = nn.CrossEntropyLoss(reduction="none")
trainer = optim.SGD(model.parameters(), lr=0.1)
for epoch in range(5):
    train_loss, train_acc = train_epoch(model, train_iter, loss, trainer)
    test_acc = evaluate_accuracy(model, test_iter)
    print(f"epoch {epoch + 1}: loss {train_loss:.4f}, train acc {train_acc:.3f}", end=", ")
    print(f"test acc {test_acc:.3f}")
print("training mode after evaluation:", model.training)
logits = model(X_all[:4])
print(logits.detach())
print(nn.CrossEntropyLoss()(logits, y_all[:4]).item() > 0)
print(f"{nn.CrossEntropyLoss(label_smoothing=0.1)(logits, y_all[:4]).item():.5f}")
print(torch.softmax(logits, dim=1).sum(dim=1).detach())
