"""The decks in a real browser (Debian's Chromium): a projector's screen, the speaker notes, a question.

Every slide of every deck is shown at its default size (1280x720) and measured: none may be taller
or wider than the deck. The core code (``Net``, ``train``, ``test``) must show whole, with no scroll
inside its box. Every main-line slide carries speaker notes where reveal.js looks for them
(``aside.notes``, what the speaker view ``s`` shows), a predict-then-run question appears one step
before the cell that answers it, the speaker view opens with the notes, and axe-core finds no serious
or critical WCAG 2 A/AA violation on any slide, subslides included, with all fragments shown.
"""

from __future__ import annotations

import pytest
from browser_support import axe_violations, chromium, format_violations  # noqa: F401 (chromium: a fixture)

from tools import slides as build_slides
from tools.notebooks import teaching_notebooks

pytestmark = pytest.mark.browser

DECKS = [p.stem for p in teaching_notebooks()]
CORE = '.jp-CodeCell[class*="celltag_exercise:"] .jp-InputArea-editor'  # the cells that teach Net, train, test
TEACHES_CORE = {"03_network_module", "05_training_loop", "06_test_loop_and_metrics"}

JS_MEASURE = """(core) => {
  const out = [];
  Reveal.getSlides().forEach(slide => {
    const at = Reveal.getIndices(slide);
    Reveal.slide(at.h, at.v);
    const boxes = Array.from(slide.querySelectorAll(core));
    const scrolled = boxes.filter(e => e.scrollHeight > e.clientHeight + 1);
    out.push({h: at.h, v: at.v || 0, height: slide.scrollHeight, width: slide.scrollWidth,
              core: boxes.length, scrolled: scrolled.length,
              text: (slide.innerText || '').trim().slice(0, 60)});
  });
  return out;
}"""

JS_NOTES = """() => Reveal.getHorizontalSlides().map((stack, h) => {
  const first = stack.querySelector('section') || stack;
  return {h: h, notes: Reveal.getSlideNotes(first) || ''};
})"""


@pytest.fixture(scope="module")
def page(chromium):  # noqa: F811 (the fixture imported above)
    page = chromium.new_page(viewport={"width": build_slides.WIDTH, "height": build_slides.HEIGHT})
    yield page
    page.close()


def open_deck(page, decks, name: str, hash: str = "") -> None:
    page.goto((decks / f"{name}.html").as_uri() + hash)
    page.wait_for_function("() => window.Reveal && Reveal.isReady()")


@pytest.mark.parametrize("name", DECKS)
def test_no_slide_overflows_the_screen_and_the_core_code_shows_whole(page, decks, name):
    open_deck(page, decks, name)
    size = page.evaluate("() => [Reveal.getConfig().width, Reveal.getConfig().height]")
    assert size == [build_slides.WIDTH, build_slides.HEIGHT]
    measured = page.evaluate(JS_MEASURE, CORE)
    assert len(measured) > 10
    over = [m for m in measured if m["height"] > size[1] + 1 or m["width"] > size[0] + 1]
    assert not over, f"{name}: slides larger than {size[0]}x{size[1]}:\n" + "\n".join(
        f"  {m['h']}.{m['v']}: {m['width']}x{m['height']} {m['text']!r}" for m in over
    )
    assert sum(m["core"] for m in measured) == (1 if name in TEACHES_CORE else 0)
    assert not [m for m in measured if m["scrolled"]], f"{name}: the core code scrolls inside its box"


@pytest.mark.parametrize("name", DECKS)
def test_every_main_line_slide_has_speaker_notes(page, decks, name):
    open_deck(page, decks, name)
    notes = page.evaluate(JS_NOTES)
    missing = [n["h"] for n in notes if "Say:" not in n["notes"] or "Point at:" not in n["notes"]]
    assert not missing, f"{name}: main-line slides without notes: {missing}"
    assert all("Time:" in n["notes"] for n in notes)


def test_a_question_appears_one_step_before_the_cell_that_answers_it(page, decks):
    open_deck(page, decks, "05_training_loop")
    where = page.evaluate("""() => {
      const q = Array.from(document.querySelectorAll('.fragment'))
        .find(f => f.textContent.trim().startsWith('Predict first:'));
      const slide = q.closest('section');
      const at = Reveal.getIndices(slide);
      return {h: at.h, v: at.v || 0, index: Array.from(slide.querySelectorAll('.fragment')).indexOf(q)};
    }""")
    # no transitions, and wait until the question's slide is the current one: the steps below count its fragments.
    # textContent, not innerText: innerText leaves out a fragment not shown yet (visibility: hidden)
    page.evaluate("() => Reveal.configure({transition: 'none', backgroundTransition: 'none'})")
    page.evaluate("([h, v]) => Reveal.slide(h, v, -1)", [where["h"], where["v"]])
    at_question = "([h, v]) => { const i = Reveal.getIndices(); return i.h === h && (i.v || 0) === v; }"
    page.wait_for_function(at_question, arg=[where["h"], where["v"]])
    state = """() => {
      const frags = Array.from(Reveal.getCurrentSlide().querySelectorAll('.fragment'));
      const q = frags.find(f => f.textContent.trim().startsWith('Predict first:'));
      const after = frags[frags.indexOf(q) + 1];
      const next = after || null;
      return {question: q.classList.contains('visible'), answer: next ? next.classList.contains('visible') : null,
              answerIsCode: next ? !!next.querySelector('.jp-CodeCell, .jp-InputArea') : null,
              notes: Reveal.getSlideNotes(Reveal.getCurrentSlide()) || ''};
    }"""
    for _ in range(where["index"] + 1):
        page.evaluate("() => Reveal.nextFragment()")
    shown = page.evaluate(state)
    if shown["answer"] is None:  # the answering cell opens the next slide down: one step on shows it
        assert shown["question"]
        page.evaluate("() => Reveal.next()")
        assert page.evaluate("() => !!Reveal.getCurrentSlide().querySelector('.jp-CodeCell')")
        return
    assert shown["question"] and not shown["answer"], "the question shows first, its answer not yet"
    assert shown["answerIsCode"]
    assert "Answer:" in shown["notes"], "the question's answer is in the speaker notes"
    page.evaluate("() => Reveal.nextFragment()")
    assert page.evaluate(state)["answer"], "one step on, the cell that answers it appears"


def test_the_speaker_view_opens_with_the_notes(page, decks, tmp_path):
    open_deck(page, decks, "05_training_loop", "#/1")
    with page.context.expect_page() as popup:
        page.keyboard.press("s")
    view = popup.value
    view.wait_for_load_state()
    view.wait_for_function("() => document.querySelector('.speaker-controls-notes .value')?.innerText.includes('Say:')")
    view.set_viewport_size({"width": 1280, "height": 720})
    view.wait_for_timeout(500)
    view.screenshot(path=str(tmp_path / "speaker_view.png"))
    assert "Point at:" in view.inner_text(".speaker-controls-notes")
    view.close()


# the slide on screen: reveal.js marks it, and the vertical stack around a subslide, "present"
CURRENT_SLIDE = ".reveal .slides section.present:not(.stack)"


@pytest.mark.parametrize("name", DECKS)
def test_axe_finds_no_serious_violation_on_any_slide(page, decks, name):
    """Every slide, subslides too, with all its fragments shown: on a main-line slide the whole page (the
    controls and the slide number as well), on a subslide the slide itself (the rest is the same page)."""
    open_deck(page, decks, name)
    # no transitions: axe must read each slide and fragment as it ends up, never half faded in
    page.evaluate("() => Reveal.configure({transition: 'none', backgroundTransition: 'none'})")
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; animation: none !important; }")
    found: dict[str, dict] = {}
    where: dict[str, list] = {}
    for at in page.evaluate("() => Reveal.getSlides().map(s => Reveal.getIndices(s))"):
        h, v = at["h"], at.get("v") or 0
        page.evaluate(f"() => Reveal.slide({h}, {v}, 999)")  # 999: past the last fragment, so all of them show
        for violation in axe_violations(page, context=None if v == 0 else CURRENT_SLIDE):
            found.setdefault(violation["id"], violation)
            where.setdefault(violation["id"], []).append((h, v))
    assert not found, f"{name}: axe-core found serious or critical violations (slides {where}):\n" + format_violations(
        found.values()
    )
