"""Selecting words with the mouse in the annotate view saves a passage at exactly that span.

The text mixes Chinese with characters outside the Basic Multilingual Plane, where a
JavaScript string counts two units per character and the server counts one code point, so
an offset computed the naive way would land one character off for every emoji before it.
"""

import pytest

from sources.audit import system_user
from sources.dates import PartialDate
from sources.models import Passage
from sources.services import article_create, outlet_for_name

pytestmark = pytest.mark.browser

# Written for this test: an emoji before the Chinese words, and one inside the English ones.
TEXT = (
    "独立候选人许艳😀在北京报名参选，引起关注。\n\n"
    "Her volunteers said the 🗳️ count on polling day would be watched closely."
)
CHINESE = "北京报名参选"
WITH_EMOJI = "the 🗳️ count"

# Client rectangles of the first and last character of `words` inside the article text.
CHARACTER_RECTS = """
(words) => {
  const element = document.getElementById("annotate-text");
  element.scrollIntoView();
  const at = element.textContent.indexOf(words);
  if (at < 0) { throw new Error("words not in the text"); }
  function locate(unit, atEnd) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    let seen = 0;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const inside = atEnd ? unit <= seen + node.length : unit < seen + node.length;
      if (inside) { return { node: node, offset: unit - seen }; }
      seen += node.length;
    }
    throw new Error("offset outside the text");
  }
  function rect(from, to) {
    const range = document.createRange();
    const start = locate(from, false);
    const end = locate(to, true);
    range.setStart(start.node, start.offset);
    range.setEnd(end.node, end.offset);
    const box = range.getClientRects()[0];
    return { x: box.left, y: box.top, width: box.width, height: box.height };
  }
  const characters = Array.from(words);
  const first = characters[0].length;
  const last = characters[characters.length - 1].length;
  return {
    first: rect(at, at + first),
    last: rect(at + words.length - last, at + words.length),
  };
}
"""

LISTEN = """
() => {
  window.sourcebookSelections = [];
  document.addEventListener("sourcebook:selection", (event) => {
    window.sourcebookSelections.push(event.detail);
  });
}
"""


@pytest.fixture
def article(transactional_db):
    return article_create(
        outlet=outlet_for_name(name="Browser Test Daily", acting_user=system_user()),
        title="Registering as an independent",
        text=TEXT,
        language="zh-Hans",
        published=PartialDate(2011, 11),
        acting_user=system_user(),
    )


def drag_across(page, words):
    """Press the mouse on the first character of `words` and release it on the last."""
    rects = page.evaluate(CHARACTER_RECTS, words)
    first, last = rects["first"], rects["last"]
    page.mouse.move(first["x"] + 1, first["y"] + first["height"] / 2)
    page.mouse.down()
    page.mouse.move(last["x"] + last["width"] - 1, last["y"] + last["height"] / 2, steps=8)
    page.mouse.up()


def open_annotate_view(page, article):
    page.goto(f"/admin/sources/article/{article.pk}/annotate/")
    page.evaluate(LISTEN)


def save(page, note):
    page.get_by_label("Note").fill(note)
    with page.expect_navigation():
        page.get_by_role("button", name="Save passage").click()


@pytest.mark.parametrize("words", [CHINESE, WITH_EMOJI], ids=["chinese", "emoji"])
def test_mouse_selection_saves_a_passage_at_exactly_the_selected_words(
    logged_in_page, article, console_errors, words
):
    page = logged_in_page
    start = TEXT.index(words)
    open_annotate_view(page, article)

    drag_across(page, words)

    page.wait_for_function("window.sourcebookSelections.length > 0")
    assert page.locator("#annotate-selected").text_content() == words
    assert page.input_value("#id_start") == str(start)
    assert page.input_value("#id_end") == str(start + len(words))
    detail = page.evaluate("window.sourcebookSelections.at(-1)")
    assert detail == {
        "start": start,
        "end": start + len(words),
        "exact": words,
        "article": str(article.pk),
    }

    save(page, note=f"checked: {words}")

    passage = Passage.objects.get()
    assert passage.exact == words
    assert (passage.start, passage.end) == (start, start + len(words))
    assert article.text[passage.start : passage.end] == words
    assert passage.note == f"checked: {words}"
    assert page.locator(f'mark.passage[data-passages="{passage.pk}"]').text_content() == words
    assert console_errors == []


def test_two_selections_in_turn_make_two_passages(logged_in_page, article, console_errors):
    page = logged_in_page
    open_annotate_view(page, article)

    for words in (CHINESE, WITH_EMOJI):
        drag_across(page, words)
        page.wait_for_function(
            "(words) => document.getElementById('annotate-selected').textContent === words",
            arg=words,
        )
        save(page, note="")

    stored = {p.exact: (p.start, p.end) for p in Passage.objects.all()}
    assert stored == {
        words: (TEXT.index(words), TEXT.index(words) + len(words))
        for words in (CHINESE, WITH_EMOJI)
    }
    assert page.locator("mark.passage").count() == 2
    assert console_errors == []


def test_offsets_typed_with_the_keyboard_choose_the_same_words(
    logged_in_page, article, console_errors
):
    page = logged_in_page
    start = TEXT.index(WITH_EMOJI)
    open_annotate_view(page, article)

    page.get_by_label("Start").fill(str(start))
    page.get_by_label("End").fill(str(start + len(WITH_EMOJI)))

    assert page.locator("#annotate-selected").text_content() == WITH_EMOJI
    save(page, note="typed")
    assert Passage.objects.get().exact == WITH_EMOJI
    assert console_errors == []
