"""The chart beside RESULTS.md: one panel per part that ran (throughput, wall times, accuracy)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.throughput import METHODS

__all__ = ["draw_chart"]


def _throughput_panel(ax, throughput: dict) -> None:
    """Bars: the median images per second of each data path; dots: each repeat."""
    meds = [throughput["median"][m] for m in METHODS]
    ax.bar(["course", "Quickstart", "limit"], meds, color=["tab:green", "tab:orange", "tab:gray"])
    for i, m in enumerate(METHODS):
        ax.plot([i] * len(throughput["samples"][m]), throughput["samples"][m], "k.", alpha=0.6)
    ax.set_ylabel("images per second (median; dots: repeats)")
    ax.set_title("LeNet training throughput, batch 64")


def _notebooks_panel(ax, notebooks: list[dict]) -> None:
    """Grouped bars: each notebook's wall time in each mode that ran."""
    names = sorted({r["notebook"] for r in notebooks})
    modes = [m for m in ("quick", "full") if any(r["mode"] == m for r in notebooks)]
    width = 0.8 / len(modes)
    for j, mode in enumerate(modes):
        secs = [next((r["seconds"] for r in notebooks if r["notebook"] == n and r["mode"] == mode), 0) for n in names]
        ax.bar([i + j * width for i in range(len(names))], secs, width, label=f"{mode} mode")
    ax.set_xticks([i + width * (len(modes) - 1) / 2 for i in range(len(names))])
    ax.set_xticklabels([n.split("_")[0] for n in names])
    ax.set_xlabel("notebook")
    ax.set_ylabel("wall time (s)")
    ax.set_title("Notebook wall times")
    ax.legend()


def _accuracy_panel(ax, accuracy: dict) -> None:
    """A line: notebook 07's accuracy after each epoch, on the split its ``history`` recorded (validation)."""
    series = accuracy["epoch_accuracy"]
    metric = accuracy.get("epoch_accuracy_key") or "test accuracy"  # results from before 07 held out validation
    ax.plot(range(1, len(series) + 1), [100 * a for a in series], marker="o")
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"{metric} (%)")
    ax.set_title(f"07: {metric} per epoch")
    ax.grid(alpha=0.3)


def draw_chart(path: Path, title: str, throughput: dict | None, notebooks: list[dict], accuracy: dict | None) -> bool:
    """Draw one PNG at ``path`` with a panel per part that ran; False when there was nothing to draw."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [
        (draw, data)
        for draw, data, present in [
            (_throughput_panel, throughput, bool(throughput)),
            (_notebooks_panel, notebooks, bool(notebooks)),
            (_accuracy_panel, accuracy, bool(accuracy and accuracy.get("epoch_accuracy"))),
        ]
        if present
    ]
    if not panels:
        return False
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4.2), squeeze=False)
    for ax, (draw, data) in zip(axes[0], panels):
        draw(ax, data)
    fig.suptitle(title)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True
