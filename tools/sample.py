"""Build the embedded Fashion-MNIST sample in ``course_utils/sample`` from the full set.

Reproducible: the first 600 training and 100 test images of each class, in their original
order, written in the same IDX format torchvision reads, gzip'd with a fixed timestamp.
The SHA-256 of each decompressed file is written to ``SHA256SUMS``. ``notebooks/01_data.ipynb``
shows the sample at work (quick mode)::

    python -m tools sample            # needs the full set: `make data` first
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import struct
import sys
from pathlib import Path

import torch

from course_utils import data

__all__ = ["PER_CLASS", "balanced_indices", "idx_bytes", "main"]

PER_CLASS = {"train": 600, "t10k": 100}
OUT = data.SAMPLE_DIR  # course_utils/sample, shipped with the package


def balanced_indices(labels: torch.Tensor, per_class: int) -> torch.Tensor:
    """The first ``per_class`` indices of every class, returned in ascending order."""
    picks = [torch.nonzero(labels == c).flatten()[:per_class] for c in range(10)]
    return torch.cat(picks).sort().values


def idx_bytes(array: torch.Tensor) -> bytes:
    """IDX encoding of a uint8 tensor: magic (0x0800 | ndim), big-endian sizes, raw bytes."""
    header = struct.pack(">I", 0x0800 | array.dim()) + b"".join(struct.pack(">I", s) for s in array.shape)
    return header + array.contiguous().numpy().tobytes()


def write_gz(path: Path, name: str, raw: bytes) -> None:
    """Gzip ``raw`` into ``path`` with a fixed inner name and mtime, so the bytes are reproducible."""
    with open(path, "wb") as fh, gzip.GzipFile(filename=name, fileobj=fh, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(raw)


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(prog="python -m tools sample", description=__doc__.split("\n")[0]).parse_args(argv)
    info = data.prepare(quick=False)
    if info.source == "sample":
        print("error: the full set is needed to build the sample: run `make data` first", file=sys.stderr)
        return 1
    sums = []
    for prefix, train in (("train", True), ("t10k", False)):
        ds = data.dataset(train, info=info)
        keep = balanced_indices(ds.targets, PER_CLASS[prefix])
        for kind, tensor in (("images-idx3", ds.data[keep]), ("labels-idx1", ds.targets[keep].to(torch.uint8))):
            name = f"{prefix}-{kind}-ubyte"
            raw = idx_bytes(tensor)
            write_gz(OUT / f"{name}.gz", name, raw)
            sums.append(f"{hashlib.sha256(raw).hexdigest()}  {name}")
    (OUT / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    print(f"wrote {OUT}: " + ", ".join(s.split()[1] for s in sums))
    return 0
