"""Reading the teaching notebooks: the cell tagged ``exercise:<piece>`` for each piece, and what it gives.

The network is taught in 03, the training loop in 05, the test loop in 06; each notebook tags the cell
that defines it and names the lines its exercises blank in the cell's metadata ``exercise.blank``
(:mod:`tools.exercises.markers`), which the reader turns into marker lines around those lines.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tools.exercises.markers import ExerciseError, blank_regions, mark
from tools.exercises.pieces import PIECES, Piece
from tools.notebooks import NB_DIR, read, tagged_cells, teaching_notebooks, title

__all__ = ["Source", "anchor", "find_sources", "import_lines", "markdown_text", "parse", "plain_imports"]


@dataclass(frozen=True)
class Source:
    """What the teaching notebook gives for one piece."""

    piece: Piece
    notebook: str  # file name, e.g. 05_training_loop.ipynb
    title: str  # the notebook's title, e.g. 05 · The training loop
    heading: str  # the section heading before the defining cell (markdown text, no #)
    definition: str  # the class or function, with marker lines around the regions to blank
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

    def fill(self, text: str) -> str:
        """``text`` with ``{nb}`` replaced by the number of the notebook that teaches the piece (``03``)."""
        return text.replace("{nb}", self.notebook[:2])

    def docstring_at(self, level: int) -> str:
        """The docstring the exercise at ``level`` shows (cleaned, as :attr:`docstring`).

        Level 2 keeps the lesson's first paragraph and puts the piece's ``level_2_doc`` (a specification of
        behaviour, no constructor call) in place of the rest, where the piece has one; the other levels,
        and pieces without one, show the lesson's docstring.
        """
        if level != 2 or not self.piece.level_2_doc:
            return self.docstring
        first = self.docstring.split("\n\n")[0]
        return f"{first}\n\n{self.fill(self.piece.level_2_doc)}"


def markdown_text(text: str) -> str:
    """The visible text of one line of markdown (code spans, emphasis and links unwrapped)."""
    out = []
    for part in re.split(r"(`[^`]*`)", text):
        if part.startswith("`") and part.endswith("`") and len(part) >= 2:
            out.append(part[1:-1])
            continue
        part = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", part)  # links and images
        part = re.sub(r"<[^>]+>", "", part)  # html tags
        out.append(part.replace("**", "").replace("__", "").replace("*", ""))
    return "".join(out).strip()


def anchor(heading: str) -> str:
    """JupyterLab's anchor for a heading: its visible text with spaces turned into '-'.

    Characters that would break a markdown link (unbalanced parentheses, angle brackets) are
    percent-encoded.
    """
    text = markdown_text(heading.lstrip("#").strip()).replace(" ", "-")
    balanced = text.count("(") == text.count(")")  # a markdown link may hold balanced parentheses
    return re.sub(r"[<>\s]" if balanced else r"[()<>\s]", lambda m: f"%{ord(m.group()):02X}", text)


def parse(source: str, where: str) -> ast.Module:
    """A cell's code as a syntax tree (IPython's ``%`` and ``!`` lines blanked); an error says where."""
    cleaned = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    try:
        return ast.parse(cleaned)
    except SyntaxError as exc:
        raise ExerciseError(f"{where}: cannot parse the cell as Python ({exc.msg}, line {exc.lineno})") from exc


def plain_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """The top-level imports of ``tree``, leaving out those of ``course_utils``."""
    found = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            if (module or "").split(".")[0] != "course_utils":
                found.append(node)
    return found


def import_lines(tree: ast.Module) -> list[str]:
    """The top-level imports of ``tree``, one name a line, leaving out those of ``course_utils``."""
    lines = []
    for node in plain_imports(tree):
        for alias in node.names:
            single = (ast.ImportFrom(module=node.module, names=[alias], level=node.level)
                      if isinstance(node, ast.ImportFrom) else ast.Import(names=[alias]))
            lines.append(ast.unparse(single))
    return lines


def _node_lines(source: str, node: ast.stmt) -> str:
    """The node's source lines, with trailing comment lines that belong to its block."""
    lines = source.splitlines()
    start = (node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno) - 1
    end = node.end_lineno
    while end < len(lines) and lines[end].strip().startswith("#") and (
            len(lines[end]) - len(lines[end].lstrip()) > node.col_offset):
        end += 1
    return "\n".join(lines[start:end])


def _signature(node: ast.ClassDef | ast.FunctionDef) -> str:
    if isinstance(node, ast.ClassDef):
        bases = ", ".join(ast.unparse(b) for b in node.bases)
        return f"{node.name}({bases})" if bases else node.name
    return f"{node.name}({ast.unparse(node.args)})"


def _definition(piece: Piece, tree: ast.Module, where: str) -> ast.ClassDef | ast.FunctionDef:
    wanted = ast.ClassDef if piece.kind == "class" else ast.FunctionDef
    found = [n for n in tree.body if isinstance(n, wanted) and n.name == piece.symbol]
    if len(found) != 1:
        raise ExerciseError(
            f"{where}: the cell tagged exercise:{piece.name} must define one {piece.kind} named "
            f"{piece.symbol}, found {len(found)}."
        )
    return found[0]


def _heading_before(cells: list, index: int) -> str:
    for cell in reversed(cells[:index]):
        if cell.cell_type != "markdown":
            continue
        headings = [line for line in cell.source.splitlines() if re.match(r"^#{1,6}\s", line)]
        if headings:
            return headings[-1].lstrip("#").strip()
    return ""


def _tagged(paths: list[Path], folder: Path) -> dict[str, tuple[Path, nbformat.NotebookNode, int]]:
    """For each piece, the one notebook and cell index tagged ``exercise:<piece>``."""
    hits: dict[str, list[tuple[Path, nbformat.NotebookNode, int]]] = {p.name: [] for p in PIECES}
    for path in paths:
        nb = read(path)
        for name, found in hits.items():
            found += [(path, nb, index) for index, _ in tagged_cells(nb, f"exercise:{name}")]
    missing = [name for name, found in hits.items() if not found]
    if missing:
        raise ExerciseError(
            f"no cell tagged {', '.join('exercise:' + m for m in missing)} in {folder}/NN_*.ipynb "
            f"({len(paths)} notebooks read). The notebooks teaching the network (03), the training loop "
            f"(05) and the test loop (06) must tag their defining cell."
        )
    for name, found in hits.items():
        if len(found) > 1:
            where = ", ".join(f"{p.name} cell {i}" for p, _, i in found)
            raise ExerciseError(f"exercise:{name} is tagged on {len(found)} cells ({where}): keep one.")
    return {name: found[0] for name, found in hits.items()}


def _imports(nb: nbformat.NotebookNode, path: Path, tree: ast.Module) -> tuple[str, ...]:
    """The imports of the notebook's first code cell (the Colab cell aside), then those of the defining cell."""
    code = [c for c in nb.cells if c.cell_type == "code" and "colab" not in c.get("metadata", {}).get("tags", [])]
    first = code[0] if code else None
    found = import_lines(parse(first.source, f"{path.name} (first code cell)")) if first is not None else []
    return tuple(dict.fromkeys(found + import_lines(tree)))


def _source(piece: Piece, path: Path, nb: nbformat.NotebookNode, index: int) -> Source:
    cell = nb.cells[index]
    where = f"{path.name} (cell {index}, tagged exercise:{piece.name})"
    tree = parse(cell.source, where)
    node = _definition(piece, tree, where)
    definition = mark(_node_lines(cell.source, node), blank_regions(cell.metadata, where), piece.symbol, where)
    docstring = ast.get_docstring(node, clean=True) or ""
    if not docstring:
        raise ExerciseError(f"{where}: {piece.symbol} needs a docstring stating its specification.")
    heading = _heading_before(nb.cells, index)
    if not heading:
        raise ExerciseError(f"{where}: no markdown heading before the cell, to link the exercises to.")
    methods = tuple((_signature(m), ast.get_docstring(m, clean=True) or "")
                    for m in node.body if isinstance(m, ast.FunctionDef)) if isinstance(node, ast.ClassDef) else ()
    return Source(piece=piece, notebook=path.name, title=title(path)[0], heading=heading, definition=definition,
                  docstring=docstring, signature=_signature(node), methods=methods, imports=_imports(nb, path, tree))


def find_sources(notebook_dir: Path = NB_DIR) -> dict[str, Source]:
    """Find the cell tagged ``exercise:<piece>`` for every piece, in ``notebook_dir/NN_*.ipynb``."""
    folder = Path(notebook_dir)
    paths = teaching_notebooks(folder)
    tagged = _tagged(paths, folder)
    return {piece.name: _source(piece, *tagged[piece.name]) for piece in PIECES}
