"""course_utils.reference: generated from the notebooks, current, and right against hand computation.

The module is written by ``make export`` (tools/export.py) from the cells tagged ``export``. These
tests check that it is current, that the exporter takes what it should, that the code is right
(against hand arithmetic and autograd), and that the notebooks which type the code out again
(07 and 08 are meant to run alone) type the same code.
"""

from __future__ import annotations

import ast
import copy
import inspect
import json
import math
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from course_utils.reference import Net, predict, train
from course_utils.reference import test as run_test

# `test` is imported as `run_test`: pytest would collect a function named `test`


def _data(n: int = 50, features: int = 4, classes: int = 3, seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(n, features, generator=gen)
    y = torch.randint(0, classes, (n,), generator=gen)
    return X, y


def _loader(X, y, batch_size: int, shuffle: bool = False) -> DataLoader:
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle)


class ModeRecorder(nn.Module):
    """A linear classifier that records ``self.training`` at every forward call."""

    def __init__(self, features: int = 4, classes: int = 3) -> None:
        super().__init__()
        self.fc = nn.Linear(features, classes)
        self.modes: list[bool] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.modes.append(self.training)
        return self.fc(x)


# --------------------------------------------------------------------------- test()


def test_test_matches_direct_computation():
    torch.manual_seed(0)
    X, y = _data(50)
    model = nn.Linear(4, 3)
    loss_fn = nn.CrossEntropyLoss()
    avg_loss, accuracy = run_test(_loader(X, y, 10), model, loss_fn)
    with torch.no_grad():
        pred = model(X)
    # 5 equal batches of 10: the mean of batch means is the mean over all samples
    assert avg_loss == pytest.approx(loss_fn(pred, y).item(), rel=1e-6)
    assert accuracy == pytest.approx((pred.argmax(1) == y).float().mean().item())
    assert 0.0 <= accuracy <= 1.0
    assert isinstance(avg_loss, float) and isinstance(accuracy, float)


def test_test_averages_per_batch_with_a_partial_last_batch():
    torch.manual_seed(1)
    X, y = _data(25)
    model = nn.Linear(4, 3)
    loss_fn = nn.CrossEntropyLoss()
    avg_loss, accuracy = run_test(_loader(X, y, 10), model, loss_fn)  # batches of 10, 10, 5
    with torch.no_grad():
        per_sample = nn.functional.cross_entropy(model(X), y, reduction="none")
    batch_means = [per_sample[i : i + 10].mean().item() for i in (0, 10, 20)]
    assert avg_loss == pytest.approx(sum(batch_means) / 3, rel=1e-6)
    assert accuracy == pytest.approx((model(X).argmax(1) == y).sum().item() / 25)


def test_test_by_hand_on_known_logits(passthrough):
    logits = torch.tensor([[2.0, 0.0], [0.0, 2.0], [2.0, 0.0], [0.0, 0.0]])
    y = torch.tensor([0, 1, 1, 0])
    avg_loss, accuracy = run_test(_loader(logits, y, 4), passthrough, nn.CrossEntropyLoss())
    right = -math.log(math.exp(2) / (math.exp(2) + 1))  # confident and right
    wrong = -math.log(1 / (math.exp(2) + 1))  # confident and wrong
    tie = math.log(2)  # argmax of a tie is the first index: counted correct for label 0
    assert avg_loss == pytest.approx((2 * right + wrong + tie) / 4, rel=1e-6)
    assert accuracy == 0.75


def test_test_sets_eval_mode_and_records_no_graph():
    model = ModeRecorder()
    model.train()
    X, y = _data(20)
    grads_before = [p.grad for p in model.parameters()]
    run_test(_loader(X, y, 10), model, nn.CrossEntropyLoss())
    assert model.modes == [False, False]
    assert not model.training
    assert [p.grad for p in model.parameters()] == grads_before  # no backward ran


def test_test_leaves_weights_unchanged():
    model = nn.Linear(4, 3)
    before = copy.deepcopy(model.state_dict())
    X, y = _data(20)
    run_test(_loader(X, y, 8), model, nn.CrossEntropyLoss())
    for name, value in model.state_dict().items():
        assert torch.equal(value, before[name])


# --------------------------------------------------------------------------- train()


def test_train_lowers_the_loss():
    torch.manual_seed(0)
    X, y = _data(64)
    model = nn.Linear(4, 3)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    loader = _loader(X, y, 16)
    before, _ = run_test(loader, model, loss_fn)
    for _ in range(10):
        train(loader, model, loss_fn, optimizer)
    after, _ = run_test(loader, model, loss_fn)
    assert after < before - 0.1


def test_train_returns_one_float_per_batch():
    X, y = _data(50)
    model = nn.Linear(4, 3)
    losses = train(_loader(X, y, 16), model, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1))
    assert len(losses) == 4  # 16 + 16 + 16 + 2
    assert all(type(v) is float for v in losses)


def test_train_sets_train_mode():
    model = ModeRecorder()
    model.eval()
    X, y = _data(30)
    train(_loader(X, y, 10), model, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1))
    assert model.modes == [True, True, True]
    assert model.training


def test_train_matches_a_hand_written_sgd_step():
    """One batch: the weights move by exactly -lr * grad, the gradient computed independently."""
    torch.manual_seed(0)
    X, y = _data(8)
    model = nn.Linear(4, 3)
    reference = copy.deepcopy(model)
    lr = 0.1
    losses = train(_loader(X, y, 8), model, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=lr))

    loss = nn.functional.cross_entropy(reference(X), y)
    grads = torch.autograd.grad(loss, list(reference.parameters()))
    assert losses == [pytest.approx(loss.item())]
    with torch.no_grad():
        for p, p_ref, g in zip(model.parameters(), reference.parameters(), grads):
            torch.testing.assert_close(p, p_ref - lr * g, rtol=0, atol=1e-7)


def test_train_zeroes_gradients_between_batches():
    """Two identical batches with lr=0: the stored gradient is the last batch's, not the sum."""
    X, y = _data(8)
    X2, y2 = torch.cat([X, X]), torch.cat([y, y])
    model = nn.Linear(4, 3)
    train(_loader(X2, y2, 8), model, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.0))
    expected = torch.autograd.grad(nn.functional.cross_entropy(model(X), y), model.weight)[0]
    torch.testing.assert_close(model.weight.grad, expected)


def test_train_matches_autograd_and_the_optimizer_over_several_batches():
    """Four batches with Adam: the same losses and weights as gradients from autograd.grad fed to a twin
    optimizer (an independent route: no zero_grad, no backward)."""
    torch.manual_seed(3)
    X, y = _data(40)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    twin = copy.deepcopy(model)
    loss_fn = nn.CrossEntropyLoss()
    losses = train(_loader(X, y, 10), model, loss_fn, torch.optim.Adam(model.parameters(), lr=1e-2))
    opt_twin = torch.optim.Adam(twin.parameters(), lr=1e-2)
    expected = []
    for start in range(0, 40, 10):
        loss = loss_fn(twin(X[start : start + 10]), y[start : start + 10])
        for p, g in zip(twin.parameters(), torch.autograd.grad(loss, list(twin.parameters()))):
            p.grad = g
        opt_twin.step()
        expected.append(loss.item())
    assert losses == expected
    for p, q in zip(model.parameters(), twin.parameters()):
        assert torch.equal(p, q)


def test_train_works_with_the_course_batch_loader():
    from course_utils.data import BatchLoader

    X, y = _data(30)
    model = nn.Linear(4, 3)
    loader = BatchLoader(X, y, batch_size=8, shuffle=True)
    losses = train(loader, model, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1))
    assert len(losses) == len(loader) == 4
    avg_loss, accuracy = run_test(loader, model, nn.CrossEntropyLoss())
    assert math.isfinite(avg_loss) and 0 <= accuracy <= 1


# --------------------------------------------------------------------------- Net


def test_net_is_lenet_with_the_seed_layers():
    net = Net()
    assert Net.__doc__ and "(N, 1, 32, 32)" in Net.__doc__ and "(N, 10)" in Net.__doc__
    assert [name for name, _ in net.named_children()] == ["conv1", "conv2", "fc1", "fc2", "fc3"]
    assert sum(p.numel() for p in net.parameters()) == 61706  # 02's table, by hand


def test_net_forward_matches_torch_modules_in_sequence():
    """PyTorch's own modules in the order 03 teaches compute the same logits (an independent route)."""
    torch.manual_seed(0)
    net = Net()
    X = torch.randn(3, 1, 32, 32)
    pool, relu = nn.MaxPool2d(2), nn.ReLU()
    sequence = nn.Sequential(
        net.conv1, relu, pool, net.conv2, relu, pool, nn.Flatten(), net.fc1, relu, net.fc2, relu, net.fc3
    )
    out = net(X)
    assert out.shape == (3, 10)
    torch.testing.assert_close(out, sequence(X))


# --------------------------------------------------------------------------- predict()


def test_predict_returns_classes_and_labels_in_order(passthrough):
    logits = torch.eye(3)[[0, 1, 1, 2, 2, 0]]
    y = torch.tensor([0, 1, 2, 2, 0, 0])
    model = passthrough
    preds, labels = predict(model, _loader(logits, y, 4))
    assert preds.tolist() == [0, 1, 1, 2, 2, 0] and preds.dtype == torch.int64
    assert labels.tolist() == y.tolist()
    assert not model.training


# --------------------------------------------------------------------------- the exporter


ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def test_reference_module_is_current():
    from tools import export

    assert export.TARGET.read_text() == export.render(), "course_utils/reference.py is stale: run `make export`"


def test_reference_names_its_source_cells_and_says_generated():
    from tools import export

    text = export.TARGET.read_text()
    assert "GENERATED" in text and "DO NOT EDIT" in text
    for item in export.definitions():
        assert f"# from {item.notebook}, cell {item.cell_index} (id {item.cell_id})" in text
    from course_utils import reference

    assert sorted(d.name for d in export.definitions()) == sorted(reference.__all__)
    assert {d.name: d.notebook.split("/")[-1] for d in export.definitions()} == {
        "Net": "03_network_module.ipynb",
        "train": "05_training_loop.ipynb",
        "test": "06_test_loop_and_metrics.ipynb",
        "predict": "06_test_loop_and_metrics.ipynb",
    }


def _notebook(tmp_path: Path, *sources: str, tags=("export",)) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s, metadata={"tags": list(tags)}) for s in sources]
    path = tmp_path / "99_demo.ipynb"
    nbformat.write(nb, path)
    return path


def test_export_takes_definitions_exactly_as_in_the_cell_and_drops_demo_code(tmp_path, monkeypatch):
    from tools import export

    monkeypatch.setattr(export, "ROOT", tmp_path)
    f = (
        "@functools.cache\ndef f(x):\n    # step 1: add one\n    ### a comment stays a comment\n\n"
        "    return x + 1  # the result"
    )
    g = 'class G:\n    """Doc."""\n\n    def h(self):\n        return 2'
    source = f"import functools\n\n\n{f}\n\n\nprint(f(1))\n\n\n{g}\n\n\nassert G().h() == 2\n"
    items = export.definitions([_notebook(tmp_path, source)])
    assert [(d.name, d.source) for d in items] == [("f", f), ("G", g)]  # character for character
    rendered = export.render(items)
    assert f in rendered and g in rendered
    assert "print(f(1))" not in rendered and "assert G()" not in rendered and "import functools" not in rendered


def test_export_refuses_a_tagged_cell_without_a_definition(tmp_path, monkeypatch):
    from tools import export

    monkeypatch.setattr(export, "ROOT", tmp_path)
    with pytest.raises(ValueError, match="defines no class or function"):
        export.definitions([_notebook(tmp_path, "x = 1\n")])


def test_export_refuses_a_name_exported_twice(tmp_path, monkeypatch):
    from tools import export

    monkeypatch.setattr(export, "ROOT", tmp_path)
    with pytest.raises(ValueError, match="exported twice"):
        export.definitions([_notebook(tmp_path, "def f():\n    pass\n", "def f():\n    return 1\n")])


# --------------------------------------------------------------------------- later notebooks type the same code


def _body(node: ast.AST) -> str:
    """The AST of a class or function without its docstrings (comments are not in the AST)."""
    node = copy.deepcopy(node)
    for sub in ast.walk(node):
        body = getattr(sub, "body", None)
        if isinstance(sub, ast.ClassDef | ast.FunctionDef) and body and ast.get_docstring(sub) is not None:
            sub.body = body[1:] or [ast.Pass()]
    return ast.dump(node)


def _definitions(source: str, name: str) -> list[ast.AST]:
    lines = [  # IPython magics become `pass`, at their indentation
        ln[: len(ln) - len(ln.lstrip())] + "pass" if ln.lstrip().startswith(("%", "!")) else ln
        for ln in source.splitlines()
    ]
    tree = ast.parse("\n".join(lines))
    return [n for n in tree.body if isinstance(n, ast.ClassDef | ast.FunctionDef) and n.name == name]


@pytest.mark.parametrize(
    ("name", "notebooks"),
    [
        (
            "Net",
            ["00_start_here", "05_training_loop", "06_test_loop_and_metrics", "07_full_training", "08_beyond_lenet"],
        ),
        ("train", ["00_start_here", "06_test_loop_and_metrics", "07_full_training"]),
        ("test", ["00_start_here", "07_full_training", "08_beyond_lenet"]),
    ],
)
def test_notebooks_that_type_the_code_again_type_the_reference(name, notebooks):
    """00 shows the seed whole, and 05-08 run alone, so they type the code again: the same code as the reference."""
    from course_utils import reference

    expected = _body(_definitions(inspect.getsource(reference), name)[0])
    for notebook in notebooks:
        cells = json.loads((NOTEBOOKS / f"{notebook}.ipynb").read_text(encoding="utf-8"))["cells"]
        found = [d for c in cells if c["cell_type"] == "code" for d in _definitions("".join(c["source"]), name)]
        assert found, f"{notebook} defines no {name}"
        for definition in found:
            assert _body(definition) == expected, f"{name} in {notebook} differs from course_utils.reference.{name}"
