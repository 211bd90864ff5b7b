"""Interactive explorers for the notebooks: one call, one widget (ipywidgets 8).

- ``widgets.feature_map_explorer(model, info)``: every channel of conv1, pool1, conv2 or pool2
  for a chosen test image (notebooks ``02`` and ``07``);
- ``widgets.kernel_playground(info)``: a 5×5 kernel editor and its ``F.conv2d`` (``02``);
- ``widgets.training_playground(info)``: learning rate, batch size, optimizer and epochs, with a
  loss curve drawn live while it trains (``05`` and ``07``);
- ``widgets.prediction_explorer(model, info)``: softmax probabilities of a test image, and a
  walk through the mistakes (``06``).

Each function returns an :class:`Explorer`, an ``ipywidgets.VBox`` of controls above a figure.
The figure is a PNG drawn with matplotlib's non-interactive Agg canvas into an
``ipywidgets.Image``, so the widget state stored in a notebook holds the picture too. Where no
widget front end runs (an HTML export without widget state, an untrusted notebook in JupyterLab,
qtconsole), the display falls back to that PNG as it was when the cell ran, never a blank cell;
a text-only terminal prints one line saying what the cell holds.

The logic lives in :mod:`course_utils.explore` (plain functions, tested directly); this module
only wires controls to it. Data comes from :mod:`course_utils.data`'s in-memory path. Nothing
runs at import.
"""

from __future__ import annotations

import base64
import math
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets
import torch
from torch import nn

from course_utils import explore
from course_utils.data import CLASSES, BatchLoader, DataInfo, load_tensors, prepare

__all__ = [
    "Explorer",
    "FeatureMapExplorer",
    "KernelPlayground",
    "PredictionExplorer",
    "TrainingPlayground",
    "feature_map_explorer",
    "kernel_playground",
    "prediction_explorer",
    "training_playground",
]

_STYLE = {"description_width": "initial"}
_RED, _ORANGE = "#c62828", "#e65100"


def _data_info(info: Any) -> DataInfo:
    """Accept ``setup()``'s result, a ``DataInfo``, or None (then :func:`prepare` decides)."""
    if info is None:
        return prepare()
    if isinstance(info, DataInfo):
        return info
    data = getattr(info, "data", None)
    if isinstance(data, DataInfo):
        return data
    raise TypeError(
        f"expected info = setup(...) or a course_utils.data.DataInfo, got {type(info).__name__}. "
        f"Fix: pass the info made by the notebook's first cell, info = setup(seed=0)."
    )


def _image_widget() -> widgets.Image:
    return widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))


def _coloured(text: str, colour: str) -> str:
    return f'<span style="color:{colour}">{text}</span>'


class Explorer(widgets.VBox):
    """An explorer: controls above a figure (``.figure``, an ``ipywidgets.Image`` of PNG bytes).

    Its display carries, beside the widget view, a PNG of the figure and a line of text, so
    front ends without widgets show the picture (the default state, when the cell runs).
    """

    explorer_name = "Explorer"
    #: CSS class of the outermost element, besides "course-explorer" (browser tests find it).
    css_class = "course-explorer"

    def __init__(self, children: list[widgets.Widget], figure: widgets.Image, **kwargs: Any) -> None:
        super().__init__(children, **kwargs)
        self.add_class("course-explorer")
        self.add_class(self.css_class)
        self.figure = figure

    @property
    def png(self) -> bytes:
        """The PNG bytes of the figure as it is drawn now."""
        return bytes(self.figure.value)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = (
            f"{self.explorer_name}: an interactive widget. Run this cell in JupyterLab to use it; "
            f"the picture shows it as it was when the cell ran."
        )
        if self.png:
            bundle["image/png"] = base64.b64encode(self.png).decode("ascii")
        return bundle


class _ImagePicker:
    """A class menu and a slider choosing one image of that class; calls ``on_change()``."""

    def __init__(self, y: torch.Tensor, on_change: Callable[[], None], label: int, number: int = 0) -> None:
        self.y = y
        self._on_change = on_change
        self._quiet = False
        present = sorted({int(v) for v in torch.unique(y)})
        label = label if label in present else present[0]
        self._positions = explore.class_indices(y, label)
        self.class_select = widgets.Dropdown(
            options=[(CLASSES[c], c) for c in present],
            value=label,
            description="class",
            style=_STYLE,
            layout=widgets.Layout(width="230px"),
        )
        self.number = widgets.IntSlider(
            value=min(number, len(self._positions) - 1),
            min=0,
            max=len(self._positions) - 1,
            description="image",
            continuous_update=False,
            style=_STYLE,
        )
        self.class_select.observe(self._class_changed, names="value")
        self.number.observe(self._number_changed, names="value")

    @property
    def index(self) -> int:
        """Position of the chosen image in the test split."""
        return int(self._positions[self.number.value])

    @property
    def controls(self) -> list[widgets.Widget]:
        return [self.class_select, self.number]

    def _class_changed(self, change: dict) -> None:
        self._positions = explore.class_indices(self.y, change["new"])
        self._quiet = True
        try:
            self.number.value = 0
            self.number.max = len(self._positions) - 1
        finally:
            self._quiet = False
        self._on_change()

    def _number_changed(self, change: dict) -> None:
        if not self._quiet:
            self._on_change()


# --------------------------------------------------------------------------- feature maps


class FeatureMapExplorer(Explorer):
    """Every channel of conv1, pool1, conv2 or pool2 for a chosen test image (``02``, ``07``).

    Computed from the model's weights at each redraw, so it shows a trained network as well as
    an untrained one. ``.maps`` holds the maps drawn last, (C, H, W).
    """

    explorer_name = "Feature-map explorer"
    css_class = "course-feature-map-explorer"

    def __init__(
        self, model: nn.Module | Mapping[str, nn.Module], X: torch.Tensor, y: torch.Tensor, label: str = ""
    ) -> None:
        model = explore.as_conv_model(model)  # fails early, with the fix, for a wrong model
        picker = _ImagePicker(y, self.redraw, label=int(y[0]))
        self.layer_select = widgets.Dropdown(  # labelled with the seed's names: "c1 (conv1)", "s2 (pool1)", ...
            options=[(f"{line.split(' =')[0]} ({key})", key) for key, line in explore.LAYERS.items()],
            value="conv1",
            description="layer",
            style=_STYLE,
            layout=widgets.Layout(width="180px"),
        )
        self.caption = widgets.HTML()
        figure = _image_widget()
        super().__init__([widgets.HBox([*picker.controls, self.layer_select]), figure, self.caption], figure=figure)
        self.model, self.X, self.y, self.label = model, X, y, label
        self.picker = picker
        self.maps: torch.Tensor | None = None
        self._figures: dict[tuple[int, ...], Any] = {}  # one matplotlib Figure per maps shape
        self.layer_select.observe(lambda _: self.redraw(), names="value")
        self.redraw()

    @property
    def index(self) -> int:
        """Position in the test split of the image shown."""
        return self.picker.index

    def redraw(self) -> None:
        """Compute the chosen layer for the chosen image and draw every channel."""
        index, layer = self.picker.index, self.layer_select.value
        image = self.X[index]
        maps = explore.layer_outputs(self.model, image[None])[layer][0]
        prefix = f"{self.label}: " if self.label else ""
        title = f"{prefix}{explore.LAYERS[layer]}, test image {index} ({CLASSES[int(self.y[index])]})"
        shape = tuple(maps.shape)
        fig = self._figures.get(shape)
        if fig is None or not explore.update_feature_map_figure(fig, maps, image, title):
            fig = self._figures[shape] = explore.feature_map_figure(maps, image, title)
        self.maps = maps
        self.figure.value = explore.figure_png(fig)
        channels, height, width = shape
        self.caption.value = (
            f"<code>{explore.LAYERS[layer]}</code> gives {channels} feature maps of "
            f"{height}×{width} pixels, one per filter. All channels share one colour scale "
            f"(yellow: strong response, dark: none, ReLU made negatives 0)."
        )


def feature_map_explorer(
    model: nn.Module | Mapping[str, nn.Module], info: Any = None, label: str = ""
) -> FeatureMapExplorer:
    """Explore what each layer of ``model`` sees: pick a test image (class, then which one) and
    a layer (conv1, pool1, conv2, pool2); every channel is drawn beside the input.

    Notebooks ``02`` (an untrained network, layer by layer) and ``07`` (the trained one: what
    the filters became). ``model`` is any network with ``conv1`` and ``conv2`` like the seed's
    ``Net``, or those two layers as a dict, ``{"conv1": conv1, "conv2": conv2}`` (notebook ``02``);
    ``info`` is ``setup()``'s result (test images via ``course_utils.data``); ``label`` (e.g.
    ``"untrained"``) starts the figure's title.
    """
    X, y = load_tensors(False, _data_info(info))
    return FeatureMapExplorer(model, X, y, label=label)


# --------------------------------------------------------------------------- kernels


class KernelPlayground(Explorer):
    """A 5×5 kernel editor and its ``F.conv2d`` over a chosen test image (``02``).

    ``.kernel`` is the kernel in the grid, ``.output`` the (28, 28) result drawn last.
    """

    explorer_name = "Kernel playground"
    css_class = "course-kernel-playground"

    def __init__(self, X: torch.Tensor, y: torch.Tensor, preset: str = "vertical edges", label: int = 1) -> None:
        if preset not in explore.KERNEL_PRESETS:
            raise ValueError(f"unknown preset {preset!r}: expected one of {', '.join(explore.KERNEL_PRESETS)}")
        self.preset_select = widgets.Dropdown(
            options=[*explore.KERNEL_PRESETS, "custom"],
            value=preset,
            description="kernel",
            style=_STYLE,
            layout=widgets.Layout(width="250px"),
        )
        values = [v for row in explore.KERNEL_PRESETS[preset] for v in row]
        first = widgets.FloatText(value=values[0], step=0.1, layout=widgets.Layout(width="4.6em"))
        self.cells = (
            [first]
            + [  # one layout and style model for all 25 cells: less stored state
                widgets.FloatText(value=v, step=0.1, layout=first.layout, style=first.style) for v in values[1:]
            ]
        )
        grid = widgets.GridBox(
            self.cells, layout=widgets.Layout(grid_template_columns="repeat(5, 4.8em)", grid_gap="2px 2px")
        )
        self.relu_box = widgets.Checkbox(value=False, description="apply F.relu (as conv1 does)", indent=False)
        picker = _ImagePicker(y, self.redraw, label=label)
        self.caption = widgets.HTML()
        figure = _image_widget()
        left = widgets.VBox(
            [self.preset_select, grid, self.relu_box], layout=widgets.Layout(min_width="340px", flex="0 0 auto")
        )
        right = widgets.VBox(picker.controls, layout=widgets.Layout(margin="0 0 0 2em"))
        super().__init__([widgets.HBox([left, right]), figure, self.caption], figure=figure)
        self.X, self.y, self.picker = X, y, picker
        self.output: torch.Tensor | None = None
        self._quiet = False
        self.preset_select.observe(self._preset_changed, names="value")
        for cell in self.cells:
            cell.observe(self._cell_changed, names="value")
        self.relu_box.observe(lambda _: self.redraw(), names="value")
        self.redraw()

    @property
    def kernel(self) -> torch.Tensor:
        """The kernel in the grid, (5, 5); :class:`course_utils.explore.KernelError` if invalid."""
        return explore.kernel_tensor([cell.value for cell in self.cells])

    def set_kernel(self, values: Any) -> None:
        """Fill the grid with 25 numbers (5 rows of 5, or flat) and redraw; the menu says custom."""
        kernel = explore.kernel_tensor(values)
        self._quiet = True
        try:
            for cell, value in zip(self.cells, kernel.flatten().tolist()):
                cell.value = value
            self._sync_preset()
        finally:
            self._quiet = False
        self.redraw()

    def _sync_preset(self) -> None:
        """Name the preset the grid matches, else "custom" (without a redraw)."""
        values = [cell.value for cell in self.cells]
        name = next(
            (n for n, rows in explore.KERNEL_PRESETS.items() if [v for r in rows for v in r] == values),
            "custom",
        )
        quiet, self._quiet = self._quiet, True
        try:
            self.preset_select.value = name
        finally:
            self._quiet = quiet

    def _preset_changed(self, change: dict) -> None:
        if self._quiet or change["new"] == "custom":
            return
        self._quiet = True
        try:
            for cell, value in zip(self.cells, [v for row in explore.KERNEL_PRESETS[change["new"]] for v in row]):
                cell.value = value
        finally:
            self._quiet = False
        self.redraw()

    def _cell_changed(self, _change: dict) -> None:
        if self._quiet:
            return
        self._sync_preset()
        self.redraw()

    def redraw(self) -> None:
        """Convolve the chosen image with the grid's kernel and draw input, kernel and output."""
        if self._quiet:
            return
        try:
            kernel = self.kernel
        except explore.KernelError as exc:
            self.caption.value = _coloured(f"Not drawn: {exc}", _RED)
            return
        index = self.picker.index
        image = self.X[index]
        relu = bool(self.relu_box.value)
        self.output = explore.convolve(image, kernel, relu=relu)
        name = self.preset_select.value
        fig = explore.kernel_figure(
            image,
            kernel,
            self.output,
            name=name,
            image_title=f"test image {index}: {CLASSES[int(self.y[index])]}",
            relu=relu,
        )
        self.figure.value = explore.figure_png(fig)
        self.caption.value = (
            "Each output pixel is the sum of a 5×5 patch of the image times the kernel: "
            "<code>F.conv2d(X, weight)</code> with <code>weight</code> shaped (1, 1, 5, 5), the "
            "call <code>nn.Conv2d(1, 6, 5)</code> makes with its 6 learned kernels. In the kernel, red "
            "weights are positive and blue ones negative. Edit any number (press Enter) or pick a preset."
        )


def kernel_playground(info: Any = None, preset: str = "vertical edges") -> KernelPlayground:
    """Edit a 5×5 kernel (presets: identity, edges, outline, blur, sharpen, or your own numbers)
    and see its convolution over a chosen test image, through ``F.conv2d`` like ``conv1``.

    Notebook ``02`` (what a convolution computes). ``info`` is ``setup()``'s result.
    """
    X, y = load_tensors(False, _data_info(info))
    return KernelPlayground(X, y, preset=preset)


# --------------------------------------------------------------------------- training


class TrainingPlayground(Explorer):
    """Train a fresh LeNet on the quick sample and watch its loss live (``05``, ``07``).

    Run starts a background thread; the curve is redrawn every :attr:`redraw_interval`
    seconds while it trains. Stop ends it after the current batch, keeping the weights.
    After (or during) a run: ``.model`` (the network), ``.history`` (every batch's loss),
    ``.accuracy`` (test accuracy, after an epoch or a stop), ``.state`` ("idle", "running",
    "done", "stopped", "diverged" or "error"), ``.previous`` (the last run's losses, batches
    per epoch and settings, drawn grey to compare); :meth:`wait` blocks until the run ends.
    """

    explorer_name = "Training playground"
    css_class = "course-training-playground"
    #: Seconds between two live redraws of the loss curve (the first loss is drawn at once).
    redraw_interval = 0.25

    def __init__(
        self,
        X_train: torch.Tensor,
        y_train: torch.Tensor,
        X_test: torch.Tensor,
        y_test: torch.Tensor,
        model_fn: Callable[[], nn.Module] | None = None,
        seed: int = 0,
    ) -> None:
        self.lr_slider = widgets.FloatLogSlider(
            value=0.01,
            base=10,
            min=-4,
            max=0,
            step=0.1,
            description="learning rate lr",
            readout_format=".2g",
            style=_STYLE,
        )
        self.batch_select = widgets.Dropdown(
            options=[16, 32, 64, 128, 256],
            value=64,
            description="batch size",
            style=_STYLE,
            layout=widgets.Layout(width="160px"),
        )
        self.optimizer_select = widgets.Dropdown(
            options=list(explore.OPTIMIZERS),
            value="SGD + momentum",
            description="optimizer",
            style=_STYLE,
            layout=widgets.Layout(width="230px"),
        )
        self.epochs_slider = widgets.IntSlider(value=2, min=1, max=5, description="epochs", style=_STYLE)
        self.run_button = widgets.Button(description="Run", button_style="success", icon="play")
        self.stop_button = widgets.Button(description="Stop", button_style="danger", icon="stop", disabled=True)
        self.status = widgets.HTML()
        figure = _image_widget()
        super().__init__(
            [
                widgets.HBox([self.lr_slider, self.optimizer_select]),
                widgets.HBox([self.batch_select, self.epochs_slider, self.run_button, self.stop_button]),
                self.status,
                figure,
            ],
            figure=figure,
        )
        self.X_train, self.y_train, self.X_test, self.y_test = X_train, y_train, X_test, y_test
        self.model_fn = model_fn or explore.seed_net
        self.seed = seed
        self.model: nn.Module | None = None
        self.history: list[float] = []
        self.accuracy: float | None = None
        self.state = "idle"
        self.settings: dict[str, Any] = {}
        self.done = threading.Event()  # set whenever no run is in progress
        self.done.set()
        self._stop_event = threading.Event()
        self._thread: threading.Thread | None = None
        self._batches_per_epoch = 1
        self.previous: tuple[list[float], int, str] | None = None
        self._problem = ""
        self.run_button.on_click(lambda _: self.run())
        self.stop_button.on_click(lambda _: self.stop())
        self.status.value = (
            f"Choose the settings and press <b>Run</b>: a fresh network trains on the quick sample "
            f"({len(X_train):,} training images) and its loss curve grows while it learns. Then try "
            f"a learning rate of 1 to see what too high looks like."
        )
        self._draw()

    @property
    def running(self) -> bool:
        """True while a training run is in progress."""
        return not self.done.is_set()

    @property
    def label(self) -> str:
        s = self.settings
        return f"{s['optimizer']}, lr={s['lr']:.2g}, batch {s['batch_size']}" if s else "no run yet"

    def run(self) -> None:
        """Start training a fresh network with the chosen settings (what Run does)."""
        if self.running:
            return
        if self.history:
            self.previous = (list(self.history), self._batches_per_epoch, self.label)
        self.settings = {
            "lr": float(self.lr_slider.value),
            "batch_size": int(self.batch_select.value),
            "optimizer": str(self.optimizer_select.value),
            "epochs": int(self.epochs_slider.value),
        }
        with torch.random.fork_rng(devices=[]):  # same start every run: only the settings differ
            torch.random.default_generator.manual_seed(self.seed)  # the CPU's; the notebook's state is kept
            self.model = self.model_fn()
        self.history, self.accuracy, self.state, self._problem = [], None, "running", ""
        self._stop_event.clear()
        self.done.clear()
        self._set_running(True)
        self.status.value = f"Starting: {self.label}…"
        self._thread = threading.Thread(target=self._train, name="training-playground", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the run to stop after the current batch (what Stop does); the weights are kept."""
        if self.running:
            self._stop_event.set()
            self.status.value = "Stopping after this batch…"

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run ends (or ``timeout`` seconds pass); True if no run is in progress."""
        finished = self.done.wait(timeout)
        thread = self._thread
        if finished and thread is not None and thread is not threading.current_thread():
            thread.join(timeout)  # the last redraw is done; a script may now exit safely
        return finished

    def _set_running(self, running: bool) -> None:
        for control in (self.lr_slider, self.batch_select, self.optimizer_select, self.epochs_slider, self.run_button):
            control.disabled = running
        self.stop_button.disabled = not running

    def _draw(self) -> None:
        previous = self.previous
        fig = explore.loss_curve_figure(
            list(self.history),
            self._batches_per_epoch,
            title=f"Training loss: {self.label}" if self.settings else "Training loss: press Run to train",
            previous=previous[0] if previous else None,
            previous_batches_per_epoch=previous[1] if previous else None,
            previous_label=f"previous run: {previous[2]}" if previous else "previous run",
            diverged=self.state == "diverged",
            num_epochs=self.settings.get("epochs", int(self.epochs_slider.value)),
        )
        self.figure.value = explore.figure_png(fig)

    def _recent_loss(self) -> tuple[float, int]:
        window = max(1, self._batches_per_epoch // 10)
        recent = self.history[-window:]
        return sum(recent) / len(recent), len(recent)

    def _train(self) -> None:
        s = self.settings
        try:
            # its own generator: the same batch order every run, and the notebook's random state untouched
            order = torch.Generator().manual_seed(self.seed)
            loader = BatchLoader(self.X_train, self.y_train, s["batch_size"], shuffle=True, generator=order)
            self._batches_per_epoch = len(loader)
            optimizer = explore.make_optimizer(s["optimizer"], self.model.parameters(), s["lr"])
            loss_fn = nn.CrossEntropyLoss()
            last_draw = -math.inf
            for epoch in range(1, s["epochs"] + 1):
                for batch, loss in enumerate(explore.training_steps(self.model, loader, loss_fn, optimizer), 1):
                    self.history.append(loss)
                    problem = explore.divergence(self.history)
                    if problem:
                        self.state, self._problem = "diverged", problem
                        break
                    if self._stop_event.is_set():
                        self.state = "stopped"
                        break
                    if time.perf_counter() - last_draw >= self.redraw_interval:
                        self._draw()
                        average, window = self._recent_loss()
                        self.status.value = (
                            f"Training {self.label}: epoch {epoch} of {s['epochs']}, batch {batch} of "
                            f"{len(loader)}, loss {average:.3f} (average of the last {window} batches)"
                        )
                        if self.accuracy is not None:
                            self.status.value += f"; test accuracy after epoch {epoch - 1}: {self.accuracy:.1%}"
                        last_draw = time.perf_counter()
                if self.state != "running":
                    break
                self.accuracy = explore.evaluate(self.model, self.X_test, self.y_test)
            else:
                self.state = "done"
            if self.state == "stopped":
                self.accuracy = explore.evaluate(self.model, self.X_test, self.y_test)
        except Exception as exc:  # shown in the widget: a thread's traceback would be lost
            self.state, self._problem = "error", f"{type(exc).__name__}: {exc}"
        finally:
            try:
                self._draw()
                self.status.value = self._final_message()
            finally:
                self._set_running(False)
                self.done.set()

    def _final_message(self) -> str:
        s, n = self.settings, len(self.history)
        if self.state == "diverged":
            return _coloured(
                f"<b>Diverged</b> at batch {n}: {self._problem}. The learning rate {s['lr']:.2g} is "
                f"too high for {s['optimizer']}: the steps overshoot and the loss grows instead of "
                f"shrinking. Try one about 10 times smaller.",
                _RED,
            )
        if self.state == "error":
            return _coloured(f"Training stopped with an error: {self._problem}", _RED)
        average, window = self._recent_loss() if n else (math.nan, 0)
        accuracy = f"test accuracy {self.accuracy:.1%}" if self.accuracy is not None else "no accuracy yet"
        if self.state == "stopped":
            text = (
                f"<b>Stopped</b> after {n} batches: what was learned is kept in this widget's "
                f"<code>.model</code> ({accuracy}, loss {average:.3f})."
            )
        else:
            text = (
                f"<b>Done</b>: {s['epochs']} epoch(s) of {self.label}. Loss {average:.3f} (average of "
                f"the last {window} batches), {accuracy} on {len(self.y_test):,} test images. The "
                f"trained network is this widget's <code>.model</code>."
            )
        if self.accuracy is not None and self.accuracy < 0.2:
            text += "<br>" + _coloured(
                f"Test accuracy {self.accuracy:.0%} is close to guessing (10%): the network barely "
                f"learned. A learning rate far too small moves the weights too little; one far too "
                f"large can switch every ReLU off for good.",
                _ORANGE,
            )
        return text


def training_playground(
    info: Any = None, model_fn: Callable[[], nn.Module] | None = None, seed: int = 0
) -> TrainingPlayground:
    """Train LeNet with your choice of learning rate (log slider, 1e-4 to 1), batch size,
    optimizer (SGD, SGD + momentum, Adam) and epochs, and watch the loss curve grow live.

    Notebooks ``05`` (the training loop) and ``07`` (a full run). It always trains on the quick
    sample (6,000 training images, 1,000 test images, via ``course_utils.data.prepare(quick=True)``)
    on the CPU, so a run takes seconds. ``model_fn`` builds each run's network (default: the
    seed's ``Net``, taught in ``03_network_module``; pass your own class, e.g. ``Net``); every
    run starts from the same weights (``seed``), so only the settings differ.
    """
    if info is None:
        sample = prepare(quick=True)
    else:
        data = _data_info(info)
        sample = data if data.source == "sample" else prepare(data.root, quick=True)
    X_train, y_train = load_tensors(True, sample)
    X_test, y_test = load_tensors(False, sample)
    return TrainingPlayground(X_train, y_train, X_test, y_test, model_fn=model_fn, seed=seed)


# --------------------------------------------------------------------------- predictions


class PredictionExplorer(Explorer):
    """A test image with its 10 softmax probabilities; buttons walk the mistakes (``06``).

    ``.probs`` (N, 10) is computed once, when the explorer is made; ``.mistakes`` lists the
    misclassified positions; ``.index`` is the image shown.
    """

    explorer_name = "Prediction explorer"
    css_class = "course-prediction-explorer"

    def __init__(self, model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> None:
        self.index_slider = widgets.IntSlider(
            value=0,
            min=0,
            max=len(X) - 1,
            description="test image",
            continuous_update=False,
            style=_STYLE,
            layout=widgets.Layout(width="420px"),
        )
        self.previous_button = widgets.Button(description="previous mistake", icon="arrow-left")
        self.next_button = widgets.Button(description="next mistake", icon="arrow-right")
        self.caption = widgets.HTML()
        self.summary = widgets.HTML()
        figure = _image_widget()
        super().__init__(
            [
                widgets.HBox([self.index_slider, self.previous_button, self.next_button]),
                self.caption,
                figure,
                self.summary,
            ],
            figure=figure,
        )
        self.X, self.y = X, y
        self.probs = explore.predict_probabilities(model, X)
        self.preds = self.probs.argmax(1)
        self.mistakes = explore.mistake_indices(self.probs, y)
        accuracy = 1 - len(self.mistakes) / max(len(y), 1)
        self.summary.value = (
            f"{len(self.mistakes):,} of {len(y):,} test images are misclassified (accuracy "
            f"{accuracy:.1%}). The probabilities were computed once, when this cell ran: run it "
            f"again after more training."
        )
        self.index_slider.observe(lambda _: self.redraw(), names="value")
        self.next_button.on_click(lambda _: self.step(forward=True))
        self.previous_button.on_click(lambda _: self.step(forward=False))
        self.redraw()

    @property
    def index(self) -> int:
        """Position in the test split of the image shown."""
        return int(self.index_slider.value)

    def step(self, forward: bool = True) -> None:
        """Show the next (or previous) misclassified image, wrapping round at the end."""
        target = explore.next_mistake(self.mistakes, self.index, forward=forward)
        if target is None:
            self.caption.value = "No mistakes: the model classifies every test image correctly."
        elif target == self.index:
            self.redraw()
        else:
            self.index_slider.value = target  # the slider's observer redraws

    def redraw(self) -> None:
        """Draw the chosen image with its probabilities; say whether the model got it right."""
        i = self.index
        label, pred = int(self.y[i]), int(self.preds[i])
        fig = explore.prediction_figure(self.X[i], self.probs[i], label, i)
        self.figure.value = explore.figure_png(fig)
        verdict = (
            _coloured("✓ correct", "green")
            if pred == label
            else _coloured(f"✗ mistake {int((self.mistakes < i).sum()) + 1} of {len(self.mistakes):,}", _RED)
        )
        self.caption.value = (
            f"Test image {i}: true class <b>{CLASSES[label]}</b>, predicted <b>{CLASSES[pred]}</b> "
            f"with probability {float(self.probs[i, pred]):.0%}. {verdict}"
        )


def prediction_explorer(model: nn.Module, info: Any = None) -> PredictionExplorer:
    """Pick a test image and see the softmax probabilities ``model`` gives the 10 classes, with
    the predicted and the true class; "next mistake" walks the misclassified images.

    Notebook ``06_test_loop_and_metrics``. The probabilities are computed once, for the whole
    test split, when the explorer is made (re-run the cell after more training).
    """
    X, y = load_tensors(False, _data_info(info))
    return PredictionExplorer(model, X, y)
