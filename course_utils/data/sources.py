"""Where trustworthy Fashion-MNIST files come from: :func:`prepare` tries each source in turn.

Taught in ``00_start_here``. Sources, in order:

1. ``local``: the four files already in ``<root>/FashionMNIST/raw``;
2. ``system``: Debian/Ubuntu's ``dataset-fashion-mnist`` package, decompressed into the folder;
3. ``torchvision``: torchvision's download, only when asked (``make data``, ``download=True``);
4. ``sample``: the class-balanced sample shipped inside ``course_utils`` (6,000 + 1,000 images).

Quick mode (``COURSE_QUICK=1``) always uses the sample.
"""

from __future__ import annotations

from pathlib import Path

from course_utils.config import data_root, quick_mode
from course_utils.data.files import DataError, DataInfo, _count, _decompress, _file_hash, _fix_local, _verify

__all__ = ["FILES", "FULL_SHA256", "SAMPLE_DIR", "SAMPLE_NOTE", "SYSTEM_DIR", "prepare"]

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
#: Said (by ``setup()`` and the command line) when full mode has only the sample to work with.
SAMPLE_NOTE = (
    "note: the full Fashion-MNIST was not found, so the course uses the 6,000-image sample: "
    "accuracies and timings will differ from the stored outputs. For the full set run `make data` "
    "(or `python -m course_utils.data --download`)."
)

#: The embedded sample: ``course_utils/sample/`` (package data, see pyproject.toml).
SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample"
SAMPLE_SUMS = SAMPLE_DIR / "SHA256SUMS"


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
    root : the course data folder (default :func:`course_utils.config.data_root`).
    download : allow torchvision's download when neither local nor system files exist.
    quick : use the embedded sample; default: :func:`course_utils.config.quick_mode`.
    system_dir : where the system package's ``.gz`` files live (default :data:`SYSTEM_DIR`).

    Returns the :class:`DataInfo` of the files in use. Raises :class:`DataError` (never deletes a
    file of yours) when a file is truncated or corrupt.
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
