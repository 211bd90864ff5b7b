"""What ran the benchmark: host, CPU, threads, versions, device and load, as plain strings."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import re
from pathlib import Path

__all__ = ["device_label", "load_average", "machine_info", "slug"]


def _cpu_name() -> str:
    """The CPU's model name from ``/proc/cpuinfo``, else what :mod:`platform` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> str | None:
    """The load average over 1, 5 and 15 minutes (``"0.47, 0.93, 1.25"``), or None where unknown."""
    if not hasattr(os, "getloadavg"):
        return None
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def machine_info(device) -> dict[str, str]:
    """The table at the top of RESULTS.md: what ran the benchmark, in the order it is shown."""
    import torch
    import torchvision

    info = {
        "date": _dt.datetime.now().isoformat(timespec="seconds"),
        "host": platform.node(),
        "os": f"{platform.system()} {platform.release()}",
        "cpu": _cpu_name(),
        "cpu cores (os.cpu_count)": str(os.cpu_count()),
        "torch threads": str(torch.get_num_threads()),
        "OMP_NUM_THREADS / OMP_WAIT_POLICY": (
            f"{os.environ.get('OMP_NUM_THREADS', 'unset')} / {os.environ.get('OMP_WAIT_POLICY', 'unset')}"
        ),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "device": str(device),
    }
    if device.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(device)
    load = load_average()
    if load is not None:
        info["load average at start (1, 5, 15 min)"] = load
    return info


def device_label(info: dict[str, str]) -> str:
    """A short name for the hardware: the GPU's name, else the CPU's and its core count."""
    if "gpu" in info:
        return info["gpu"]
    return f"{info['cpu']} ({info['cpu cores (os.cpu_count)']} cores)"


def slug(text: str) -> str:
    """A file-name-safe lower-case version of ``text``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "device"
