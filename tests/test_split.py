"""course_utils.data.split: a stratified, seeded validation split that leaves the global RNG alone."""

from __future__ import annotations

import pytest
import torch

from course_utils import data
from course_utils.data.split import _quotas, validation_indices


def _labels(per_class: list[int]) -> torch.Tensor:
    y = torch.cat([torch.full((count,), label) for label, count in enumerate(per_class)])
    return y[torch.randperm(len(y), generator=torch.Generator().manual_seed(1))]


def test_split_is_disjoint_complete_and_sorted():
    y = _labels([600] * 10)
    train_idx, val_idx = validation_indices(y)
    assert len(val_idx) == 500 and len(train_idx) == 5500  # 5,000 of 60,000, in proportion
    both = torch.cat([train_idx, val_idx])
    assert torch.equal(torch.sort(both).values, torch.arange(6000))
    assert torch.equal(val_idx, torch.sort(val_idx).values) and torch.equal(train_idx, torch.sort(train_idx).values)


def test_full_size_is_five_thousand():
    _, val_idx = validation_indices(torch.arange(60_000) % 10)
    assert len(val_idx) == 5_000


def test_split_is_stratified_even_for_unequal_classes():
    y = _labels([100, 300, 600])
    _, val_idx = validation_indices(y, size=100)
    counts = torch.bincount(y[val_idx], minlength=3)
    assert counts.tolist() == [10, 30, 60]  # each class keeps its share


def test_quotas_add_up_with_largest_remainders():
    quotas = _quotas(torch.tensor([1, 1, 1]), 2)
    assert int(quotas.sum()) == 2 and set(quotas.tolist()) <= {0, 1}


def test_split_is_seeded_and_leaves_the_global_generator_alone():
    y = _labels([50] * 4)
    state = torch.random.get_rng_state()
    first = validation_indices(y, size=20, seed=3)
    assert torch.equal(torch.random.get_rng_state(), state)
    again = validation_indices(y, size=20, seed=3)
    other = validation_indices(y, size=20, seed=4)
    assert torch.equal(first[1], again[1]) and not torch.equal(first[1], other[1])


@pytest.mark.parametrize("size", [0, 200, -1])
def test_impossible_sizes_say_what_is_expected(size):
    with pytest.raises(ValueError, match="0 < size < 200"):
        validation_indices(_labels([100, 100]), size=size)


def test_split_loaders_on_the_sample(monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "1")
    info = data.prepare()
    train_loader, val_loader, test_loader = data.get_split_loaders(batch_size=64, info=info)
    assert len(train_loader.dataset) + len(val_loader.dataset) == info.train
    assert len(val_loader.dataset) == round(info.train * data.VALIDATION_FRACTION)
    assert len(test_loader.dataset) == info.test
    assert train_loader.shuffle and not val_loader.shuffle and not test_loader.shuffle
    # no validation image is also a training image
    train_rows = {tuple(row.flatten()[::37].tolist()) for row in train_loader.X}
    assert not any(tuple(row.flatten()[::37].tolist()) in train_rows for row in val_loader.X[:50])
