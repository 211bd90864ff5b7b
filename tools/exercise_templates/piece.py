"""The code cells of a one-piece exercise (``net_*``, ``train_*``, ``test_*``), as ``# %% <name>`` sections.

Read by ``tools/exercises/templates.py``: each section is one cell, copied as it stands (blank lines
at its ends dropped); ``<cell>:<piece>`` is that cell in the exercises on one piece. The cells come in
the order the notebook runs them, so that ruff checks them as the kernel will see them:

- ``setup``: its plain ``import`` lines are the candidates. The generator keeps those that the learner's
  code (and the cells below) use, adds the teaching notebook's own imports that it uses (``tqdm`` for
  ``train``), and keeps the ``course_utils`` lines as they are.
- ``stand-in`` is never copied: it stands for the cells the generator writes between the set-up and the
  check (what is given, solved, and the learner's answer).
- ``check:<piece>`` is the check cell (the generator writes the exercise's level in place of ``level=1``);
  ``try-it:<piece>`` uses the learner's code on the real data; ``progress`` shows the progress file.
"""

# notebook cells: a check cell shows its result (B018), imports follow the cells before them (E402),
# and the set-up's imports are candidates, not all used by every exercise (F401)
# ruff: noqa: B018, E402, F401

# %% setup
# set-up: imports, seed, device (as in the teaching notebooks)
import torch
import torch.nn as nn
import torch.nn.functional as F

from course_utils import checks, progress, setup
from course_utils.data import get_loaders

info = setup(seed=0)
device = info.device

# %% stand-in
from course_utils.reference import Net, test, train

# %% check:net
result = checks.check_net(Net, level=1)
result

# %% try-it:net
# runs once the check says correct: one real batch through your network
if result.passed:
    train_loader, _ = get_loaders(batch_size=64, device=device)
    X, y = next(iter(train_loader))
    model = Net().to(device)
    pred = model(X)
    print("X:", tuple(X.shape), "-> pred:", tuple(pred.shape))
else:
    print("make the check above say correct first")

# %% check:train
result = checks.check_train(train, level=1)
result

# %% try-it:train
# runs once the check says correct: one epoch of your loop on the real training set
if result.passed:
    train_loader, _ = get_loaders(batch_size=64, device=device)
    model = Net().to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    X, y = next(iter(train_loader))
    with torch.no_grad():
        before = loss_fn(model(X), y).item()
    train(train_loader, model, loss_fn, optimizer)
    with torch.no_grad():
        after = loss_fn(model(X), y).item()
    print(f"loss on one batch: {before:.3f} before the epoch, {after:.3f} after")
    if after > before - 0.05:
        print("the loss barely moved on this batch, which one epoch at lr=0.1 should not give: "
              "run the cell again, or look at the learning rate")
else:
    print("make the check above say correct first")

# %% check:test
result = checks.check_test(test, level=1)
result

# %% try-it:test
# runs once the check says correct: one epoch of training (the loop given above), then your test loop
if result.passed:
    train_loader, test_loader = get_loaders(batch_size=64, device=device)
    model = Net().to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    train(train_loader, model, loss_fn, optimizer)  # one epoch first: an untrained network only guesses
    reported = test(test_loader, model, loss_fn)
    if isinstance(reported, (tuple, list)) and len(reported) == 2:  # the course's test: (avg_loss, accuracy)
        avg_loss, accuracy = reported
        print(f"after one epoch of training: average loss {avg_loss:.4f}, accuracy {accuracy:.4f} "
              f"(guessing gives 0.1, that is 10%)")
    elif isinstance(reported, (int, float)):  # the accuracy alone
        print(f"after one epoch of training, your test returned {reported:.4f} "
              "(guessing gives an accuracy of 0.1, that is 10%)")
    else:  # your test printed its numbers
        print("after one epoch of training: your test's numbers are printed above "
              "(guessing gives an accuracy of 0.1, that is 10%)")
else:
    print("make the check above say correct first")

# %% progress
# your checks so far, and when to rebuild from a blank page (kept on this computer only)
progress.show()
