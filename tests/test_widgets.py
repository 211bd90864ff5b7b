"""The interactive explorers: their logic against references, and each widget driven headless.

``course_utils.explore`` is checked against PyTorch itself and hand arithmetic on tiny tensors;
``course_utils.widgets`` is driven like a learner would (set a control, click a button) on the
embedded sample, and each test asserts what was drawn changed as expected. The training thread
is synchronised with events: waits carry a generous timeout as a safety net, never as a measure.
"""

from __future__ import annotations

import base64
import contextvars
import inspect
import io
import json
import math

import ipywidgets
import matplotlib.image as mpimg
import nbformat
import pytest
import torch
from ipywidgets.embed import dependency_state
from torch import nn

from course_utils import explore, reference, widgets
from course_utils.data import CLASSES, BatchLoader, load_tensors, prepare, validation_indices
from course_utils.env import CourseSetup

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
TIMEOUT = 300  # seconds: only a safety net so a broken thread cannot hang the suite


@pytest.fixture(scope="module")
def info():
    return prepare(quick=True)


@pytest.fixture(scope="module")
def test_split(info):
    return load_tensors(False, info)


@pytest.fixture
def net():
    torch.manual_seed(0)
    return explore.seed_net()


def pixels(png: bytes):
    """Decode PNG bytes to an array, to compare what two drawings show."""
    return mpimg.imread(io.BytesIO(png), format="png")


# --------------------------------------------------------------------------- logic: feature maps


def test_layer_outputs_are_what_the_network_hands_its_next_layers(net):
    X = torch.randn(3, 1, 32, 32)
    outs = explore.layer_outputs(net, X)
    assert {k: tuple(v.shape) for k, v in outs.items()} == {
        "conv1": (3, 6, 28, 28),
        "pool1": (3, 6, 14, 14),
        "conv2": (3, 16, 10, 10),
        "pool2": (3, 16, 5, 5),
    }
    # torch itself as the reference: forward hooks see what the network's own forward computes
    seen = {}
    hooks = [
        net.conv1.register_forward_hook(lambda module, args, out: seen.setdefault("conv1 out", out)),
        net.conv2.register_forward_pre_hook(lambda module, args: seen.setdefault("conv2 in", args[0])),
        net.conv2.register_forward_hook(lambda module, args, out: seen.setdefault("conv2 out", out)),
        net.fc1.register_forward_pre_hook(lambda module, args: seen.setdefault("fc1 in", args[0])),
    ]
    try:
        with torch.no_grad():
            net(X)
    finally:
        for hook in hooks:
            hook.remove()
    assert torch.equal(outs["conv1"], seen["conv1 out"].clamp(min=0))  # after the ReLU
    assert torch.equal(outs["pool1"], seen["conv2 in"])
    assert torch.equal(outs["conv2"], seen["conv2 out"].clamp(min=0))
    assert torch.equal(torch.flatten(outs["pool2"], 1), seen["fc1 in"])


def test_layer_outputs_leave_the_random_state_and_the_model_alone(net):
    X = torch.randn(2, 1, 32, 32)
    state, before = torch.get_rng_state(), {k: v.clone() for k, v in net.state_dict().items()}
    explore.layer_outputs(net, X)
    assert torch.equal(state, torch.get_rng_state())  # a notebook's later random numbers do not change
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())
    assert net.training and list(dict(net.named_children())) == ["conv1", "conv2", "fc1", "fc2", "fc3"]


def test_layers_are_the_first_four_lines_of_the_reference_forward():
    source = inspect.getsource(reference.Net.forward)
    assert list(explore.LAYERS) == ["conv1", "pool1", "conv2", "pool2"]
    assert all(line in source and "#" not in line for line in explore.LAYERS.values())
    # what the explorer's titles and captions show, and its layer menu ("c1 (conv1)", ...)
    assert explore.LAYERS["conv1"] == "c1 = F.relu(self.conv1(input))"
    assert explore.LAYERS["pool2"] == "s4 = F.max_pool2d(c3, 2)"


def test_layer_outputs_take_the_two_layers_as_a_dict(net):
    X = torch.randn(2, 1, 32, 32)
    outs = explore.layer_outputs({"conv1": net.conv1, "conv2": net.conv2}, X)
    torch.testing.assert_close(outs["pool2"], explore.layer_outputs(net, X)["pool2"])


def test_layer_outputs_explain_a_model_without_conv_layers():
    with pytest.raises(TypeError, match="conv1 and conv2 layers"):
        explore.layer_outputs(nn.Linear(4, 2), torch.zeros(1, 1, 32, 32))
    with pytest.raises(ValueError, match="add a batch dimension"):
        explore.layer_outputs(explore.seed_net(), torch.zeros(1, 32, 32))


def test_updating_a_feature_map_figure_draws_what_a_fresh_one_draws(net):
    X = torch.randn(2, 1, 32, 32)
    maps = explore.layer_outputs(net, X)["conv2"]
    fig = explore.feature_map_figure(maps[0], X[0], "first")
    assert explore.update_feature_map_figure(fig, maps[1], X[1], "second")
    fresh = explore.feature_map_figure(maps[1], X[1], "second")
    assert (pixels(explore.figure_png(fig)) == pixels(explore.figure_png(fresh))).all()
    other_shape = explore.layer_outputs(net, X)["pool2"][0]
    assert not explore.update_feature_map_figure(fig, other_shape, X[0], "other")


# --------------------------------------------------------------------------- logic: kernels


def test_convolve_is_a_5x5_patch_times_the_kernel_summed():
    torch.manual_seed(1)
    image, kernel = torch.randn(1, 32, 32), torch.randn(5, 5)
    out = explore.convolve(image, kernel)
    assert out.shape == (28, 28)
    by_hand = torch.tensor(
        [[float((image[0, i : i + 5, j : j + 5] * kernel).sum()) for j in range(28)] for i in range(28)]
    )
    torch.testing.assert_close(out, by_hand, atol=1e-5, rtol=1e-5)
    layer = nn.Conv2d(1, 1, 5, bias=False)
    layer.weight.data = kernel.reshape(1, 1, 5, 5)
    torch.testing.assert_close(out, layer(image[None])[0, 0].detach())
    torch.testing.assert_close(explore.convolve(image, kernel, relu=True), out.clamp(min=0))
    identity = explore.kernel_tensor(explore.KERNEL_PRESETS["identity"])
    torch.testing.assert_close(explore.convolve(image, identity), image[0, 2:30, 2:30])


def test_kernel_presets_are_5x5_with_the_expected_sums():
    for name, rows in explore.KERNEL_PRESETS.items():
        assert explore.kernel_tensor(rows).shape == (5, 5), name
    sums = {name: float(explore.kernel_tensor(rows).sum()) for name, rows in explore.KERNEL_PRESETS.items()}
    for name in ("vertical edges", "horizontal edges", "diagonal edges", "outline (all edges)"):
        assert sums[name] == 0, name  # flat regions give 0: only edges respond
    for name in ("identity", "sharpen"):
        assert sums[name] == 1, name  # flat regions keep their value
    assert sums["blur"] == pytest.approx(1)


def test_a_bad_kernel_gets_a_message_saying_what_and_where():
    with pytest.raises(explore.KernelError, match="25 in all"):
        explore.kernel_tensor([1.0] * 24)
    bad = [[0.0] * 5 for _ in range(5)]
    bad[1][2] = math.nan
    with pytest.raises(explore.KernelError, match="row 2, column 3"):
        explore.kernel_tensor(bad)
    with pytest.raises(explore.KernelError, match="could not read"):
        explore.kernel_tensor("one two")
    with pytest.raises(ValueError, match="32x32"):
        explore.convolve(torch.zeros(28, 28), torch.zeros(5, 5))


# --------------------------------------------------------------------------- logic: training


def _twins(seed: int = 0) -> tuple[nn.Module, nn.Module]:
    """Two seed networks with the same weights."""
    torch.manual_seed(seed)
    model, twin = explore.seed_net(), explore.seed_net()
    twin.load_state_dict(model.state_dict())
    return model, twin


def test_train_epoch_is_reference_train_reporting_each_loss():
    torch.manual_seed(0)
    X, y = torch.randn(40, 1, 32, 32), torch.randint(0, 10, (40,))
    loader = BatchLoader(X, y, batch_size=16)
    model, twin = _twins()
    loss_fn = nn.CrossEntropyLoss()
    reported = []
    optimizer = explore.make_optimizer("SGD", model.parameters(), 0.1)
    losses = explore.train_epoch(model, loader, loss_fn, optimizer, on_step=lambda loss: reported.append(loss) or True)
    # the reference: the course's own loop, run on the twin
    expected = reference.train(loader, twin, loss_fn, torch.optim.SGD(twin.parameters(), lr=0.1))
    assert len(expected) == len(loader) == 3
    assert reported == losses == expected
    for p, q in zip(model.parameters(), twin.parameters()):
        assert torch.equal(p, q)


def test_train_epoch_stops_after_the_step_whose_loss_says_stop():
    torch.manual_seed(0)
    X, y = torch.randn(64, 1, 32, 32), torch.randint(0, 10, (64,))
    loader = BatchLoader(X, y, batch_size=16)
    model, twin = _twins()
    reported = []
    losses = explore.train_epoch(
        model,
        loader,
        nn.CrossEntropyLoss(),
        torch.optim.SGD(model.parameters(), lr=0.1),
        on_step=lambda loss: reported.append(loss) or len(reported) < 2,
    )
    # the reference: the course's loop given only the first two batches
    expected = reference.train(
        list(loader)[:2], twin, nn.CrossEntropyLoss(), torch.optim.SGD(twin.parameters(), lr=0.1)
    )
    assert reported == losses == expected and len(losses) == 2
    for p, q in zip(model.parameters(), twin.parameters()):
        assert torch.equal(p, q)


def test_train_epoch_runs_the_given_train_fn():
    torch.manual_seed(0)
    X, y = torch.randn(40, 1, 32, 32), torch.randint(0, 10, (40,))
    loader = BatchLoader(X, y, batch_size=16)
    model, twin = _twins()
    calls = []

    def my_train(dataloader, model, loss_fn, optimizer):  # a learner's train: the course's loop, counted
        calls.append(len(dataloader))
        return reference.train(dataloader, model, loss_fn, optimizer)

    reported = []
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = explore.train_epoch(
        model,
        loader,
        nn.CrossEntropyLoss(),
        optimizer,
        on_step=lambda loss: reported.append(loss) or True,
        train_fn=my_train,
    )
    expected = reference.train(loader, twin, nn.CrossEntropyLoss(), torch.optim.SGD(twin.parameters(), lr=0.1))
    assert calls == [3] and reported == losses == expected


def test_train_epoch_says_when_train_fn_computes_no_loss():
    loader = BatchLoader(torch.randn(32, 1, 32, 32), torch.randint(0, 10, (32,)), batch_size=16)
    model = explore.seed_net()

    def no_loss(dataloader, model, loss_fn, optimizer):  # forgets step 3
        for X, _ in dataloader:
            model(X)

    with pytest.raises(RuntimeError, match="without computing this batch's loss with loss_fn"):
        explore.train_epoch(
            model, loader, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1), train_fn=no_loss
        )


def test_make_optimizer_builds_each_choice():
    params = list(explore.seed_net().parameters())
    sgd, momentum, adam = (explore.make_optimizer(name, params, 0.01) for name in explore.OPTIMIZERS)
    assert type(sgd) is torch.optim.SGD and sgd.defaults["momentum"] == 0
    assert type(momentum) is torch.optim.SGD and momentum.defaults["momentum"] == 0.9
    assert type(adam) is torch.optim.Adam and adam.defaults["lr"] == 0.01
    with pytest.raises(ValueError, match="expected one of SGD"):
        explore.make_optimizer("RMSprop", params, 0.01)


def test_divergence_names_nan_and_explosions_only():
    assert explore.divergence([]) is None
    assert explore.divergence([2.3, 1.9, 0.7, 3.1]) is None  # a bump is not divergence
    assert "not a number" in explore.divergence([2.3, math.nan])
    assert "not a number" in explore.divergence([2.3, math.inf])
    assert "exploded to 50" in explore.divergence([2.3, 50.0])


def test_moving_average_is_a_trailing_mean():
    assert explore.moving_average([1, 2, 3, 4, 5], 2) == [1, 1.5, 2.5, 3.5, 4.5]
    assert explore.moving_average([4.0], 10) == [4.0]
    with pytest.raises(ValueError):
        explore.moving_average([1], 0)


def test_loss_curve_figure_draws_nan_and_explosions_on_a_log_axis():
    calm = explore.loss_curve_figure([2.3, 2.0, 1.5], batches_per_epoch=3, num_epochs=2)
    assert calm.axes[0].get_yscale() == "linear" and calm.axes[0].get_xlim() == (0, 2)
    wild = explore.loss_curve_figure([2.3, 80.0, math.nan], batches_per_epoch=3, diverged=True)
    assert wild.axes[0].get_yscale() == "log"
    assert "diverged" in [line.get_label() for line in wild.axes[0].lines]
    assert explore.figure_png(wild).startswith(PNG_SIGNATURE)


# --------------------------------------------------------------------------- logic: predictions


def test_predict_probabilities_is_the_softmax_and_keeps_the_mode(net):
    X = torch.randn(5, 1, 32, 32)
    probs = explore.predict_probabilities(net, X, batch_size=2)
    torch.testing.assert_close(probs, torch.softmax(net(X), dim=1).detach())
    torch.testing.assert_close(probs.sum(1), torch.ones(5))
    assert net.training  # eval() was undone
    y = probs.argmax(1)
    assert explore.evaluate(net, X, y) == 1.0


def test_next_mistake_walks_forward_and_back_wrapping_round():
    probs = torch.eye(10)[[0, 1, 2, 3, 4, 5]]  # predicts 0..5
    y = torch.tensor([0, 9, 2, 9, 4, 9])  # wrong at 1, 3, 5
    mistakes = explore.mistake_indices(probs, y)
    assert mistakes.tolist() == [1, 3, 5]
    assert [explore.next_mistake(mistakes, i) for i in (0, 1, 4, 5)] == [1, 3, 5, 1]
    assert [explore.next_mistake(mistakes, i, forward=False) for i in (5, 3, 1, 0)] == [3, 1, 5, 5]
    assert explore.next_mistake(mistakes[:0], 0) is None


# --------------------------------------------------------------------------- widgets


def test_feature_map_explorer_redraws_for_layer_image_and_weights(net, info, test_split):
    X, y = test_split
    setup_result = CourseSetup(seed=0, device=torch.device("cpu"), quick=True, data=info)
    explorer = widgets.feature_map_explorer(net, setup_result, label="untrained")
    first = explorer.png
    assert tuple(explorer.maps.shape) == (6, 28, 28)
    # the contract with tests/test_browser.py: a CSS class, and a Dropdown described "layer"
    assert "course-feature-map-explorer" in explorer._dom_classes
    assert isinstance(explorer.layer_select, ipywidgets.Dropdown) and explorer.layer_select.description == "layer"

    explorer.layer_select.value = "conv2"
    assert tuple(explorer.maps.shape) == (16, 10, 10)
    torch.testing.assert_close(explorer.maps, explore.layer_outputs(net, X[explorer.index][None])["conv2"][0])
    assert explorer.png != first
    assert "16 feature maps of 10×10" in explorer.caption.value

    picker = explorer.picker
    picker.class_select.value = 3
    assert int(y[explorer.index]) == 3
    assert picker.number.max == int((y == 3).sum()) - 1
    before = explorer.png
    picker.number.value = 5
    assert explorer.index == int(explore.class_indices(y, 3)[5])
    assert explorer.png != before

    # what the explorer shows follows the weights: "train" conv2 and redraw
    maps_before = explorer.maps.clone()
    with torch.no_grad():
        net.conv2.weight.mul_(-1)
    explorer.redraw()
    assert not torch.equal(explorer.maps, maps_before)


def test_feature_map_explorer_takes_the_layers_of_notebook_02(net, info):
    explorer = widgets.feature_map_explorer({"conv1": net.conv1, "conv2": net.conv2}, info, label="untrained")
    explorer.layer_select.value = "pool2"
    assert tuple(explorer.maps.shape) == (16, 5, 5)
    with pytest.raises(TypeError, match="conv1 and conv2"):
        widgets.feature_map_explorer({"conv1": net.conv1}, info)


def test_kernel_playground_follows_presets_edits_relu_and_image(info, test_split):
    X, _ = test_split
    playground = widgets.kernel_playground(info)
    image = X[playground.picker.index]
    vertical = explore.kernel_tensor(explore.KERNEL_PRESETS["vertical edges"])
    torch.testing.assert_close(playground.output, explore.convolve(image, vertical))

    playground.preset_select.value = "blur"
    assert [cell.value for cell in playground.cells] == [0.04] * 25
    torch.testing.assert_close(playground.output, explore.convolve(image, playground.kernel))
    blurred = playground.png

    playground.cells[12].value = 3.0  # the centre: now no preset matches
    assert playground.preset_select.value == "custom"
    assert float(playground.kernel[2, 2]) == 3.0
    assert playground.png != blurred

    playground.relu_box.value = True
    assert float(playground.output.min()) >= 0

    playground.set_kernel(explore.KERNEL_PRESETS["sharpen"])
    assert playground.preset_select.value == "sharpen"

    before = playground.png
    playground.picker.class_select.value = 8
    torch.testing.assert_close(
        playground.output, explore.convolve(X[playground.picker.index], playground.kernel, relu=True)
    )
    assert playground.png != before

    drawn = playground.png
    playground.cells[0].value = math.nan  # a front end cannot send this, but code can
    assert "Not drawn" in playground.caption.value and "row 1, column 1" in playground.caption.value
    assert playground.png == drawn


def test_training_playground_draws_live_and_stop_keeps_what_was_learned(info):
    playground = widgets.training_playground(info)
    idle_png = playground.png
    seen = []

    def on_redraw(change):  # runs in the training thread, synchronously with the redraw
        seen.append((playground.running, playground.state, len(playground.history), playground.run_button.disabled))
        if len(seen) == 1:
            playground.stop_button.click()

    playground.figure.observe(on_redraw, names="value")
    playground.run_button.click()
    assert playground.wait(TIMEOUT), "the training thread did not finish"

    running, state, points, run_disabled = seen[0]
    assert (running, state, run_disabled) == (True, "running", True)  # drawn while training ran
    assert points >= 1
    assert playground.state == "stopped"
    assert len(playground.history) == points + 1  # stop honoured after the batch in progress
    assert playground.png != idle_png
    assert "Stopped" in playground.status.value
    assert not playground.run_button.disabled and playground.stop_button.disabled
    # the kept model learned: its weights moved away from the run's starting point
    torch.manual_seed(playground.seed)
    start = explore.seed_net()
    assert not torch.equal(playground.model.conv1.weight, start.conv1.weight)
    assert 0 <= playground.accuracy <= 1


def test_training_playground_runs_to_the_end_then_compares_with_the_previous_run(info):
    playground = widgets.training_playground(info)
    playground.batch_select.value = 256
    playground.epochs_slider.value = 1
    playground.run_button.click()
    assert playground.wait(TIMEOUT)
    assert playground.state == "done"
    assert len(playground.history) == math.ceil(len(playground.y_train) / 256)
    assert "Done" in playground.status.value and playground.accuracy is not None
    assert "validation accuracy" in playground.status.value and "test" not in playground.status.value
    first_run = list(playground.history)

    playground.optimizer_select.value = "Adam"
    playground.lr_slider.value = 1.0  # far too high
    playground.run_button.click()
    assert playground.wait(TIMEOUT)
    assert playground.previous[0] == first_run and "SGD + momentum" in playground.previous[2]
    assert playground.state == "diverged"
    assert "Diverged" in playground.status.value and "too high" in playground.status.value
    assert explore.divergence(playground.history) is not None
    assert not playground.run_button.disabled


def test_training_playground_runs_repeat_exactly_and_leave_the_notebook_random_state(info):
    playground = widgets.training_playground(info)
    playground.batch_select.value = 256
    playground.epochs_slider.value = 1
    torch.manual_seed(7)
    state = torch.get_rng_state()
    runs = []
    for _ in range(2):
        playground.run_button.click()
        assert playground.wait(TIMEOUT)
        assert not playground._thread.is_alive()  # wait() returns once the thread has ended
        runs.append(list(playground.history))
    assert playground.state == "done" and runs[0] == runs[1]  # only the settings could differ
    assert torch.equal(state, torch.get_rng_state())
    # each epoch is the course's own loop: reference.train from the same start, batches and optimizer
    torch.manual_seed(playground.seed)
    twin = explore.seed_net()
    order = torch.Generator().manual_seed(playground.seed)
    loader = BatchLoader(playground.X_train, playground.y_train, 256, shuffle=True, generator=order)
    optimizer = explore.make_optimizer(playground.settings["optimizer"], twin.parameters(), playground.settings["lr"])
    assert runs[0] == reference.train(loader, twin, nn.CrossEntropyLoss(), optimizer)
    for p, q in zip(playground.model.parameters(), twin.parameters()):
        assert torch.equal(p, q)


def test_training_playground_measures_on_a_validation_split_of_the_training_images(info):
    playground = widgets.training_playground(info)
    X, y = load_tensors(True, info)
    train_idx, val_idx = validation_indices(y)  # the split 07 uses: 500 of the sample's 6,000
    assert len(val_idx) == 500 and len(train_idx) + len(val_idx) == info.train
    assert torch.equal(playground.X_train, X[train_idx]) and torch.equal(playground.y_train, y[train_idx])
    assert torch.equal(playground.X_val, X[val_idx]) and torch.equal(playground.y_val, y[val_idx])
    assert "500 validation images" in playground.status.value
    playground.batch_select.value = 256
    playground.epochs_slider.value = 1
    playground.run_button.click()
    assert playground.wait(TIMEOUT) and playground.state == "done"
    assert playground.accuracy == explore.evaluate(playground.model, X[val_idx], y[val_idx])


def test_training_playground_runs_the_train_fn_it_is_given(info):
    calls = []

    def my_train(dataloader, model, loss_fn, optimizer):  # a learner's train: the course's loop, counted
        calls.append(len(dataloader))
        return reference.train(dataloader, model, loss_fn, optimizer)

    playground = widgets.training_playground(info, train_fn=my_train)
    playground.batch_select.value = 256
    playground.epochs_slider.value = 2
    playground.run_button.click()
    assert playground.wait(TIMEOUT) and playground.state == "done"
    assert calls == [math.ceil(len(playground.y_train) / 256)] * 2  # one call per epoch


WHO_STARTED = contextvars.ContextVar("who_started")


def test_training_playground_thread_runs_in_the_context_that_started_it(info):
    """So a kernel files reference.train's progress bar under the Run click, not the latest cell."""
    playground = widgets.training_playground(info)
    playground.batch_select.value = 256
    playground.epochs_slider.value = 1
    seen = []
    playground.figure.observe(lambda change: seen.append(WHO_STARTED.get("nobody")), names="value")
    token = WHO_STARTED.set("the Run click")
    try:
        playground.run_button.click()
    finally:
        WHO_STARTED.reset(token)
    assert playground.wait(TIMEOUT) and playground.state == "done"
    assert seen and set(seen) == {"the Run click"}


def test_training_playground_shows_an_error_instead_of_raising(info):
    def broken_net():
        return nn.Sequential(nn.Flatten(), nn.Linear(32 * 32, 3))  # 3 classes: labels up to 9 fail

    playground = widgets.training_playground(info, model_fn=broken_net)
    playground.run_button.click()
    assert playground.wait(TIMEOUT)
    assert playground.state == "error"
    assert "error" in playground.status.value and "out of bounds" in playground.status.value


def test_prediction_explorer_walks_the_mistakes(net, info, test_split):
    X, y = test_split
    explorer = widgets.prediction_explorer(net, info)
    torch.testing.assert_close(explorer.probs, explore.predict_probabilities(net, X))
    assert explorer.index == 0
    first = explorer.png
    assert len(explorer.mistakes) > 1  # an untrained network gets most images wrong

    explorer.next_button.click()
    assert explorer.index == int(explorer.mistakes[explorer.mistakes > 0][0])
    assert int(explorer.preds[explorer.index]) != int(y[explorer.index])
    assert explorer.png != first
    assert "mistake" in explorer.caption.value and CLASSES[int(y[explorer.index])] in explorer.caption.value

    explorer.index_slider.value = int(explorer.mistakes[0])
    explorer.previous_button.click()  # wraps round to the last mistake
    assert explorer.index == int(explorer.mistakes[-1])

    explorer.index_slider.value = len(X) - 1
    assert explorer.index == len(X) - 1  # the slider reaches every test image


@pytest.fixture(scope="module")
def every_explorer(info):
    torch.manual_seed(0)
    model = explore.seed_net()
    return [
        widgets.feature_map_explorer(model, info),
        widgets.kernel_playground(info),
        widgets.training_playground(info),
        widgets.prediction_explorer(model, info),
    ]


def test_every_explorer_falls_back_to_a_static_png(every_explorer):
    for explorer in every_explorer:
        bundle, metadata = explorer._repr_mimebundle_()
        assert WIDGET_VIEW in bundle, explorer.explorer_name
        png = base64.b64decode(bundle["image/png"])
        assert png.startswith(PNG_SIGNATURE) and png == explorer.png
        assert explorer.explorer_name in bundle["text/plain"]
        alt = metadata["image/png"]["alt"]  # the figure's description: the picture's alt text
        assert alt == explorer.description and len(alt.split()) > 10 and alt.endswith("."), alt


def test_html_export_without_widget_state_shows_the_png(every_explorer):
    from nbconvert import HTMLExporter

    explorer = every_explorer[1]
    bundle, _ = explorer._repr_mimebundle_()
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("widgets.kernel_playground(info)", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("display_data", data=bundle)]
    nb.cells = [cell]
    html, _ = HTMLExporter().from_notebook_node(nb)
    assert f"data:image/png;base64,{bundle['image/png'][:60]}" in html


def test_widget_state_is_json_and_small(every_explorer):
    for explorer in every_explorer:
        state = dependency_state(explorer)
        assert explorer.figure.model_id in state
        size = len(json.dumps(state))
        assert size < 150_000, f"{explorer.explorer_name}: {size:,} bytes of widget state"


def test_every_explorer_figure_is_an_img_whose_alt_is_its_description(every_explorer):
    """A screen reader reads an explorer's figure: its <img> carries the description, redrawn with the figure."""
    import html

    for explorer in every_explorer:
        value = explorer.figure.value
        assert value.startswith('<img src="data:image/png;base64,'), explorer.explorer_name
        assert len(explorer.description.split()) >= 8, (explorer.explorer_name, explorer.description)
        assert f'alt="{html.escape(explorer.description)}"' in value, explorer.explorer_name
        assert base64.b64encode(explorer.png).decode("ascii") in value  # the PNG shown is the PNG kept


def test_explorers_say_what_info_they_expect():
    with pytest.raises(TypeError, match="info = setup"):
        widgets.kernel_playground(info="data")
