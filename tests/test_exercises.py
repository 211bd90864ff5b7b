"""The exercise notebooks: generated from the teaching notebooks, committed, and runnable.

Two sets of tests:

- the generator itself, on small synthetic teaching notebooks built here (so it is tested even
  while the real notebooks change): the three levels, determinism, the instructions and links,
  the errors for a broken marker contract, and running the result;
- the committed ``notebooks/exercises/``: identical to what ``make exercises`` produces now,
  every check "not attempted" as generated, and every check "correct" with the teaching
  notebooks' solutions spliced back in.

The notebooks run in this process (cell by cell, in a fresh namespace, prints captured) rather
than in a kernel: nbval already runs each generated notebook in a kernel during ``make test``,
and this keeps the round trip to seconds on two cores. For the same reason the cells that use
real data see a cut of the quick sample (640 training and 500 test images).
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
from pathlib import Path

import nbformat
import pytest

from course_utils import exercises
from course_utils.checks import CORRECT, NOT_ATTEMPTED, CheckResult
from course_utils.data import BatchLoader
from course_utils.exercises import ExerciseError, build, fill_in, find_sources, rebuild, solution

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
EXERCISES = NOTEBOOKS / "exercises"
EXPECTED_NAMES = sorted(
    [f"{p}_{n}_{part}.ipynb" for p in ("net", "train", "test") for n, part, _ in exercises.LEVELS]
    + ["all_from_blank.ipynb"]
)

# --------------------------------------------------------------------------- synthetic teaching notebooks

NET = '''class Net(nn.Module):
    """LeNet: a batch (N, 1, 32, 32) in, logits (N, 10) out."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, input):
        """Return the logits."""
        ### BEGIN SOLUTION
        # c1: convolution, then relu
        c1 = F.relu(self.conv1(input))
        s2 = F.max_pool2d(c1, (2, 2))
        c3 = F.relu(self.conv2(s2))
        s4 = F.max_pool2d(c3, 2)
        s4 = torch.flatten(s4, 1)
        f5 = F.relu(self.fc1(s4))
        f6 = F.relu(self.fc2(f5))
        output = self.fc3(f6)
        return output
        ### END SOLUTION


net = Net()
print(net)'''

TRAIN = '''def train(dataloader, model, loss_fn, optimizer):
    """Train `model` for one epoch; return the per-batch losses."""
    model.train()
    losses = []
    for X, y in tqdm(dataloader):
        X, y = X.to(device), y.to(device)
        ### BEGIN SOLUTION
        # step 1: zero the gradients (they accumulate by default)
        optimizer.zero_grad()
        pred = model(X)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()
        ### END SOLUTION
        losses.append(loss.item())
    return losses'''

TEST = '''def test(dataloader, model, loss_fn):
    """Return (average loss per batch, accuracy as a fraction)."""
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            ### BEGIN SOLUTION
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
            ### END SOLUTION
    test_loss /= num_batches
    correct /= size
    return test_loss, correct'''

SETUP = """import torch
import torch.nn as nn
import torch.nn.functional as F
from tqdm.auto import tqdm

from course_utils import setup

info = setup(seed=0)
device = info.device"""

SYNTHETIC = {
    "net": ("03_network_module.ipynb", "03 · The network", "The class `Net` (an `nn.Module`)", NET, "Net"),
    "train": ("05_training_loop.ipynb", "05 · The training loop", "The five steps as a function: `train`", TRAIN,
              "train"),
    "test": ("06_test_loop_and_metrics.ipynb", "06 · The test loop", "The test loop: `test`", TEST, "test"),
}


def make_teaching(folder: Path, skip: str = "", code: dict | None = None) -> Path:
    """Write three tiny teaching notebooks that follow the marker contract."""
    folder.mkdir(parents=True, exist_ok=True)
    md, cc = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    for name, (file, title, heading, source, symbol) in SYNTHETIC.items():
        if name == skip:
            continue
        source = (code or {}).get(name, source)
        cells = [
            md(f"# {title}\nWhat you will be able to do."),
            cc(SETUP),
            md(f"## {heading}\nProse."),
            cc(source, metadata={"tags": [f"exercise:{name}"]}),
            cc(f"from course_utils import checks\n\nresult = checks.check_{name}({symbol})\nassert result.passed"),
        ]
        nbformat.write(nbformat.v4.new_notebook(cells=cells), folder / file)
    return folder


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    teaching = make_teaching(tmp_path_factory.mktemp("teaching"))
    out = teaching / "exercises"
    exercises.write(build(teaching), out)
    return teaching, out


# --------------------------------------------------------------------------- running a notebook in-process


def small_loaders(get_loaders):
    """``get_loaders`` cut to 640 training and 500 test images: the same code, a tenth of the work."""

    def cut(*args, **kwargs):
        train_loader, test_loader = get_loaders(*args, **kwargs)
        return (BatchLoader(train_loader.X[:640], train_loader.y[:640], train_loader.batch_size, shuffle=True),
                BatchLoader(test_loader.X[:500], test_loader.y[:500], test_loader.batch_size))

    cut.small = True
    return cut


def run_notebook(nb, answers: dict[str, str] | None = None, try_it: bool = True) -> list[CheckResult]:
    """Run the code cells top to bottom in a fresh namespace; return the check cells' results.

    ``answers`` maps a cell tag (``answer:train``) to the code that replaces that cell's source.
    A check cell's value is its last expression, as a notebook would display it. The cells tagged
    ``try-it`` (real data, an epoch of training in some) run on a cut of the quick data
    (:func:`small_loaders`), or not at all with ``try_it=False``.
    """
    namespace: dict = {"__name__": "__exercise__"}
    results = []
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            tags = cell.metadata.get("tags", [])
            if not try_it and "try-it" in tags:
                continue
            source = next((answers[t] for t in tags if answers and t in answers), cell.source)
            tree = ast.parse(source)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, f"<{cell.id}>", "exec"), namespace)
            if "get_loaders" in namespace and not hasattr(namespace["get_loaders"], "small"):
                namespace["get_loaders"] = small_loaders(namespace["get_loaders"])
            value = eval(compile(ast.Expression(last.value), f"<{cell.id}>", "eval"), namespace) if last else None
            if "check" in tags:
                assert isinstance(value, CheckResult), f"check cell {cell.id} shows {value!r}"
                results.append(value)
    return results


def solutions(teaching: Path) -> dict[str, str]:
    return {f"answer:{name}": solution(src.definition) for name, src in find_sources(teaching).items()}


# --------------------------------------------------------------------------- the generator, on synthetic notebooks


def test_writes_the_ten_notebooks(synthetic):
    _, out = synthetic
    assert sorted(p.name for p in out.glob("*.ipynb")) == EXPECTED_NAMES


def test_fill_in_blanks_the_marked_lines_at_their_indentation():
    text = fill_in(TRAIN)
    assert "optimizer.zero_grad()" not in text and "loss.backward()" not in text
    lines = text.splitlines()
    i = lines.index("        # YOUR CODE HERE")
    assert lines[i + 1] == "        raise NotImplementedError"
    # the comment lines inside the markers stay, as hints
    assert lines[i - 1] == "        # step 1: zero the gradients (they accumulate by default)"
    assert "X, y = X.to(device), y.to(device)" in text and "losses.append(loss.item())" in text
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    ast.parse(text)


def test_rebuild_keeps_only_signatures_and_docstrings():
    text = rebuild(TRAIN)
    assert text.splitlines() == [
        "def train(dataloader, model, loss_fn, optimizer):",
        '    """Train `model` for one epoch; return the per-batch losses."""',
        "    # YOUR CODE HERE",
        "    raise NotImplementedError",
    ]
    net = rebuild(NET)
    assert "class Net(nn.Module):" in net and "def __init__(self):" in net and "def forward(self, input):" in net
    assert "nn.Conv2d" not in net and "super().__init__()" not in net and "F.relu" not in net
    assert net.count("raise NotImplementedError") == 2 and '"""Return the logits."""' in net
    ast.parse(net)


def test_solution_is_the_teaching_code_without_markers():
    text = solution(TEST)
    assert "### " not in text and "correct += (pred.argmax(1) == y)" in text
    assert text.startswith("def test(") and text.endswith("return test_loss, correct")


def test_the_cell_keeps_only_the_definition(synthetic):
    _, out = synthetic
    nb = nbformat.read(out / "net_1_fill_in.ipynb", as_version=4)
    answer = next(c for c in nb.cells if "answer:net" in c.metadata.get("tags", []))
    assert "print(net)" not in answer.source and answer.source.startswith("class Net(nn.Module):")


def test_levels_give_less_and_less(synthetic):
    _, out = synthetic
    for piece, symbol in (("net", "class Net("), ("train", "def train("), ("test", "def test(")):
        answers = []
        for n, part, _ in exercises.LEVELS:
            nb = nbformat.read(out / f"{piece}_{n}_{part}.ipynb", as_version=4)
            answers.append(next(c.source for c in nb.cells if f"answer:{piece}" in c.metadata.get("tags", [])))
        assert len(answers[0]) > len(answers[1]) > len(answers[2])
        assert symbol in answers[0] and symbol in answers[1] and symbol not in answers[2]
        assert f"{symbol.split()[1][:-1]} = None" in answers[2]


def test_notebooks_are_clean_and_deterministic(synthetic, tmp_path):
    teaching, out = synthetic
    again = tmp_path / "again"
    exercises.write(build(teaching), again)
    for path in sorted(out.glob("*.ipynb")):
        assert (again / path.name).read_text() == path.read_text(), path.name
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        ids = [c.id for c in nb.cells]
        assert len(set(ids)) == len(ids) and "title" in ids and "setup" in ids  # named, not random
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, (path.name, cell.id)
        assert nb.metadata["kernelspec"]["name"] == "python3"
        assert json.loads(path.read_text())["nbformat"] == 4


def test_every_notebook_opens_with_what_how_and_where(synthetic):
    _, out = synthetic
    for path in sorted(out.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert nb.cells[0].source.startswith("# Exercise"), path.name
        intro = nb.cells[1].source
        assert "**What to do.**" in intro and "**How to check.**" in intro and "**When stuck.**" in intro
        assert "](../0" in intro, f"{path.name}: no link to a teaching notebook"
        first_code = next(c for c in nb.cells if c.cell_type == "code")
        assert "setup(seed=0)" in first_code.source and "from course_utils import checks" in first_code.source
        checks_cells = [c for c in nb.cells if "check" in c.metadata.get("tags", [])]
        assert checks_cells and all("checks.check_" in c.source for c in checks_cells)
        assert not any("assert" in c.source for c in checks_cells)  # nbval runs them as generated


def test_links_point_at_the_section_heading(synthetic):
    _, out = synthetic
    intro = nbformat.read(out / "train_2_rebuild.ipynb", as_version=4).cells[1].source
    assert "(../05_training_loop.ipynb#The-five-steps-as-a-function:-train)" in intro
    assert exercises.anchor("## The class `Net` (an `nn.Module`)") == "The-class-Net-(an-nn.Module)"
    assert exercises.anchor("### Step **5**: [docs](http://x) <b>now</b>") == "Step-5:-docs-now"


def _cell(nb, cell_id: str) -> str:
    return next(c.source for c in nb.cells if c.id == cell_id)


def test_level_3_gives_a_summary_and_the_shapes_only(synthetic):
    _, out = synthetic
    for piece in ("net", "train", "test"):
        rebuilt = _cell(nbformat.read(out / f"{piece}_2_rebuild.ipynb", as_version=4), "your-turn")
        blank = _cell(nbformat.read(out / f"{piece}_3_from_blank.ipynb", as_version=4), "your-turn")
        assert "**In:**" in blank and "**Out:**" in blank and "(N, 1, 32, 32)" in blank, blank
        assert "**In:**" not in rebuilt
    net_blank = _cell(nbformat.read(out / "net_3_from_blank.ipynb", as_version=4), "your-turn")
    assert "def forward" not in net_blank and "conv1 1" not in net_blank  # no method list, no layer list


def test_given_network_links_to_its_notebook(synthetic):
    _, out = synthetic
    given = _cell(nbformat.read(out / "train_2_rebuild.ipynb", as_version=4), "given-md")
    assert "[03 · The network](../03_network_module.ipynb)" in given


def test_committed_level_3_leaves_out_the_docstring_body():
    docs = {name: src.docstring for name, src in find_sources(NOTEBOOKS).items()}
    for piece, doc in docs.items():
        body = exercises.prose(doc).split("\n\n")[1]  # the real docstrings have a second paragraph
        rebuilt = _cell(nbformat.read(EXERCISES / f"{piece}_2_rebuild.ipynb", as_version=4), "your-turn")
        blank = _cell(nbformat.read(EXERCISES / f"{piece}_3_from_blank.ipynb", as_version=4), "your-turn")
        together = _cell(nbformat.read(EXERCISES / "all_from_blank.ipynb", as_version=4), f"{piece}-spec")
        assert body in rebuilt and body not in blank and body not in together, piece


def test_committed_train_specification_does_not_contradict_itself():
    for path in COMMITTED:
        text = " ".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
        assert "does not need to return anything" not in text, path.name
        if path.name.startswith(("train_", "all_")):
            assert "may return the per-batch losses" in text and "optional" in text, path.name


def test_committed_net_fill_in_says_where_the_logits_go():
    intro = _cell(nbformat.read(EXERCISES / "net_1_fill_in.ipynb", as_version=4), "instructions")
    assert "End with the logits in `output`" in intro
    answer = _cell(nbformat.read(EXERCISES / "net_1_fill_in.ipynb", as_version=4), "answer")
    assert answer.rstrip().endswith("return output")


def test_committed_given_network_links_to_notebook_03():
    for path in COMMITTED:
        nb = nbformat.read(path, as_version=4)
        if any(c.id == "given-md" for c in nb.cells):
            assert "](../03_network_module.ipynb)" in _cell(nb, "given-md"), path.name
    assert (NOTEBOOKS / "03_network_module.ipynb").is_file()


def test_train_try_it_explains_a_loss_that_barely_moved():
    assert "barely moved" in exercises.PIECE["train"].try_it


def test_synthetic_exercises_as_generated_are_not_attempted(synthetic):
    _, out = synthetic
    for path in sorted(out.glob("*.ipynb")):
        results = run_notebook(nbformat.read(path, as_version=4))
        assert results and all(r.status == NOT_ATTEMPTED for r in results), (path.name, [str(r) for r in results])


def test_synthetic_exercises_with_solutions_pass(synthetic):
    teaching, out = synthetic
    answers = solutions(teaching)
    for name in ("net_1_fill_in.ipynb", "train_2_rebuild.ipynb", "test_3_from_blank.ipynb"):
        # the real data cells run with the committed exercises below: skipped here
        results = run_notebook(nbformat.read(out / name, as_version=4), answers, try_it=False)
        assert results and all(r.status == CORRECT for r in results), (name, [str(r) for r in results])


def test_broken_contracts_are_explained(tmp_path):
    with pytest.raises(ExerciseError, match="exercise:test"):
        build(make_teaching(tmp_path / "a", skip="test"))
    with pytest.raises(ExerciseError, match="BEGIN SOLUTION"):
        build(make_teaching(tmp_path / "b", code={"train": TRAIN.replace("### BEGIN SOLUTION", "").replace(
            "### END SOLUTION", "")}))
    with pytest.raises(ExerciseError, match="no matching"):
        build(make_teaching(tmp_path / "c", code={"test": TEST.replace("            ### END SOLUTION\n", "")}))
    with pytest.raises(ExerciseError, match="docstring"):
        build(make_teaching(tmp_path / "d", code={"test": TEST.replace(
            '    """Return (average loss per batch, accuracy as a fraction)."""\n', "")}))
    with pytest.raises(ExerciseError, match="named train"):
        build(make_teaching(tmp_path / "e", code={"train": TRAIN.replace("def train(", "def fit(")}))
    twice = make_teaching(tmp_path / "f")
    nb = nbformat.read(twice / "05_training_loop.ipynb", as_version=4)
    nb.cells[1].metadata["tags"] = ["exercise:train"]
    nbformat.write(nb, twice / "05_training_loop.ipynb")
    with pytest.raises(ExerciseError, match="2 cells"):
        build(twice)


def test_write_removes_only_its_own_stale_notebooks(synthetic, tmp_path):
    teaching, _ = synthetic
    out = tmp_path / "out"
    books = build(teaching)
    exercises.write(books, out)
    old = books["net_1_fill_in.ipynb"]
    nbformat.write(old, out / "net_0_old_name.ipynb")  # generated by an older version
    nbformat.write(nbformat.v4.new_notebook(), out / "mine.ipynb")  # someone's own notebook
    exercises.write(books, out)
    assert not (out / "net_0_old_name.ipynb").exists() and (out / "mine.ipynb").exists()


def test_command_line(synthetic, tmp_path, capsys):
    teaching, _ = synthetic
    out = tmp_path / "cli"
    assert exercises.main(["--notebooks", str(teaching), "--out", str(out), "--check"]) == 1
    assert exercises.main(["--notebooks", str(teaching), "--out", str(out)]) == 0
    assert exercises.main(["--notebooks", str(teaching), "--out", str(out), "--check"]) == 0
    assert exercises.main(["--notebooks", str(tmp_path / "nothing"), "--out", str(out)]) == 1
    assert "exercise:net" in capsys.readouterr().err


# --------------------------------------------------------------------------- the committed exercises

COMMITTED = sorted(EXERCISES.glob("*.ipynb"))


def test_committed_exercises_are_what_make_exercises_writes():
    try:
        books = build(NOTEBOOKS)
    except ExerciseError as exc:
        pytest.fail(f"the teaching notebooks break the exercise marker contract: {exc}")
    stale = exercises.stale(books, EXERCISES)
    extra = sorted(p.name for p in COMMITTED if p.name not in books)
    assert not stale and not extra, (
        f"notebooks/exercises/ is out of date (stale: {stale}, extra: {extra}): run `make exercises`"
    )


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.name)
def test_committed_exercise_runs_as_generated(path):
    results = run_notebook(nbformat.read(path, as_version=4))
    assert results, f"{path.name} has no check cell"
    assert all(r.status == NOT_ATTEMPTED for r in results), [str(r) for r in results]


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.name)
def test_committed_exercise_passes_with_the_solutions(path):
    results = run_notebook(nbformat.read(path, as_version=4), solutions(NOTEBOOKS))
    assert results and all(r.status == CORRECT for r in results), [str(r) for r in results]
