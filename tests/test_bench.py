"""The pure helpers of benchmarks/bench.py, on tiny hand-made inputs (no timing, no notebooks)."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # nothing runs at import: main() is behind __name__
    return module


def test_median_and_ratio(bench):
    assert bench.median([3.0, 1.0, 2.0]) == 2.0
    assert bench.median([4.0, 1.0, 2.0, 3.0]) == 2.5
    assert math.isnan(bench.median([]))
    assert bench.ratio(3.0, 4.0) == 0.75
    assert math.isnan(bench.ratio(1.0, 0.0))
    assert math.isnan(bench.ratio(math.nan, 1.0))


def test_paired_ratios(bench):
    assert bench.paired_ratios([2.0, 9.0], [4.0, 10.0]) == [0.5, 0.9]
    with pytest.raises(ValueError, match="same length"):
        bench.paired_ratios([1.0], [1.0, 2.0])


def test_interleaved_order_is_abc_abc(bench):
    assert bench.interleaved(["a", "b", "c"], 2) == [(0, "a"), (0, "b"), (0, "c"), (1, "a"), (1, "b"), (1, "c")]


def test_summarise_throughput_uses_medians_of_paired_ratios(bench):
    samples = {"course": [90.0, 80.0, 100.0], "quickstart": [45.0, 50.0, 40.0], "limit": [100.0, 100.0, 100.0]}
    data_alone = {"course": [900.0], "quickstart": [100.0]}
    result = bench.summarise_throughput(samples, data_alone, num_batches=300, epoch_batches=938, repeats=3)
    assert result["median"] == {"course": 90.0, "quickstart": 45.0, "limit": 100.0}
    assert result["loader_vs_limit"] == pytest.approx(0.9)  # median of 0.9, 0.8, 1.0
    assert result["loader_vs_quickstart"] == pytest.approx(2.0)  # median of 2.0, 1.6, 2.5
    # cost model: 1 / (1/100 + 1/900) = 90 images per second; 1 / (1/100 + 1/100) = 50
    assert result["predicted"]["course"] == pytest.approx(90.0)
    assert result["predicted"]["quickstart"] == pytest.approx(50.0)


def test_markdown_table_and_formatting(bench):
    table = bench.markdown_table(["a", "b"], [[1, "x|y"], [2.5, "z"]])
    assert table.splitlines() == ["| a | b |", "|---|---|", "| 1 | x\\|y |", "| 2.5 | z |"]
    assert bench.fmt_num(12345.678) == "12,346"
    assert bench.fmt_num(0.12345, 2, "%") == "0.12%"
    assert bench.fmt_num(None) == "n/a" and bench.fmt_num(math.nan) == "n/a"
    assert bench.verdict(0.95, 0.9) == "met" and bench.verdict(0.85, 0.9) == "missed"
    assert bench.verdict(130.0, 120.0, higher_is_better=False) == "missed"
    assert bench.slug("NVIDIA H100 80GB HBM3") == "nvidia-h100-80gb-hbm3"


def test_throughput_markdown_reports_the_ratios(bench):
    samples = {"course": [90.0], "quickstart": [45.0], "limit": [100.0]}
    result = bench.summarise_throughput(samples, {"course": [900.0], "quickstart": [100.0]}, 300, 938, 1)
    text = bench.throughput_markdown(result)
    assert "`loader_vs_limit: 0.900` (target ≥ 0.9: met)" in text
    assert "`loader_vs_quickstart: 2.000` (target ≥ 1.7: met)" in text
    assert "300 batches of 64 (of the epoch's 938)" in text


def test_parse_epoch_and_final_accuracy(bench):
    text = (
        "epoch  1/3 | lr 0.002 | train loss 0.5, accuracy 80.00% | test loss 0.5000, accuracy 81.25%\n"
        "epoch  2/3 | lr 0.001 | train loss 0.4, accuracy 85.00% | test loss 0.4000, accuracy 86.50%\n"
        "epoch  3/3 | lr 0.000 | train loss 0.3, accuracy 88.00% | test loss 0.3500, accuracy 88.75%\n"
        "epoch 3/3 | resumed | test loss 0.3500, accuracy 88.75%\n"
        "final test accuracy: 88.75%\n"
    )
    assert bench.parse_epoch_accuracies(text) == pytest.approx([0.8125, 0.865, 0.8875])  # not the resumed line
    assert bench.parse_final_accuracy(text) == pytest.approx(0.8875)
    assert bench.parse_final_accuracy("no accuracy here") is None
    assert bench.parse_epoch_accuracies("nothing") == []


def test_probe_round_trip(bench):
    history = {"train loss": [0.5, 0.4], "test accuracy": [0.8, 0.85]}
    namespace = {"history": history}
    lines = []
    namespace["print"] = lines.append  # run the probe cell's source as the kernel would
    exec(bench.PROBE_SOURCE, namespace)
    parsed = bench.parse_probe("other output\n" + lines[0] + "\n")
    assert parsed == history
    assert bench.test_accuracy_series(parsed) == [0.8, 0.85]
    assert bench.test_accuracy_series({"test_acc": [0.7]}) == [0.7]
    assert bench.test_accuracy_series(None) == []


def test_accuracy_markdown_when_missing(bench):
    text = bench.accuracy_markdown(None, "notebooks/07_*.ipynb does not exist")
    assert "Not available: notebooks/07_*.ipynb does not exist." in text


def test_notebooks_markdown_totals(bench):
    results = [
        {"notebook": "01_a.ipynb", "mode": "quick", "seconds": 10.0, "status": "ok"},
        {"notebook": "01_a.ipynb", "mode": "full", "seconds": 100.0, "status": "ok", "final_accuracy": None},
        {"notebook": "02_b.ipynb", "mode": "quick", "seconds": 5.0, "status": "failed: boom"},
        {"notebook": "02_b.ipynb", "mode": "full", "seconds": 50.0, "status": "ok", "final_accuracy": 0.9},
    ]
    text = bench.notebooks_markdown(results, ["quick", "full"])
    assert "| 02_b.ipynb | 5.0 s (failed: boom) | 50.0 s | 90.00% |" in text
    assert "| **total** | **15.0 s** | **150.0 s** |  |" in text
    assert "- quick mode: 15.0 s for 2 notebooks (target ≤ 120 s: met); failed: 02_b.ipynb" in text


def test_parse_args_defaults_and_flags(bench):
    args = bench.parse_args([])
    assert (args.repeats, args.batches, args.notebooks, args.only) == (5, 300, "both", None)
    args = bench.parse_args(["--only", "throughput", "--repeats", "3", "--notebooks", "none", "--out", "x.md"])
    assert args.only == ["throughput"] and args.repeats == 3 and args.notebooks == "none" and args.out == Path("x.md")
    with pytest.raises(SystemExit):
        bench.parse_args(["--repeats", "0"])


def test_accuracy_markdown_lists_every_epoch(bench):
    result = {
        "notebook": "07_full_training.ipynb",
        "seconds": 61.25,
        "final_accuracy": 0.9109,
        "epoch_accuracy": [0.86, 0.9109],
        "epoch_accuracy_source": "history",
    }
    text = bench.accuracy_markdown(result)
    assert "| 1 | 86.00% |" in text and "| 2 | 91.09% |" in text
    assert "printed by the notebook: 91.09%; the run took 61.2 s" in text


def test_training_time_of_the_final_run_is_judged(bench):
    text = "epoch 8\ntraining time: 184 s (3.1 min) for 8 epochs on cpu, 2 CPU threads\nfinal test accuracy: 93.68%\n"
    assert bench.parse_training_time(text) == 184.0 and bench.parse_training_time("nothing") is None
    results = [
        {"notebook": "08_b.ipynb", "mode": "full", "seconds": 309.5, "status": "ok", "final_accuracy": 0.9368,
         "training_seconds": 184.0},
        {"notebook": "08_b.ipynb", "mode": "quick", "seconds": 15.0, "status": "ok", "training_seconds": 9.0},
    ]
    text = bench.notebooks_markdown(results, ["quick", "full"])
    assert "- 08_b.ipynb printed `training time: 184 s` for its final run (target ≤ 300 s of training: met)" in text
    assert text.count("printed `training time") == 1  # quick mode is not judged


def test_full_mode_target_is_90_seconds_on_cuda(bench):
    results = [{"notebook": "01_a.ipynb", "mode": "full", "seconds": 100.0, "status": "ok", "final_accuracy": None}]
    assert "(target ≤ 600 s: met)" in bench.notebooks_markdown(results, ["full"])
    assert "(target ≤ 90 s on CUDA: missed)" in bench.notebooks_markdown(results, ["full"], "cuda")
    assert bench.target("quick_total_s", "cuda") == bench.TARGETS["quick_total_s"]


def test_gpu_run_script_parses_and_explains_its_usage():
    """benchmarks/gpu_run.sh runs only on a GPU machine; here: valid bash, and a usage line without arguments."""
    import subprocess

    script = BENCH.parent / "gpu_run.sh"
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    result = subprocess.run(["bash", str(script)], capture_output=True, text=True)
    assert result.returncode == 2 and "usage: bash benchmarks/gpu_run.sh WHEELS FMNIST OUT" in result.stderr
