"""The training playground: train LeNet with chosen settings and watch the loss live (``05``, ``07``)."""

from __future__ import annotations

import contextvars
import math
import threading
import time
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import torch
from torch import nn

from course_utils import explore
from course_utils.data import BatchLoader, load_tensors, prepare, validation_indices
from course_utils.explore.training import TrainFn
from course_utils.widgets.base import ORANGE, RED, STYLE, Explorer, coloured, data_info, image_widget

__all__ = ["TrainingPlayground", "training_playground"]


class TrainingPlayground(Explorer):
    """Train a fresh LeNet on the quick sample and watch its loss live (``05``).

    Run starts a background thread that calls ``train_fn`` (default
    :func:`course_utils.reference.train`, the loop ``05`` teaches; ``05`` passes its own
    ``train``) once per epoch, through :func:`course_utils.explore.train_epoch`, which reports
    each batch's loss as it happens; the curve is redrawn every :attr:`redraw_interval` seconds
    while it trains. Stop ends it after the current batch, keeping the weights. The network
    trains on ``(X_train, y_train)``; after each epoch (and after a stop) its accuracy is
    measured on ``(X_val, y_val)``, a validation split it never trains on: settings are
    compared on validation data, the test set is kept for one final measurement (``06``, ``07``).
    After (or during) a run: ``.model`` (the network), ``.history`` (every batch's loss),
    ``.accuracy`` (validation accuracy, after an epoch or a stop), ``.state`` ("idle",
    "running", "done", "stopped", "diverged" or "error"), ``.previous`` (the last run's losses,
    batches per epoch and settings, drawn grey to compare); :meth:`wait` blocks until the run ends.

    ``reference.train`` draws a tqdm progress bar each epoch; the playground keeps it out of the
    notebook, as its own status line already says the epoch, the batch and the loss. tqdm has
    no switch for that once imported (its ``TQDM_*`` environment defaults are read when tqdm is
    imported), so the thread runs in a copy of the context of whatever started the run
    (``contextvars.copy_context()``, as ``asyncio.to_thread`` does): a Jupyter kernel
    (ipykernel 7 keeps its parent message in a context variable) then files everything the
    thread displays under that message, the Run click, which no cell owns (JupyterLab shows a
    click's output in no cell). Without the copy, the bars would appear in whichever cell ran
    last. Outside a kernel (a script, the tests), tqdm writes the bars to stderr.
    """

    explorer_name = "Training playground"
    css_class = "course-training-playground"
    #: Seconds between two live redraws of the loss curve (the first loss is drawn at once).
    redraw_interval = 0.25

    def __init__(
        self,
        X_train: torch.Tensor,
        y_train: torch.Tensor,
        X_val: torch.Tensor,
        y_val: torch.Tensor,
        model_fn: Callable[[], nn.Module] | None = None,
        seed: int = 0,
        train_fn: TrainFn | None = None,
    ) -> None:
        self._make_controls()
        figure = image_widget()
        super().__init__(
            [
                widgets.HBox([self.lr_slider, self.optimizer_select]),
                widgets.HBox([self.batch_select, self.epochs_slider, self.run_button, self.stop_button]),
                self.status,
                figure,
            ],
            figure=figure,
        )
        self.X_train, self.y_train, self.X_val, self.y_val = X_train, y_train, X_val, y_val
        self.model_fn = model_fn or explore.seed_net
        self.train_fn = train_fn  # None: course_utils.reference.train
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
        self._epoch, self._batch, self._last_draw = 0, 0, -math.inf
        self.previous: tuple[list[float], int, str] | None = None
        self._problem = ""
        self.run_button.on_click(lambda _: self.run())
        self.stop_button.on_click(lambda _: self.stop())
        self.status.value = (
            f"Choose the settings and press <b>Run</b>: a fresh network trains on {len(y_train):,} "
            f"images and its loss curve grows while it learns; after each epoch its accuracy is "
            f"measured on {len(y_val):,} validation images it never trains on. Then try a learning "
            f"rate of 1 to see what too high looks like."
        )
        self._draw()

    def _make_controls(self) -> None:
        """The settings (learning rate, batch size, optimizer, epochs), Run and Stop, and the status line."""
        self.lr_slider = widgets.FloatLogSlider(
            value=0.01,
            base=10,
            min=-4,
            max=0,
            step=0.1,
            description="learning rate lr",
            readout_format=".2g",
            style=STYLE,
        )
        self.batch_select = widgets.Dropdown(
            options=[16, 32, 64, 128, 256],
            value=64,
            description="batch size",
            style=STYLE,
            layout=widgets.Layout(width="160px"),
        )
        self.optimizer_select = widgets.Dropdown(
            options=list(explore.OPTIMIZERS),
            value="SGD + momentum",
            description="optimizer",
            style=STYLE,
            layout=widgets.Layout(width="230px"),
        )
        self.epochs_slider = widgets.IntSlider(value=2, min=1, max=5, description="epochs", style=STYLE)
        self.run_button = widgets.Button(description="Run", button_style="success", icon="play")
        self.stop_button = widgets.Button(description="Stop", button_style="danger", icon="stop", disabled=True)
        self.status = widgets.HTML()

    @property
    def running(self) -> bool:
        """True while a training run is in progress."""
        return not self.done.is_set()

    @property
    def label(self) -> str:
        """The run's settings in a few words, e.g. "Adam, lr=0.01, batch 64"."""
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
        self._start_thread()

    def _start_thread(self) -> None:
        """Run :meth:`_train` in a daemon thread, in a copy of the caller's context (see the class docstring)."""
        context = contextvars.copy_context()
        self._thread = threading.Thread(
            target=context.run, args=(self._train,), name="training-playground", daemon=True
        )
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
        self.show_figure(fig)

    def _recent_loss(self) -> tuple[float, int]:
        window = max(1, self._batches_per_epoch // 10)
        recent = self.history[-window:]
        return sum(recent) / len(recent), len(recent)

    def _train(self) -> None:
        """The training thread: the epochs, the validation accuracy after each, and the final message."""
        s = self.settings
        try:
            # its own generator: the same batch order every run, and the notebook's random state untouched
            order = torch.Generator().manual_seed(self.seed)
            loader = BatchLoader(self.X_train, self.y_train, s["batch_size"], shuffle=True, generator=order)
            self._batches_per_epoch = len(loader)
            optimizer = explore.make_optimizer(s["optimizer"], self.model.parameters(), s["lr"])
            loss_fn = nn.CrossEntropyLoss()
            self._last_draw = -math.inf
            for self._epoch in range(1, s["epochs"] + 1):
                self._batch = 0
                explore.train_epoch(
                    self.model, loader, loss_fn, optimizer, on_step=self._on_step, train_fn=self.train_fn
                )
                if self.state != "running":
                    break
                self.accuracy = explore.evaluate(self.model, self.X_val, self.y_val)
            else:
                self.state = "done"
            if self.state == "stopped":
                self.accuracy = explore.evaluate(self.model, self.X_val, self.y_val)
        except Exception as exc:  # shown in the widget: a thread's traceback would be lost
            self.state, self._problem = "error", f"{type(exc).__name__}: {exc}"
        finally:
            try:
                self._draw()
                self.status.value = self._final_message()
            finally:
                self._set_running(False)
                self.done.set()

    def _on_step(self, loss: float) -> bool:
        """After each batch's step: keep its loss, redraw now and then; False ends the run (diverged, Stop)."""
        self.history.append(loss)
        self._batch += 1
        problem = explore.divergence(self.history)
        if problem:
            self.state, self._problem = "diverged", problem
            return False
        if self._stop_event.is_set():
            self.state = "stopped"
            return False
        if time.perf_counter() - self._last_draw >= self.redraw_interval:
            self._draw()
            self.status.value = self._progress_message()
            self._last_draw = time.perf_counter()
        return True

    def _progress_message(self) -> str:
        s = self.settings
        average, window = self._recent_loss()
        text = (
            f"Training {self.label}: epoch {self._epoch} of {s['epochs']}, batch {self._batch} of "
            f"{self._batches_per_epoch}, loss {average:.3f} (average of the last {window} batches)"
        )
        if self.accuracy is not None:
            text += f"; validation accuracy after epoch {self._epoch - 1}: {self.accuracy:.1%}"
        return text

    def _final_message(self) -> str:
        s, n = self.settings, len(self.history)
        if self.state == "diverged":
            return coloured(
                f"<b>Diverged</b> at batch {n}: {self._problem}. The learning rate {s['lr']:.2g} is "
                f"too high for {s['optimizer']}: the steps overshoot and the loss grows instead of "
                f"shrinking. Try one about 10 times smaller.",
                RED,
            )
        if self.state == "error":
            return coloured(f"Training stopped with an error: {self._problem}", RED)
        average, window = self._recent_loss() if n else (math.nan, 0)
        accuracy = f"validation accuracy {self.accuracy:.1%}" if self.accuracy is not None else "no accuracy yet"
        if self.state == "stopped":
            text = (
                f"<b>Stopped</b> after {n} batches: what was learned is kept in this widget's "
                f"<code>.model</code> ({accuracy}, loss {average:.3f})."
            )
        else:
            text = (
                f"<b>Done</b>: {s['epochs']} epoch(s) of {self.label}. Loss {average:.3f} (average of "
                f"the last {window} batches), {accuracy} on {len(self.y_val):,} validation images. "
                f"The trained network is this widget's <code>.model</code>."
            )
        if self.accuracy is not None and self.accuracy < 0.2:
            text += "<br>" + coloured(
                f"Validation accuracy {self.accuracy:.0%} is close to guessing (10%): the network barely "
                f"learned. A learning rate far too small moves the weights too little; one far too "
                f"large can switch every ReLU off for good.",
                ORANGE,
            )
        return text


def training_playground(
    info: Any = None,
    model_fn: Callable[[], nn.Module] | None = None,
    seed: int = 0,
    train_fn: TrainFn | None = None,
) -> TrainingPlayground:
    """Train LeNet with your choice of learning rate (log slider, 1e-4 to 1), batch size,
    optimizer (SGD, SGD + momentum, Adam) and epochs, and watch the loss curve grow live.

    Notebook ``05`` (the training loop). It always works on the quick sample's 6,000 training
    images (via ``course_utils.data.prepare(quick=True)``), on the CPU, so a run takes seconds:
    it trains on 5,500 of them and measures the validation accuracy on the other 500, the
    stratified split of :func:`course_utils.data.validation_indices` (the one ``07`` uses). The
    test images are never loaded. ``model_fn`` builds each run's network (default: the seed's
    ``Net``, taught in ``03_network_module``; pass your own class, e.g. ``Net``); ``train_fn``
    runs each epoch (default :func:`course_utils.reference.train`; pass your own ``train``, with
    ``05``'s signature ``train(dataloader, model, loss_fn, optimizer)``). Every run starts from
    the same weights (``seed``), so only the settings differ.
    """
    if info is None:
        sample = prepare(quick=True)
    else:
        data = data_info(info)
        sample = data if data.source == "sample" else prepare(data.root, quick=True)
    X, y = load_tensors(True, sample)
    train_idx, val_idx = validation_indices(y)
    return TrainingPlayground(
        X[train_idx], y[train_idx], X[val_idx], y[val_idx], model_fn=model_fn, seed=seed, train_fn=train_fn
    )
