"""course_utils.checks: every listed mistake is diagnosed, and no correct variant is flagged.

Each broken implementation below makes exactly one mistake from issue 5's lists and must come
back "incorrect" with the issue's keyword in a message (case-insensitive). Each correct variant
must come back "correct". The checks are cheap by construction (a batch of 3 images for the
network, 3 batches of 20 images for the training loop, 9 images for the test loop, no dataset),
so no test times them: the repository keeps timings out of tests (see ``make bench``).
"""

from __future__ import annotations

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from course_utils import checks
from course_utils.checks import CORRECT, INCORRECT, NOT_ATTEMPTED

# a notebook-style global: the learner's loops below read it, as they do in the notebooks
device = torch.device("cpu")


def assert_diagnosed(result, keyword):
    assert result.status == INCORRECT, str(result)
    assert not result.passed
    text = " ".join(result.messages).lower()
    assert keyword.lower() in text, f"expected {keyword!r} in:\n{result}"


def assert_correct(result):
    assert result.status == CORRECT, str(result)
    assert result.passed
    assert result.messages and not any(m.lower().startswith("note") for m in result.messages), str(result)


# =========================================================================== networks


class SeedNet(nn.Module):
    """The seed's network, exactly."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, input):
        c1 = F.relu(self.conv1(input))
        s2 = F.max_pool2d(c1, (2, 2))
        c3 = F.relu(self.conv2(s2))
        s4 = F.max_pool2d(c3, 2)
        s4 = torch.flatten(s4, 1)
        f5 = F.relu(self.fc1(s4))
        f6 = F.relu(self.fc2(f5))
        output = self.fc3(f6)
        return output


class TorchReluViewNet(SeedNet):
    """torch.relu and x.view(-1, 16*5*5)."""

    def forward(self, x):
        x = F.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = F.max_pool2d(torch.relu(self.conv2(x)), 2)
        x = x.view(-1, 16 * 5 * 5)
        x = torch.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        return self.fc3(x)


class ModuleReluNet(nn.Module):
    """nn.ReLU modules, nn.MaxPool2d, x.view(x.size(0), -1), and a print in forward."""

    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 6, 5), nn.Conv2d(6, 16, 5)
        self.fc1, self.fc2, self.fc3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)
        self.relu = nn.ReLU()
        self.pool = nn.MaxPool2d(2)

    def forward(self, x):
        x = self.pool(self.relu(self.conv1(x)))
        x = self.pool(self.relu(self.conv2(x)))
        print("shape before flatten:", tuple(x.shape))
        x = x.view(x.size(0), -1)
        return self.fc3(self.relu(self.fc2(self.relu(self.fc1(x)))))


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


class TensorMethodNet(SeedNet):
    """Tensor methods: x.relu(), x.flatten(1)."""

    def forward(self, x):
        x = F.max_pool2d(self.conv1(x).relu(), 2)
        x = F.max_pool2d(self.conv2(x).relu(), 2).flatten(1)
        return self.fc3(self.fc2(self.fc1(x).relu()).relu())


@pytest.mark.parametrize(
    "net",
    [SeedNet, TorchReluViewNet, ModuleReluNet, SequentialNet, TensorMethodNet, SeedNet()],
    ids=["seed", "torch.relu+view", "nn.ReLU+view(size(0))", "Sequential+Flatten", "tensor-methods", "instance"],
)
def test_correct_networks_pass(net):
    assert_correct(checks.check_net(net))


def test_an_instance_keeps_its_gradients_and_mode():
    net = SeedNet()
    net.eval()
    net(torch.randn(2, 1, 32, 32)).sum().backward()
    grads = [p.grad.clone() for p in net.parameters()]
    assert_correct(checks.check_net(net))
    assert not net.training and all(torch.equal(g, p.grad) for g, p in zip(grads, net.parameters()))


def test_network_prints_are_captured(capsys):
    result = checks.check_net(ModuleReluNet)
    assert_correct(result)
    assert "shape before flatten" in result.output
    assert "shape before flatten" not in capsys.readouterr().out


class WrongInFeatures(SeedNet):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(16 * 4 * 4, 120)


class FlattenAll(SeedNet):
    def forward(self, input):
        s2 = F.max_pool2d(F.relu(self.conv1(input)), 2)
        s4 = F.max_pool2d(F.relu(self.conv2(s2)), 2)
        s4 = torch.flatten(s4)  # swallows the batch dimension
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(s4)))))


class ViewOneRow(SeedNet):
    def forward(self, input):
        s2 = F.max_pool2d(F.relu(self.conv1(input)), 2)
        s4 = F.max_pool2d(F.relu(self.conv2(s2)), 2)
        s4 = s4.view(1, -1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(s4)))))


class NoRelu(SeedNet):
    def forward(self, input):
        s2 = F.max_pool2d(self.conv1(input), 2)
        s4 = F.max_pool2d(self.conv2(s2), 2)
        return self.fc3(self.fc2(self.fc1(torch.flatten(s4, 1))))


class ReluOnOutput(SeedNet):
    def forward(self, input):
        return F.relu(super().forward(input))


class SoftmaxOnOutput(SeedNet):
    def forward(self, input):
        return F.softmax(super().forward(input), dim=1)


class SequentialSoftmax(SequentialNet):
    def __init__(self):
        super().__init__()
        self.classifier.append(nn.Softmax(dim=1))


class ThreeChannels(SeedNet):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)


class NoSuper(nn.Module):
    def __init__(self):
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    forward = SeedNet.forward


class PlainList(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = [nn.Conv2d(1, 6, 5), nn.Conv2d(6, 16, 5), nn.Linear(400, 120), nn.Linear(120, 84),
                       nn.Linear(84, 10)]

    def forward(self, x):
        c1, c2, f1, f2, f3 = self.layers
        x = F.max_pool2d(F.relu(c1(x)), 2)
        x = F.max_pool2d(F.relu(c2(x)), 2)
        return f3(F.relu(f2(F.relu(f1(torch.flatten(x, 1))))))


class LayersInForward(SeedNet):
    def __init__(self):
        super().__init__()
        del self.fc3

    def forward(self, input):
        s2 = F.max_pool2d(F.relu(self.conv1(input)), 2)
        s4 = F.max_pool2d(F.relu(self.conv2(s2)), 2)
        f6 = F.relu(self.fc2(F.relu(self.fc1(torch.flatten(s4, 1)))))
        return nn.Linear(84, 10)(f6)  # a new, unregistered layer at every call


class NineOutputs(SeedNet):
    def __init__(self):
        super().__init__()
        self.fc3 = nn.Linear(84, 9)


class SigmoidNet(SeedNet):
    """Right shapes, wrong activation."""

    def forward(self, input):
        s2 = F.max_pool2d(torch.sigmoid(self.conv1(input)), 2)
        s4 = F.max_pool2d(torch.sigmoid(self.conv2(s2)), 2)
        return self.fc3(torch.sigmoid(self.fc2(torch.sigmoid(self.fc1(torch.flatten(s4, 1))))))


class AvgPoolNet(SeedNet):
    """Right shapes, average pooling."""

    def forward(self, input):
        s2 = F.avg_pool2d(F.relu(self.conv1(input)), 2)
        s4 = F.avg_pool2d(F.relu(self.conv2(s2)), 2)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(torch.flatten(s4, 1))))))


class DropoutNet(SeedNet):
    """Right shapes, an extra dropout."""

    def forward(self, input):
        s2 = F.max_pool2d(F.relu(self.conv1(input)), 2)
        s4 = F.max_pool2d(F.relu(self.conv2(s2)), 2)
        f5 = F.dropout(F.relu(self.fc1(torch.flatten(s4, 1))), 0.5, self.training)
        return self.fc3(F.relu(self.fc2(f5)))


class LogSoftmaxOnOutput(SeedNet):
    """The learner's `output = F.log_softmax(self.fc3(f6), dim=1)`."""

    def forward(self, input):
        s2 = F.max_pool2d(F.relu(self.conv1(input)), 2)
        s4 = F.max_pool2d(F.relu(self.conv2(s2)), 2)
        f6 = F.relu(self.fc2(F.relu(self.fc1(torch.flatten(s4, 1)))))
        output = F.log_softmax(self.fc3(f6), dim=1)
        return output


class DoubledNet(SeedNet):
    """Right shapes and operations, one extra arithmetic step."""

    def forward(self, input):
        return 2 * super().forward(input)


NET_MISTAKES = {
    "fc1 in_features": (WrongInFeatures, "400"),
    "flatten(x)": (FlattenAll, "flatten"),
    "view(1, -1)": (ViewOneRow, "flatten"),
    "no relu": (NoRelu, "relu"),
    "relu on output": (ReluOnOutput, "logits"),
    "softmax on output": (SoftmaxOnOutput, "logits"),
    "nn.Softmax in Sequential": (SequentialSoftmax, "logits"),
    "in_channels": (ThreeChannels, "in_channels"),
    "no super().__init__": (NoSuper, "super().__init__"),
    "plain list": (PlainList, "parameters"),
    "layer created in forward": (LayersInForward, "parameters"),
    "9 outputs": (NineOutputs, "10"),
    "sigmoid": (SigmoidNet, "sigmoid"),
    "average pooling": (AvgPoolNet, "avg_pool2d"),
    "dropout": (DropoutNet, "dropout"),
    "extra operation": (DoubledNet, "line by line"),
    "log_softmax on output": (LogSoftmaxOnOutput, "log_softmax"),
}


@pytest.mark.parametrize("case", list(NET_MISTAKES), ids=list(NET_MISTAKES))
def test_network_mistakes_are_diagnosed(case):
    net, keyword = NET_MISTAKES[case]
    assert_diagnosed(checks.check_net(net), keyword)


def test_fc1_message_explains_16_5_5():
    result = checks.check_net(WrongInFeatures)
    assert "16 \u00d7 5 \u00d7 5 = 400" in " ".join(result.messages)


def test_net_messages_name_lenet_not_the_seed():
    for net in (DoubledNet, DropoutNet, AvgPoolNet):
        text = " ".join(checks.check_net(net).messages)
        assert "seed" not in text and "LeNet's forward (notebook 03)" in text, text
    text = " ".join(checks.check_net(LogSoftmaxOnOutput).messages)
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


class NameErrorNet(SeedNet):
    def forward(self, input):
        return self.fc3(undefined_name)  # noqa: F821 - the learner's mistake


class ReturnsNothing(SeedNet):
    def forward(self, input):
        super().forward(input)


class NeedsArgument(SeedNet):
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
    [(Misspelled, "forward"), (ReturnsNothing, "return output"), (NotAModule, "nn.Module"), (42, "class Net")],
    ids=["misspelled forward", "returns None", "not a Module", "not a class"],
)
def test_other_network_mistakes(net, words):
    result = checks.check_net(net)
    assert result.status == INCORRECT and words in " ".join(result.messages), str(result)


# =========================================================================== training loops


def train_quickstart(dataloader, model, loss_fn, optimizer):
    """PyTorch Quickstart's train: model.train() first, zero_grad after step, prints, global device."""
    size = len(dataloader.dataset)
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        X, y = X.to(device), y.to(device)
        pred = model(X)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if batch % 100 == 0:
            loss, current = loss.item(), (batch + 1) * len(X)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")


def train_seed(dataloader, model, loss_fn, optimizer):
    """The seed's five steps, zero_grad first, returning the average loss."""
    model.train()
    total = 0.0
    for X, y in dataloader:
        X, y = X.to(device), y.to(device)
        optimizer.zero_grad()  # step 1
        pred = model(X)  # step 2
        loss = loss_fn(pred, y)  # step 3
        loss.backward()  # step 4
        optimizer.step()  # step 5
        total += loss.item()
    return total / len(dataloader)


def train_model_zero_grad(dataloader, model, loss_fn, optimizer):
    model.train()
    for X, y in dataloader:
        model.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()


def train_set_to_none_false(dataloader, model, loss_fn, optimizer):
    model.train()
    running = 0.0
    for X, y in dataloader:
        pred = model(X)
        loss = loss_fn(pred, y)
        optimizer.zero_grad(set_to_none=False)  # after the forward pass, before backward: fine
        loss.backward()
        optimizer.step()
        running += loss.item() * len(X)
        print(f"batch loss {loss:>7f}")  # formatting the tensor itself also works
    print(f"epoch loss: {running / len(dataloader.dataset):.4f}")


def train_detached_sum(dataloader, model, loss_fn, optimizer):
    model.train()
    total = torch.zeros(())
    for X, y in dataloader:
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        total += loss.detach()  # no graph kept: fine
    return total.item() / len(dataloader)


def train_clipped(dataloader, model, loss_fn, optimizer):
    """Gradient clipping changes the gradients between backward and step: still fresh ones."""
    model.train()
    for X, y in dataloader:
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(X), y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.01)
        optimizer.step()


def train_l2_penalty(dataloader, model, loss_fn, optimizer):
    """Arithmetic on this batch's loss (a weight penalty, a weighted sum) is not accumulation."""
    model.train()
    for X, y in dataloader:
        optimizer.zero_grad()
        pred = model(X)
        penalty = sum(p.pow(2).sum() for p in model.parameters())
        loss = 0.5 * loss_fn(pred, y) + 0.5 * loss_fn(pred, y) + 1e-6 * penalty
        loss.backward()
        optimizer.step()


CORRECT_TRAINS = [train_quickstart, train_seed, train_model_zero_grad, train_set_to_none_false, train_detached_sum,
                  train_clipped, train_l2_penalty]


@pytest.mark.parametrize("train", CORRECT_TRAINS, ids=lambda f: f.__name__)
def test_correct_training_loops_pass(train):
    assert_correct(checks.check_train(train))


def test_training_prints_are_captured(capsys):
    result = checks.check_train(train_quickstart)
    assert "loss:" in result.output and "loss:" in str(result)
    assert capsys.readouterr().out == ""


def train_no_zero_grad(dataloader, model, loss_fn, optimizer):
    model.train()
    for X, y in dataloader:
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()


def train_zero_grad_between(dataloader, model, loss_fn, optimizer):
    model.train()
    for X, y in dataloader:
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.zero_grad()
        optimizer.step()


def train_no_backward(dataloader, model, loss_fn, optimizer):
    model.train()
    for X, y in dataloader:
        optimizer.zero_grad()
        loss_fn(model(X), y)
        optimizer.step()


def train_no_step(dataloader, model, loss_fn, optimizer):
    model.train()
    for X, y in dataloader:
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()


def train_step_before_backward(dataloader, model, loss_fn, optimizer):
    model.train()
    for X, y in dataloader:
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        optimizer.step()
        loss.backward()


def train_step_before_backward_no_zero(dataloader, model, loss_fn, optimizer):
    model.train()
    for X, y in dataloader:
        loss = loss_fn(model(X), y)
        optimizer.step()
        loss.backward()


def train_swapped_loss(dataloader, model, loss_fn, optimizer):
    model.train()
    for X, y in dataloader:
        optimizer.zero_grad()
        pred = model(X)
        loss = loss_fn(y, pred)
        loss.backward()
        optimizer.step()


def train_sums_tensors(dataloader, model, loss_fn, optimizer):
    model.train()
    running_loss = 0
    for X, y in dataloader:
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        running_loss += loss
    print(f"avg loss: {running_loss / len(dataloader):>7f}")


def train_list_of_losses(dataloader, model, loss_fn, optimizer):
    model.train()
    losses = []
    for X, y in dataloader:
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss)
    return torch.stack(losses).mean()


def train_without_train_mode(dataloader, model, loss_fn, optimizer):
    for X, y in dataloader:
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()


def train_own_optimizer(dataloader, model, loss_fn, optimizer):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)  # hides the one passed in
    model.train()
    for X, y in dataloader:
        optimizer.zero_grad()
        loss_fn(model(X), y).backward()
        optimizer.step()


def train_returns_loss_tensors(dataloader, model, loss_fn, optimizer):
    model.train()
    losses = []
    for X, y in dataloader:
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss)  # tensors: each keeps its graph
    return losses


def train_backward_step_after_loop(dataloader, model, loss_fn, optimizer):
    """The indentation slip: backward and step run once, after the loop."""
    model.train()
    for X, y in dataloader:
        X, y = X.to(device), y.to(device)
        optimizer.zero_grad()
        pred = model(X)
        loss = loss_fn(pred, y)
    loss.backward()
    optimizer.step()


def train_step_after_loop(dataloader, model, loss_fn, optimizer):
    model.train()
    for X, y in dataloader:
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
    optimizer.step()


def train_all_three_after_loop(dataloader, model, loss_fn, optimizer):
    model.train()
    for X, y in dataloader:
        pred = model(X)
        loss = loss_fn(pred, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


def train_softmax_before_loss(dataloader, model, loss_fn, optimizer):
    model.train()
    for X, y in dataloader:
        optimizer.zero_grad()
        pred = F.softmax(model(X), dim=1)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()


def train_step_twice(dataloader, model, loss_fn, optimizer):
    model.train()
    for X, y in dataloader:
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.step()


def train_zero_grad_before_loop(dataloader, model, loss_fn, optimizer):
    model.train()
    optimizer.zero_grad()
    for X, y in dataloader:
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()


def train_backward_twice(dataloader, model, loss_fn, optimizer):
    model.train()
    for X, y in dataloader:
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward(retain_graph=True)
        loss.backward()
        optimizer.step()


def train_returns_last_loss_tensor(dataloader, model, loss_fn, optimizer):
    model.train()
    for X, y in dataloader:
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
    return loss


def train_no_parentheses(dataloader, model, loss_fn, optimizer):
    model.train  # noqa: B018 - the learner's mistake
    for X, y in dataloader:
        optimizer.zero_grad  # noqa: B018 - the learner's mistake
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()


def train_backward_no_parentheses(dataloader, model, loss_fn, optimizer):
    model.train()
    for X, y in dataloader:
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward  # noqa: B018 - the learner's mistake
        optimizer.step()


TRAIN_MISTAKES = {
    "no zero_grad": (train_no_zero_grad, "zero_grad"),
    "zero_grad between backward and step": (train_zero_grad_between, "zero_grad"),
    "no backward": (train_no_backward, "backward"),
    "no step": (train_no_step, "step"),
    "step before backward": (train_step_before_backward, "step"),
    "step before backward, no zero_grad": (train_step_before_backward_no_zero, "step"),
    "loss_fn(y, pred)": (train_swapped_loss, "loss_fn(pred, y)"),
    "running_loss += loss": (train_sums_tensors, "item"),
    "stack a list of losses": (train_list_of_losses, "item"),
    "no model.train()": (train_without_train_mode, "train()"),
    "a new optimizer inside train": (train_own_optimizer, "step"),
    "returns a list of loss tensors": (train_returns_loss_tensors, "item"),
    "backward and step after the loop": (
        train_backward_step_after_loop,
        "loss.backward() ran 1 time and optimizer.step() ran 1 time for 3 batches: both belong inside the loop",
    ),
    "step after the loop": (
        train_step_after_loop, "loss.backward() ran 3 times and optimizer.step() ran 1 time for 3 batches",
    ),
    "all three after the loop": (
        train_all_three_after_loop, "optimizer.zero_grad() ran 1 time, loss.backward() ran 1 time and",
    ),
    "softmax before the loss": (train_softmax_before_loss, "raw logits"),
    "step twice": (train_step_twice, "optimizer.step() runs twice per batch"),
    "zero_grad before the loop": (
        train_zero_grad_before_loop, "optimizer.zero_grad() ran 1 time for 3 batches: move it inside the loop",
    ),
    "backward twice": (train_backward_twice, "loss.backward() runs twice per batch, so the gradients are doubled"),
    "returns the last loss tensor": (train_returns_last_loss_tensor, "return loss.item() (a number), not the tensor"),
    "model.train, optimizer.zero_grad without ()": (
        train_no_parentheses, "`model.train` and `optimizer.zero_grad` alone do nothing",
    ),
    "loss.backward without ()": (train_backward_no_parentheses, "note the parentheses: `loss.backward` alone"),
}


@pytest.mark.parametrize("case", list(TRAIN_MISTAKES), ids=list(TRAIN_MISTAKES))
def test_training_mistakes_are_diagnosed(case):
    train, keyword = TRAIN_MISTAKES[case]
    assert_diagnosed(checks.check_train(train), keyword)


WRONG_CAUSES = {  # mistakes that used to get another mistake's message
    "step twice": (train_step_twice, "runs before loss.backward()"),
    "zero_grad before the loop": (train_zero_grad_before_loop, "never reset"),
    "backward twice": (train_backward_twice, "never reset"),
    "returns the last loss tensor": (train_returns_last_loss_tensor, "added up"),
}


@pytest.mark.parametrize("case", list(WRONG_CAUSES), ids=list(WRONG_CAUSES))
def test_training_mistakes_get_their_own_message(case):
    train, wrong = WRONG_CAUSES[case]
    result = checks.check_train(train)
    assert wrong not in " ".join(result.messages), str(result)
    assert len(result.messages) == 1, str(result)


@pytest.mark.parametrize("train", CORRECT_TRAINS, ids=lambda f: f.__name__)
def test_training_success_message_matches_what_ran(train):
    text = checks.check_train(train).messages[0]
    assert "on 3 batches" in text and "zero_grad" in text and "backward" in text and "step" in text


def test_training_message_shows_the_order_seen():
    text = " ".join(checks.check_train(train_step_before_backward).messages)
    assert "zero_grad \u2192 forward \u2192 loss \u2192 step \u2192 backward" in text


def train_todo(dataloader, model, loss_fn, optimizer):
    """A fill-in exercise as generated: the key lines replaced."""
    model.train()
    for X, y in dataloader:
        X, y = X.to(device), y.to(device)
        # YOUR CODE HERE
        raise NotImplementedError


@pytest.mark.parametrize("train", [None, train_todo], ids=["None", "raise NotImplementedError"])
def test_training_not_attempted(train):
    result = checks.check_train(train)
    assert result.status == NOT_ATTEMPTED and not result.passed, str(result)


def train_item_too_early(dataloader, model, loss_fn, optimizer):
    model.train()
    for X, y in dataloader:
        optimizer.zero_grad()
        loss = loss_fn(model(X), y).item()
        loss.backward()
        optimizer.step()


def test_training_exception_is_explained():
    result = checks.check_train(train_item_too_early)
    assert result.status == INCORRECT
    text = " ".join(result.messages)
    assert "AttributeError" in text and "'float' object has no attribute 'backward'" in text
    assert "Hint:" in text and "loss.backward()" in text


def _without_device(source: str, name: str):
    """Define a function the way a notebook cell would, in a namespace with no `device`."""
    namespace = {"torch": torch}
    exec(compile(source, "<notebook cell>", "exec"), namespace)
    return namespace[name], namespace


TRAIN_NEEDS_DEVICE = """
def train(dataloader, model, loss_fn, optimizer):
    model.train()
    for X, y in dataloader:
        X, y = X.to(device), y.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
"""


def test_missing_global_device_is_reported_not_fatal():
    train, namespace = _without_device(TRAIN_NEEDS_DEVICE, "train")
    result = checks.check_train(train)
    assert result.status == CORRECT, str(result)  # the loop itself is right
    note = " ".join(result.messages)
    assert "`device`" in note and "device = info.device" in note
    assert "device" not in namespace  # the learner's notebook is left alone


def test_global_device_is_not_touched():
    assert_correct(checks.check_train(train_quickstart))
    assert device == torch.device("cpu") and globals()["device"] is device


def test_attribute_named_device_is_not_a_global():
    def train(dataloader, model, loss_fn, optimizer):
        model.train()
        for X, y in dataloader:
            X = X.to(next(model.parameters()).device)
            optimizer.zero_grad()
            loss_fn(model(X), y).backward()
            optimizer.step()

    assert_correct(checks.check_train(train))


# =========================================================================== test loops


def test_quickstart(dataloader, model, loss_fn):
    """PyTorch Quickstart's test, returning its two numbers (as the seed does)."""
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    print(f"Test Error: \n Accuracy: {(100 * correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")
    return test_loss, correct


def test_inference_mode_per_sample(dataloader, model, loss_fn):
    """inference_mode, loss averaged per sample, accuracy via .float().mean() weighted by batch size."""
    model.eval()
    total_loss, total_acc, seen = 0.0, 0.0, 0
    with torch.inference_mode():
        for X, y in dataloader:
            pred = model(X)
            total_loss += loss_fn(pred, y).item() * len(X)
            total_acc += (pred.argmax(dim=1) == y).float().mean().item() * len(X)
            seen += len(X)
    return total_loss / seen, total_acc / seen


def test_torch_max(dataloader, model, loss_fn):
    """torch.max(pred, 1) for the classes, a list, and no prints."""
    model.eval()
    losses, right = [], 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            losses.append(loss_fn(pred, y).item())
            _, predicted = torch.max(pred, 1)
            right += (predicted == y).sum().item()
    return sum(losses) / len(losses), right / len(dataloader.dataset)


# pytest would collect functions named test_*: give the learner's functions other names
learner_test_quickstart = test_quickstart
learner_test_inference = test_inference_mode_per_sample
learner_test_max = test_torch_max
del test_quickstart, test_inference_mode_per_sample, test_torch_max

CORRECT_TESTS = [learner_test_quickstart, learner_test_inference, learner_test_max]


@pytest.mark.parametrize("test", CORRECT_TESTS, ids=["quickstart", "inference_mode per sample", "torch.max"])
def test_correct_test_loops_pass(test):
    assert_correct(checks.check_test(test))


def test_test_loop_prints_are_captured(capsys):
    result = checks.check_test(learner_test_quickstart)
    assert "Accuracy: 55.6%" in result.output
    assert capsys.readouterr().out == ""


def make_test(*, eval_mode=True, no_grad=True, dim=1, acc_denominator="size", item=True, average=True,
              percent=False, mean_of_batches=False):
    """A Quickstart-shaped test with exactly the mistakes asked for."""

    def test(dataloader, model, loss_fn):
        size, num_batches = len(dataloader.dataset), len(dataloader)
        if eval_mode:
            model.eval()
        test_loss, correct, accs = 0, 0, []
        context = torch.no_grad() if no_grad else torch.enable_grad()
        with context:
            for X, y in dataloader:
                pred = model(X)
                loss = loss_fn(pred, y)
                right = (pred.argmax(dim) == y).type(torch.float).sum()
                test_loss += loss.item() if item else loss
                correct += right.item() if item else right
                accs.append(right.item() / len(X))
        if average:
            test_loss /= num_batches
        if mean_of_batches:
            correct = sum(accs) / len(accs)
        else:
            correct /= {"size": size, "batches": num_batches}[acc_denominator]
        if percent:
            correct *= 100
        return test_loss, correct

    return test


def test_argmax_no_dim(dataloader, model, loss_fn):
    model.eval()
    loss, right = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            loss += loss_fn(pred, y).item()
            right += (pred.argmax() == y).sum().item()
    return loss / len(dataloader), right / len(dataloader.dataset)


def test_returns_inside_loop(dataloader, model, loss_fn):
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
            return test_loss / len(dataloader), correct / len(dataloader.dataset)


def test_breaks_inside_loop(dataloader, model, loss_fn):
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
            break
    return test_loss / len(dataloader), correct / len(dataloader.dataset)


def test_eval_no_parentheses(dataloader, model, loss_fn):
    model.eval  # noqa: B018 - the learner's mistake
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    return test_loss / len(dataloader), correct / len(dataloader.dataset)


def test_softmax_before_loss(dataloader, model, loss_fn):
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X).softmax(1)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    return test_loss / len(dataloader), correct / len(dataloader.dataset)


learner_test_argmax_no_dim = test_argmax_no_dim
learner_test_returns_inside_loop = test_returns_inside_loop
learner_test_breaks_inside_loop = test_breaks_inside_loop
learner_test_eval_no_parentheses = test_eval_no_parentheses
learner_test_softmax_before_loss = test_softmax_before_loss
del test_argmax_no_dim, test_returns_inside_loop, test_breaks_inside_loop, test_eval_no_parentheses
del test_softmax_before_loss

TEST_MISTAKES = {
    "no no_grad": (make_test(no_grad=False), "no_grad"),
    "no eval": (make_test(eval_mode=False), "eval"),
    "argmax(0)": (make_test(dim=0), "argmax"),
    "argmax()": (learner_test_argmax_no_dim, "argmax"),
    "accuracy / batches": (make_test(acc_denominator="batches"), "accuracy"),
    "mean of batch accuracies": (make_test(mean_of_batches=True), "accuracy"),
    "tensors returned": (make_test(item=False), "item"),
    "loss never averaged": (make_test(average=False), "average"),
    "percent": (make_test(percent=True), "fraction"),
    "return inside the loop": (learner_test_returns_inside_loop, "the loop used only 1 of the 3 batches"),
    "break inside the loop": (learner_test_breaks_inside_loop, "the loop used only 1 of the 3 batches"),
    "model.eval without ()": (learner_test_eval_no_parentheses, "note the parentheses: `model.eval` alone"),
    "softmax before the loss": (learner_test_softmax_before_loss, "raw logits"),
}


@pytest.mark.parametrize("case", list(TEST_MISTAKES), ids=list(TEST_MISTAKES))
def test_test_loop_mistakes_are_diagnosed(case):
    test, keyword = TEST_MISTAKES[case]
    assert_diagnosed(checks.check_test(test), keyword)


def test_make_test_without_mistakes_passes():
    assert_correct(checks.check_test(make_test()))


def test_test_loop_that_only_prints_is_incorrect():
    def test(dataloader, model, loss_fn):
        learner_test_quickstart(dataloader, model, loss_fn)  # prints, returns nothing here

    result = checks.check_test(test)
    assert result.status == INCORRECT and "return" in " ".join(result.messages)


def test_test_loop_swapped_loss_args():
    def test(dataloader, model, loss_fn):
        model.eval()
        loss, right = 0.0, 0.0
        with torch.no_grad():
            for X, y in dataloader:
                pred = model(X)
                loss += loss_fn(y, pred).item()
                right += (pred.argmax(1) == y).sum().item()
        return loss / len(dataloader), right / len(dataloader.dataset)

    assert_diagnosed(checks.check_test(test), "loss_fn(pred, y)")


def test_test_loop_not_attempted():
    def test(dataloader, model, loss_fn):
        model.eval()
        # YOUR CODE HERE
        raise NotImplementedError

    for learner in (None, test):
        result = checks.check_test(learner)
        assert result.status == NOT_ATTEMPTED and not result.passed, str(result)


def test_test_loop_exception_is_explained():
    def test(dataloader, model, loss_fn):
        model.eval()
        with torch.no_grad():
            for X in dataloader:
                model(X)  # X is the (X, y) pair: the model gets a tuple
        return 0.0, 0.0

    result = checks.check_test(test)
    text = " ".join(result.messages)
    assert result.status == INCORRECT and "Hint:" in text and "Error" in text


def test_integer_count(dataloader, model, loss_fn):
    size = len(dataloader.dataset)
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).sum()
    test_loss /= len(dataloader)
    correct /= size
    return test_loss, correct


def test_misspelled_total(dataloader, model, loss_fn):
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            corect += (pred.argmax(1) == y).type(torch.float).sum().item()  # noqa: F821, F841 - the learner's typo
    return test_loss / len(dataloader), correct / len(dataloader.dataset)


def test_batch_not_unpacked(dataloader, model, loss_fn):
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X in dataloader:
            X = X.to(device)
            model(X)
    return test_loss, correct


def test_enumerate_not_unpacked(dataloader, model, loss_fn):
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in enumerate(dataloader):
            X, y = X.to(device), y.to(device)
            model(X)
    return test_loss, correct


def train_arguments_swapped(model, dataloader, loss_fn, optimizer):
    model.train()
    for X, y in dataloader:
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()


HINT_MISTAKES = {  # the learner's error -> the hint that names its cause (not "print the shapes")
    "correct is an integer tensor": (
        checks.check_test, test_integer_count, "`correct` became an integer tensor",
        "`.type(torch.float).sum().item()`"),
    "misspelled total": (
        checks.check_test, test_misspelled_total, "UnboundLocalError",
        "set `test_loss, correct = 0, 0` before the loop; check the spelling"),
    "for X in dataloader": (checks.check_test, test_batch_not_unpacked, "'tuple' object", "`for X, y in dataloader:`"),
    "for X, y in enumerate(dataloader)": (
        checks.check_test, test_enumerate_not_unpacked, "'int' object",
        "`for batch, (X, y) in enumerate(dataloader):`"),
    "train(model, dataloader, ...)": (
        checks.check_train, train_arguments_swapped, "'BatchLoader' object has no attribute 'train'",
        "`train(dataloader, model, loss_fn, optimizer)`"),
}
del test_integer_count, test_misspelled_total, test_batch_not_unpacked, test_enumerate_not_unpacked


@pytest.mark.parametrize("case", list(HINT_MISTAKES), ids=list(HINT_MISTAKES))
def test_errors_get_a_hint_for_their_cause(case):
    check, learner, error, hint = HINT_MISTAKES[case]
    result = check(learner)
    text = " ".join(result.messages)
    assert result.status == INCORRECT and error in text, str(result)
    assert f"Hint: {hint}" in text or hint in text.split("Hint:", 1)[1], str(result)
    assert "print the shapes" not in text and "printing the shapes" not in text, str(result)


TEST_NEEDS_DEVICE = """
def test(dataloader, model, loss_fn):
    model.eval()
    loss, right = 0.0, 0.0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            loss += loss_fn(pred, y).item()
            right += (pred.argmax(1) == y).sum().item()
    return loss / len(dataloader), right / len(dataloader.dataset)
"""


def test_test_loop_missing_device_is_a_note():
    test, _ = _without_device(TEST_NEEDS_DEVICE, "test")
    result = checks.check_test(test)
    assert result.status == CORRECT and "device = info.device" in " ".join(result.messages), str(result)


def test_no_grad_is_detected_even_when_the_check_runs_under_no_grad():
    with torch.no_grad():
        assert_diagnosed(checks.check_test(make_test(no_grad=False)), "no_grad")


# =========================================================================== the result and side effects


def test_result_renders_as_text_and_html():
    result = checks.check_test(make_test(percent=True))
    text = str(result)
    assert text.startswith("check_test(test): incorrect") and repr(result) == text
    page = result._repr_html_()
    assert "check_test(test): incorrect" in page and "<li>" in page and "#c62828" in page
    assert "<code>" in page  # `code` in messages is shown as code
    good = checks.check_net(SeedNet)._repr_html_()
    assert "correct" in good and "#2e7d32" in good


def test_html_escapes_learner_output():
    class Loud(SeedNet):
        def forward(self, input):
            print("<script>alert(1)</script>")
            return super().forward(input)

    page = checks.check_net(Loud)._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_checks_leave_the_global_random_state_alone(monkeypatch):
    reseeded = []  # torch.manual_seed would also reset every GPU's generator
    monkeypatch.setattr(torch.cuda, "manual_seed_all", lambda seed: reseeded.append(("cuda", seed)))
    monkeypatch.setattr(torch.mps, "manual_seed", lambda seed: reseeded.append(("mps", seed)))
    torch.manual_seed(123)
    reseeded.clear()
    state = torch.get_rng_state()
    checks.check_net(SeedNet)
    checks.check_train(train_seed)
    checks.check_test(learner_test_quickstart)
    assert torch.equal(state, torch.get_rng_state())
    assert reseeded == []


def test_checks_never_raise_for_strange_learner_code():
    def explode(*args):
        raise SystemExit("bye")

    def keyboard(*args):
        raise ValueError

    for check in (checks.check_net, checks.check_train, checks.check_test):
        for learner in (explode, keyboard, "not a function", 3.5):
            result = check(learner)
            assert result.status == INCORRECT and result.messages, (check.__name__, learner, str(result))


def test_a_loop_that_moves_batches_to_info_device_runs_on_the_cpu():
    """On a GPU machine `info.device` is cuda; the checks' data is on the CPU (simulated with 'meta')."""
    from course_utils.env import CourseSetup

    info = CourseSetup(seed=0, device=torch.device("meta"), quick=True, data=None)
    namespace = {"info": info, "torch": torch}
    exec(
        "def train(dataloader, model, loss_fn, optimizer):\n"
        "    model.train()\n"
        "    for X, y in dataloader:\n"
        "        X, y = X.to(info.device), y.to(info.device)\n"
        "        optimizer.zero_grad()\n"
        "        loss = loss_fn(model(X), y)\n"
        "        loss.backward()\n"
        "        optimizer.step()\n",
        namespace,
    )
    assert_correct(checks.check_train(namespace["train"]))
    assert namespace["info"].device == torch.device("meta")  # the notebook's own info is untouched
