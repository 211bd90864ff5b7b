"""The benchmark's parts (benchmarks/), on tiny hand-made inputs: no timing is judged, no notebook runs."""

from __future__ import annotations

import ast
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import cli, machine, notebook_runs, report, stats, throughput

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "benchmarks"


def test_median_and_ratio():
    assert stats.median([3.0, 1.0, 2.0]) == 2.0
    assert stats.median([4.0, 1.0, 2.0, 3.0]) == 2.5
    assert math.isnan(stats.median([]))
    assert stats.ratio(3.0, 4.0) == 0.75
    assert math.isnan(stats.ratio(1.0, 0.0))
    assert math.isnan(stats.ratio(math.nan, 1.0))


def test_paired_ratios():
    assert stats.paired_ratios([2.0, 9.0], [4.0, 10.0]) == [0.5, 0.9]
    with pytest.raises(ValueError, match="same length"):
        stats.paired_ratios([1.0], [1.0, 2.0])


def test_interleaved_order_is_abc_abc():
    assert stats.interleaved(["a", "b", "c"], 2) == [(0, "a"), (0, "b"), (0, "c"), (1, "a"), (1, "b"), (1, "c")]


def test_summarise_throughput_uses_medians_of_paired_ratios():
    samples = {"course": [90.0, 80.0, 100.0], "quickstart": [45.0, 50.0, 40.0], "limit": [100.0, 100.0, 100.0]}
    data_alone = {"course": [900.0], "quickstart": [100.0]}
    result = throughput.summarise_throughput(samples, data_alone, num_batches=300, epoch_batches=938, repeats=3)
    assert result["median"] == {"course": 90.0, "quickstart": 45.0, "limit": 100.0}
    assert result["loader_vs_limit"] == pytest.approx(0.9)  # median of 0.9, 0.8, 1.0
    assert result["loader_vs_quickstart"] == pytest.approx(2.0)  # median of 2.0, 1.6, 2.5
    # cost model: 1 / (1/100 + 1/900) = 90 images per second; 1 / (1/100 + 1/100) = 50
    assert result["predicted"]["course"] == pytest.approx(90.0)
    assert result["predicted"]["quickstart"] == pytest.approx(50.0)


def test_markdown_table_and_formatting():
    table = report.markdown_table(["a", "b"], [[1, "x|y"], [2.5, "z"]])
    assert table.splitlines() == ["| a | b |", "|---|---|", "| 1 | x\\|y |", "| 2.5 | z |"]
    assert report.fmt_num(12345.678) == "12,346"
    assert report.fmt_num(0.12345, 2, "%") == "0.12%"
    assert report.fmt_num(None) == "n/a" and report.fmt_num(math.nan) == "n/a"
    assert report.verdict(0.95, 0.9) == "met" and report.verdict(0.85, 0.9) == "missed"
    assert report.verdict(130.0, 120.0, higher_is_better=False) == "missed"
    assert machine.slug("NVIDIA H100 80GB HBM3") == "nvidia-h100-80gb-hbm3"


def test_throughput_markdown_reports_the_ratios():
    samples = {"course": [90.0], "quickstart": [45.0], "limit": [100.0]}
    result = throughput.summarise_throughput(samples, {"course": [900.0], "quickstart": [100.0]}, 300, 938, 1)
    text = report.throughput_markdown(result)
    assert "`loader_vs_limit: 0.900` (target ≥ 0.9: met)" in text
    assert "`loader_vs_quickstart: 2.000` (target ≥ 1.7: met)" in text
    assert "300 batches of 64 (of the epoch's 938)" in text


def test_timed_training_runs_the_five_steps_on_every_batch_given():
    """What is timed is one call of course_utils.reference.train over exactly the batches given."""
    import torch

    from course_utils import reference

    torch.manual_seed(0)
    model = reference.Net()
    before = [p.detach().clone() for p in model.parameters()]
    batches = [
        (torch.randn(4, 1, 32, 32), torch.tensor([0, 1, 2, 3])),
        (torch.randn(3, 1, 32, 32), torch.tensor([4, 5, 6])),
    ]
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    seconds, images = throughput.time_training(batches, model, loss_fn, optimizer, torch.device("cpu"))
    assert images == 7 and seconds > 0
    assert all(int(optimizer.state[p]["step"]) == 2 for p in model.parameters())  # one update per batch
    assert all(not torch.equal(a, b) for a, b in zip(before, model.parameters()))
    seconds, images = throughput.time_data(iter(batches), torch.device("cpu"))
    assert images == 7 and seconds >= 0


def test_progress_bars_off_in_a_fresh_interpreter_and_the_variable_restored():
    code = (
        "import os; from benchmarks.throughput import progress_bars_off; off = progress_bars_off(); "
        "from tqdm.auto import tqdm; print(off, tqdm(range(3)).disable, os.environ.get('TQDM_DISABLE'))"
    )
    env = {k: v for k, v in os.environ.items() if k != "TQDM_DISABLE"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True", "None"]  # bars off here; kernels started later get them back


def test_notebook_results_are_read_from_the_kernel_variables():
    history = {"train accuracy": [0.83, 0.9, 0.93], "validation accuracy": [0.8125, 0.865, 0.8875]}
    values = {"accuracy": 0.8875, "history": history}
    seven = notebook_runs.notebook_result("07_full_training.ipynb", "full", 48.1, None, values)
    assert seven["status"] == "ok" and seven["final_accuracy"] == pytest.approx(0.8875)
    assert seven["epoch_accuracy"] == pytest.approx([0.8125, 0.865, 0.8875])
    assert seven["epoch_accuracy_source"] == "history" and seven["epoch_accuracy_key"] == "validation accuracy"
    assert seven["training_seconds"] is None
    eight = notebook_runs.notebook_result("08_beyond_lenet.ipynb", "full", 315.8, None, {"train_seconds": 154.2})
    assert eight["training_seconds"] == 154.2 and eight["final_accuracy"] is None and "epoch_accuracy" not in eight
    # a notebook the report reads nothing from: its `accuracy` (06 has one) is not its final test accuracy
    six = notebook_runs.notebook_result("06_test.ipynb", "full", 14.5, "CellExecutionError: boom", {"accuracy": 0.5})
    assert six["final_accuracy"] is None and six["status"] == "failed: CellExecutionError: boom"
    # a value that is missing (the run failed) or not a number is None, never a crash
    assert notebook_runs.notebook_result("08_b.ipynb", "quick", 1.0, None, {"accuracy": True})["final_accuracy"] is None
    assert notebook_runs.notebook_result("07_a.ipynb", "quick", 1.0, "x", {})["epoch_accuracy"] == []


def test_epoch_accuracies_prefer_validation_to_test_and_never_read_training():
    both = {"train accuracy": [0.9], "test accuracy": [0.8, 0.85], "validation accuracy": [0.81, 0.86]}
    assert notebook_runs.epoch_accuracies(both) == [0.81, 0.86]
    assert notebook_runs.epoch_accuracy_key(both) == "validation accuracy"
    assert notebook_runs.epoch_accuracies({"train accuracy": [0.9], "test accuracy": [0.8, 0.85]}) == [0.8, 0.85]
    assert notebook_runs.epoch_accuracies({"test_acc": [0.7]}) == [0.7]
    assert notebook_runs.epoch_accuracy_key({"Test Acc (top-1)": [0.6], "Val Acc (top-1)": [0.5]}) == "Val Acc (top-1)"
    assert notebook_runs.epoch_accuracies({"Test Acc (top-1)": [0.6]}) == [0.6]
    assert notebook_runs.epoch_accuracies({"train accuracy": [0.9]}) == []
    assert notebook_runs.epoch_accuracies(None) == [] and notebook_runs.epoch_accuracies([0.1]) == []
    assert notebook_runs.epoch_accuracy_key({}) is None


def _top_level_names(path: Path) -> set[str]:
    """Names a notebook assigns at the top level of its code cells (what the kernel still holds at the end)."""
    names = set()
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        # IPython's magics and shell lines are not Python: read them as `pass`, keeping the indentation
        lines = [
            line[: len(line) - len(line.lstrip())] + "pass" if line.lstrip().startswith(("%", "!")) else line
            for line in source.splitlines()
        ]
        for node in ast.parse("\n".join(lines)).body:
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            for target in targets:
                for leaf in ast.walk(target) if target is not None else ():
                    if isinstance(leaf, ast.Name):
                        names.add(leaf.id)
    return names


@pytest.mark.parametrize("prefix", sorted(notebook_runs.READINGS))
def test_the_variables_the_report_reads_exist_in_the_notebooks(prefix):
    (path,) = notebook_runs.teaching_notebooks([prefix])
    missing = set(notebook_runs.READINGS[prefix].values()) - _top_level_names(path)
    assert not missing, f"{path.name} no longer assigns {missing}: update benchmarks/notebook_runs.READINGS"


def test_accuracy_markdown_when_missing():
    text = report.accuracy_markdown(None, "notebooks/07_*.ipynb does not exist")
    assert "Not available: notebooks/07_*.ipynb does not exist." in text


def test_notebooks_markdown_totals():
    results = [
        {"notebook": "01_a.ipynb", "mode": "quick", "seconds": 10.0, "status": "ok"},
        {"notebook": "01_a.ipynb", "mode": "full", "seconds": 100.0, "status": "ok", "final_accuracy": None},
        {"notebook": "02_b.ipynb", "mode": "quick", "seconds": 5.0, "status": "failed: boom"},
        {"notebook": "02_b.ipynb", "mode": "full", "seconds": 50.0, "status": "ok", "final_accuracy": 0.9},
    ]
    text = report.notebooks_markdown(results, ["quick", "full"])
    assert "| 02_b.ipynb | 5.0 s (failed: boom) | 50.0 s | 90.00% |" in text
    assert "| **total** | **15.0 s** | **150.0 s** |  |" in text
    assert "- quick mode: 15.0 s for 2 notebooks (target ≤ 120 s: met); failed: 02_b.ipynb" in text


def test_parse_args_defaults_and_flags():
    args = cli.parse_args([])
    assert (args.repeats, args.batches, args.notebooks, args.only) == (5, 300, "both", None)
    assert args.out == BENCH_DIR / "RESULTS.md" and args.from_json is None
    args = cli.parse_args(["--only", "throughput", "--repeats", "3", "--notebooks", "none", "--out", "x.md"])
    assert args.only == ["throughput"] and args.repeats == 3 and args.notebooks == "none" and args.out == Path("x.md")
    with pytest.raises(SystemExit):
        cli.parse_args(["--repeats", "0"])


def test_accuracy_markdown_lists_every_epoch():
    result = {
        "notebook": "07_full_training.ipynb",
        "seconds": 61.25,
        "final_accuracy": 0.9109,
        "epoch_accuracy": [0.86, 0.9109],
        "epoch_accuracy_source": "history",
        "epoch_accuracy_key": "validation accuracy",
    }
    text = report.accuracy_markdown(result)
    assert "## 3. Notebook 07: validation accuracy per epoch" in text and "| epoch | validation accuracy |" in text
    assert "| 1 | 86.00% |" in text and "| 2 | 91.09% |" in text
    assert "printed by the notebook: 91.09%; the run took 61.2 s" in text


def test_accuracy_markdown_of_results_from_before_the_validation_split_says_test():
    """Results without ``epoch_accuracy_key`` came from the 07 that measured the test set every epoch."""
    result = {
        "notebook": "07_full_training.ipynb",
        "seconds": 48.1,
        "final_accuracy": 0.9109,
        "epoch_accuracy": [0.86, 0.9109],
        "epoch_accuracy_source": "history",
    }
    text = report.accuracy_markdown(result)
    assert "## 3. Notebook 07: test accuracy per epoch" in text and "| epoch | test accuracy |" in text
    assert "Recorded before 07 held out a validation split" in text


def test_training_time_of_the_final_run_is_judged():
    results = [
        {"notebook": "08_b.ipynb", "mode": "full", "seconds": 309.5, "status": "ok", "final_accuracy": 0.9368,
         "training_seconds": 184.0},
        {"notebook": "08_b.ipynb", "mode": "quick", "seconds": 15.0, "status": "ok", "training_seconds": 9.0},
    ]  # fmt: skip
    text = report.notebooks_markdown(results, ["quick", "full"])
    assert "- 08_b.ipynb printed `training time: 184 s` for its final run (target ≤ 720 s of training: met)" in text
    assert text.count("printed `training time") == 1  # quick mode is not judged


def test_full_mode_target_is_90_seconds_on_cuda():
    results = [{"notebook": "01_a.ipynb", "mode": "full", "seconds": 100.0, "status": "ok", "final_accuracy": None}]
    assert "(target ≤ 600 s: met)" in report.notebooks_markdown(results, ["full"])
    assert "(target ≤ 90 s on CUDA: missed)" in report.notebooks_markdown(results, ["full"], "cuda")
    assert report.target("quick_total_s", "cuda") == report.TARGETS["quick_total_s"]


def test_the_committed_report_is_rendered_from_the_committed_results():
    """RESULTS.md is what report.py makes of RESULTS.json: re-rendering it changes nothing."""
    results = report.read_results(BENCH_DIR / "RESULTS.json")
    out = BENCH_DIR / "RESULTS.md"
    assert report.render_markdown(results, BENCH_DIR / "RESULTS.png", out) == out.read_text()


def test_render_from_json_through_the_script(tmp_path):
    """`python benchmarks/bench.py --from-json` from the repository root: the shim's imports, the chart, appending."""
    results = report.read_results(BENCH_DIR / "RESULTS.json")
    results["machine"] = dict(results["machine"], gpu="NVIDIA H200", device="cuda:0")
    saved = tmp_path / "gpu.json"
    report.write_results(saved, results)
    out = tmp_path / "RESULTS.md"
    out.write_text("# Earlier results\n")
    command = [sys.executable, "benchmarks/bench.py", "--from-json", str(saved), "--out", str(out), "--append"]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=""))
    text = out.read_text()
    assert text.startswith("# Earlier results\n\n## Benchmark results: NVIDIA H200\n")
    assert "![benchmark chart](RESULTS-nvidia-h200.png)" in text and (tmp_path / "RESULTS-nvidia-h200.png").is_file()
    assert "### 2. Notebook wall times" in text and "(target ≤ 90 s on CUDA: missed)" in text


def test_read_results_says_what_is_wrong(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"machine": {}}')
    with pytest.raises(ValueError, match="not a benchmark results file: it lacks command, total_seconds"):
        report.read_results(path)


def test_gpu_run_script_parses_and_explains_its_usage():
    """benchmarks/gpu_run.sh runs only on a GPU machine; here: valid bash, and a usage line without arguments."""
    script = BENCH_DIR / "gpu_run.sh"
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    result = subprocess.run(["bash", str(script)], capture_output=True, text=True)
    assert result.returncode == 2 and "usage: bash benchmarks/gpu_run.sh WHEELS FMNIST OUT" in result.stderr
