# Linear regression twice: from scratch (a data_iter generator over index tensors,
# minibatch SGD by hand under no_grad) and concisely (nn.Linear, MSELoss, optim.SGD,
# a DataLoader over a TensorDataset).
import math

import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset


def synthetic_data(w, b, num_examples):
    """y = Xw + b + noise, with the 'noise' a fixed formula instead of random draws."""
    i = torch.arange(num_examples * len(w), dtype=torch.float32)
    X = torch.sin(0.37 * i).reshape(num_examples, len(w)) * 2
    y = torch.matmul(X, w) + b
    y += 0.01 * torch.cos(1.3 * torch.arange(num_examples, dtype=torch.float32))
    return X, y.reshape((-1, 1))


true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = synthetic_data(true_w, true_b, 1000)
print("features:", features[0], "\nlabel:", labels[0])


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    indices = indices[::-1][1::2] + indices[::-1][0::2]  # a fixed shuffle
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i : min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


batch_size = 10
for X, y in data_iter(batch_size, features, labels):
    print(X, "\n", y)
    break

w = (0.01 * torch.linspace(-1, 1, 2).reshape(2, 1)).requires_grad_(True)
b = torch.zeros(1, requires_grad=True)


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


lr = 0.03
num_epochs = 3
net = linreg
loss = squared_loss
for epoch in range(num_epochs):
    for X, y in data_iter(batch_size, features, labels):
        ls = loss(net(X, w, b), y)
        ls.sum().backward()
        sgd([w, b], lr, batch_size)
    with torch.no_grad():
        train_l = loss(net(features, w, b), labels)
        print(f"epoch {epoch + 1}, loss {float(train_l.mean()):f}")
# grad_fn names differ from torch's (SubBackward vs SubBackward0), so print detached
print(f"error in estimating w: {true_w - w.detach().reshape(true_w.shape)}")
print(f"error in estimating b: {true_b - b.detach()}")
print("w", w.detach().reshape(-1), "b", b.detach())

dataset = TensorDataset(features, labels)
data_loader = DataLoader(dataset, batch_size=batch_size, shuffle=False)
print("batches:", len(data_loader), "first:", next(iter(data_loader))[0].shape[0])

net = nn.Sequential(nn.Linear(2, 1))
net[0].weight.data.fill_(0.01)
net[0].bias.data.fill_(0)
loss = nn.MSELoss()
trainer = optim.SGD(net.parameters(), lr=0.03)
for epoch in range(num_epochs):
    for X, y in data_loader:
        ls = loss(net(X), y)
        trainer.zero_grad()
        ls.backward()
        trainer.step()
    ls = loss(net(features), labels)
    print(f"epoch {epoch + 1}, loss {ls:f}")
w = net[0].weight.data
print("error in estimating w:", true_w - w.reshape(true_w.shape))
b = net[0].bias.data
print("error in estimating b:", true_b - b)
print("weight grad", net[0].weight.grad)
print("rmse", f"{math.sqrt(ls.item()):.5f}")

huber = nn.HuberLoss(delta=1.0)
print(f"huber {huber(net(features), labels).item():.6f}")
l1 = nn.L1Loss(reduction="sum")
print(f"l1 sum {l1(net(features), labels).item():.4f}")
