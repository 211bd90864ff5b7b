"""The code cells of ``all_from_blank`` (all three pieces from a blank page), as ``# %% <name>`` sections.

Read by ``tools/exercises/templates.py`` as ``piece.py`` is (see there): ``setup`` gives the candidate
imports and the ``course_utils`` lines; ``stand-in`` is never copied (it stands for the learner's three
answers); ``check:<piece>`` follows each answer; ``train-for-real`` trains for real; ``progress`` is the last
code cell.
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
from course_utils.data import get_split_loaders
from course_utils.env import pick

info = setup(seed=0)
device = info.device

# %% stand-in
from course_utils.reference import Net, test, train

# %% check:net
result_net = checks.check_net(Net, level="all")
result_net

# %% check:train
result_train = checks.check_train(train, level="all")
result_train

# %% check:test
result_test = checks.check_test(test, level="all")
result_test

# %% train-for-real
# runs once all three checks say correct: your network, trained by your loop, measured by your test;
# the validation images after every epoch (to watch the training), the test images once, at the end (07)
def measured(reported):
    """What your test returned, in words (a test that prints its numbers has shown them above)."""
    if isinstance(reported, (tuple, list)) and len(reported) == 2:
        return f"loss {reported[0]:.4f}, accuracy {reported[1]:.4f}"
    if isinstance(reported, (int, float)):
        return f"{reported:.4f}"
    return "printed above"


num_epochs = pick(3, 1)
if result_net.passed and result_train.passed and result_test.passed:
    train_loader, val_loader, test_loader = get_split_loaders(batch_size=64, device=device)
    model = Net().to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(num_epochs):
        train(train_loader, model, loss_fn, optimizer)
        print(f"epoch {epoch + 1}, validation: {measured(test(val_loader, model, loss_fn))}")
    print(f"the test set, once, at the end: {measured(test(test_loader, model, loss_fn))}")
else:
    print("make the three checks above say correct first")

# %% progress
# your checks so far, and when to rebuild from a blank page (kept on this computer only)
progress.show()
