"""Generate the exercise notebooks in ``notebooks/exercises/`` from the teaching notebooks.

``make exercises`` runs ``python -m course_utils.exercises``. The teaching notebooks are the
single source: the cell that defines the network (``03_network_module``), the training loop
(``05_training_loop``) or the test loop (``06_test_loop_and_metrics``) carries the tag
``exercise:net``, ``exercise:train`` or ``exercise:test``, and wraps its key lines in
``### BEGIN SOLUTION`` / ``### END SOLUTION`` comment lines (nbgrader style). From each, three
notebooks are written:

1. ``<piece>_1_fill_in``: the marked lines are replaced by ``# YOUR CODE HERE`` and
   ``raise NotImplementedError`` (the comment lines inside the markers stay, as hints);
2. ``<piece>_2_rebuild``: the whole body is blank; the signature and docstring remain (for the
   class, the signature and docstring of each method too);
3. ``<piece>_3_from_blank``: only the heading, a short specification (the docstring's first
   paragraph and the shapes in and out) and the check remain;

plus ``all_from_blank``: the three pieces from a blank page, then real training on the quick
data (the 6,000-image sample). Every notebook opens with what to do, how to check (the
``course_utils.checks`` cells) and a link to the teaching notebook's section for when you are
stuck. The output is deterministic (fixed cell ids, no outputs) and committed; a test fails when
it differs from what this module produces. ``--check`` compares without writing.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

__all__ = [
    "ALL_NAME",
    "LEVELS",
    "PIECES",
    "ExerciseError",
    "Piece",
    "Source",
    "anchor",
    "build",
    "fill_in",
    "find_sources",
    "from_blank",
    "main",
    "markdown_text",
    "prose",
    "rebuild",
    "solution",
    "stale",
    "text_of",
    "write",
]

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
OUT = NOTEBOOKS / "exercises"

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_MARKER = re.compile(r"^\s*###\s*(BEGIN|END) SOLUTION\s*$")
TODO = "# YOUR CODE HERE"
RAISE = "raise NotImplementedError"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
META_KEY = "course_exercise"


class ExerciseError(ValueError):
    """The teaching notebooks do not follow the marker contract; the message says what to fix."""


@dataclass(frozen=True)
class Piece:
    """One thing to rebuild: its tag name, the Python name it defines, and its check."""

    name: str  # net, train, test
    symbol: str  # Net, train, test
    kind: str  # class or function
    label: str  # words for titles
    goal: str  # what the learner will be able to do
    expects: str  # what the check feeds the code and expects back ("The check" + this)
    try_it: str  # code run once the check passes
    shapes: str = ""  # level 3: what goes in and what comes out, with shapes
    expects_blank: str = ""  # level 3: the check's text, naming less of the answer (default: expects)
    result: str = "the result"  # level 1: what the blank must leave in the variable returned after it

    @property
    def check(self) -> str:
        return f"checks.check_{self.name}({self.symbol})"


PIECES: tuple[Piece, ...] = (
    Piece(
        "net", "Net", "class", "The network",
        "Rebuild LeNet as an `nn.Module`, `Net`, until the check says **correct**.",
        "builds `Net()` (no arguments) and feeds it a batch of 3 random images shaped "
        "(3, 1, 32, 32); it expects logits shaped (3, 10) from LeNet's layers: conv1 1\u21926 "
        "(5\u00d75), conv2 6\u219216 (5\u00d75), fc1 16\u00b75\u00b75 = 400\u2192120, fc2 120\u219284, "
        "fc3 84\u219210, a ReLU after each of the first four, 2\u00d72 max-pooling after each "
        "convolution's ReLU, and raw logits out.",
        "# runs once the check says correct: one real batch through your network\n"
        "if result.passed:\n"
        "    train_loader, _ = get_loaders(batch_size=64, device=device)\n"
        "    X, y = next(iter(train_loader))\n"
        "    model = Net().to(device)\n"
        "    pred = model(X)\n"
        '    print("X:", tuple(X.shape), "-> pred:", tuple(pred.shape))\n'
        "else:\n"
        '    print("make the check above say correct first")',
        shapes="**In:** `input`, a batch of images shaped (N, 1, 32, 32). **Out:** the logits, shaped "
        "(N, 10): one raw score per class, no activation after the last layer.",
        expects_blank="builds `Net()` (no arguments), feeds it a batch of 3 random images shaped "
        "(3, 1, 32, 32) and expects LeNet's logits shaped (3, 10); if your layers or your forward "
        "differ from LeNet's, it says where.",
        result="the logits",
    ),
    Piece(
        "train", "train", "function", "The training loop",
        "Rebuild the five-step training loop, `train(dataloader, model, loss_fn, optimizer)`, "
        "until the check says **correct**.",
        "calls `train(dataloader, model, loss_fn, optimizer)` on 3 tiny batches of "
        "made-up images, with a model, a loss function and an optimizer that record what your "
        "code does and in which order. `train` may return the per-batch losses, as the "
        "specification says; that is optional: the check does not need them.",
        "# runs once the check says correct: one epoch of your loop on the real training set\n"
        "if result.passed:\n"
        "    train_loader, _ = get_loaders(batch_size=64, device=device)\n"
        "    model = Net().to(device)\n"
        "    loss_fn = nn.CrossEntropyLoss()\n"
        "    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "    X, y = next(iter(train_loader))\n"
        "    with torch.no_grad():\n"
        "        before = loss_fn(model(X), y).item()\n"
        "    train(train_loader, model, loss_fn, optimizer)\n"
        "    with torch.no_grad():\n"
        "        after = loss_fn(model(X), y).item()\n"
        '    print(f"loss on one batch: {before:.3f} before the epoch, {after:.3f} after")\n'
        "    if after > before - 0.05:\n"
        '        print("the loss barely moved: check that zero_grad, backward and step run once per batch, "\n'
        '              "inside the loop")\n'
        "else:\n"
        '    print("make the check above say correct first")',
        shapes="**In:** `dataloader` gives batches `(X, y)`: images `X` shaped (N, 1, 32, 32) and labels "
        "`y` shaped (N,); `model(X)` gives logits shaped (N, 10). **Out:** the per-batch losses as "
        "Python floats (optional).",
    ),
    Piece(
        "test", "test", "function", "The test loop",
        "Rebuild the test loop, `test(dataloader, model, loss_fn)`, until the check says **correct**.",
        "calls `test(dataloader, model, loss_fn)` on 9 made-up images in batches of 4, 4 "
        "and 1, with a model whose predictions are known, and expects `(average loss, accuracy)`: "
        "two Python numbers, the accuracy a fraction between 0 and 1.",
        "# runs once the check says correct: your test loop on the real test set\n"
        "if result.passed:\n"
        "    _, test_loader = get_loaders(batch_size=64, device=device)\n"
        "    model = Net().to(device)  # untrained: it guesses\n"
        "    avg_loss, accuracy = test(test_loader, model, nn.CrossEntropyLoss())\n"
        '    print(f"an untrained network: average loss {avg_loss:.4f}, accuracy {accuracy:.1%} (chance: 10%)")\n'
        "else:\n"
        '    print("make the check above say correct first")',
        shapes="**In:** `dataloader` gives batches `(X, y)`: images `X` shaped (N, 1, 32, 32) and labels "
        "`y` shaped (N,); `model(X)` gives logits shaped (N, 10). **Out:** `(avg_loss, accuracy)`, "
        "two Python floats, the accuracy a fraction between 0 and 1.",
    ),
)
PIECE = {p.name: p for p in PIECES}

#: (number, file-name part, words)
LEVELS: tuple[tuple[int, str, str], ...] = ((1, "fill_in", "fill in"), (2, "rebuild", "rebuild"),
                                            (3, "from_blank", "from blank"))
ALL_NAME = "all_from_blank.ipynb"


# --------------------------------------------------------------------------- reading the sources


@dataclass(frozen=True)
class Source:
    """What the teaching notebook gives for one piece."""

    piece: Piece
    notebook: str  # file name, e.g. 05_training_loop.ipynb
    title: str  # the notebook's title, e.g. 05 · The training loop
    heading: str  # the section heading before the defining cell (markdown text, no #)
    definition: str  # the class or function, markers kept
    docstring: str
    signature: str  # e.g. train(dataloader, model, loss_fn, optimizer)
    methods: tuple[tuple[str, str], ...]  # for a class: (signature, docstring) of each method
    imports: tuple[str, ...]  # import lines the definition may need

    @property
    def anchor(self) -> str:
        return anchor(self.heading)

    @property
    def link(self) -> str:
        return f"../{self.notebook}#{self.anchor}"


def markdown_text(text: str) -> str:
    """The visible text of one line of markdown (code spans, emphasis and links unwrapped)."""
    parts = re.split(r"(`[^`]*`)", text)
    out = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) >= 2:
            out.append(part[1:-1])
            continue
        part = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", part)  # links and images
        part = re.sub(r"<[^>]+>", "", part)  # html tags
        part = part.replace("**", "").replace("__", "").replace("*", "")
        out.append(part)
    return "".join(out).strip()


def anchor(heading: str) -> str:
    """JupyterLab's anchor for a heading: its visible text with spaces turned into '-'.

    Characters that would break a markdown link (unbalanced parentheses, angle brackets) are
    percent-encoded.
    """
    text = markdown_text(heading.lstrip("#").strip()).replace(" ", "-")
    balanced = text.count("(") == text.count(")")  # a markdown link may hold balanced parentheses
    return re.sub(r"[<>\s]" if balanced else r"[()<>\s]", lambda m: f"%{ord(m.group()):02X}", text)


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _parse(source: str, where: str) -> ast.Module:
    cleaned = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    try:
        return ast.parse(cleaned)
    except SyntaxError as exc:
        raise ExerciseError(f"{where}: cannot parse the cell as Python ({exc.msg}, line {exc.lineno})") from exc


def _import_lines(tree: ast.Module) -> list[str]:
    lines = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            if (module or "").split(".")[0] == "course_utils":
                continue
            for alias in node.names:
                single = (ast.ImportFrom(module=node.module, names=[alias], level=node.level)
                          if isinstance(node, ast.ImportFrom) else ast.Import(names=[alias]))
                lines.append(ast.unparse(single))
    return lines


def _node_lines(source: str, node: ast.AST) -> str:
    """The node's source lines, with trailing comment lines that belong to its block."""
    lines = source.splitlines()
    start = (node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno) - 1
    end = node.end_lineno
    while end < len(lines) and lines[end].strip().startswith("#") and (
            len(lines[end]) - len(lines[end].lstrip()) > node.col_offset):
        end += 1
    return "\n".join(lines[start:end])


def _docstring_of(node: ast.AST) -> str:
    doc = ast.get_docstring(node, clean=True)
    return doc or ""


def _signature(node: ast.AST) -> str:
    if isinstance(node, ast.ClassDef):
        bases = ", ".join(ast.unparse(b) for b in node.bases)
        return f"{node.name}({bases})" if bases else node.name
    return f"{node.name}({ast.unparse(node.args)})"


def _definition(piece: Piece, source: str, where: str) -> ast.AST:
    tree = _parse(source, where)
    wanted = ast.ClassDef if piece.kind == "class" else (ast.FunctionDef,)
    found = [n for n in tree.body if isinstance(n, wanted) and n.name == piece.symbol]
    if len(found) != 1:
        raise ExerciseError(
            f"{where}: the cell tagged exercise:{piece.name} must define one {piece.kind} named "
            f"{piece.symbol}, found {len(found)}."
        )
    return found[0]


def _heading_before(cells, index: int) -> str:
    for cell in reversed(cells[:index]):
        if cell.cell_type != "markdown":
            continue
        headings = [line for line in cell.source.splitlines() if re.match(r"^#{1,6}\s", line)]
        if headings:
            return headings[-1].lstrip("#").strip()
    return ""


def find_sources(notebook_dir: Path = NOTEBOOKS) -> dict[str, Source]:
    """Find the cell tagged ``exercise:<piece>`` for every piece, in ``notebook_dir/NN_*.ipynb``."""
    notebook_dir = Path(notebook_dir)
    paths = sorted(notebook_dir.glob("[0-9][0-9]_*.ipynb"))
    hits: dict[str, list[tuple[Path, int]]] = {p.name: [] for p in PIECES}
    books = {}
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        books[path] = nb
        for i, cell in enumerate(nb.cells):
            for tag in _tags(cell):
                if tag.startswith("exercise:") and tag.split(":", 1)[1] in hits:
                    hits[tag.split(":", 1)[1]].append((path, i))
    missing = [name for name, found in hits.items() if not found]
    if missing:
        raise ExerciseError(
            f"no cell tagged {', '.join('exercise:' + m for m in missing)} in {notebook_dir}/NN_*.ipynb "
            f"({len(paths)} notebooks read). The notebooks teaching the network (03), the training loop "
            f"(05) and the test loop (06) must tag their defining cell."
        )
    sources = {}
    for piece in PIECES:
        found = hits[piece.name]
        if len(found) > 1:
            where = ", ".join(f"{p.name} cell {i}" for p, i in found)
            raise ExerciseError(f"exercise:{piece.name} is tagged on {len(found)} cells ({where}): keep one.")
        path, index = found[0]
        nb = books[path]
        cell = nb.cells[index]
        where = f"{path.name} (cell {index}, tagged exercise:{piece.name})"
        node = _definition(piece, cell.source, where)
        definition = _node_lines(cell.source, node)
        if not any(_MARKER.match(line) for line in definition.splitlines()):
            raise ExerciseError(f"{where}: no `{BEGIN}` / `{END}` lines inside {piece.symbol}.")
        _check_markers(definition, where)
        docstring = _docstring_of(node)
        if not docstring:
            raise ExerciseError(f"{where}: {piece.symbol} needs a docstring stating its specification.")
        methods = tuple(
            (_signature(m), _docstring_of(m)) for m in node.body if isinstance(m, ast.FunctionDef)
        ) if isinstance(node, ast.ClassDef) else ()
        title_cell = nb.cells[0].source.strip().splitlines()[0] if nb.cells else path.stem
        first_code = next((c for c in nb.cells if c.cell_type == "code" and "colab" not in _tags(c)), None)
        imports = []
        if first_code is not None:
            imports += _import_lines(_parse(first_code.source, f"{path.name} (first code cell)"))
        imports += _import_lines(_parse(cell.source, where))
        heading = _heading_before(nb.cells, index)
        if not heading:
            raise ExerciseError(f"{where}: no markdown heading before the cell, to link the exercises to.")
        sources[piece.name] = Source(
            piece=piece,
            notebook=path.name,
            title=title_cell.lstrip("#").strip(),
            heading=heading,
            definition=definition,
            docstring=docstring,
            signature=_signature(node),
            methods=methods,
            imports=tuple(dict.fromkeys(imports)),
        )
    return sources


def _check_markers(definition: str, where: str) -> None:
    depth = 0
    for line in definition.splitlines():
        match = _MARKER.match(line)
        if match:
            depth += 1 if match.group(1) == "BEGIN" else -1
            if depth not in (0, 1):
                raise ExerciseError(f"{where}: `{BEGIN}` and `{END}` must alternate (no nesting).")
    if depth:
        raise ExerciseError(f"{where}: a `{BEGIN}` has no matching `{END}`.")


# --------------------------------------------------------------------------- the three levels


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def solution(definition: str) -> str:
    """The definition with the marker lines removed: the teaching notebook's code."""
    return "\n".join(line for line in definition.splitlines() if not _MARKER.match(line))


def fill_in(definition: str) -> str:
    """Level 1: each marked block becomes its comment lines, ``# YOUR CODE HERE`` and ``raise``."""
    out: list[str] = []
    block: list[str] | None = None
    indent = ""
    for line in definition.splitlines():
        match = _MARKER.match(line)
        if match and match.group(1) == "BEGIN":
            block, indent = [], _indent(line)
        elif match and block is not None:
            out += [c for c in block if c.strip().startswith("#")]
            out += [indent + TODO, indent + RAISE]
            block = None
        elif block is not None:
            block.append(line)
        else:
            out.append(line)
    return "\n".join(out)


def _blank_body(source: str, node: ast.AST) -> list[str]:
    """Signature and docstring of ``node`` (from ``source``), then TODO and raise."""
    lines = source.splitlines()
    first = node.body[0]
    has_doc = isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant) and isinstance(
        first.value.value, str)
    start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
    keep_to = first.end_lineno if has_doc else first.lineno - 1
    body_indent = " " * first.col_offset
    return lines[start:keep_to] + [body_indent + TODO, body_indent + RAISE]


def rebuild(definition: str) -> str:
    """Level 2: the class or function keeps its signature and docstring; every body is blank.

    A class keeps each method's signature and docstring, each with a blank body.
    """
    source = solution(definition)
    tree = ast.parse(source)
    node = tree.body[0]
    if isinstance(node, ast.FunctionDef):
        return "\n".join(_blank_body(source, node))
    lines = source.splitlines()
    first = node.body[0]
    has_doc = isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant)
    header_end = first.end_lineno if has_doc else first.lineno - 1
    out = lines[node.lineno - 1: header_end]
    for member in node.body:
        if isinstance(member, ast.FunctionDef):
            out.append("")
            out += _blank_body(source, member)
    return "\n".join(out)


def from_blank(piece: Piece) -> str:
    """Level 3: an empty cell, except for a placeholder the check reads as "not attempted"."""
    what = f"class {piece.symbol}" if piece.kind == "class" else f"function {piece.symbol}"
    return f"{TODO}: write the {what} described above\n{piece.symbol} = None  # replace this line with your {what}"


# --------------------------------------------------------------------------- building notebooks


def _md(text: str, cell_id: str):
    cell = nbformat.v4.new_markdown_cell(text.strip("\n"))
    cell["id"] = cell_id
    return cell


def _code(text: str, cell_id: str, tags: list[str] | None = None):
    cell = nbformat.v4.new_code_cell(text.strip("\n"), metadata={"tags": tags} if tags else {})
    cell["id"] = cell_id
    return cell


def _used_names(code: str) -> set[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def _bound_name(import_line: str) -> str:
    alias = ast.parse(import_line).body[0].names[0]
    return alias.asname or alias.name.split(".")[0]


_DEFAULT_IMPORTS = ("import torch", "import torch.nn as nn", "import torch.nn.functional as F")


def _setup_cell(sources: list[Source], code: list[str], needed: list[str], course_line: str) -> str:
    """Imports the learner's code needs, then setup() and device.

    Lint of the generated notebooks is set in ``pyproject.toml`` (``notebooks/exercises/*``: an
    import for code still to write, a name a blank leaves undefined or unused), so the learner's
    cells carry no ruff comments.
    """
    used = set().union(*(_used_names(c) for c in code))
    wanted = set().union(*(_used_names(c) for c in needed)) | used
    candidates = list(dict.fromkeys(list(_DEFAULT_IMPORTS) + [i for s in sources for i in s.imports]))
    chosen = {}
    for line in candidates:
        name = _bound_name(line)
        if name in wanted and name not in chosen:
            chosen[name] = line
    lines = ["# set-up: imports, seed, device (as in the teaching notebooks)", *chosen.values(), "",
             course_line, "", "info = setup(seed=0)", "device = info.device"]
    return "\n".join(lines)


def prose(docstring: str) -> str:
    """A docstring as markdown prose: paragraphs joined into lines, ``_`` and ``*`` shown as typed."""
    paragraphs = [" ".join(line.strip() for line in block.splitlines())
                  for block in re.split(r"\n\s*\n", inspect.cleandoc(docstring)) if block.strip()]
    out = []
    for paragraph in paragraphs:
        parts = re.split(r"(`[^`]*`)", paragraph)
        out.append("".join(p if p.startswith("`") else re.sub(r"([_*\\<])", r"\\\1", p) for p in parts))
    return "\n\n".join(out)


def _spec(source: Source, level: int) -> str:
    """The specification: the whole docstring (levels 1 and 2), or its first paragraph and the shapes (3)."""
    piece = source.piece
    keyword = "class" if piece.kind == "class" else "def"
    paragraphs = prose(source.docstring).split("\n\n")
    if level == 3:
        paragraphs = paragraphs[:1] + ([piece.shapes] if piece.shapes else [])
    quoted = "\n>\n".join(f"> {p}" for p in paragraphs)
    parts = [f"**Specification.** `{keyword} {source.signature}`\n\n{quoted}"]
    if source.methods and level < 3:
        parts.append("\n".join(
            f"- `def {sig}`" + (f": {prose(doc)}" if doc else "") for sig, doc in source.methods
        ))
    expects = piece.expects_blank if level == 3 and piece.expects_blank else piece.expects
    parts.append(f"**The check** {expects}")
    return "\n\n".join(parts)


def _stuck(source: Source) -> str:
    heading = markdown_text(source.heading)
    return f"[{source.title} \u2192 {heading}]({source.link})"


def _level_nav(piece: Piece, level: int) -> str:
    items = []
    for number, part, words in LEVELS:
        text = f"{number} \u00b7 {words}"
        items.append(f"**{text}**" if number == level else f"[{text}]({piece.name}_{number}_{part}.ipynb)")
    items.append(f"[all three from blank]({ALL_NAME})")
    return " \u2192 ".join(items)


_HOW_TO_CHECK = (
    "**How to check.** Run every cell from the top (*Run \u2192 Run All Cells*). The check cell runs "
    "your code on tiny made-up data and answers *correct*, *incorrect* (saying what is wrong and how "
    "to fix it) or *not attempted*. After a change, run your cell again, then the check."
)


def _what_to_do(source: Source, level: int) -> str:
    piece, number = source.piece, source.notebook[:2]
    thing = f"the class `{piece.symbol}`" if piece.kind == "class" else f"the function `{piece.symbol}`"
    if level == 1:
        kept = _returned_after_blank(fill_in(source.definition))
        end = (f" End with {piece.result} in `{kept}`: the cell keeps `return {kept}` after the blank."
               if kept else "")
        return (f"In the cell under *Your turn*, {thing} from notebook {number} has its key lines "
                f"removed. Write them where it says `{TODO}`, and delete the `{RAISE}` line.{end}")
    if level == 2:
        kept = ("its signature, its docstring and the signatures of its methods" if piece.kind == "class"
                else "its signature and its docstring")
        return (f"In the cell under *Your turn*, {thing} keeps only {kept}. Write the "
                f"{'method bodies' if piece.kind == 'class' else 'body'} in place of `{TODO}` and `{RAISE}`.")
    return (f"Nothing is left of {thing} but its specification. Write it whole in the cell under "
            f"*Your turn*, in place of `{piece.symbol} = None`.")


def _returned_after_blank(code: str) -> str:
    """The name in a ``return name`` line right after a blank (``raise NotImplementedError``), or ''."""
    lines = code.splitlines()
    for line, after in zip(lines, lines[1:]):
        match = re.fullmatch(r"\s*return\s+([A-Za-z_]\w*)\s*", after)
        if line.strip() == RAISE and match and _indent(after) == _indent(line):
            return match.group(1)
    return ""


def _answer(source: Source, level: int) -> str:
    if level == 1:
        return fill_in(source.definition)
    if level == 2:
        return rebuild(source.definition)
    return from_blank(source.piece)


def _metadata(nb, **info) -> None:
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata[META_KEY] = info


def _piece_notebook(sources: dict[str, Source], name: str, level: int, part: str, words: str):
    source = sources[name]
    piece = source.piece
    answer = _answer(source, level)
    given = solution(sources["net"].definition) if name != "net" else ""
    check = f"result = {piece.check}\nresult"
    setup_code = _setup_cell(
        [source, sources["net"]],
        [answer, given, piece.try_it],
        [solution(source.definition)],
        "from course_utils import checks, setup\nfrom course_utils.data import get_loaders",
    )
    cells = [
        _md(f"# Exercise \u00b7 {piece.label} \u00b7 {level} of 3: {words}\n{piece.goal}", "title"),
        _md(
            f"**What to do.** {_what_to_do(source, level)}\n\n{_HOW_TO_CHECK}\n\n"
            f"**When stuck.** Read {_stuck(source)}, then close it and write the code from memory.\n\n"
            f"**Levels.** {_level_nav(piece, level)}",
            "instructions",
        ),
        _code(setup_code, "setup"),
    ]
    if given:
        cells += [
            _md(
                f"## Given: the network\nThe network from [{sources['net'].title}](../{sources['net'].notebook}), "
                f"ready to use (the "
                f"`net_*` exercises rebuild it). Your `{piece.symbol}` does not need it; the last cell does.",
                "given-md",
            ),
            _code(given, "given-net"),
        ]
    cells += [
        _md(f"## Your turn: {source.heading}\n\n{_spec(source, level)}", "your-turn"),
        _code(answer, "answer", [f"answer:{name}"]),
        _md("## Check\nRun this cell after every change to your code above.", "check-md"),
        _code(check, "check", ["check"]),
        _md(
            "## Try it for real\nOnce the check says *correct*, this cell uses your code on the real "
            "data.",
            "try-md",
        ),
        _code(piece.try_it, "try-it", ["try-it"]),
        _md(f"## Next\n{_next_text(piece, level)}", "next"),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    _metadata(nb, piece=name, level=level, source=source.notebook)
    return nb


def _next_text(piece: Piece, level: int) -> str:
    if level < 3:
        number, part, words = LEVELS[level]
        return (f"When the check says *correct*, go on to level {number}, "
                f"[{words}]({piece.name}_{number}_{part}.ipynb): less is given there.")
    return (f"When the check says *correct*, do it again tomorrow, from a blank page, until you no "
            f"longer need to look anything up. Then rebuild all three pieces together: "
            f"[all three from blank]({ALL_NAME}).")


_TRAIN_FOR_REAL = """
# runs once all three checks say correct: your network, trained by your loop, measured by your test
num_epochs = pick(3, 1)
if result_net.passed and result_train.passed and result_test.passed:
    train_loader, test_loader = get_loaders(batch_size=64, device=device, info=data.prepare(quick=True))
    model = Net().to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(num_epochs):
        train(train_loader, model, loss_fn, optimizer)
        avg_loss, accuracy = test(test_loader, model, loss_fn)
        print(f"epoch {epoch + 1}: test loss {avg_loss:.4f}, accuracy {accuracy:.1%}")
else:
    print("make the three checks above say correct first")
"""


def _all_notebook(sources: dict[str, Source]):
    order = [sources[p.name] for p in PIECES]
    answers = [from_blank(s.piece) for s in order]
    setup_code = _setup_cell(
        order,
        answers + [_TRAIN_FOR_REAL],
        [solution(s.definition) for s in order],
        "from course_utils import checks, data, setup\nfrom course_utils.data import get_loaders\n"
        "from course_utils.env import pick",
    )
    stuck = "\n".join(f"- {s.piece.label.lower()}: {_stuck(s)}" for s in order)
    cells = [
        _md(
            "# Exercise \u00b7 LeNet from a blank page: network, training loop, test loop\n"
            "Write the network, the training loop and the test loop from memory, then train your "
            "network with your loop and measure it with your test.",
            "title",
        ),
        _md(
            "**What to do.** Under each heading, write the class or function the specification "
            "describes, in place of its `= None` line. Nothing else is given.\n\n"
            f"{_HOW_TO_CHECK} The last cell trains for real once all three checks say *correct*.\n\n"
            f"**When stuck.** Read the section that teaches it, then close it and write the code from "
            f"memory:\n{stuck}\n\n"
            "**One piece at a time.** Each piece has its own exercises in three levels: "
            + ", ".join(f"[{s.piece.label.lower()}]({s.piece.name}_1_fill_in.ipynb)" for s in order)
            + ".",
            "instructions",
        ),
        _code(setup_code, "setup"),
    ]
    for number, (source, answer) in enumerate(zip(order, answers), start=1):
        name = source.piece.name
        cells += [
            _md(f"## {number} \u00b7 {source.heading}\n\n{_spec(source, 3)}", f"{name}-spec"),
            _code(answer, f"{name}-answer", [f"answer:{name}"]),
            _code(f"result_{name} = {source.piece.check}\nresult_{name}", f"{name}-check", ["check"]),
        ]
    cells += [
        _md(
            "## 4 \u00b7 Train for real\nYour network, trained by your loop on the quick data (the "
            "6,000-image sample) and measured by your test loop after every epoch.",
            "train-md",
        ),
        _code(_TRAIN_FOR_REAL, "train-for-real", ["try-it"]),
        _md(
            "## Next\nDo it again another day, from a blank page, until each line is a tool you "
            "understand rather than syntax you look up.",
            "next",
        ),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    _metadata(nb, piece="all", level=3, source=", ".join(s.notebook for s in order))
    return nb


def build(notebook_dir: Path = NOTEBOOKS) -> dict[str, nbformat.NotebookNode]:
    """Every exercise notebook, by file name, built from the teaching notebooks in ``notebook_dir``."""
    sources = find_sources(notebook_dir)
    books = {}
    for piece in PIECES:
        for level, part, words in LEVELS:
            books[f"{piece.name}_{level}_{part}.ipynb"] = _piece_notebook(sources, piece.name, level, part, words)
    books[ALL_NAME] = _all_notebook(sources)
    for name, nb in books.items():
        nbformat.validate(nb)
        for cell in nb.cells:  # every code cell must at least parse
            if cell.cell_type == "code":
                _parse(cell.source, f"generated {name}, cell {cell.id}")
    return books


def text_of(nb) -> str:
    """The exact text written for ``nb`` (what the committed file must hold)."""
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def write(books: dict[str, nbformat.NotebookNode], out_dir: Path = OUT) -> list[Path]:
    """Write the notebooks into ``out_dir``; remove generated notebooks no longer produced.

    Returns the paths whose content changed. Only notebooks carrying this generator's metadata
    are ever removed.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, nb in books.items():
        path = out_dir / name
        text = text_of(nb)
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)
            changed.append(path)
    for path in sorted(out_dir.glob("*.ipynb")):
        if path.name not in books:
            try:
                old = nbformat.read(path, as_version=4)
            except Exception:  # not a notebook we wrote: leave it
                continue
            if META_KEY in old.metadata:
                path.unlink()
                changed.append(path)
    return changed


def stale(books: dict[str, nbformat.NotebookNode], out_dir: Path = OUT) -> list[str]:
    """Names of the notebooks in ``out_dir`` that differ from ``books`` (or are missing)."""
    out_dir = Path(out_dir)
    return [name for name, nb in books.items()
            if not (out_dir / name).is_file() or (out_dir / name).read_text() != text_of(nb)]


def main(argv: list[str] | None = None) -> int:
    """``python -m course_utils.exercises [--check] [--notebooks DIR] [--out DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m course_utils.exercises", description=__doc__.split("\n")[0])
    parser.add_argument("--notebooks", default=str(NOTEBOOKS), help="the teaching notebooks (default: notebooks/)")
    parser.add_argument("--out", default=str(OUT), help="where to write (default: notebooks/exercises/)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the files are stale")
    args = parser.parse_args(argv)
    try:
        books = build(Path(args.notebooks))
    except ExerciseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.check:
        old = stale(books, Path(args.out))
        if old:
            print(f"stale: {', '.join(old)}: run `make exercises`", file=sys.stderr)
            return 1
        print(f"{len(books)} exercise notebooks up to date in {args.out}")
        return 0
    changed = write(books, Path(args.out))
    print(f"{len(books)} exercise notebooks in {args.out} ({len(changed)} written or removed)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
