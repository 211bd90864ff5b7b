"""Fashion-MNIST for the course: preparing the files, reading them, and fast in-memory batches.

Taught in ``00_start_here`` (where the data comes from) and ``01_data`` (datasets, transforms,
loaders). Files are always read by ``torchvision.datasets.FashionMNIST(root, download=False)``;
this package only decides *which* folder holds trustworthy files. One module per step:

- :mod:`~course_utils.data.files`: :class:`DataInfo`, :class:`DataError`, checksums, decompression;
- :mod:`~course_utils.data.sources`: :func:`prepare` and its sources (local, system, torchvision, sample);
- :mod:`~course_utils.data.loaders`: the transform, :func:`dataset`, :func:`load_tensors`, :class:`BatchLoader`;
- :mod:`~course_utils.data.split`: the stratified validation split and :func:`get_split_loaders`;
- :mod:`~course_utils.data.cli`: ``python -m course_utils.data``, which prepares the data and prints
  one line saying what was used.

Quick mode (``COURSE_QUICK=1``) always uses the sample; the data folder is ``$COURSE_DATA`` or
``data/`` (both read in :mod:`course_utils.config`). Every public name is importable from here:
``from course_utils.data import get_loaders``.
"""

from course_utils.config import data_root
from course_utils.data.cli import main
from course_utils.data.files import FULL_TEST, FULL_TRAIN, DataError, DataInfo, display_path
from course_utils.data.loaders import (
    CLASSES,
    MEAN,
    STD,
    BatchLoader,
    dataset,
    expect_batch,
    get_loaders,
    lenet_transform,
    load_tensors,
    pad32,
)
from course_utils.data.sources import FILES, FULL_SHA256, SAMPLE_DIR, SAMPLE_NOTE, SYSTEM_DIR, prepare
from course_utils.data.split import VALIDATION_FRACTION, get_split_loaders, validation_indices

__all__ = [
    "CLASSES",
    "FILES",
    "FULL_SHA256",
    "FULL_TEST",
    "FULL_TRAIN",
    "MEAN",
    "STD",
    "SAMPLE_DIR",
    "SAMPLE_NOTE",
    "SYSTEM_DIR",
    "VALIDATION_FRACTION",
    "BatchLoader",
    "DataError",
    "DataInfo",
    "data_root",
    "dataset",
    "display_path",
    "expect_batch",
    "get_loaders",
    "get_split_loaders",
    "lenet_transform",
    "load_tensors",
    "pad32",
    "prepare",
    "validation_indices",
    "main",
]
