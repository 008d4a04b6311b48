"""The package layout: the module import graph, read from the source with `ast`.

Dependencies run one way (backends <- autograd <- nn, autograd <- optim) and no package's
modules import each other in a circle. A cycle works only while every module in it is careful
about what it uses at import time; one new top-level line can break it, so none may appear.
"""

import ast
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = ("autograd", "nn", "optim", "backends")


def _module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}


def _targets(module, is_package, node):
    """The project modules an import statement loads (the deepest one named that exists)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base = module.split(".")[: len(module.split(".")) - node.level + bool(is_package)]
            prefix = ".".join(base + ([node.module] if node.module else []))
        else:
            prefix = node.module
        names = [f"{prefix}.{alias.name}" for alias in node.names]
    found = []
    for name in names:
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        if name and name != module:
            found.append(name)
    return found


def _imports(module, top_level_only):
    """The project modules `module` imports: at import time only (the module body, with its
    if/try blocks), or anywhere (function-local imports too)."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if top_level_only:
        nodes = [sub for stmt in tree.body if not isinstance(stmt, (ast.FunctionDef,
                 ast.AsyncFunctionDef, ast.ClassDef)) for sub in ast.walk(stmt)]  # fmt: skip
    else:
        nodes = ast.walk(tree)
    out = set()
    for node in nodes:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out.update(_targets(module, path.name == "__init__.py", node))
    return out


def import_cycles(prefix, top_level_only=True):
    """The strongly connected components (more than one module) of the import graph restricted
    to the modules under `prefix`, each a sorted list (Tarjan's algorithm, iterative)."""
    nodes = sorted(m for m in MODULES if m == prefix or m.startswith(prefix + "."))
    edges = {m: sorted(t for t in _imports(m, top_level_only) if t in nodes) for m in nodes}
    index, low, on_stack, stack, comps = {}, {}, set(), [], []
    for root in nodes:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = len(index)
                stack.append(v)
                on_stack.add(v)
            if i < len(edges[v]):
                work.append((v, i + 1))
                w = edges[v][i]
                if w not in index:
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    comps.append(sorted(comp))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return sorted(comps)


@pytest.mark.parametrize("package", ["nn", "optim"])
def test_no_import_cycle_at_any_level(package):
    """Not even a function-local import closes a circle in nn/ or optim/."""
    assert import_cycles(package, top_level_only=False) == []


def test_no_import_cycle_in_backends():
    assert import_cycles("backends") == []
    # get_backend builds the numpy / cupy backend on first use, so backend.py names their
    # modules inside functions, while they subclass its Backend: the one allowed circle.
    allowed = ["backends.backend", "backends.cupy_backend", "backends.numpy_backend"]
    assert import_cycles("backends", top_level_only=False) in ([], [allowed])


def test_no_import_cycle_in_autograd():
    # The ops form layers: shape (with the adjoint pair Sum / Expand and sum_to) at the bottom,
    # then index, elementwise, special, scan, reduce, and the ops built on them. Tensor,
    # Function, the engine and the in-place machinery reach the ops on first use (_lazy).
    assert import_cycles("autograd") == []


# nn.functional's home: functional.py and the private modules that hold the rest of its forms.
FUNCTIONAL_HOME = {"nn.functional", "nn._functional_conv", "nn._functional_pool", "nn._nodes"}


def test_functional_imports_no_layer_module():
    """nn.functional is the home of the functional forms: layers import it, never the reverse.
    All it reaches in nn/ are private helper modules (nn._*), which import no layer either."""
    seen, todo = set(), ["nn.functional"]
    while todo:
        m = todo.pop()
        for t in _imports(m, top_level_only=False):
            if t.startswith("nn.") and t not in seen:
                seen.add(t)
                todo.append(t)
    assert all(m.rpartition(".")[2].startswith("_") for m in seen), seen
    private = FUNCTIONAL_HOME - {"nn.functional"}
    assert private <= seen
    # ... and only nn.functional offers what its private modules hold: layers call F
    importers = {
        m
        for m in MODULES
        if m.partition(".")[0] == "nn"
        and m not in FUNCTIONAL_HOME
        and private & set(_imports(m, top_level_only=False))
    }
    assert importers == set()


def test_each_functional_form_has_one_home():
    """Every function (and Function class) nn.functional offers, public or private, is defined
    in its home; no other nn module defines a function under a public name of nn.functional
    (a second copy beside a layer, or the original that F would re-export)."""
    import nn.functional as F

    own = {
        name: obj.__module__
        for name, obj in vars(F).items()
        if callable(obj) and getattr(obj, "__module__", "").partition(".")[0] == "nn"
    }
    assert set(F.__all__) <= set(own), set(F.__all__) - set(own)
    assert {name: m for name, m in own.items() if m not in FUNCTIONAL_HOME} == {}
    public = {name for name in own if not name.startswith("_")}
    for module, path in MODULES.items():
        if module.partition(".")[0] != "nn" or module in FUNCTIONAL_HOME:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        assert not defined & public, (module, sorted(defined & public))


def test_cycle_finder_finds_a_cycle(tmp_path, monkeypatch):
    """The checker itself: two modules importing each other form one component."""
    pkg = tmp_path / "pkgx"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkgx import b\n")
    (pkg / "b.py").write_text("def f():\n    from pkgx.a import f\n")
    (pkg / "c.py").write_text("import pkgx.a\n")
    this = sys.modules[__name__]
    monkeypatch.setattr(this, "ROOT", tmp_path)
    monkeypatch.setattr(this, "MODULES", {_module_name(p): p for p in pkg.rglob("*.py")})
    assert import_cycles("pkgx") == []
    assert import_cycles("pkgx", top_level_only=False) == [["pkgx.a", "pkgx.b"]]


def test_one_removable_handle():
    """Tensor, Node and Module hooks all hand back the one RemovableHandle, which removes by
    id from a dict or by identity from a list, works as a context manager, and ignores a
    second remove()."""
    import autograd
    import nn
    from autograd import function, hooks
    from nn import module

    cls = hooks.RemovableHandle
    assert nn.RemovableHandle is module.RemovableHandle is function.RemovableHandle is cls
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    calls = []
    with x.register_hook(lambda g: calls.append(1)) as handle:
        assert isinstance(handle, cls)
        (x * 2).sum().backward()
    (x * 2).sum().backward()
    handle.remove()
    assert calls == [1]
    y = x * 3
    node_handle = y.grad_fn.register_hook(lambda gi, go: calls.append(2))
    assert isinstance(node_handle, cls)
    node_handle.remove()
    y.sum().backward()
    assert calls == [1]
    layer = nn.Linear(2, 2)
    first = layer.register_forward_hook(lambda m, a, o: calls.append(3))
    second = layer.register_forward_hook(lambda m, a, o: calls.append(4))
    assert isinstance(first, cls) and first.id != second.id
    first.remove()
    first.remove()
    layer(x)
    assert calls == [1, 4]


def test_every_method_in_the_tensor_table_is_its_modules_function():
    """Each Tensor method that `autograd._tensor._METHODS` places in another module is that
    module's function itself (no wrapper: the signature and the reference counts that
    `Tensor._accumulate` relies on are the function's own)."""
    import importlib

    from autograd._tensor import _METHODS, Tensor

    for module, names in _METHODS.items():
        for entry in names.split():
            name, _, function = entry.partition("=")
            fn = getattr(importlib.import_module(module), function or name)
            assert callable(fn) and getattr(Tensor, name) is fn, (module, entry)
            assert name not in vars(Tensor) or vars(Tensor)[name] is fn, name


def test_no_autograd_module_is_shadowed_by_a_name_of_the_package():
    """`autograd.tensor` is the function (torch.tensor's twin); no submodule may share a
    public name of the package, or `import autograd.X` and `autograd.X` would differ."""
    import importlib
    import pkgutil
    import types

    import autograd

    for info in pkgutil.iter_modules(autograd.__path__):
        module = importlib.import_module(f"autograd.{info.name}")
        value = getattr(autograd, info.name)
        assert isinstance(value, types.ModuleType) and value is module, info.name


def test_tensor_holds_state_and_dispatch_only():
    """The Tensor class's module stays short: behaviour lives in the modules of its kind."""
    lines = (ROOT / "autograd" / "_tensor.py").read_text().splitlines()
    assert len(lines) < 600
