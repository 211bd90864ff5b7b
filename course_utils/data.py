"""Fashion-MNIST for the course: preparing the files, reading them, and fast in-memory batches.

Taught in ``00_start_here`` (where the data comes from) and ``01_data`` (datasets, transforms,
loaders). Files are always read by ``torchvision.datasets.FashionMNIST(root, download=False)``;
this module only decides *which* folder holds trustworthy files.

Sources, tried in order by :func:`prepare`:

1. ``local``: the four files already in ``<root>/FashionMNIST/raw``;
2. ``system``: Debian/Ubuntu's ``dataset-fashion-mnist`` package, decompressed into the folder;
3. ``torchvision``: torchvision's download, only when asked (``make data``, ``download=True``);
4. ``sample``: the class-balanced sample shipped inside ``course_utils`` (6,000 + 1,000 images).

Quick mode (``COURSE_QUICK=1``) always uses the sample. Run ``python -m course_utils.data``
to prepare the data and print one line saying what was used.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import math
import os
import shlex
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F

from course_utils.env import quick_mode

if TYPE_CHECKING:  # torchvision is imported where it is used: `import course_utils.data` stays light
    from torchvision import transforms
    from torchvision.datasets import FashionMNIST

__all__ = [
    "CLASSES",
    "FULL_SHA256",
    "FULL_TEST",
    "FULL_TRAIN",
    "MEAN",
    "STD",
    "SAMPLE_NOTE",
    "SYSTEM_DIR",
    "BatchLoader",
    "DataError",
    "DataInfo",
    "data_root",
    "dataset",
    "display_path",
    "expect_batch",
    "get_loaders",
    "lenet_transform",
    "load_tensors",
    "pad32",
    "prepare",
    "main",
]

#: Class names, index = label id (the same list as ``torchvision.datasets.FashionMNIST.classes``).
CLASSES: tuple[str, ...] = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

#: Mean and standard deviation of the full training set's pixels after ``ToTensor`` (0..1).
MEAN: float = 0.2860
STD: float = 0.3530

#: Where Debian's and Ubuntu's ``dataset-fashion-mnist`` package puts the ``.gz`` files.
SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")

#: SHA-256 of each decompressed file of the full set (measured from the Debian package).
FULL_SHA256: dict[str, str] = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
FILES = tuple(FULL_SHA256)
#: Images in the full set's training and test splits.
FULL_TRAIN, FULL_TEST = 60_000, 10_000
#: Said (by ``setup()`` and the command line) when full mode has only the sample to work with.
SAMPLE_NOTE = (
    "note: the full Fashion-MNIST was not found, so the course uses the 6,000-image sample: "
    "accuracies and timings will differ from the stored outputs. For the full set run `make data` "
    "(or `python -m course_utils.data --download`)."
)

SAMPLE_DIR = Path(__file__).resolve().parent / "sample"
SAMPLE_SUMS = SAMPLE_DIR / "SHA256SUMS"

_IMAGE_HEADER, _LABEL_HEADER, _PIXELS = 16, 8, 28 * 28


class DataError(RuntimeError):
    """The data is missing, truncated or corrupt. The message names the file and the fix."""


@dataclass(frozen=True)
class DataInfo:
    """Which data is in use: ``source`` is local, system, torchvision or sample.

    ``root`` is the folder to pass to ``torchvision.datasets.FashionMNIST(root, ...)``.
    """

    source: str
    root: Path
    train: int
    test: int

    @property
    def is_full(self) -> bool:
        """True for the whole Fashion-MNIST (60,000 + 10,000 images), False for the sample.

        Notebooks check the numbers they state about the full set only when this is True: full
        mode falls back to the sample when the full set is not on disk (see ``prepare``).
        """
        return (self.train, self.test) == (FULL_TRAIN, FULL_TEST)

    def __str__(self) -> str:
        return f"source={self.source} root={display_path(self.root)} train={self.train} test={self.test}"


def display_path(path: Path) -> str:
    """Return ``path`` as a reader would like to see it printed.

    Relative to the working directory when it is there or one folder up (``../data`` from
    ``notebooks/``), with ``~`` for the home folder otherwise, so that stored notebook outputs
    do not show the absolute paths of the machine that ran them.
    """
    path = Path(path)
    try:
        rel = Path(os.path.relpath(path))
    except ValueError:  # another drive on Windows
        return str(path)
    ups = len(rel.parts) - len(tuple(part for part in rel.parts if part != ".."))
    if ups <= 1:
        return str(rel)
    home = Path.home()
    if path.is_relative_to(home) and home != Path("/"):
        return str(Path("~") / path.relative_to(home))
    return str(path)


def data_root() -> Path:
    """Return the course data folder: ``$COURSE_DATA``, else ``data/`` at the repository's root.

    When ``course_utils`` is not inside a checkout (a plain ``pip install``, Colab), the
    fallback is ``./data`` relative to the working directory.
    """
    env = os.environ.get("COURSE_DATA")
    if env:
        return Path(env).expanduser().resolve()
    repo = Path(__file__).resolve().parent.parent
    if (repo / "pyproject.toml").is_file():
        return repo / "data"
    return Path("data").resolve()


# --------------------------------------------------------------------------- integrity


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=64)
def _sha256_cached(path: str, size: int, mtime_ns: int) -> str:
    return _sha256(Path(path))


def _file_hash(path: Path) -> str:
    stat = path.stat()
    return _sha256_cached(str(path), stat.st_size, stat.st_mtime_ns)


def _count(path: Path) -> int:
    """Number of records in an IDX file, from its size (images: 784 bytes, labels: 1)."""
    if "images" in path.name:
        return (path.stat().st_size - _IMAGE_HEADER) // _PIXELS
    return path.stat().st_size - _LABEL_HEADER


def _verify(path: Path, expected: str, how_to_fix: str) -> None:
    if not path.is_file():
        raise DataError(f"missing data file {path}. {how_to_fix}")
    actual = _file_hash(path)
    if actual != expected:
        raise DataError(
            f"data file {path} is truncated or corrupt: its SHA-256 is {actual[:16]}..., "
            f"expected {expected[:16]}... ({path.stat().st_size:,} bytes). The course will not "
            f"train on it. {how_to_fix}"
        )


def _fix_local(path: Path) -> str:
    return (
        f"Fix: move the file aside yourself (nothing is deleted for you), e.g. "
        f"`mv {shlex.quote(str(path))} {shlex.quote(str(path) + '.bad')}`, then run `make data` "
        f"(or `python -m course_utils.data --download`) to restore it from the system package or "
        f"torchvision's download."
    )


def _cannot_write(folder: Path, exc: OSError) -> str:
    return (
        f"cannot write the data into {folder}: {exc.strerror or exc}. Fix: point the course at a folder "
        f"you can write to (`export COURSE_DATA=~/lenet-data`, or `COURSE_DATA=... make lab`), free some "
        f"disk space, or, on a shared machine, ask whoever runs it to prepare the data once for everyone "
        f"(`python -m course_utils.data` in the course's folder)."
    )


def _decompress(src: Path, dst: Path, expected: str) -> None:
    """Decompress ``src`` (.gz) to ``dst`` through a temporary file, checking the hash.

    A source that cannot be read is a corrupt archive; a destination that cannot be written (no
    permission, a full disk) is said as such, with its own fix.
    """
    part = dst.with_name(dst.name + ".part")
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
        fout = open(part, "wb")
    except OSError as exc:
        raise DataError(_cannot_write(dst.parent, exc)) from exc
    with fout:
        try:
            with gzip.open(src, "rb") as fin:
                for block in iter(lambda: fin.read(1 << 20), b""):
                    try:
                        fout.write(block)
                    except OSError as exc:  # DataError is not an OSError: it passes the handler below
                        part.unlink(missing_ok=True)
                        raise DataError(_cannot_write(dst.parent, exc)) from exc
        except (OSError, EOFError) as exc:
            part.unlink(missing_ok=True)
            raise DataError(
                f"cannot decompress {src}: {exc}. The archive is truncated or corrupt. Fix: reinstall "
                f"it (e.g. `sudo apt-get install --reinstall dataset-fashion-mnist`)."
            ) from exc
    actual = _sha256(part)
    if actual != expected:
        part.unlink(missing_ok=True)
        raise DataError(
            f"{src} decompresses to data with SHA-256 {actual[:16]}..., expected "
            f"{expected[:16]}...: the archive is corrupt. Fix: reinstall it (e.g. "
            f"`sudo apt-get install --reinstall dataset-fashion-mnist`)."
        )
    part.replace(dst)


# --------------------------------------------------------------------------- sources


def _sample_sums() -> dict[str, str]:
    sums = {}
    for line in SAMPLE_SUMS.read_text().splitlines():
        if line.strip():
            digest, name = line.split()
            sums[name] = digest
    return sums


def _prepare_sample(root: Path) -> DataInfo:
    """Decompress the embedded sample into ``<root>/sample`` (re-done whenever a file is off)."""
    sample_root = root / "sample"
    raw = sample_root / "FashionMNIST" / "raw"
    for name, digest in _sample_sums().items():
        target = raw / name
        if not (target.is_file() and _file_hash(target) == digest):
            _decompress(SAMPLE_DIR / f"{name}.gz", target, digest)
    return DataInfo(
        "sample",
        sample_root,
        _count(raw / "train-labels-idx1-ubyte"),
        _count(raw / "t10k-labels-idx1-ubyte"),
    )


def _full_info(source: str, root: Path) -> DataInfo:
    raw = root / "FashionMNIST" / "raw"
    return DataInfo(
        source, root, _count(raw / "train-labels-idx1-ubyte"), _count(raw / "t10k-labels-idx1-ubyte")
    )


def _download(root: Path) -> None:
    import torchvision

    try:
        torchvision.datasets.FashionMNIST(root, train=True, download=True)
        torchvision.datasets.FashionMNIST(root, train=False, download=True)
    except Exception as exc:  # network errors come in many types
        raise DataError(
            f"torchvision could not download Fashion-MNIST into {root}: {exc}. Fix: check the "
            f"network, or install the system package (`sudo apt-get install "
            f"dataset-fashion-mnist`), or work offline with the embedded sample (COURSE_QUICK=1)."
        ) from exc


def prepare(
    root: str | Path | None = None,
    download: bool = False,
    quick: bool | None = None,
    system_dir: str | Path | None = None,
) -> DataInfo:
    """Make sure trustworthy Fashion-MNIST files are on disk and say which source gave them.

    Parameters
    ----------
    root : the course data folder (default :func:`data_root`).
    download : allow torchvision's download when neither local nor system files exist.
    quick : use the embedded sample; default: :func:`course_utils.env.quick_mode`.
    system_dir : where the system package's ``.gz`` files live (default :data:`SYSTEM_DIR`).

    Raises :class:`DataError` (never deletes a file of yours) when a file is truncated or corrupt.
    """
    root = Path(root).expanduser().resolve() if root is not None else data_root()
    if quick_mode() if quick is None else quick:
        return _prepare_sample(root)

    raw = root / "FashionMNIST" / "raw"
    present = [name for name in FILES if (raw / name).exists()]
    for name in present:  # the user's own files: check them, never replace them
        _verify(raw / name, FULL_SHA256[name], _fix_local(raw / name))
    if len(present) == len(FILES):
        return _full_info("local", root)

    system_dir = Path(system_dir) if system_dir is not None else SYSTEM_DIR
    missing = [name for name in FILES if name not in present]
    if all((system_dir / f"{name}.gz").is_file() for name in missing):
        for name in missing:
            _decompress(system_dir / f"{name}.gz", raw / name, FULL_SHA256[name])
        return _full_info("system", root)

    if download:
        _download(root)
        for name in FILES:
            _verify(raw / name, FULL_SHA256[name], _fix_local(raw / name))
        return _full_info("torchvision", root)

    if present:
        raise DataError(
            f"{raw} holds only part of Fashion-MNIST (missing: {', '.join(missing)}). Fix: run "
            f"`make data` to fetch the rest, or move the folder aside to use the embedded sample."
        )
    return _prepare_sample(root)


# --------------------------------------------------------------------------- reading


def lenet_transform() -> transforms.Compose:
    """The course's per-image transform: ``ToTensor`` (0..1), ``Pad(2)`` (28 -> 32), ``Normalize``.

    Taught in ``01_data``. LeNet was designed for 32x32 inputs: after two 5x5 convolutions and
    two 2x2 poolings, 32 leaves 5x5 maps, hence ``fc1 = nn.Linear(16 * 5 * 5, 120)``.
    """
    from torchvision import transforms

    return transforms.Compose(
        [transforms.ToTensor(), transforms.Pad(2), transforms.Normalize((MEAN,), (STD,))]
    )


def dataset(
    train: bool = True, transform: Callable | None = None, info: DataInfo | None = None
) -> FashionMNIST:
    """Return ``torchvision.datasets.FashionMNIST`` over the prepared folder (never downloads)."""
    import torchvision

    info = info or prepare()
    return torchvision.datasets.FashionMNIST(
        str(info.root), train=train, download=False, transform=transform
    )


def pad32(x: torch.Tensor) -> torch.Tensor:
    """Pad images from 28x28 to 32x32 with two zero pixels on every side (any leading dims)."""
    if x.dim() < 2 or tuple(x.shape[-2:]) != (28, 28):
        raise ValueError(
            f"pad32 expects images whose last two dimensions are 28x28, got shape "
            f"{tuple(x.shape)}. Fix: pass Fashion-MNIST images as read (N, 28, 28) or (N, 1, 28, 28)."
        )
    return F.pad(x, (2, 2, 2, 2))


def expect_batch(X: torch.Tensor) -> None:
    """Raise a ValueError that explains the fix unless ``X`` is a float batch (N, 1, 32, 32)."""
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"expected a torch.Tensor batch shaped (N, 1, 32, 32), got {type(X).__name__}")
    shape = tuple(X.shape)
    if X.dim() == 4 and shape[1:] == (1, 32, 32):
        if not X.is_floating_point():
            raise ValueError(
                f"expected a float batch, got dtype {X.dtype}: convert with X.float() / 255 "
                f"or read it through course_utils.data.lenet_transform()"
            )
        return
    hints = []
    if X.dim() == 3:
        hints.append("add a batch dimension with x.unsqueeze(0)")
    elif X.dim() == 2:
        hints.append("add channel and batch dimensions with x[None, None]")
    if shape[-2:] == (28, 28):
        hints.append("pad to 32 with course_utils.data.pad32")
    hint = " and ".join(hints) or "reshape it to (N, 1, 32, 32)"
    raise ValueError(f"expected a batch shaped (N, 1, 32, 32), got {shape}: {hint}")


@lru_cache(maxsize=4)
def _tensors_cpu(root: str, train: bool) -> tuple[torch.Tensor, torch.Tensor]:
    ds = dataset(train, info=DataInfo("?", Path(root), 0, 0))
    X = pad32(ds.data.unsqueeze(1).float().div(255)).sub(MEAN).div(STD)
    return X, ds.targets.clone()


def load_tensors(
    train: bool = True, info: DataInfo | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the whole split as ``(X, y)``: X float (N, 1, 32, 32), normalised; y int64 (N,).

    Identical, value for value, to reading every image through :func:`lenet_transform`, but
    done once for the whole split with tensor operations. The work is cached per folder and
    split; each call returns its own copy, so changing a batch in place never alters the data
    a later call (or another loader) gets.
    """
    info = info or prepare()
    X, y = _tensors_cpu(str(info.root), train)
    return X.clone(), y.clone()


class BatchLoader:
    """Yield ``(X, y)`` batches from tensors held in memory, like a ``DataLoader`` without PIL.

    It has what the course's loops use from a ``DataLoader``: iteration, ``len(loader)`` (the
    number of batches), ``loader.dataset`` (with ``len``) and ``loader.batch_size``. Shuffling
    draws a fresh order every epoch from PyTorch's global random generator, so ``setup(seed)``
    makes runs reproducible, or from ``generator`` when one is given (a run that must not touch
    the global state, like the training playground's thread). On a GPU the tensors live on the
    device: no copy per batch.
    """

    def __init__(
        self,
        X: torch.Tensor,
        y: torch.Tensor,
        batch_size: int = 64,
        shuffle: bool = False,
        device: str | torch.device | None = None,
        generator: torch.Generator | None = None,
    ) -> None:
        if len(X) != len(y):
            raise ValueError(f"X has {len(X)} images but y has {len(y)} labels: they must match")
        if batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
        device = torch.device(device) if device is not None else X.device
        self.X, self.y = X.to(device), y.to(device)
        self.dataset = torch.utils.data.TensorDataset(self.X, self.y)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator

    def __len__(self) -> int:
        return math.ceil(len(self.y) / self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(self.y)
        if self.shuffle:
            gen = self.generator
            if gen is None:
                seed = int(torch.empty((), dtype=torch.int64).random_().item())
                gen = torch.Generator().manual_seed(seed)
            order = torch.randperm(n, generator=gen).to(self.X.device)
            for start in range(0, n, self.batch_size):
                idx = order[start : start + self.batch_size]
                yield self.X[idx], self.y[idx]
        else:
            for start in range(0, n, self.batch_size):
                yield self.X[start : start + self.batch_size], self.y[start : start + self.batch_size]

    def __repr__(self) -> str:
        return (
            f"BatchLoader({len(self.y)} images, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, device={self.X.device})"
        )


def get_loaders(
    batch_size: int = 64,
    device: str | torch.device | None = None,
    info: DataInfo | None = None,
    test_batch_size: int | None = None,
) -> tuple[BatchLoader, BatchLoader]:
    """Return ``(train_loader, test_loader)``: in-memory, training shuffled, test in order.

    ``device`` defaults to the CPU; pass ``setup().device`` to keep the data on a GPU.
    """
    info = info or prepare()
    Xtr, ytr = load_tensors(True, info)
    Xte, yte = load_tensors(False, info)
    train_loader = BatchLoader(Xtr, ytr, batch_size, shuffle=True, device=device)
    test_loader = BatchLoader(Xte, yte, test_batch_size or max(batch_size, 1000), device=device)
    return train_loader, test_loader


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    """``python -m course_utils.data [--download] [--root DIR] [--quick]``: prepare, print one line."""
    parser = argparse.ArgumentParser(prog="python -m course_utils.data", description=__doc__.split("\n")[0])
    parser.add_argument("--root", help="data folder (default: $COURSE_DATA or ./data)")
    parser.add_argument("--download", action="store_true", help="allow torchvision's download")
    parser.add_argument("--quick", action="store_true", help="use the embedded sample")
    args = parser.parse_args(argv)
    try:
        info = prepare(args.root, download=args.download, quick=True if args.quick else None)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(info)
    if not info.is_full and not args.quick and not quick_mode():
        print(SAMPLE_NOTE, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
