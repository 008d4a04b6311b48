"""The notebooks in notebooks/ run top to bottom without error (their cells assert)."""

import pathlib

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("graphviz")  # the notebooks draw with autograd.viz.draw

NOTEBOOKS = sorted((pathlib.Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
# What a notebook needs beyond the test extras and graphviz: without it, it is skipped.
NEEDS = {
    name: ["matplotlib"]
    for name in ("04_optimizers", "05_forward_vs_reverse", "06_convolution_arithmetic",
                 "07_batch_norm_and_dropout", "08_rnns_and_attention", "09_mnist_mlp",
                 "10_blas_lab")
}  # fmt: skip


def test_notebooks_are_found():
    names = [p.name for p in NOTEBOOKS]
    assert "01_computational_graph.ipynb" in names and "04_optimizers.ipynb" in names
    assert len(names) >= 4


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, tmp_path):
    for module in NEEDS.get(path.stem, []):
        pytest.importorskip(module)
    nb = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code"), (
        f"{path.name} is stored with outputs; clear them"
    )
    # "python3" is ipykernel's spec, installed with it under the venv's sys.prefix, so the
    # kernel runs the venv's interpreter with autograd importable.
    client = nbclient.NotebookClient(
        nb,
        kernel_name="python3",
        timeout=120,
        resources={"metadata": {"path": str(tmp_path)}},  # caches land there
    )
    client.execute()
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    errors = [out for cell in code for out in cell.outputs if out.output_type == "error"]
    assert not errors
