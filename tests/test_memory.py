"""``course_utils.explore.saved_bytes``: what autograd keeps for backward, as notebook 06 measures it."""

import torch
from torch import nn

from course_utils.explore import saved_bytes


def test_a_linear_layer_saves_its_input_for_the_weight_gradient():
    X = torch.randn(5, 4)  # 20 float32 values: 80 bytes
    assert saved_bytes(nn.Linear(4, 3), X) == X.numel() * X.element_size() == 80


def test_each_saved_tensor_is_counted_once_and_relu_keeps_its_output():
    X = torch.randn(5, 4)
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.ReLU())  # the second ReLU saves its own output
    # the input (5 x 4), the first ReLU's output (5 x 3) and the second's (5 x 3), float32
    assert saved_bytes(model, X) == 4 * (20 + 15 + 15)


def test_no_grad_saves_nothing():
    with torch.no_grad():
        assert saved_bytes(nn.Sequential(nn.Linear(4, 3), nn.ReLU()), torch.randn(5, 4)) == 0
