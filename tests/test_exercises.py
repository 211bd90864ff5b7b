"""The exercise notebooks: generated from the teaching notebooks, committed, and runnable.

Two sets of tests:

- the generator itself (``python -m tools exercises``, :mod:`tools.exercises`), on small synthetic
  teaching notebooks built here (their titles, headings and set-up are the test's; their code is the
  real notebooks' cells tagged ``exercise:<piece>`` and their metadata ``exercise.blank``, the course's
  one source): the three levels, determinism, the instructions and links, the templates, the errors
  for a broken blank contract, and running the result;
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
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from learner_code import QUICKSTART_TEST, notebook_cell

from course_utils import checks
from course_utils.checks import CORRECT, NOT_ATTEMPTED, CheckResult
from course_utils.data import BatchLoader
from tools import exercises
from tools.exercises import ExerciseError, build, fill_in, find_sources, rebuild, solution
from tools.exercises.markers import FIX
from tools.exercises.templates import section, sections
from tools.notebooks import ROOT, read, tagged_cells

NOTEBOOKS = ROOT / "notebooks"
EXERCISES = NOTEBOOKS / "exercises"
EXPECTED_NAMES = sorted(
    [f"{p}_{n}_{part}.ipynb" for p in ("net", "train", "test") for n, part, _ in exercises.LEVELS]
    + ["all_from_blank.ipynb"]
)
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"  # the generator's internal markers: never in a lesson cell
TODO, RAISE = "# YOUR CODE HERE", "raise NotImplementedError"

# --------------------------------------------------------------------------- synthetic teaching notebooks

SETUP = """import torch
import torch.nn as nn
import torch.nn.functional as F
from tqdm.auto import tqdm

from course_utils import setup

info = setup(seed=0)
device = info.device"""

#: piece -> (file, title, heading of the defining cell's section, symbol)
SYNTHETIC = {
    "net": ("03_network_module.ipynb", "03 · The network", "The class `Net` (an `nn.Module`)", "Net"),
    "train": ("05_training_loop.ipynb", "05 · The training loop", "The five steps as a function: `train`", "train"),
    "test": ("06_test_loop_and_metrics.ipynb", "06 · The test loop", "The test loop: `test`", "test"),
}


def tagged_cell(name: str) -> nbformat.NotebookNode:
    """The real teaching notebook's cell tagged ``exercise:<name>``: the one source of the course's code."""
    (_, cell), = tagged_cells(read(NOTEBOOKS / SYNTHETIC[name][0]), f"exercise:{name}")
    return cell


def with_docstring(code: str, signature: str, doc: str) -> str:
    """``code`` with the docstring ``doc`` added under the line ``signature``."""
    lines = code.splitlines()
    i = next(i for i, line in enumerate(lines) if line.strip() == signature)
    indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())] + "    "
    return "\n".join(lines[: i + 1] + [f'{indent}"""{doc}"""'] + lines[i + 1:])


def without_docstring(code: str) -> str:
    """``code`` with the docstring of its first definition removed."""
    doc = ast.parse(code).body[0].body[0]
    lines = code.splitlines()
    return "\n".join(lines[: doc.lineno - 1] + lines[doc.end_lineno:])


def region(code: str, pair: list[str]) -> tuple[int, int]:
    """The line indices of the first and last line of one ``exercise.blank`` pair in ``code`` (first matches)."""
    stripped = [line.strip() for line in code.splitlines()]
    begin = stripped.index(pair[0])
    return begin, stripped.index(pair[1], begin)


def with_markers(code: str, pair: list[str]) -> str:
    """``code`` with the old marker lines around the region ``pair``: what a lesson cell must no longer hold."""
    lines = code.splitlines()
    begin, end = region(code, pair)
    indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
    return "\n".join(lines[:begin] + [indent + BEGIN] + lines[begin: end + 1] + [indent + END] + lines[end + 1:])


@pytest.fixture(scope="module")
def blanks() -> dict[str, list]:
    """The metadata ``exercise.blank`` of the real tagged cells: which lines the exercises blank out."""
    return {name: tagged_cell(name).metadata["exercise"]["blank"] for name in SYNTHETIC}


@pytest.fixture(scope="module")
def code() -> dict[str, str]:
    """The code of the synthetic teaching cells: the real tagged cells, with two things the real ones lack.

    The network gets a docstring on ``forward`` (a method docstring, which level 2 must keep) and a demo
    after the class (which the exercise must leave out).
    """
    cells = {name: tagged_cell(name).source for name in SYNTHETIC}
    cells["net"] = with_docstring(cells["net"], "def forward(self, input):", "Return the logits.")
    cells["net"] += "\n\n\nnet = Net()\nprint(net)"
    return cells


def make_teaching(folder: Path, code: dict[str, str], blanks: dict[str, object]) -> Path:
    """Write a tiny teaching notebook for each piece in ``code``; its cell's metadata ``exercise.blank`` is ``blanks``'.

    Together they follow the blank contract, or break it; a piece missing from ``blanks`` gets no
    ``exercise`` metadata.
    """
    folder.mkdir(parents=True, exist_ok=True)
    md, cc = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    for name, (file, title, heading, symbol) in SYNTHETIC.items():
        if name not in code:
            continue
        cells = [
            md(f"# {title}\nWhat you will be able to do."),
            cc(SETUP),
            md(f"## {heading}\nProse."),
            cc(code[name], metadata={"tags": [f"exercise:{name}"],
                                     **({"exercise": {"blank": blanks[name]}} if name in blanks else {})}),
            cc(f"from course_utils import checks\n\nresult = checks.check_{name}({symbol})\nassert result.passed"),
        ]
        nbformat.write(nbformat.v4.new_notebook(cells=cells), folder / file)
    return folder


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory, code, blanks):
    teaching = make_teaching(tmp_path_factory.mktemp("teaching"), code, blanks)
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


def small_split_loaders(get_split_loaders):
    """``get_split_loaders`` cut to 640 training, 500 validation and 500 test images."""

    def cut(*args, **kwargs):
        loaders = get_split_loaders(*args, **kwargs)
        return tuple(BatchLoader(loader.X[:n], loader.y[:n], loader.batch_size, shuffle=shuffle)
                     for loader, n, shuffle in zip(loaders, (640, 500, 500), (True, False, False)))

    cut.small = True
    return cut


def run_notebook(nb, answers: dict[str, str] | None = None, try_it: bool = True,
                 printed: io.StringIO | None = None) -> list[CheckResult]:
    """Run the code cells top to bottom in a fresh namespace; return the check cells' results.

    ``answers`` maps a cell tag (``answer:train``) to the code that replaces that cell's source.
    A check cell's value is its last expression, as a notebook would display it. The cells tagged
    ``try-it`` (real data, an epoch of training in some) run on a cut of the quick data
    (:func:`small_loaders`, :func:`small_split_loaders`), or not at all with ``try_it=False``. What the
    cells print goes to ``printed`` (or nowhere).
    """
    namespace: dict = {"__name__": "__exercise__"}
    results = []
    buffer = printed if printed is not None else io.StringIO()
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
            if "get_split_loaders" in namespace and not hasattr(namespace["get_split_loaders"], "small"):
                namespace["get_split_loaders"] = small_split_loaders(namespace["get_split_loaders"])
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


@pytest.fixture(scope="module")
def sources(synthetic) -> dict[str, exercises.Source]:
    """What the generator reads from the synthetic teaching notebooks."""
    return find_sources(synthetic[0])


def test_the_reader_marks_the_metadata_regions_at_their_indentation(code, blanks, sources):
    for name in SYNTHETIC:
        (pair,) = blanks[name]  # today one region per cell
        lines = sources[name].definition.splitlines()
        begin, end = [i for i, line in enumerate(lines) if line.strip() in (BEGIN, END)]  # one pair of markers
        assert lines[begin + 1].strip() == pair[0] and lines[end - 1].strip() == pair[1], name
        indent = lines[begin + 1][: len(lines[begin + 1]) - len(lines[begin + 1].lstrip())]
        assert lines[begin] == indent + BEGIN and lines[end] == indent + END, name
    assert BEGIN not in code["train"] and END not in code["train"]  # the lesson cell itself shows no marker


def test_the_reader_marks_several_regions(code, blanks, tmp_path):
    init, forward = ["super().__init__()", "self.fc3 = nn.Linear(84, 10)"], blanks["net"][0]
    teaching = make_teaching(tmp_path, code, {**blanks, "net": [init, forward]})
    definition = find_sources(teaching)["net"].definition
    assert definition == with_markers(with_markers(solution(definition), init), forward)
    text = fill_in(definition)
    assert text.count(TODO) == 2 and "self.conv1 = " not in text and "F.relu(self" not in text
    assert "    def forward(self, input):" in text and "# an affine operation: y = Wx + b" in text  # hints stay
    ast.parse(text)


def test_fill_in_blanks_the_marked_lines_at_their_indentation(code, blanks, sources):
    lines = code["train"].splitlines()
    begin, end = region(code["train"], blanks["train"][0])
    before, block, after = lines[:begin], lines[begin: end + 1], lines[end + 1:]
    indent = lines[begin][: lines[begin].index("#")]
    comments = [line for line in block if line.strip().startswith("#")]
    text = fill_in(sources["train"].definition)
    assert "optimizer.zero_grad()" not in text and "loss.backward()" not in text
    lines = text.splitlines()
    i = lines.index(indent + TODO)
    assert lines[i + 1] == indent + RAISE
    # the comment lines of the region stay, as hints; the lines around the region stay as they were
    assert comments and lines[i - len(comments): i] == comments
    assert lines[: i - len(comments)] == before and lines[i + 2:] == after
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    ast.parse(text)


def test_rebuild_keeps_only_signatures_and_docstrings(code, sources):
    text = rebuild(sources["train"].definition)
    node = ast.parse(code["train"]).body[0]
    docstring = '    """' + ast.get_docstring(node, clean=False) + '"""'
    assert text.splitlines() == [
        "def train(dataloader, model, loss_fn, optimizer):",
        *docstring.splitlines(),
        "    " + TODO,
        "    " + RAISE,
    ]
    net = rebuild(sources["net"].definition)
    assert "class Net(nn.Module):" in net and "def __init__(self):" in net and "def forward(self, input):" in net
    # the class docstring names the layers: the code lines are what must be gone
    assert "self.conv1 = " not in net and "super().__init__()" not in net and "F.relu(self" not in net
    assert net.count(RAISE) == 2 and '"""Return the logits."""' in net
    ast.parse(net)


def test_rebuild_can_put_a_specification_in_place_of_the_docstring(sources):
    body = "What it does, in words long enough to wrap: " + "the shapes in and out, what it returns. " * 4
    net = rebuild(sources["net"].definition, f"Summary.\n\n{body}")
    node = ast.parse(net).body[0]
    assert ast.get_docstring(node) == "Summary.\n\n" + textwrap.fill(body.strip(), 92)
    assert "nn.Conv2d(" not in net and "Layers (created in" not in net  # the lesson's docstring is gone
    assert '"""Return the logits."""' in net and net.count(RAISE) == 2  # the methods as before
    assert all(len(line) < 100 for line in net.splitlines())
    train = rebuild(sources["train"].definition, "One line.")
    assert train.splitlines()[:2] == ["def train(dataloader, model, loss_fn, optimizer):", '    """One line."""']
    assert train.splitlines()[2:] == ["    " + TODO, "    " + RAISE]


def test_level_2_of_the_network_gives_no_constructor_call(synthetic):
    _, out = synthetic
    nb = nbformat.read(out / "net_2_rebuild.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert "nn.Conv2d(" not in text and "nn.Linear(" not in text
    assert "As taught in 03" in _cell(nb, "answer") and "As taught in 03" in _cell(nb, "your-turn")


def test_solution_is_the_teaching_code_exactly(code, sources):
    text = solution(sources["test"].definition)
    assert text == code["test"] and "correct += (pred.argmax(1) == y)" in text
    assert text.startswith("def test(") and text.endswith("return test_loss, correct")
    assert solution(sources["train"].definition) == code["train"]
    assert code["net"].startswith(solution(sources["net"].definition) + "\n\n\nnet = Net()")  # the demo left out


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


def test_setup_imports_what_the_code_uses(synthetic):
    _, out = synthetic
    setups = {p.name: _cell(nbformat.read(p, as_version=4), "setup") for p in sorted(out.glob("*.ipynb"))}
    for name, text in setups.items():
        assert text.startswith("# set-up: imports, seed, device"), name
        assert "import torch\nimport torch.nn as nn\n" in text, name  # the template's candidates, in order
        # tqdm comes from the teaching notebook (05), where the training loop uses it: the exercises on train,
        # and those on test, whose last cell trains with the given loop; the network's do not import it
        assert ("from tqdm.auto import tqdm" in text) == (not name.startswith("net_")), name
    assert "from course_utils.env import pick" in setups["all_from_blank.ipynb"]


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


def test_templates_hold_every_cell_the_generator_asks_for():
    for name in ("net", "train", "test"):
        assert f"checks.check_{name}(" in section("piece", f"check:{name}")
        assert f"checks.check_{name}(" in section("all_from_blank", f"check:{name}")
        assert "if result.passed:" in section("piece", f"try-it:{name}")
        assert re.search(rf"^{exercises.PIECE[name].symbol} = None\b", section("blanks", f"from-blank:{name}"), re.M)
    assert section("blanks", "blank").splitlines() == [TODO, RAISE]
    for template in ("piece", "all_from_blank", "blanks"):
        for name, text in sections(template).items():
            ast.parse(text)  # every section is Python on its own
            assert text == text.strip("\n") and "# %%" not in text, (template, name)
    with pytest.raises(ExerciseError, match=r"piece\.py has no section `# %% try-it:nothing` \(it has: setup"):
        section("piece", "try-it:nothing")


def test_committed_level_3_leaves_out_the_docstring_body():
    docs = {name: src.docstring for name, src in find_sources(NOTEBOOKS).items()}
    for piece, doc in docs.items():
        body = exercises.prose(doc).split("\n\n")[1]  # the real docstrings have a second paragraph
        filled = _cell(nbformat.read(EXERCISES / f"{piece}_1_fill_in.ipynb", as_version=4), "your-turn")
        rebuilt = _cell(nbformat.read(EXERCISES / f"{piece}_2_rebuild.ipynb", as_version=4), "your-turn")
        blank = _cell(nbformat.read(EXERCISES / f"{piece}_3_from_blank.ipynb", as_version=4), "your-turn")
        together = _cell(nbformat.read(EXERCISES / "all_from_blank.ipynb", as_version=4), f"{piece}-spec")
        assert body in filled and body not in blank and body not in together, piece
        # level 2 keeps the lesson's docstring, except the network's, which dictates every layer
        assert (body in rebuilt) == (piece != "net"), piece


def _texts(path: Path, cell_ids: tuple[str, ...] | None = None) -> str:
    """The sources of a committed exercise's cells (those with ``cell_ids``, or all), joined."""
    nb = nbformat.read(path, as_version=4)
    return "\n".join(c.source for c in nb.cells if cell_ids is None or c.id in cell_ids)


def test_committed_net_level_2_gives_a_specification_not_the_constructor_calls():
    text = _texts(EXERCISES / "net_2_rebuild.ipynb", ("your-turn", "answer"))
    for dictation in ("nn.Conv2d(", "nn.Linear(", "conv1 =", "16 * 5 * 5", "F.relu(", "max_pool2d"):
        assert dictation not in text, dictation
    # the behaviour instead: the shapes in and out, LeNet as taught in 03, what forward returns
    for spec in ("(N, 1, 32, 32)", "(N, 10)", "As taught in 03", "It returns the logits", "def forward(self, input)"):
        assert spec in text, spec
    answer = _texts(EXERCISES / "net_2_rebuild.ipynb", ("answer",))
    doc = ast.get_docstring(ast.parse(answer).body[0])
    assert doc.startswith("LeNet for Fashion-MNIST") and "As taught in 03" in doc
    assert all(len(line) < 100 for line in answer.splitlines()[2:])  # the lesson's summary line, then wrapped
    # level 1 still dictates: the layers are there, only forward is blank
    assert "nn.Conv2d(1, 6, 5)" in _texts(EXERCISES / "net_1_fill_in.ipynb", ("answer",))


def _without_line(code: str, text: str) -> str:
    """``code`` without its one line containing ``text``."""
    lines = code.splitlines()
    (i,) = [i for i, line in enumerate(lines) if text in line]
    return "\n".join(lines[:i] + lines[i + 1:])


#: (piece, words the texts of levels 1 and 2 hold, words the texts of level 3 and all_from_blank hold, the
#: course's code with that behaviour taken out): every text names a behaviour the check enforces (levels 1-2
#: with its call, level 3 without), and the check fails the course's code without it
ENFORCED = {
    "train starts with model.train()": ("train", ("`model.train()`", "07 calls `test` between epochs"),
                                        ("runs in training mode", "a model in evaluation mode"),
                                        lambda c: _without_line(c, "model.train()")),
    "train resets the gradients": ("train", ("`optimizer.zero_grad()`",), ("gradients from this batch only",),
                                   lambda c: _without_line(c, "optimizer.zero_grad()")),
    "train steps the given optimizer": ("train", ("one `optimizer.step()` of the `optimizer` it is given",),
                                        ("one update by the `optimizer` it is given",),
                                        lambda c: _without_line(c, "optimizer.step()")),
    "train keeps numbers": ("train", ("`loss.item()`",), ("plain numbers, not tensors",),
                            lambda c: c.replace("losses.append(loss.item())", "losses.append(loss)")),
    "train runs on the model's device": ("train", ("`.to(\"cuda\")`",), ("names no GPU",),
                                         lambda c: c.replace("X, y = X.to(device), y.to(device)",
                                                             "X, y = X.to(\"cuda\"), y.to(\"cuda\")")),
    "test starts with model.eval()": ("test", ("`model.eval()`",), ("runs in evaluation mode",),
                                      lambda c: _without_line(c, "model.eval()")),
    "test tracks no gradients": ("test", ("`torch.no_grad()`",), ("no computation graph is recorded",),
                                 lambda c: c.replace("with torch.no_grad():", "if True:")),
    "test divides by the images": ("test", ("divided by the number of images",),
                                   ("over all the images, not a mean of the batches",),
                                   lambda c: c.replace("correct /= size", "correct /= num_batches")),
    "test takes the largest logit": ("test", ("largest logit over the 10 classes",), ("largest of its 10 scores",),
                                     lambda c: c.replace("argmax(1)", "argmax(0)")),
    "test reports numbers": ("test", ("Python numbers (`.item()`), not tensors",), ("plain numbers, not tensors",),
                             lambda c: c.replace("return test_loss, correct",
                                                 "return torch.tensor(test_loss), torch.tensor(correct)")),
    "net calls super().__init__()": ("net", ("`super().__init__()`",), ("nn.Module sets itself up",),
                                     lambda c: _without_line(c, "super().__init__()")),
    "net pads nothing": ("net", ("no padding in the first convolution",), ("the first convolution pads nothing",),
                         lambda c: c.replace("nn.Conv2d(1, 6, 5)", "nn.Conv2d(1, 6, 5, padding=2)")),
    "net returns raw logits": ("net", ("raw logits",), ("raw logits",),
                               lambda c: c.replace("output = self.fc3(f6)", "output = F.softmax(self.fc3(f6), 1)")),
    "net uses ReLU": ("net", ("ReLU, not tanh",), ("ReLU, not tanh",),
                      lambda c: c.replace("F.relu(self.conv1(input))", "torch.tanh(self.conv1(input))")),
    "net uses max pooling": ("net", ("max pooling, not average",), ("max pooling, not average",),
                             lambda c: c.replace("F.max_pool2d(c1, (2, 2))", "F.avg_pool2d(c1, (2, 2))")),
    "net has LeNet's widths": ("net", ("1 → 6 maps, then 6 → 16 maps", "120, 84 and 10"),
                               ("1 → 6 maps, then 6 → 16 maps", "120, 84 and 10"),
                               lambda c: c.replace("nn.Linear(16 * 5 * 5, 120)", "nn.Linear(16 * 5 * 5, 100)")
                               .replace("nn.Linear(120, 84)", "nn.Linear(100, 84)")),
}


@pytest.mark.parametrize("behaviour", ENFORCED, ids=str)
def test_committed_texts_state_what_the_check_enforces(behaviour):
    piece, named, behaved, remove = ENFORCED[behaviour]
    texts = {n: _texts(EXERCISES / f"{piece}_{n}_{part}.ipynb", ("your-turn",)) for n, part, _ in exercises.LEVELS}
    texts["all"] = _texts(EXERCISES / "all_from_blank.ipynb", (f"{piece}-spec",))
    for where, text in texts.items():
        for word in (behaved if where in (3, "all") else named):
            assert word in text, (where, word)
    # the check enforces it: the course's own code, with the behaviour taken out, is not correct
    course = solution(find_sources(NOTEBOOKS)[piece].definition)
    changed = remove(course)
    assert changed != course
    symbol = exercises.PIECE[piece].symbol
    learner = notebook_cell(changed)[symbol]
    found = getattr(checks, f"check_{piece}")(learner)
    assert found.status == "incorrect", str(found)
    assert getattr(checks, f"check_{piece}")(notebook_cell(course)[symbol]).passed  # and with it, correct


#: the calls that level 3 leaves to the hints: its requirement list states behaviours
CALLS = ("model.train()", "model.eval()", "zero_grad", "optimizer.step()", "loss.backward()", "torch.no_grad()",
         "loss.item()", ".item()", "loss_fn(pred, y)", "argmax", "super().__init__()", "nn.Conv2d", "F.relu")


@pytest.mark.parametrize("piece", ["net", "train", "test"])
def test_committed_level_3_requirements_state_behaviours_not_calls(piece):
    for path, cell in ((f"{piece}_3_from_blank.ipynb", "your-turn"), ("all_from_blank.ipynb", f"{piece}-spec")):
        text = _texts(EXERCISES / path, (cell,))
        required = text[text.index("**What the check requires.**"):]
        assert not [c for c in CALLS if c in required], (path, [c for c in CALLS if c in required])
    # level 2 names them, so that the two levels differ
    rebuilt = _texts(EXERCISES / f"{piece}_2_rebuild.ipynb", ("your-turn",))
    assert sum(c in rebuilt for c in CALLS) >= 2, rebuilt


def test_committed_test_texts_say_the_return_is_the_course_s_contract_not_a_requirement():
    """The check passes a loop that prints, or returns the accuracy alone: no text may say it must return the pair."""
    for path in [p for p in COMMITTED if p.name.startswith(("test_", "all_"))]:
        text = _texts(path, ("your-turn", "test-spec"))
        required = text[text.index("**What the check requires.**"):text.index("**The course's `test`**")]
        assert "(avg_loss, accuracy)" not in required and "It returns" not in required, path.name
        contract = text[text.index("**The course's `test`**"):]
        for words in ("not a requirement", "prints its numbers", "returns the accuracy alone", "in percent"):
            assert words in contract, (path.name, words)


@pytest.mark.parametrize("piece", ["train", "test"])
def test_committed_level_2_outlines_the_structure_and_level_3_does_not(piece):
    rebuilt = _texts(EXERCISES / f"{piece}_2_rebuild.ipynb", ("answer",))
    outline = exercises.PIECE[piece].outline
    assert outline and all(line in rebuilt for line in outline), rebuilt
    assert rebuilt.index(outline[-1]) < rebuilt.index(TODO)
    assert not any(line in _texts(EXERCISES / f"{piece}_3_from_blank.ipynb") for line in outline)


#: what would give the network of net_3 away: its layers, its code, the course's copy, a printed model
NET_ANSWER = ("nn.Conv2d", "nn.Linear", "Conv2d(", "Linear(", "conv1", "fc1", "16 * 5 * 5", "max_pool2d",
              "course_utils.reference", "import Net", "print(model", "print(Net", "Net()\nprint")


@pytest.mark.parametrize("name", ["net_3_from_blank.ipynb", "all_from_blank.ipynb"])
def test_committed_net_from_blank_shows_no_answer(name):
    nb = nbformat.read(EXERCISES / name, as_version=4)
    answer = next(c.source for c in nb.cells if "answer:net" in c.metadata.get("tags", []))
    assert answer == section("blanks", "from-blank:net")
    for cell in nb.cells:
        for leak in NET_ANSWER:
            assert leak not in cell.source, (cell.id, leak)
    # the check's words, as generated (not attempted), before any hint is asked for
    for found in run_notebook(nb, try_it=False):
        for leak in NET_ANSWER:
            assert leak not in str(found), (leak, str(found))


def test_test_try_it_trains_one_epoch_before_it_measures():
    tree = ast.parse(section("piece", "try-it:test"))
    calls = [n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    assert calls.index("train") < calls.index("test")
    given = _texts(EXERCISES / "test_1_fill_in.ipynb", ("given-train",))
    assert given == solution(find_sources(NOTEBOOKS)["train"].definition)  # the course's loop, typed out


#: test loops the check passes though they report otherwise than the course's: the try-it cells must run them
OTHER_SHAPES = {
    "prints only (the Quickstart's)": (lambda course: QUICKSTART_TEST, "Accuracy:"),
    "returns the accuracy alone": (lambda course: course.replace("return test_loss, correct", "return correct"),
                                   "your test returned"),
    "returns the accuracy in percent": (lambda course: course.replace("return test_loss, correct",
                                                                      "return test_loss, 100 * correct"),
                                        "after one epoch of training: average loss"),
    "the course's": (lambda course: course, "after one epoch of training: average loss"),
}


@pytest.mark.parametrize("shape", OTHER_SHAPES, ids=str)
def test_committed_try_it_cells_run_every_test_the_check_passes(shape):
    make, shown = OTHER_SHAPES[shape]
    answers = solutions(NOTEBOOKS)
    answers["answer:test"] = make(answers["answer:test"])
    for name in ("test_1_fill_in.ipynb", "all_from_blank.ipynb"):
        printed = io.StringIO()
        results = run_notebook(nbformat.read(EXERCISES / name, as_version=4), answers, printed=printed)
        assert results and all(r.status == CORRECT for r in results), [str(r) for r in results]
        text = printed.getvalue()
        assert "make the" not in text, text  # the try-it cells ran
        if name.startswith("test_"):
            assert shown in text, text


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


def _blank(blanks: dict, name: str, value: object) -> dict:
    """``blanks`` with piece ``name``'s metadata ``exercise.blank`` set to ``value`` (or left out, for None)."""
    return {k: v for k, v in blanks.items() if k != name} | ({} if value is None else {name: value})


def _forward_and(blanks: dict, pair: list[str], before: bool = False) -> dict:
    """The network's forward region, then ``pair`` as a second region (or ``pair`` first)."""
    forward = blanks["net"][0]
    return _blank(blanks, "net", [pair, forward] if before else [forward, pair])


TRAIN_FIRST, TRAIN_LAST = "# step 1: zero the gradients (they accumulate by default)", "optimizer.step()"
# each broken contract: (what the teaching cells and their metadata become, what the error must name,
# the piece whose cell the error must name along with the fix, or None)
BROKEN = {
    "no cell tagged": (lambda c, b: ({k: v for k, v in c.items() if k != "test"}, b), "exercise:test", None),
    "no metadata": (lambda c, b: (c, _blank(b, "train", None)), r"has no metadata exercise\.blank", "train"),
    "a pair not in a list": (lambda c, b: (c, _blank(b, "train", [TRAIN_FIRST, TRAIN_LAST])),
                             r"exercise\.blank is \[\"# step 1", "train"),
    "no pair": (lambda c, b: (c, _blank(b, "test", [])), r"exercise\.blank is \[\]", "test"),
    "first line not in the cell": (
        lambda c, b: (c, _blank(b, "train", [["optimizer.zero_grad(set_to_none=True)", TRAIN_LAST]])),
        r"the first line 'optimizer\.zero_grad\(set_to_none=True\)' is not a line of train", "train"),
    "last line not in the cell": (
        lambda c, b: (c, _blank(b, "test", [["test_loss += loss_fn(pred, y).item()", "correct += 1"]])),
        r"the last line 'correct \+= 1' is not a line of test", "test"),
    "pair out of order": (lambda c, b: (c, _blank(b, "train", [[TRAIN_LAST, TRAIN_FIRST]])),
                          r"comes before the first \(line \d+\): the pair is out of order", "train"),
    "regions overlap": (lambda c, b: (c, _forward_and(b, ["f5 = F.relu(self.fc1(s4))  # (N, 120)", "return output"])),
                        r"lies inside the previous region \(lines \d+-\d+ of Net\): regions must not overlap", "net"),
    "regions out of order": (lambda c, b: (c, _forward_and(b, ["super().__init__()", "self.fc3 = nn.Linear(84, 10)"])),
                             r"comes before the previous region .*: list them in the code's order", "net"),
    "markers left in the cell": (lambda c, b: ({**c, "train": with_markers(c["train"], b["train"][0])}, b),
                                 "train contains `### BEGIN SOLUTION` / `### END SOLUTION` lines", "train"),
    "no docstring": (lambda c, b: ({**c, "test": without_docstring(c["test"])}, b), "docstring", None),
    "renamed": (lambda c, b: ({**c, "train": c["train"].replace("def train(", "def fit(")}, b), "named train", None),
}


@pytest.mark.parametrize("broken", BROKEN, ids=str)
def test_broken_contracts_are_explained(broken, code, blanks, tmp_path):
    change, message, piece = BROKEN[broken]
    with pytest.raises(ExerciseError, match=message) as error:
        build(make_teaching(tmp_path, *change(code, blanks)))
    if piece:  # which notebook and cell, what was expected, the fix
        assert f"{SYNTHETIC[piece][0]} (cell 3, tagged exercise:{piece})" in str(error.value)
        assert 'expected "exercise": {"blank": [[first line, last line], ...]}' in str(error.value)
        assert FIX in str(error.value)


def test_the_first_match_after_the_previous_region_counts(code, blanks, tmp_path):
    """A first line also written inside an earlier region is matched after that region."""
    last = blanks["net"][0][1]  # forward's last line, written once more before the return
    net = code["net"].replace("        return output", f"        {last}\n        return output")
    teaching = make_teaching(tmp_path, {**code, "net": net}, _forward_and(blanks, [last, last]))
    lines = find_sources(teaching)["net"].definition.splitlines()
    assert [line.strip() for line in lines[-6:]] == [last, END, BEGIN, last, END, "return output"]
    assert [line.strip() for line in lines].count(BEGIN) == 2


def test_a_piece_tagged_twice_is_explained(code, blanks, tmp_path):
    twice = make_teaching(tmp_path / "f", code, blanks)
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
        pytest.fail(f"the teaching notebooks break the exercise blank contract (cell metadata exercise.blank): {exc}")
    stale = exercises.stale(books, EXERCISES)
    extra = sorted(p.name for p in COMMITTED if p.name not in books)
    assert not stale and not extra, (
        f"notebooks/exercises/ is out of date (stale: {stale}, extra: {extra}): run `make exercises`"
    )


def test_python_m_tools_exercises_checks_the_committed_notebooks():
    result = subprocess.run([sys.executable, "-m", "tools", "exercises", "--check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "10 exercise notebooks up to date" in result.stdout


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.name)
def test_committed_exercise_runs_as_generated(path):
    results = run_notebook(nbformat.read(path, as_version=4))
    assert results, f"{path.name} has no check cell"
    assert all(r.status == NOT_ATTEMPTED for r in results), [str(r) for r in results]


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.name)
def test_committed_exercise_passes_with_the_solutions(path):
    results = run_notebook(nbformat.read(path, as_version=4), solutions(NOTEBOOKS))
    assert results and all(r.status == CORRECT for r in results), [str(r) for r in results]
