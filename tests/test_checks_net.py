"""checks.check_net (notebook 03): every listed mistake in a network is diagnosed, no correct variant is flagged.

The seed's network is ``course_utils.reference.Net`` itself. The learner's variants are built by
:func:`make_net` from the pieces a learner changes (the activation, the pooling, the flatten, what
follows fc1 or the output, a layer's size), so each one makes exactly one mistake (or uses one
other correct style). The classes written out below are the shapes that a forward pass with
swapped pieces cannot produce: ``nn.Sequential``, a missing ``super().__init__()``, unregistered
layers, a placeholder, a misspelled method, an error on a quoted line, and things that are not networks.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from learner_code import typed
from progress_sandbox import private_progress  # noqa: F401 (autouse: checks record into a temporary file)

from course_utils import checks, reference
from course_utils.checks import CORRECT, INCORRECT, NOT_ATTEMPTED


def assert_correct(result):
    assert result.status == CORRECT and result.passed, str(result)
    assert result.messages and not any(m.lower().startswith("note") for m in result.messages), str(result)


def same(x):
    return x


MAX_POOL_2 = partial(F.max_pool2d, kernel_size=2)
FLATTEN_1 = partial(torch.flatten, start_dim=1)


def make_net(*, act: Callable = F.relu, pool: Callable = MAX_POOL_2, flatten: Callable = FLATTEN_1,
             after_fc1: Callable = same, output: Callable = same, **layers: Callable[[], nn.Module]) -> type[nn.Module]:
    """A LeNet class whose forward uses the given pieces (the defaults are the seed's).

    ``layers`` replace the seed's layers of those names, e.g. ``fc1=partial(nn.Linear, 256, 120)``.
    """

    class Net(reference.Net):
        def __init__(self):
            super().__init__()
            for name, layer in layers.items():
                setattr(self, name, layer())

        def forward(self, x):
            for conv in (self.conv1, self.conv2):
                x = pool(act(conv(x)))
            x = after_fc1(act(self.fc1(flatten(x))))
            return output(self.fc3(act(self.fc2(x))))

    return Net


def printing(Net: type[nn.Module], text: str) -> type[nn.Module]:
    """``Net`` with a forward that prints ``text`` first."""

    class Loud(Net):
        def forward(self, x):
            print(text)
            return super().forward(x)

    return Loud


class SequentialNet(nn.Module):
    """nn.Sequential blocks with nn.Flatten and in-place ReLUs."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(inplace=True), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


class ViewBatchSizeNet(SequentialNet):
    """nn.Sequential blocks, flattened by hand with `x.view(x.size(0), -1)`."""

    def forward(self, x):
        x = self.features(x)
        return self.classifier[1:](x.view(x.size(0), -1))


CORRECT_NETS = {  # correct networks that differ from the course's only in style: no note, no message but "correct"
    "seed, typed": typed(reference.Net),
    "instance": typed(reference.Net)(),
    "builder's default": make_net(),
    "torch.relu+view(-1, 400)": make_net(act=torch.relu, flatten=lambda x: x.view(-1, 16 * 5 * 5)),
    "nn.ReLU+nn.MaxPool2d+view(size(0))": make_net(act=nn.ReLU(), pool=nn.MaxPool2d(2),
                                                   flatten=lambda x: x.view(x.size(0), -1)),
    "Sequential+Flatten": SequentialNet,
    "Sequential+view(x.size(0), -1)": ViewBatchSizeNet,
    "tensor methods": make_net(act=lambda x: x.relu(), flatten=lambda x: x.flatten(1)),
}


@pytest.mark.parametrize("net", CORRECT_NETS.values(), ids=CORRECT_NETS)
def test_correct_networks_pass(net):
    assert_correct(checks.check_net(net))


def test_an_instance_keeps_its_gradients_and_mode():
    net = typed(reference.Net)()
    net.eval()
    net(torch.randn(2, 1, 32, 32)).sum().backward()
    grads = [p.grad.clone() for p in net.parameters()]
    assert_correct(checks.check_net(net))
    assert not net.training and all(torch.equal(g, p.grad) for g, p in zip(grads, net.parameters()))


def test_network_prints_are_captured(capsys):
    result = checks.check_net(printing(make_net(act=nn.ReLU()), "shape before flatten"))
    assert_correct(result)
    assert "shape before flatten" in result.output
    assert "shape before flatten" not in capsys.readouterr().out


class SequentialSoftmax(SequentialNet):
    def __init__(self):
        super().__init__()
        self.classifier.append(nn.Softmax(dim=1))


class NoSuper(nn.Module):
    def __init__(self):
        self.conv1 = nn.Conv2d(1, 6, 5)  # raises: nn.Module is not set up yet


class PlainList(nn.Module):
    """The seed's forward, reading its layers from a plain list (so they are not registered)."""

    def __init__(self):
        super().__init__()
        self.layers = list(reference.Net().children())

    def __getattr__(self, name):
        names = ["conv1", "conv2", "fc1", "fc2", "fc3"]
        return self.layers[names.index(name)] if name in names else super().__getattr__(name)

    forward = reference.Net.forward


class LayersInForward(reference.Net):
    """fc3 is `nn.Linear(84, 10)` made anew at every call in forward: an unregistered layer."""

    def __init__(self):
        super().__init__()
        del self.fc3

    fc3 = property(lambda self: nn.Linear(84, 10))


FC1_256 = make_net(fc1=partial(nn.Linear, 16 * 4 * 4, 120))
LOG_SOFTMAX = make_net(output=partial(F.log_softmax, dim=1))
NOT_LENETS_FORWARD = {  # right layers, another computation
    "sigmoid": make_net(act=torch.sigmoid),
    "average pooling": make_net(pool=partial(F.avg_pool2d, kernel_size=2)),
    "dropout": make_net(after_fc1=partial(F.dropout, p=0.5)),
    "extra operation": make_net(output=lambda x: 2 * x),
}
NET_MISTAKES = {  # case -> (network, a word the message must contain)
    "fc1 in_features": (FC1_256, "400"),
    "flatten(x)": (make_net(flatten=torch.flatten), "flatten"),
    "view(1, -1)": (make_net(flatten=lambda x: x.view(1, -1)), "flatten"),
    "no relu": (make_net(act=same), "relu"),
    "relu on output": (make_net(output=F.relu), "logits"),
    "softmax on output": (make_net(output=partial(F.softmax, dim=1)), "logits"),
    "nn.Softmax in Sequential": (SequentialSoftmax, "logits"),
    "in_channels": (make_net(conv1=partial(nn.Conv2d, 3, 6, 5)), "in_channels"),
    "no super().__init__": (NoSuper, "super().__init__"),
    "plain list": (PlainList, "parameters"),
    "layer created in forward": (LayersInForward, "parameters"),
    "9 outputs": (make_net(fc3=partial(nn.Linear, 84, 9)), "10"),
    "sigmoid": (NOT_LENETS_FORWARD["sigmoid"], "sigmoid"),
    "average pooling": (NOT_LENETS_FORWARD["average pooling"], "avg_pool2d"),
    "dropout": (NOT_LENETS_FORWARD["dropout"], "dropout"),
    "extra operation": (NOT_LENETS_FORWARD["extra operation"], "line by line"),
    "log_softmax on output": (LOG_SOFTMAX, "log_softmax"),
    "F.softmax(x) without dim (old form)": (make_net(output=F.softmax), "name the dimension of the classes"),
    **{f"28x28 recipe: conv1 padding={padding!r}, fc1 {fc1}": (
        make_net(conv1=partial(nn.Conv2d, 1, 6, 5, padding=padding), fc1=partial(nn.Linear, fc1, 120)),
        "the first linear layer receives 576 features per image, more than LeNet's sizes give. Remove the "
        "padding from the first convolution",
    ) for padding in (2, (2, 2), "same") for fc1 in (400, 576)},
}


@pytest.mark.parametrize("net, keyword", NET_MISTAKES.values(), ids=NET_MISTAKES)
def test_network_mistakes_are_diagnosed(net, keyword):
    result = checks.check_net(net)
    assert result.status == INCORRECT and keyword.lower() in " ".join(result.messages).lower(), str(result)


@pytest.mark.parametrize("case", [case for case in NET_MISTAKES if case.startswith("28x28")])
def test_padding_for_28x28_is_named_not_the_kernel_sizes(case):
    result = checks.check_net(NET_MISTAKES[case][0])
    text = " ".join(result.messages)
    assert "28\u00d728 input" in text and "transforms.Pad(2)" in text, text
    assert "kernel sizes" not in text and "layers_differ" not in text and "LeNet's layers" not in text, text


def test_fc1_message_names_the_mistake_and_keeps_the_answer_for_the_hints():
    result = checks.check_net(FC1_256)
    text = " ".join(result.messages)
    assert "expects in_features=256 but receives 400" in text and "after the last pooling" in text, text
    assert "16 * 5 * 5" not in text and "nn.Linear(" not in text, text
    assert result.keys == ["fc1_in_features"]


@pytest.mark.parametrize("net", NOT_LENETS_FORWARD.values(), ids=NOT_LENETS_FORWARD)
def test_net_messages_name_lenet_not_the_seed(net):
    text = " ".join(checks.check_net(net).messages)
    assert "seed" not in text and "LeNet's forward (notebook 03)" in text, text


def test_log_softmax_is_named_not_an_extra_operation():
    text = " ".join(checks.check_net(LOG_SOFTMAX).messages)
    assert "raw logits" in text and "extra operation" not in text


def test_plain_list_message_names_the_attribute():
    assert "self.layers" in " ".join(checks.check_net(PlainList).messages)


class NetTodo(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)

    def forward(self, input):
        # YOUR CODE HERE
        raise NotImplementedError


class InitTodo(nn.Module):
    def __init__(self):
        # YOUR CODE HERE
        raise NotImplementedError


class OnlyInit(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(1024, 10)


@pytest.mark.parametrize("net", [None, NetTodo, InitTodo, OnlyInit], ids=["None", "forward", "__init__", "no forward"])
def test_network_not_attempted(net):
    result = checks.check_net(net)
    assert result.status == NOT_ATTEMPTED and not result.passed, str(result)
    assert result.messages


class Misspelled(OnlyInit):
    def foward(self, x):
        return self.fc(x.flatten(1))


class NameErrorNet(reference.Net):
    def forward(self, input):
        return self.fc3(undefined_name)  # noqa: F821 - the learner's mistake


class NeedsArgument(reference.Net):
    def __init__(self, width):
        super().__init__()


class NotAModule:
    def __call__(self, x):
        return x


def test_network_exceptions_are_explained():
    result = checks.check_net(NameErrorNet)
    assert result.status == INCORRECT
    text = " ".join(result.messages)
    assert "NameError" in text and "undefined_name" in text and "Hint:" in text
    assert "self.fc3(undefined_name)" in text  # the learner's line is quoted

    text = " ".join(checks.check_net(NeedsArgument).messages)
    assert "TypeError" in text and "Hint:" in text


@pytest.mark.parametrize(
    "net, words",
    [(Misspelled, "forward"), (make_net(output=lambda x: None), "return output"), (NotAModule, "nn.Module"),
     (42, "class Net")],
    ids=["misspelled forward", "returns None", "not a Module", "not a class"],
)
def test_other_network_mistakes(net, words):
    result = checks.check_net(net)
    assert result.status == INCORRECT and words in " ".join(result.messages), str(result)


def test_bias_free_layers_are_still_lenet():
    """The reference computation carries the learner's weights, with no bias where a layer has none."""
    assert_correct(checks.check_net(make_net(conv2=partial(nn.Conv2d, 6, 16, 5, bias=False),
                                             fc1=partial(nn.Linear, 400, 120, bias=False))))


@pytest.mark.parametrize("layers, first", [
    ({"conv1": partial(nn.Conv2d, 1, 8, 5), "conv2": partial(nn.Conv2d, 8, 16, 5)}, "layer 1, conv2d (8, 1, 5, 5) ("),
    ({"fc1": partial(nn.Linear, 400, 100), "fc2": partial(nn.Linear, 100, 84)}, "layer 3, linear (100, 400) ("),
], ids=["conv1 with 8 maps", "fc1 with 100 units"])
def test_a_wrong_width_names_the_whole_layer(layers, first):
    """The first layer that differs is named whole (its shape has commas of its own), then every layer."""
    result = checks.check_net(make_net(**layers))
    text = " ".join(result.messages)
    assert result.status == INCORRECT and result.keys == ["layers_differ"], str(result)
    assert f"the first that differs is {first}weight shapes: conv2d (" in text, text
    assert text.count("linear (") == 3 + first.count("linear ("), text  # all five layers listed once, plus the first
