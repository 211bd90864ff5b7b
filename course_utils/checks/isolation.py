"""Running the learner's code in isolation: seeded, on the CPU, its prints captured, its errors explained.

A check never raises because of the learner's code: :func:`run` catches what it raises, and
:func:`explain` turns the exception into a sentence for the learner (which line, and the usual fix,
from :mod:`.hints`). Used by every check (notebooks 03, 05 and 06, and the exercises).
"""

from __future__ import annotations

import contextlib
import dataclasses
import dis
import io
import traceback
import types
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import torch

from .hints import cause_key, hint_for
from .rules import Finding

__all__ = ["Ran", "explain", "is_not_implemented", "isolated", "on_cpu", "run"]

_TORCH_DIR = str(Path(torch.__file__).resolve().parent)
_CHECKS_DIR = Path(__file__).resolve().parent


@contextlib.contextmanager
def isolated() -> Iterator[None]:
    """Seeded, gradient-enabled, and leaving PyTorch's global random state untouched."""
    with torch.random.fork_rng(devices=[]), torch.enable_grad():
        torch.random.default_generator.manual_seed(0)  # the CPU's only: manual_seed would reset the GPU's too
        yield


class Ran(NamedTuple):
    """What one call of the learner's code gave: its value, what it raised, printed and warned."""

    value: Any
    error: BaseException | None
    output: str
    warnings: list[str]  # the text of each warning it raised (old PyTorch idioms warn; see hints.warning_notes)


def run(fn: Callable[..., Any], *args: Any) -> Ran:
    """Call ``fn(*args)``; return its value, the exception (or None), what it printed and what it warned.

    Prints are captured; in a notebook, rich displays (a tqdm progress bar, say) are captured
    too, through IPython's own ``capture_output``, so that only the check's feedback shows.
    Warnings are recorded, not shown.
    """
    value, error = None, None
    with contextlib.ExitStack() as stack:
        capture = _ipython_capture()
        if capture is not None:
            captured = stack.enter_context(capture)
            read = lambda: captured.stdout + captured.stderr  # noqa: E731
        else:
            buffer = io.StringIO()
            stack.enter_context(contextlib.redirect_stdout(buffer))
            stack.enter_context(contextlib.redirect_stderr(buffer))
            read = buffer.getvalue
        caught = stack.enter_context(warnings.catch_warnings(record=True))
        warnings.simplefilter("always")
        try:
            value = fn(*args)
        except (Exception, SystemExit) as exc:  # the learner's code may raise anything
            error = exc
    return Ran(value, error, read(), list(dict.fromkeys(str(w.message) for w in caught)))


def _ipython_capture() -> Any:
    """IPython's ``capture_output()`` when running inside IPython (a notebook), else None."""
    try:
        from IPython import get_ipython
        from IPython.utils.capture import capture_output
    except ImportError:
        return None
    return capture_output() if get_ipython() is not None else None


def is_not_implemented(exc: BaseException | None) -> bool:
    """True for NotImplementedError: the exercise's blank is still there (not attempted)."""
    return isinstance(exc, NotImplementedError)


def uses_global(code: types.CodeType, name: str) -> bool:
    """True when ``code`` (or a function/comprehension inside it) reads the global ``name``."""
    for ins in dis.get_instructions(code):
        if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME") and ins.argval == name:
            return True
    return any(uses_global(c, name) for c in code.co_consts if isinstance(c, types.CodeType))


def on_cpu(fn: Callable[..., Any], what: str) -> tuple[Callable[..., Any], list[str]]:
    """Return ``fn`` seeing ``device = cpu`` (a copy of its globals: the notebook is untouched), and notes.

    The checks' data and models live on the CPU; a learner's loop that moves batches with
    ``X.to(device)``, or ``X.to(info.device)``, must not send them to a GPU. A missing
    ``device`` gives a note.
    """
    if not isinstance(fn, types.FunctionType):
        return fn, []
    uses_device = uses_global(fn.__code__, "device")
    info = fn.__globals__.get("info")
    uses_info = uses_global(fn.__code__, "info") and hasattr(info, "device") and dataclasses.is_dataclass(info)
    if not uses_device and not uses_info:
        return fn, []
    notes = []
    if uses_device and "device" not in fn.__globals__:
        notes.append(
            f"note: your {what} uses a global variable `device`, which is not defined in this "
            f"notebook, so it would stop with a NameError. The check ran it on the CPU. Define it "
            f"once near the top: `device = info.device` (after `info = setup(seed=0)`)."
        )
    namespace = dict(fn.__globals__)
    if uses_device:
        namespace["device"] = torch.device("cpu")
    if uses_info:
        namespace["info"] = dataclasses.replace(info, device=torch.device("cpu"))
    copy = types.FunctionType(fn.__code__, namespace, fn.__name__, fn.__defaults__, fn.__closure__)
    copy.__kwdefaults__ = fn.__kwdefaults__
    return copy, notes


def _where(exc: BaseException) -> str:
    """' (line N: `code`)' for the learner's deepest frame, or '' when none is found."""
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [
        f for f in frames
        if not f.filename.startswith(_TORCH_DIR) and Path(f.filename).resolve().parent != _CHECKS_DIR
        and "contextlib" not in f.filename
    ]
    if not mine:
        return ""
    frame = mine[-1]
    code = (frame.line or "").strip()
    return f" (line {frame.lineno}: `{code}`)" if code else f" (line {frame.lineno})"


def explain(exc: BaseException, what: str) -> str:
    """Say which exception the learner's code raised, where, and what usually fixes it.

    The finding's key is its usual cause's (:func:`~.hints.cause_key`), else ``raised_<ErrorName>``.
    """
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    if len(first) > 300:
        first = first[:300] + "..."
    error = f"{type(exc).__name__}: {text}"
    return Finding(f"{what} raised {type(exc).__name__}: {first}{_where(exc)}. Hint: {hint_for(error)}",
                   cause_key(error) or f"raised_{type(exc).__name__}")
