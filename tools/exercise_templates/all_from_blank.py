"""The code cells of ``all_from_blank`` (all three pieces from a blank page), as ``# %% <name>`` sections.

Read by ``tools/exercises/templates.py`` as ``piece.py`` is (see there): ``setup`` gives the candidate
imports and the ``course_utils`` lines; ``stand-in`` is never copied (it stands for the learner's three
answers); ``check:<piece>`` follows each answer; ``train-for-real`` is the last code cell.
"""

# notebook cells: a check cell shows its result (B018), imports follow the cells before them (E402),
# and the set-up's imports are candidates, not all used by every exercise (F401)
# ruff: noqa: B018, E402, F401

# %% setup
# set-up: imports, seed, device (as in the teaching notebooks)
import torch
import torch.nn as nn
import torch.nn.functional as F

from course_utils import checks, data, setup
from course_utils.data import get_loaders
from course_utils.env import pick

info = setup(seed=0)
device = info.device

# %% stand-in
from course_utils.reference import Net, test, train

# %% check:net
result_net = checks.check_net(Net)
result_net

# %% check:train
result_train = checks.check_train(train)
result_train

# %% check:test
result_test = checks.check_test(test)
result_test

# %% train-for-real
# runs once all three checks say correct: your network, trained by your loop, measured by your test
num_epochs = pick(3, 1)
if result_net.passed and result_train.passed and result_test.passed:
    train_loader, test_loader = get_loaders(batch_size=64, device=device, info=data.prepare(quick=True))
    model = Net().to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(num_epochs):
        train(train_loader, model, loss_fn, optimizer)
        avg_loss, accuracy = test(test_loader, model, loss_fn)
        print(f"epoch {epoch + 1}: test loss {avg_loss:.4f}, accuracy {accuracy:.1%}")
else:
    print("make the three checks above say correct first")
