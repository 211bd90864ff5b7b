"""Notebook 07's recipe over several seeds (its main run, exactly): validation per epoch, the epoch chosen on
validation (first best), and that epoch's test accuracy (measuring the spread of the recipe, not choosing).

Wrote ``benchmarks/seeds07.jsonl`` (read by notebook 07): run from the repository root with
``TQDM_DISABLE=1 OMP_NUM_THREADS=1 COURSE_QUICK=0 python benchmarks/scripts/seeds07.py SEED [SEED ...]``;
it appends one JSON line per seed to ``/tmp/seeds07/results.jsonl``.
"""

import copy
import json
import sys
import time

import torch

from course_utils import reference
from course_utils.data import get_split_loaders
from course_utils.env import seed_everything


def main(seeds: list[int]) -> None:
    """Run the recipe once per seed; append one JSON line per seed."""
    torch.set_num_threads(1)
    train_loader, val_loader, test_loader = get_split_loaders(batch_size=64)
    for seed in seeds:
        start = time.perf_counter()
        seed_everything(seed)
        model = reference.Net()
        loss_fn = torch.nn.CrossEntropyLoss()
        optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)
        val, best, best_state = [], -1.0, None
        for epoch in range(10):
            reference.train(train_loader, model, loss_fn, optimizer)
            scheduler.step()
            val.append(reference.test(val_loader, model, loss_fn)[1])
            if val[-1] > best:
                best, best_state, best_epoch = val[-1], copy.deepcopy(model.state_dict()), epoch + 1
        model.load_state_dict(best_state)
        test_acc = reference.test(test_loader, model, loss_fn)[1]
        with open("/tmp/seeds07/results.jsonl", "a") as f:
            f.write(
                json.dumps(
                    {
                        "seed": seed,
                        "val_accuracy": val,
                        "best_epoch": best_epoch,
                        "best_val": best,
                        "test_accuracy": test_acc,
                        "threads": 1,
                        "seconds": time.perf_counter() - start,
                        "torch": torch.__version__,
                    }
                )
                + "\n"
            )
        print(seed, best_epoch, best, test_acc, flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]])
