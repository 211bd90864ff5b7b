"""The paired standard error (course_utils.explore.paired, taught in 07), against hand arithmetic and torch."""

import math

import pytest
import torch

from course_utils.explore import disagreements, paired_standard_error


def test_counts_only_the_images_one_model_gets_right():
    right_a = torch.tensor([True, True, False, False, True])
    right_b = torch.tensor([True, False, True, False, False])
    assert disagreements(right_a, right_b) == 3  # images 2, 3 and 5
    assert paired_standard_error(right_a, right_b) == pytest.approx(math.sqrt(3) / 5)


def test_matches_the_standard_error_of_the_mean_difference_when_b_equals_c():
    # 80 images both right, 10 both wrong, 5 only a right, 5 only b right: b == c, so the formula is exact
    right_a = torch.tensor([True] * 80 + [False] * 10 + [True] * 5 + [False] * 5)
    right_b = torch.tensor([True] * 80 + [False] * 10 + [False] * 5 + [True] * 5)
    difference = right_a.float() - right_b.float()
    reference = difference.std(unbiased=False).item() / math.sqrt(len(difference))
    assert disagreements(right_a, right_b) == 10
    assert paired_standard_error(right_a, right_b) == pytest.approx(reference)


def test_identical_models_have_no_noise_and_shapes_must_match():
    right = torch.tensor([True, False, True])
    assert paired_standard_error(right, right) == 0.0
    with pytest.raises(ValueError, match="same images"):
        disagreements(right, right[:2])
