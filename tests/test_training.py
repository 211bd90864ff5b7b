"""Tests for course_utils.training: the reference loops against hand computation and PyTorch."""

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

from course_utils.training import confusion_matrix, per_class_accuracy, predict, train
from course_utils.training import test as run_test

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


def test_test_by_hand_on_known_logits():
    class Fixed(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.dummy = nn.Parameter(torch.zeros(()))

        def forward(self, x):
            return x  # the "images" are the logits themselves

    logits = torch.tensor([[2.0, 0.0], [0.0, 2.0], [2.0, 0.0], [0.0, 0.0]])
    y = torch.tensor([0, 1, 1, 0])
    avg_loss, accuracy = run_test(_loader(logits, y, 4), Fixed(), nn.CrossEntropyLoss())
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


def test_train_matches_a_plain_loop_over_several_batches():
    torch.manual_seed(3)
    X, y = _data(40)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    twin = copy.deepcopy(model)
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    opt_twin = torch.optim.Adam(twin.parameters(), lr=1e-2)
    losses = train(_loader(X, y, 10), model, loss_fn, opt)
    expected = []
    for start in range(0, 40, 10):
        opt_twin.zero_grad()
        loss = loss_fn(twin(X[start : start + 10]), y[start : start + 10])
        loss.backward()
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


# --------------------------------------------------------------------------- metrics


def test_predict_and_confusion_matrix_by_hand():
    class Fixed(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.dummy = nn.Parameter(torch.zeros(()))

        def forward(self, x):
            return x

    # predicted classes 0, 1, 1, 2, 2, 0; true classes 0, 1, 2, 2, 0, 0
    logits = torch.eye(3)[[0, 1, 1, 2, 2, 0]]
    y = torch.tensor([0, 1, 2, 2, 0, 0])
    model = Fixed()
    preds, labels = predict(model, _loader(logits, y, 4))
    assert preds.tolist() == [0, 1, 1, 2, 2, 0]
    assert labels.tolist() == y.tolist()
    matrix = confusion_matrix(model, _loader(logits, y, 4), num_classes=3)
    expected = torch.tensor([[2, 0, 1], [0, 1, 0], [0, 1, 1]])
    assert torch.equal(matrix, expected)
    assert matrix.dtype == torch.int64
    assert matrix.sum().item() == 6
    per_class = per_class_accuracy(matrix)
    torch.testing.assert_close(per_class, torch.tensor([2 / 3, 1.0, 0.5], dtype=torch.float64))
    _, accuracy = run_test(_loader(logits, y, 4), model, nn.CrossEntropyLoss())
    assert accuracy == pytest.approx(matrix.diag().sum().item() / matrix.sum().item())


def test_per_class_accuracy_marks_empty_classes_nan():
    matrix = torch.tensor([[3, 1], [0, 0]])
    result = per_class_accuracy(matrix)
    assert result[0].item() == 0.75
    assert math.isnan(result[1].item())


def test_module_exports_and_docstrings_name_the_notebook():
    from course_utils import training

    assert set(training.__all__) == {"train", "test", "predict", "confusion_matrix", "per_class_accuracy"}
    assert "05_training_loop" in training.train.__doc__
    for name in ("test", "predict", "confusion_matrix", "per_class_accuracy"):
        assert "06_test_loop_and_metrics" in getattr(training, name).__doc__


# --------------------------------------------------------------------------- the copies match the notebooks


NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def _function_body(source: str, name: str) -> str:
    """The AST of function ``name`` in ``source``, without its docstring (comments are dropped)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            body = node.body[1:] if ast.get_docstring(node) is not None else node.body
            return "\n".join(ast.dump(stmt) for stmt in body)
    raise AssertionError(f"no function {name!r} found")


def _notebook_definitions(notebook: str, name: str) -> list[str]:
    nb = json.loads((NOTEBOOKS / notebook).read_text(encoding="utf-8"))
    found = []
    for cell in nb["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and f"def {name}(" in source:
            found.append(_function_body(source, name))
    return found


@pytest.mark.parametrize(
    ("name", "notebooks"),
    [
        ("train", ["05_training_loop.ipynb", "06_test_loop_and_metrics.ipynb", "07_full_training.ipynb"]),
        ("test", ["06_test_loop_and_metrics.ipynb", "07_full_training.ipynb", "08_beyond_lenet.ipynb"]),
        ("predict", ["06_test_loop_and_metrics.ipynb"]),
    ],
)
def test_reference_copies_are_the_code_the_notebooks_teach(name, notebooks):
    from course_utils import training

    reference = _function_body(inspect.getsource(training), name)
    for notebook in notebooks:
        assert (NOTEBOOKS / notebook).exists(), f"notebooks/{notebook} is missing"
        definitions = _notebook_definitions(notebook, name)
        assert definitions, f"{notebook} defines no {name}()"
        for body in definitions:
            assert body == reference, f"{name}() in {notebook} differs from course_utils.training.{name}"
