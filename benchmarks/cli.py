"""Measure the course's speed and accuracy; write ``benchmarks/RESULTS.md``, its chart and its data.

``make bench`` runs every part (about 25 minutes on 2 CPU cores, most of it the full-mode
notebooks and the three grading runs)::

    python benchmarks/bench.py                       # everything, on the best device
    python benchmarks/bench.py --only throughput     # just the data-path comparison
    python benchmarks/bench.py --notebooks quick     # notebook wall times, quick mode only
    python benchmarks/bench.py --only notebooks --nb 07 --nb 08 --notebooks full
    python benchmarks/bench.py --only grading --grade-repeats 1   # one grading run of 30 submissions
    python benchmarks/bench.py --out /tmp/gpu.md --append   # add a section to an existing file
    python benchmarks/bench.py --from-json benchmarks/RESULTS.json  # render again, measure nothing

The parts (``python -m benchmarks`` is the same command line):

1. **throughput** (:mod:`benchmarks.throughput`): training speed of the course's LeNet (Adam,
   batch 64) on the full training set, three ways, interleaved, summarised by medians. It prints
   ``loader_vs_limit: R`` and ``loader_vs_quickstart: R``.
2. **notebooks** (:mod:`benchmarks.notebook_runs`): the wall time of every ``notebooks/NN_*.ipynb``,
   in quick mode and in full mode, through the runner of ``make execute``.
3. **accuracy**: the validation accuracy per epoch of notebook 07's default run, and its final test
   accuracy (measured once), read from its full-mode run (its ``history`` dictionary, read from the kernel).
4. **grading** (:mod:`benchmarks.grading`): ``python -m course_utils.grade`` on 30 synthetic
   submissions (:mod:`benchmarks.submissions`), timed, its rows compared with the expected ones.

The results go to ``RESULTS.json`` beside ``--out``; :mod:`benchmarks.report` renders the
Markdown and the chart from them. The device is ``course_utils.env.pick_device()``: on CUDA the
course's data stays on the GPU and every timing is bracketed by ``torch.cuda.synchronize()``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks import report
from benchmarks.machine import device_label, load_average, machine_info
from benchmarks.throughput import METHODS, measure_throughput, progress_bars_off

__all__ = ["DEFAULT_OUT", "main", "parse_args"]

DEFAULT_OUT = Path(__file__).resolve().parent / "RESULTS.md"
PARTS = ("throughput", "notebooks", "accuracy", "grading")
MODES = {"both": ["quick", "full"], "quick": ["quick"], "full": ["full"], "none": []}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line of ``python benchmarks/bench.py`` (see the module's docstring)."""
    parser = argparse.ArgumentParser(
        prog="python benchmarks/bench.py",
        description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--only", action="append", choices=list(PARTS), help="run only this part (repeatable); default: all four")
    add("--repeats", type=int, default=5, help="interleaved repeats of the throughput part (5)")
    add("--batches", type=int, default=300, help="batches of 64 per throughput repeat; 0 = one full epoch (938) (300)")
    add("--notebooks", choices=list(MODES), default="both", help="which modes to time the notebooks in (both)")
    add(
        "--nb",
        action="append",
        default=[],
        metavar="PATTERN",
        help="only notebooks whose file name contains PATTERN (repeatable), e.g. --nb 07",
    )
    add("--cell-timeout", type=int, default=1200, help="seconds one notebook cell may take (1200)")
    add("--grade-submissions", type=int, default=30, help="synthetic submissions the grading part grades (30)")
    add("--grade-repeats", type=int, default=3, help="grading runs, for a median (3)")
    add("--out", type=Path, default=DEFAULT_OUT, help="the Markdown file (benchmarks/RESULTS.md)")
    add("--append", action="store_true", help="append a section to --out (e.g. a GPU run) instead of overwriting it")
    add("--note", default="", help="a sentence to print under the heading, e.g. the machine's state")
    add("--json", type=Path, help="also write the results to this JSON file (they always go beside --out)")
    add("--from-json", type=Path, metavar="RESULTS", help="measure nothing: render --out from a results file")
    args = parser.parse_args(argv)
    if min(args.repeats, args.grade_submissions, args.grade_repeats) < 1:
        parser.error("--repeats, --grade-submissions and --grade-repeats must be at least 1")
    return args


def say(text: str) -> None:
    print(text, flush=True)


def run_throughput(args: argparse.Namespace, device) -> dict:
    """Part 1, with its progress printed."""
    say(f"[1/4] throughput: {args.repeats} interleaved repeats of {args.batches or 'all'} batches per path")
    throughput = measure_throughput(device, args.repeats, args.batches, log=say)
    for m in METHODS:
        print(f"  median {m:10} {throughput['median'][m]:9,.0f} img/s")
    print(f"loader_vs_limit: {throughput['loader_vs_limit']:.3f}")
    say(f"loader_vs_quickstart: {throughput['loader_vs_quickstart']:.3f}")
    return throughput


def run_notebooks(args: argparse.Namespace, modes: Sequence[str]) -> list[dict]:
    """Part 2: every selected notebook in each mode, in order."""
    from benchmarks import notebook_runs

    paths = notebook_runs.teaching_notebooks(args.nb)
    say(f"[2/4] notebooks: {len(paths)} notebooks, {' then '.join(modes)} mode")
    results = []
    for mode in modes:
        for path in paths:
            r = notebook_runs.run(path, quick=mode == "quick", timeout=args.cell_timeout)
            results.append(r)
            say(f"  {mode:5} {path.name:40} {r['seconds']:7.1f} s  {r['status']}")
    for mode in modes:
        say(f"  total {mode} mode: {sum(r['seconds'] for r in results if r['mode'] == mode):.1f} s")
    return results


def run_accuracy(args: argparse.Namespace, notebooks: list[dict]) -> tuple[dict | None, str]:
    """Part 3: notebook 07's full-mode run (from part 2 when it ran there); (its result, why it is missing)."""
    from benchmarks import notebook_runs

    ran = [r for r in notebooks if r["mode"] == "full" and r["notebook"].startswith("07_")]
    if ran:
        return ran[0], ""
    seven = notebook_runs.teaching_notebooks(["07_"])
    if not seven:
        return None, "notebooks/07_*.ipynb does not exist"
    say("[3/4] accuracy: running notebook 07 in full mode")
    accuracy = notebook_runs.run(seven[0], quick=False, timeout=args.cell_timeout)
    return accuracy, "" if accuracy["status"] == "ok" else f"{seven[0].name} {accuracy['status']}"


def run_grading(args: argparse.Namespace) -> dict:
    """Part 4: the grader on a class of synthetic submissions, with its progress printed."""
    from benchmarks.grading import measure_grading

    say(f"[4/4] grading: {args.grade_submissions} synthetic submissions, {args.grade_repeats} runs")
    result = measure_grading(args.grade_submissions, args.grade_repeats, log=say)
    say(f"  median {result['median_s']:.1f} s")
    return result


def command_line(argv: Sequence[str] | None) -> str:
    """How this run was started, for the report's first line."""
    words = sys.argv[1:] if argv is None else list(argv)
    return " ".join(["python benchmarks/bench.py", *words])


def measure(args: argparse.Namespace, argv: Sequence[str] | None) -> dict:
    """Run the parts asked for; return the results (see :mod:`benchmarks.report`)."""
    bars_off = progress_bars_off()  # before torch is imported: tqdm reads TQDM_DISABLE once
    import torch

    from course_utils.env import pick_device

    parts = set(args.only or PARTS)
    device = pick_device()
    info = machine_info(device)
    threads = info["torch threads"]
    say(f"bench on {device_label(info)} | device {device} | torch {torch.__version__} | {threads} threads")
    if not bars_off:
        say("  note: tqdm was imported before the bench could switch its bars off; they are drawn while timing")
    started = time.perf_counter()
    throughput = run_throughput(args, device) if "throughput" in parts else None
    modes = MODES[args.notebooks] if "notebooks" in parts else []
    notebooks = run_notebooks(args, modes) if modes else []
    accuracy, reason = run_accuracy(args, notebooks) if "accuracy" in parts else (None, "")
    grading = run_grading(args) if "grading" in parts else None
    if accuracy is not None and accuracy.get("epoch_accuracy"):
        metric = accuracy.get("epoch_accuracy_key") or "test accuracy"
        print(f"07 {metric} per epoch: " + ", ".join(f"{100 * a:.2f}%" for a in accuracy["epoch_accuracy"]))
    load = load_average()
    if load is not None:
        info["load average at end (1, 5, 15 min)"] = load
    return {
        "machine": info,
        "command": command_line(argv),
        "total_seconds": time.perf_counter() - started,
        "note": args.note,
        "modes": modes,
        "throughput": throughput,
        "notebooks": notebooks,
        "accuracy": accuracy,
        "accuracy_reason": reason,
        "grading": grading,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Measure (or read ``--from-json``), write the results and render the report; 0 on success."""
    args = parse_args(argv)
    os.environ.setdefault("COURSE_PROGRESS", "off")  # the notebooks' checks do not record in your progress file
    if args.from_json:
        results = report.read_results(args.from_json)
    else:
        results = measure(args, argv)
        saved = report.results_path(args.out, results, args.append)
        report.write_results(saved, results)
        if args.json:
            report.write_results(args.json, results)
    chart = report.write_report(results, args.out, append=args.append)
    done = "rendered" if args.from_json else f"in {results['total_seconds'] / 60:.1f} min"
    print(f"wrote {args.out.resolve()}" + (f" and {chart}" if chart else "") + f" {done}")
    return 0
