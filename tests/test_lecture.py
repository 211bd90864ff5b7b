"""The instructor's layer: slides that fit, speaker notes, predict-then-run questions, lesson plans.

The browser half (every slide of every deck at 1280x720, the notes in the DOM, a question before its
answer, axe-core on the decks) is in tests/test_browser_slides.py.
"""

from __future__ import annotations

import copy
import re

import nbformat
import pytest

from course_utils.checks import layer_rules, metric_rules, net, net_rules, test, train, train_rules
from tools import lecture, lesson_plans, slide_metadata
from tools.notebooks import read, teaching_notebooks

PATHS = teaching_notebooks()
IDS = [p.stem for p in PATHS]
# every diagnosis of the checks is a function named after it in one of these modules
RULE_MODULES = (layer_rules, metric_rules, net, net_rules, test, train, train_rules)
RULES = {name for module in RULE_MODULES for name in dir(module)}


def md(source: str, **metadata) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(source, metadata=metadata)


PREDICT = (
    "**Predict first:** What shape comes out of `conv2`?\n\n"
    "<details><summary>Answer (open it after running the next cell)</summary>\n\n"
    "`[1, 16, 10, 10]`: 14 - 5 + 1 = 10.\n\n</details>"
)


def test_predict_parts_split_the_question_from_its_folded_answer():
    question, answer = lecture.predict_parts(PREDICT)
    assert question == "**Predict first:** What shape comes out of `conv2`?"
    assert answer == "`[1, 16, 10, 10]`: 14 - 5 + 1 = 10."


def test_short_prose_stays_whole_and_long_prose_keeps_its_heading_and_first_block():
    short = "### A step\nOne line."
    assert lecture.split_prose(short) == (short, "")
    long = "### A step\n" + "First block. " * 10 + "\n\n" + "More words here. " * 80
    shown, moved = lecture.split_prose(long)
    assert shown.startswith("### A step\n\nFirst block.") and "More words" not in shown
    assert moved.startswith("More words here.") and moved.count("More words") == 80


def test_a_first_block_too_long_for_a_slide_is_cut_at_a_sentence():
    text = " ".join(f"Sentence number {i} says something long enough to fill a line." for i in range(30))
    shown, moved = lecture.split_prose(text)
    assert shown.endswith(".") and lecture._lines(shown) <= lecture.SCREEN_LINES
    assert (shown + " " + moved).split() == text.split()  # nothing lost, nothing repeated


def deck(cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=cells)
    slide_metadata.apply(nb)
    return nb


def test_a_main_line_slide_shows_its_key_lines_and_the_notes_carry_say_point_time_and_the_prose():
    lesson = {"say": "Say this.", "point": "Point at that.", "show": "The key line."}
    nb = deck([
        md("# 09 · A part\nThe line under the title.\n\nMore about the part."),
        md("## A section\n\n" + "The whole prose of the section. " * 20, lecture=lesson),
        nbformat.v4.new_code_cell("x = 1"),
        md(PREDICT, tags=["predict"]),
        nbformat.v4.new_code_cell("print(x)"),
    ])
    assert [c.metadata.slideshow.slide_type for c in nb.cells] == ["slide", "slide", "fragment", "fragment", "fragment"]
    out, _ = lecture.LectureSlides().preprocess(copy.deepcopy(nb), {})  # as nbconvert hands it a copy
    kinds = [c.metadata.slideshow.slide_type for c in out.cells]
    assert kinds == ["slide", "notes", "slide", "notes", "fragment", "fragment", "notes", "fragment"]
    title, title_notes, section, notes = out.cells[:4]
    assert title.source == "# 09 · A part\n\nThe line under the title."
    assert "More about the part." in title_notes.source
    assert section.source == "## A section\n\nThe key line."
    assert notes.source.startswith("**Say:** Say this.\n\n**Point at:** Point at that.\n\n**Time:** about ")
    assert "The whole prose of the section." in notes.source
    question, answer = out.cells[5], out.cells[6]
    assert "<details>" not in question.source and question.source.startswith("**Predict first:**")
    assert answer.source.startswith("**Answer:**") and "14 - 5 + 1 = 10" in answer.source
    assert len(nb.cells) == 5 and nb.cells[3].source == PREDICT  # the notebook itself keeps its cells


def test_the_estimate_counts_a_question_and_leaves_optional_slides_out_of_the_core():
    nb = deck([
        md("# 09 · A part\nLine."),
        md("## Core\nText."),
        md(PREDICT, tags=["predict"]),
        nbformat.v4.new_code_cell("print(1)"),
        md("## Optional: more\nText.", tags=["optional"]),
    ])
    span = lecture.columns(nb.cells)
    assert span.minutes == {0: 1.0, 1: 1.0 + 0.25 + lecture.PREDICT_MINUTES + 0.25, 4: 1.0}
    assert span.optional == {4: 1.0}
    assert "3 questions" not in slide_metadata.summary(nb) and "1 questions" in slide_metadata.summary(nb)


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_every_main_line_slide_has_speaker_notes(path):
    nb = read(path)
    for i, cell in enumerate(nb.cells):
        if cell.metadata.get("slideshow", {}).get("slide_type") != "slide":
            continue
        notes = cell.metadata.get("lecture", {})
        assert notes.get("say") and notes.get("point"), f"{path.name} cell {i}: no say / point for the presenter"
        assert len(re.findall(r"[.!?](?:\s|$)", notes["say"])) <= 4, f"{path.name} cell {i}: say is 2-3 sentences"
        if cell.cell_type == "markdown" and i > 0:
            show = notes.get("show", "")
            assert 0 < len(show) <= 200, f"{path.name} cell {i}: the key lines (show) must be 1-200 characters"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_every_part_has_three_predict_then_run_questions_before_their_answers(path):
    nb = read(path)
    found = [i for i, c in enumerate(nb.cells) if lecture.is_predict(c)]
    assert len(found) >= 3, f"{path.name}: {len(found)} predict-then-run questions, at least 3 wanted"
    for i in found:
        cell, answer = nb.cells[i], nb.cells[i + 1]
        question, folded = lecture.predict_parts(cell.source)
        assert question.startswith("**Predict first:**") and folded, f"{path.name} cell {i}: question + folded answer"
        assert "optional" not in cell.metadata.get("tags", []), f"{path.name} cell {i}: questions are on the core path"
        assert answer.cell_type == "code" and answer.get("outputs"), f"{path.name} cell {i}: the next cell answers it"
        kind = cell.metadata.slideshow.slide_type
        assert kind in ("fragment", "subslide"), f"{path.name} cell {i}: a question is a step before its answer"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_every_part_names_its_goals_and_three_misconceptions(path):
    meta = read(path).metadata.get("lecture", {})
    assert 3 <= len(meta.get("goals", [])) <= 5
    misconceptions = meta.get("misconceptions", [])
    assert len(misconceptions) == 3
    for m in misconceptions:
        assert set(m) == {"belief", "instead", "watch"} and all(v.strip() for v in m.values())
        named = re.findall(r"`([a-z_]+)`\s+(?:and\s+`[a-z_]+`\s+)?diagnos", m["watch"])
        for rule in named:  # a rule the watch names as a diagnosis exists among the checks' rules
            assert rule in RULES, f"{path.name}: no check rule {rule!r}"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_the_lesson_plan_fits_45_minute_sessions(path):
    plan = lesson_plans.plan(path)
    assert plan.goals and len(plan.misconceptions) == 3 and len(plan.questions) >= 3
    parts = lesson_plans.sessions(plan.sections)
    for part in parts:
        minutes = sum(s.core for s in part)
        assert minutes <= slide_metadata.WALKTHROUGH_MINUTES or len(part) == 1, f"{path.name}: a session of {minutes}"
    assert (len(parts) > 1) == (plan.core > slide_metadata.WALKTHROUGH_MINUTES)


def test_sessions_cut_at_section_boundaries():
    sections = [lesson_plans.Section(f"s{i}", m, 0.0) for i, m in enumerate([20, 20, 10, 30, 50])]
    cut = lesson_plans.sessions(sections, limit=45)
    assert [[s.title for s in part] for part in cut] == [["s0", "s1"], ["s2", "s3"], ["s4"]]


def test_sessions_share_the_time_evenly_rather_than_leave_a_scrap():
    sections = [lesson_plans.Section(f"s{i}", m, 0.0) for i, m in enumerate([10, 12, 10, 11, 4])]
    cut = lesson_plans.sessions(sections, limit=45)  # 47 minutes: two sessions of about half each
    assert [[s.title for s in part] for part in cut] == [["s0", "s1"], ["s2", "s3", "s4"]]
