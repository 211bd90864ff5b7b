"""Checks that tell a learner what is wrong with their network, training loop or test loop.

Used by the teaching notebooks ``03_network_module`` (the network), ``05_training_loop`` (the
training loop) and ``06_test_loop_and_metrics`` (the test loop), and by every exercise
notebook under ``notebooks/exercises/``::

    from course_utils import checks
    checks.check_net(Net)        # class or instance; 1x32x32 input, 10 logits out
    checks.check_train(train)    # train(dataloader, model, loss_fn, optimizer)
    checks.check_test(test)      # test(dataloader, model, loss_fn) -> (avg_loss, accuracy)
    result.hint()                # stuck: the idea, then where, then the line's shape, one per call
    checks.solution("train")     # the course's code, to look at and then rebuild from blank tomorrow

Each call returns a :class:`CheckResult` (``.passed``, ``.status``, ``.messages``) that a
notebook shows as coloured feedback, and records it in the progress file
(:mod:`course_utils.progress`; an exercise passes ``level=``). A check never raises because of the learner's code:
``NotImplementedError`` means "not attempted", any other exception is explained.

How the checks see mistakes: they *watch the code run* rather than read its text. The learner's
function gets tiny synthetic data (no dataset, a few milliseconds of work) and instrumented
objects: a model that records its mode and the gradient mode at every forward pass, an
optimizer that records each ``zero_grad`` and ``step`` with the state of the gradients, a loss
function that notices swapped arguments and returns loss tensors that notice being added up,
hooks on the parameters that record each backward pass, and a ``TorchFunctionMode`` that
records the tensor operations (``relu``, ``linear``, ``argmax`` ...). Each stand-in is a real
instance of the class it stands for (the optimizer is a ``torch.optim.SGD``), so any public PyTorch
API the learner's code uses on it (an LR scheduler, ``GradScaler``, ``isinstance``) works. The
learner's code runs on the CPU, with its prints and warnings captured, and PyTorch's global random
state left as it was. What the code computes is judged, whatever its shape: a test loop that prints
its numbers (the PyTorch Quickstart's) is judged on the printed numbers; the course's own code,
imported instead of written, is recognised. Only one note reads the code itself: a method named
without parentheses (``model.eval`` alone), found in the function's bytecode.

The modules, one job each:

- :mod:`.result`: :class:`CheckResult`, the statuses, and the text and HTML templates; :mod:`.markup`
  the text helpers they share;
- :mod:`.ladders` (the hints, three levels per piece and per diagnosis that holds back the answer) and
  :mod:`.help` (a hint and the solution, rendered); :mod:`.attempts` (each result recorded as an attempt);
- :mod:`.isolation`: running the learner's code (seeded, on the CPU, prints and warnings captured) and
  explaining its errors;
- :mod:`.spies`: the recording model, loss, optimizer and loss tensors, and the recorder (a context variable);
- :mod:`.hints`: the usual cause of each error, the modern form of old PyTorch idioms, and the note on
  missing parentheses;
- :mod:`.rules`: a diagnosis as a small rule; an ordered list of them is a check's documentation;
- :mod:`.net` with :mod:`.net_rules` and :mod:`.layer_rules`, :mod:`.train` with :mod:`.train_rules`,
  :mod:`.test` with :mod:`.metric_rules`: the three checks, each a driver and its ordered rules;
- :mod:`.readout`: the loss and accuracy a test loop reports, returned or printed.
"""

from .help import solution
from .net import check_net
from .result import CORRECT, INCORRECT, NOT_ATTEMPTED, CheckResult
from .test import check_test
from .train import check_train

__all__ = [
    "CORRECT",
    "INCORRECT",
    "NOT_ATTEMPTED",
    "CheckResult",
    "check_net",
    "check_test",
    "check_train",
    "solution",
]
