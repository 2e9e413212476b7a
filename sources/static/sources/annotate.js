/*
 * The annotate view: turns the editor's selection in the article text into code-point offsets.
 *
 * The server counts Unicode code points; JavaScript strings count UTF-16 units, in which an
 * emoji or a rare Chinese character (outside the Basic Multilingual Plane) takes two. Offsets
 * are therefore measured on Array.from(...) of the text, which yields one item per code point.
 *
 * Each new selection fills the form and is announced as a DOM CustomEvent
 * "sourcebook:selection" (bubbling from the text element) with detail {start, end, exact,
 * article}, so that other panels can listen: document.addEventListener("sourcebook:selection", ...).
 *
 * A "sourcebook:passage-saved" event on the document (detail {id, start, end}) highlights a
 * passage saved without a reload. Alt+S, Alt+N and Alt+P save, go to the next passage and to
 * the previous one.
 *
 * Its one sentence comes translated from the template (the form's data-msg-select-first),
 * English when the attribute is missing.
 */
(function () {
  "use strict";

  var EVENT = "sourcebook:selection";
  var HIGHLIGHT = "sourcebook-selection";
  var SAVED = "sourcebook-saved";

  function codePointLength(text) {
    return Array.from(text).length;
  }

  function isSpace(character) {
    return /\s/u.test(character);
  }

  function init() {
    var textElement = document.getElementById("annotate-text");
    var form = document.getElementById("annotate-form");
    if (!textElement || !form) {
      return;
    }
    var characters = Array.from(textElement.textContent);
    var expected = Number(textElement.dataset.length);
    if (characters.length !== expected) {
      console.error(
        "annotate: the page shows " + characters.length + " characters, the server counts " +
        expected + "; offsets would be wrong"
      );
    }
    var startField = form.elements.namedItem("start");
    var endField = form.elements.namedItem("end");
    var exactField = form.elements.namedItem("exact");
    var selectedOutput = document.getElementById("annotate-selected");
    var articleId = textElement.dataset.article;

    // Code points from the start of the text element to (container, offset).
    function offsetAt(container, offset) {
      var range = document.createRange();
      range.selectNodeContents(textElement);
      range.setEnd(container, offset);
      return codePointLength(range.toString());
    }

    // The DOM position of a code-point offset, walking the text nodes in order.
    function positionAt(target) {
      var walker = document.createTreeWalker(textElement, NodeFilter.SHOW_TEXT);
      var seen = 0;
      var node = walker.nextNode();
      var last = null;
      while (node) {
        var units = Array.from(node.data);
        if (seen + units.length >= target) {
          return { node: node, offset: units.slice(0, target - seen).join("").length };
        }
        seen += units.length;
        last = node;
        node = walker.nextNode();
      }
      return last ? { node: last, offset: last.data.length } : { node: textElement, offset: 0 };
    }

    function showPending(start, end) {
      if (typeof CSS === "undefined" || !CSS.highlights || typeof Highlight === "undefined") {
        return;
      }
      var range = document.createRange();
      var from = positionAt(start);
      var to = positionAt(end);
      range.setStart(from.node, from.offset);
      range.setEnd(to.node, to.offset);
      CSS.highlights.set(HIGHLIGHT, new Highlight(range));
    }

    function clearPending() {
      if (typeof CSS !== "undefined" && CSS.highlights) {
        CSS.highlights.delete(HIGHLIGHT);
      }
    }

    function choose(start, end, options) {
      var exact = characters.slice(start, end).join("");
      exactField.value = exact;
      selectedOutput.textContent = exact;
      if (options.fillOffsets) {
        startField.value = String(start);
        endField.value = String(end);
      }
      showPending(start, end);
      textElement.dispatchEvent(
        new CustomEvent(EVENT, {
          bubbles: true,
          detail: { start: start, end: end, exact: exact, article: articleId },
        })
      );
    }

    function forget() {
      exactField.value = "";
      selectedOutput.textContent = "";
      clearPending();
    }

    // A selection that touches the text, clipped to it, without white space at its edges.
    function readSelection() {
      var selection = window.getSelection();
      if (!selection || selection.rangeCount === 0 || selection.isCollapsed) {
        return;
      }
      var range = selection.getRangeAt(0);
      if (!range.intersectsNode(textElement)) {
        return;
      }
      var start = textElement.contains(range.startContainer)
        ? offsetAt(range.startContainer, range.startOffset)
        : 0;
      var end = textElement.contains(range.endContainer)
        ? offsetAt(range.endContainer, range.endOffset)
        : characters.length;
      while (start < end && isSpace(characters[start])) {
        start += 1;
      }
      while (end > start && isSpace(characters[end - 1])) {
        end -= 1;
      }
      if (start < end) {
        choose(start, end, { fillOffsets: true });
      }
    }

    function readOffsets() {
      var start = Number.parseInt(startField.value, 10);
      var end = Number.parseInt(endField.value, 10);
      if (Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end &&
          end <= characters.length) {
        choose(start, end, { fillOffsets: false });
      } else {
        forget();
      }
    }

    var pending = false;
    document.addEventListener("selectionchange", function () {
      if (pending) {
        return;
      }
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        readSelection();
      });
    });
    textElement.addEventListener("mouseup", readSelection);
    textElement.addEventListener("keyup", readSelection);
    startField.addEventListener("input", readOffsets);
    endField.addEventListener("input", readOffsets);

    form.addEventListener("submit", function (event) {
      if (!exactField.value) {
        event.preventDefault();
        selectedOutput.textContent =
          form.dataset.msgSelectFirst || "Select the words to quote in the text first.";
        textElement.focus();
      }
    });

    // A passage saved without a reload (the claim panel's) is highlighted at once, as the
    // server marks the saved ones.
    var saved = null;
    document.addEventListener("sourcebook:passage-saved", function (event) {
      var detail = event.detail || {};
      if (typeof CSS === "undefined" || !CSS.highlights || typeof Highlight === "undefined" ||
          !(detail.start < detail.end)) {
        return;
      }
      var range = document.createRange();
      var from = positionAt(detail.start);
      var to = positionAt(detail.end);
      range.setStart(from.node, from.offset);
      range.setEnd(to.node, to.offset);
      if (!saved) {
        saved = new Highlight();
        CSS.highlights.set(SAVED, saved);
      }
      saved.add(range);
      clearPending();
    });

    // Keyboard shortcuts, listed on the page: Alt+S saves the selection as a passage, Alt+N
    // and Alt+P go to the next and the previous passage in the text.
    function marks() {
      return Array.from(textElement.querySelectorAll("mark[id^='passage-'], mark.passage"));
    }

    function goTo(step) {
      var all = marks();
      if (!all.length) {
        return;
      }
      var current = all.findIndex(function (mark) {
        return mark.classList.contains("passage-target");
      });
      var next = current < 0 ? (step > 0 ? 0 : all.length - 1) : (current + step + all.length) % all.length;
      all.forEach(function (mark) {
        mark.classList.remove("passage-target");
      });
      var mark = all[next];
      mark.classList.add("passage-target");
      mark.scrollIntoView({ block: "center" });
      if (mark.id) {
        history.replaceState(null, "", "#" + mark.id);
      }
    }

    document.addEventListener("keydown", function (event) {
      if (!event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      if (event.code === "KeyS") {
        event.preventDefault();
        form.requestSubmit();
      } else if (event.code === "KeyN") {
        event.preventDefault();
        goTo(1);
      } else if (event.code === "KeyP") {
        event.preventDefault();
        goTo(-1);
      }
    });

    if (startField.value && endField.value && !exactField.value) {
      readOffsets();
    }
    if (window.location.hash.indexOf("#passage-") === 0) {
      var target = document.getElementById(window.location.hash.slice(1));
      while (target && !target.matches("mark")) {
        target = target.nextElementSibling;
      }
      if (target) {
        target.classList.add("passage-target");
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
