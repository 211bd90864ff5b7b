"""course_utils.diagram: the LeNet diagram shows the model's real shapes and parameter counts."""

import torch
import torch.nn.functional as F
from torch import nn

from course_utils import diagram
from course_utils.reference import Net


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def by_hand(model, X):
    """The shape (without the batch dimension) of every step of the seed's forward, computed directly."""
    c1 = F.relu(model.conv1(X))
    s2 = F.max_pool2d(c1, 2)
    c3 = F.relu(model.conv2(s2))
    s4 = F.max_pool2d(c3, 2)
    flat = torch.flatten(s4, 1)
    f5 = F.relu(model.fc1(flat))
    f6 = F.relu(model.fc2(f5))
    return [tuple(t.shape[1:]) for t in (X, c1, s2, c3, s4, flat, f5, f6, model.fc3(f6))]


def test_stages_match_the_models_shapes_and_parameter_counts():
    model = Net()
    stages = diagram.lenet_stages(model)
    assert [s.shape for s in stages] == by_hand(model, torch.zeros(1, 1, 32, 32))
    assert [s.name for s in stages] == [
        "input", "conv1 + ReLU", "max pool 2×2", "conv2 + ReLU", "max pool 2×2", "flatten",
        "fc1 + ReLU", "fc2 + ReLU", "fc3",
    ]
    layers = {"conv1": model.conv1, "conv2": model.conv2, "fc1": model.fc1, "fc2": model.fc2, "fc3": model.fc3}
    for stage in stages:
        layer = layers.get(stage.name.split(" ")[0])
        assert stage.params == (sum(p.numel() for p in layer.parameters()) if layer else 0), stage
    assert sum(s.params for s in stages) == sum(p.numel() for p in model.parameters()) == 61706


def test_a_changed_model_gives_a_changed_diagram():
    """Nothing is typed in: padding conv2 changes every shape after it, and fc1's parameters."""
    model = Net()
    model.conv2 = nn.Conv2d(6, 16, 5, padding=2)  # keeps 14 x 14: pooled to 7 x 7
    model.fc1 = nn.Linear(16 * 7 * 7, 120)
    stages = diagram.lenet_stages(model)
    assert [s.shape for s in stages] == by_hand(model, torch.zeros(1, 1, 32, 32))
    assert stages[4].shape == (16, 7, 7) and stages[5].shape == (784,)
    assert stages[6].params == 784 * 120 + 120


def test_the_figure_has_a_title_and_every_shape_and_count():
    fig = diagram.lenet_diagram()
    assert "LeNet" in fig._suptitle.get_text() and "61,706 parameters" in fig._suptitle.get_text()
    shown = texts(fig)
    for text in ("1 × 32 × 32", "6 × 28 × 28", "16 × 5 × 5", "400", "10", "48,120 params", "156 params"):
        assert text in shown, text
    bars = fig.axes[1]
    assert bars.get_ylabel() == "parameters" and bars.get_title()
    assert [round(p.get_height()) for p in bars.patches] == [0, 156, 0, 2416, 0, 0, 48120, 10164, 850]


def test_format_shape_and_the_fix_for_an_untraceable_model():
    assert diagram.format_shape((6, 28, 28)) == "6 × 28 × 28" and diagram.format_shape((400,)) == "400"

    class Branchy(nn.Module):
        def forward(self, x):
            return x if x.sum() > 0 else -x  # depends on the data: fx cannot trace it

    try:
        diagram.lenet_stages(Branchy())
    except TypeError as err:
        assert "Fix:" in str(err)
    else:
        raise AssertionError("expected a TypeError")


def test_the_default_diagram_draws_no_random_numbers():
    """Drawn in 02 before the layers are made: it must not change the weights they get."""
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    diagram.lenet_stages()
    assert torch.equal(torch.rand(3), expected)
