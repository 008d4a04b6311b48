# Tensor basics as a first lesson shows them: creation, reshaping, concatenation,
# broadcasting, indexing with assignment, reductions, in-place updates, conversions to
# numpy and Python, and automatic differentiation of simple functions.
import numpy as np
import torch

x = torch.arange(12, dtype=torch.float32)
print(x)
print(tuple(x.shape), x.numel())
X = x.reshape(3, 4)
print(X)
print(list(torch.zeros((2, 3, 4)).shape), torch.ones(2, 3).sum().item())
Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
print(X + Y, X - Y, X * Y, sep="\n")
print(X / Y)
print(X**2)
print(torch.exp(torch.tensor([0.0, 1.0, 2.0])))
print(torch.cat((X, Y), dim=0))
print(torch.cat((X, Y), dim=1))
print(torch.stack((X[0], Y[0])))
print(X == Y)
print(X < Y)
print(X.sum(), X.sum().item())

a = torch.arange(3).reshape((3, 1))
b = torch.arange(2).reshape((1, 2))
print(a + b)

print(X[-1], X[1:3])
X[1, 2] = 17
print(X)
X[0:2, :] = 12
print(X)

A = torch.arange(20, dtype=torch.float32).reshape(5, 4)
B = A.clone()
print(A * B)
print(A.sum(axis=0), A.sum(axis=1))
print(A.sum(axis=0, keepdims=True))
sum_A = A.sum(axis=1, keepdims=True)
print(A / sum_A)
print(A.cumsum(axis=0))
print(A.mean(), A.sum() / A.numel())
print(A.mean(axis=0))
print(A.T)
print(torch.mv(A, torch.arange(4, dtype=torch.float32)))
print(torch.mm(A, torch.ones(4, 3)))
u = torch.tensor([3.0, -4.0])
print(torch.norm(u), torch.abs(u).sum())
print(torch.norm(torch.ones((4, 9))))

Z = torch.zeros_like(Y)
before = Z.data_ptr()
Z[:] = X + Y
print("same storage after Z[:] =", Z.data_ptr() == before)
X += Y
print(X)

arr = X.numpy()
print(type(arr).__name__, arr.dtype, arr.shape)
back = torch.from_numpy(np.arange(4.0, dtype=np.float32))
print(back)
t = torch.tensor([3.5])
print(t, t.item(), float(t), int(t))
print(torch.tensor([1.7, -1.7]).int().tolist(), torch.tensor([1, 0, 2]).bool())
print(torch.arange(4).float() / 3)

x = torch.arange(4.0)
x.requires_grad_(True)
y = 2 * torch.dot(x, x)
print(y.item(), y.grad_fn is not None)
y.backward()
print(x.grad)
print(x.grad == 4 * x)
x.grad.zero_()
y = x.sum()
y.backward()
print(x.grad)
x.grad.zero_()
y = x * x
y.sum().backward()
print(x.grad)

x.grad.zero_()
y = x * x
u = y.detach()
z = u * x
z.sum().backward()
print(x.grad == u)
x.grad.zero_()
y.sum().backward()
print(x.grad == 2 * x)
with torch.no_grad():
    w = x * 3
print(w.requires_grad, (x * 3).requires_grad)


def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


a = torch.tensor(-0.75, requires_grad=True)
d = f(a)
d.backward()
print(a.grad, a.grad == d / a)
