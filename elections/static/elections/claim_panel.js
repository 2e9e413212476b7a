/*
 * The claim panel of the annotate view: links the selected words to a candidate as a claim.
 *
 * It listens for the "sourcebook:selection" event of sources/annotate.js, keeps the span in
 * its own hidden fields, asks the server for the value the selected words give for the chosen
 * property (the reading is done in Python, by the property's normalizer), finds candidates by
 * any name form, and posts the form with fetch. Everything the server or the editor wrote is
 * put on the page with textContent, never as HTML.
 *
 * Its words come translated from the template, as data-msg-* attributes of the form (each
 * read through `message`, the English text as the fallback); a {name} in one is filled in
 * with a value, as text.
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 200;

  function debounce(callback) {
    var timer = null;
    return function () {
      var args = arguments;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        callback.apply(null, args);
      }, DEBOUNCE_MS);
    };
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    if (className) {
      node.className = className;
    }
    return node;
  }

  function link(href, text) {
    var anchor = element("a", text);
    anchor.href = href;
    return anchor;
  }

  function getJSON(url, params) {
    var query = new URLSearchParams(params).toString();
    return fetch(url + "?" + query, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      return response.json().then(function (data) {
        return { ok: response.ok, data: data };
      });
    });
  }

  function init() {
    var form = document.getElementById("claim-panel");
    if (!form) {
      return;
    }
    var field = function (name) {
      return form.elements.namedItem(name);
    };
    // The words of data-msg-<name> (camelCased by dataset), else `fallback`, with each {key}
    // replaced by values[key].
    function message(name, fallback, values) {
      var text = form.dataset[name] || fallback;
      return text.replace(/\{(\w+)\}/g, function (whole, key) {
        return values && Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
      });
    }
    var quote = document.getElementById("claim-quote");
    var errorBox = document.getElementById("claim-panel-errors");
    var result = document.getElementById("claim-panel-result");
    var search = document.getElementById("claim-candidate-search");
    var options = document.getElementById("claim-candidate-options");
    var chosen = document.getElementById("claim-candidate-chosen");
    var existingPart = document.getElementById("claim-existing");
    var newPart = document.getElementById("claim-new");
    var candidacyRow = document.getElementById("claim-candidacy-row");
    var reading = document.getElementById("claim-value-reading");
    var submit = document.getElementById("claim-record");
    var candidacyProperties = (form.dataset.candidacyProperties || "").split(" ");
    var propertyField = field("property");
    var valueField = field("value");
    var candidacyField = field("candidacy");
    var suggested = "";
    var found = [];
    var active = -1;
    var currentCandidate = null;

    function isNew() {
      return document.getElementById("claim-mode-new").checked;
    }

    // Errors ---------------------------------------------------------------------------
    function clearErrors() {
      errorBox.hidden = true;
      errorBox.replaceChildren();
      form.querySelectorAll("[data-errors-for]").forEach(function (box) {
        box.replaceChildren();
      });
      form.querySelectorAll("[aria-invalid]").forEach(function (input) {
        input.removeAttribute("aria-invalid");
      });
    }

    function showErrors(errors) {
      clearErrors();
      var general = element("ul", null, "errorlist");
      Object.keys(errors).forEach(function (name) {
        var box = form.querySelector('[data-errors-for="' + name + '"]');
        var list = element("ul", null, "errorlist");
        errors[name].forEach(function (message) {
          list.appendChild(element("li", message));
          general.appendChild(element("li", message));
        });
        if (box) {
          box.appendChild(list);
          var input = name === "candidate" ? search : field(name);
          if (input && input.setAttribute) {
            input.setAttribute("aria-invalid", "true");
          }
        }
      });
      errorBox.appendChild(element("p", message("msgNotRecordedColon", "The claim was not recorded:")));
      errorBox.appendChild(general);
      errorBox.hidden = false;
      errorBox.focus();
    }

    // The selection and the value it gives ------------------------------------------------
    function fillCandidacies() {
      var property = propertyField.value;
      var runs = currentCandidate && !isNew() ? currentCandidate.candidacies : [];
      candidacyField.replaceChildren(element("option", runs.length ? message("msgChooseRun", "Choose the run") : "—"));
      candidacyField.options[0].value = "";
      runs.forEach(function (run) {
        var option = element("option", run.label);
        option.value = String(run.id);
        candidacyField.appendChild(option);
      });
      if (runs.length === 1) {
        candidacyField.value = String(runs[0].id);
      }
      candidacyRow.hidden = candidacyProperties.indexOf(property) < 0;
    }

    function showReading(data) {
      reading.classList.toggle("claim-reading-error", Boolean(data.error));
      if (data.error) {
        reading.textContent = data.error;
      } else if (data.reading) {
        reading.textContent = message("msgReadsAs", "Reads as: {reading}", { reading: data.reading });
      } else {
        reading.textContent = data.hint || "";
      }
    }

    function suggest() {
      var exact = field("exact").value;
      var property = propertyField.value;
      if (!exact || !property) {
        return;
      }
      var params = { property: property, exact: exact, as_of: field("as_of").value };
      getJSON(form.dataset.suggestUrl, params).then(function (answer) {
        if (!answer.ok || exact !== field("exact").value || property !== propertyField.value) {
          return;
        }
        // An editor's own typing is never overwritten; an earlier proposal is.
        if (valueField.value === "" || valueField.value === suggested) {
          suggested = answer.data.value || "";
          valueField.value = suggested;
        }
        showReading(answer.data);
      });
    }

    var checkValue = debounce(function () {
      var property = propertyField.value;
      if (!property || !valueField.value.trim()) {
        reading.textContent = "";
        return;
      }
      var params = { property: property, value: valueField.value, as_of: field("as_of").value };
      getJSON(form.dataset.suggestUrl, params).then(function (answer) {
        if (answer.ok && answer.data.value === valueField.value) {
          showReading(answer.data);
        }
      });
    });

    document.addEventListener("sourcebook:selection", function (event) {
      var detail = event.detail;
      field("start").value = String(detail.start);
      field("end").value = String(detail.end);
      field("exact").value = detail.exact;
      quote.textContent = detail.exact;
      suggest();
    });

    propertyField.addEventListener("change", function () {
      fillCandidacies();
      if (valueField.value === suggested) {
        valueField.value = "";
        suggested = "";
      }
      reading.textContent = "";
      suggest();
    });
    valueField.addEventListener("input", checkValue);
    field("as_of").addEventListener("change", checkValue);

    // Candidates: a combobox over every name form ----------------------------------------
    function closeOptions() {
      options.hidden = true;
      search.setAttribute("aria-expanded", "false");
      search.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = options.querySelectorAll('[role="option"]');
      items.forEach(function (item, position) {
        item.setAttribute("aria-selected", position === index ? "true" : "false");
      });
      active = index;
      if (index >= 0 && items[index]) {
        search.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      }
    }

    function choose(candidate) {
      currentCandidate = candidate;
      field("candidate").value = candidate ? String(candidate.id) : "";
      chosen.textContent = candidate
        ? message("msgChosen", "Chosen: {label} ({state})", { label: candidate.label, state: candidate.state })
        : "";
      if (candidate) {
        search.value = candidate.label;
      }
      closeOptions();
      fillCandidacies();
    }

    function describe(candidate) {
      var others = candidate.other_names.length ? " · " + candidate.other_names.join(", ") : "";
      return candidate.label + others + " — " + candidate.state;
    }

    function showOptions(results) {
      found = results;
      options.replaceChildren();
      if (!results.length) {
        var none = element("li", message("msgNoCandidate", "No candidate has that name."), "claim-option-none");
        none.setAttribute("role", "option");
        none.setAttribute("aria-disabled", "true");
        none.id = "claim-candidate-none";
        options.appendChild(none);
      }
      results.forEach(function (candidate, index) {
        var item = element("li", describe(candidate), "claim-option");
        item.id = "claim-candidate-option-" + candidate.id;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.dataset.index = String(index);
        options.appendChild(item);
      });
      options.hidden = false;
      search.setAttribute("aria-expanded", "true");
      active = -1;
      if (results.length) {
        highlight(0);
      }
    }

    var lookUp = debounce(function () {
      var query = search.value.trim();
      if (!query) {
        closeOptions();
        return;
      }
      getJSON(form.dataset.candidatesUrl, { q: query }).then(function (answer) {
        if (answer.ok && search.value.trim() === query && document.activeElement === search) {
          showOptions(answer.data.results);
        }
      });
    });

    search.addEventListener("input", function () {
      if (currentCandidate) {
        choose(null);
      }
      lookUp();
    });
    search.addEventListener("keydown", function (event) {
      var open = !options.hidden && found.length > 0;
      if (event.key === "ArrowDown" && open) {
        event.preventDefault();
        highlight(Math.min(active + 1, found.length - 1));
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        choose(found[active]);
      } else if (event.key === "Escape" && !options.hidden) {
        event.preventDefault();
        closeOptions();
      }
    });
    search.addEventListener("blur", function () {
      window.setTimeout(closeOptions, 150);
    });
    // The press would move the focus out of the search field before the click arrives.
    options.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    options.addEventListener("click", function (event) {
      var item = event.target.closest(".claim-option");
      if (item) {
        choose(found[Number(item.dataset.index)]);
      }
    });

    function showMode() {
      newPart.hidden = !isNew();
      existingPart.hidden = isNew();
      fillCandidacies();
    }
    form.querySelectorAll('input[name="new_candidate"]').forEach(function (radio) {
      radio.addEventListener("change", showMode);
    });

    // Recording ---------------------------------------------------------------------------
    function showRecorded(data) {
      var claim = data.claim;
      result.replaceChildren();
      var heading = element("p", null, "claim-recorded");
      heading.appendChild(element("strong", message("msgRecorded", "Recorded") + " "));
      heading.appendChild(link(claim.url, message("msgClaimLink", "claim #{id}", { id: claim.id })));
      heading.appendChild(
        document.createTextNode(
          ": " + data.candidate.label + ", " + claim.property_label + " = “" + claim.value + "”"
        )
      );
      result.appendChild(heading);
      var facts = element("ul", null, "claim-facts");
      facts.appendChild(element("li", message("msgReadsAs", "Reads as: {reading}", { reading: claim.reading })));
      facts.appendChild(
        element("li", message("msgAsOf", "As of: {date}", { date: claim.as_of || message("msgNoDate", "no date") }))
      );
      var passage = element(
        "li",
        (data.passage.created ? message("msgNewPassage", "New passage") : message("msgPassage", "Passage")) + " "
      );
      passage.appendChild(link(data.passage.url, "#" + data.passage.id));
      passage.appendChild(
        document.createTextNode(" " + message("msgHighlighted", "(highlighted in the text)"))
      );
      facts.appendChild(passage);
      if (data.candidate.created) {
        var person = element("li", message("msgNewCandidate", "New candidate:") + " ");
        person.appendChild(link(data.candidate.url, data.candidate.label));
        facts.appendChild(person);
      }
      result.appendChild(facts);
      if (data.contradictions.length) {
        var warning = element("div", null, "claim-contradictions");
        var count = data.contradictions.length;
        warning.appendChild(
          element(
            "p",
            count === 1
              ? message("msgContradictsOne", "It contradicts a claim from another outlet:")
              : message("msgContradictsMany", "It contradicts {count} claims from other outlets:", {
                  count: count,
                })
          )
        );
        var list = element("ul");
        data.contradictions.forEach(function (item) {
          var entry = element("li");
          entry.appendChild(link(item.url, message("msgContradictionLink", "Contradiction #{id}", { id: item.id })));
          var other = item.other;
          entry.appendChild(
            document.createTextNode(
              ": " +
                message("msgOtherClaim", "“{value}” in {outlet}, {article}", {
                  value: other.value,
                  outlet: other.outlet,
                  article: other.article,
                }) +
                (other.as_of ? " (" + other.as_of + ")" : "")
            )
          );
          list.appendChild(entry);
        });
        warning.appendChild(list);
        warning.appendChild(link(data.queue_url, message("msgQueueLink", "Open the contradictions queue")));
        result.appendChild(warning);
      } else {
        result.appendChild(element("p", message("msgNoContradiction", "No contradiction with other outlets.")));
      }
    }

    // The claims-by-passage panel: the claim joins its passage's group (a new group, in the
    // order of the text, for a new passage), and the passages table says how many each has.
    function listClaim(data) {
      var panel = document.getElementById("sb-article-claims");
      if (!panel) {
        return;
      }
      var groups = panel.querySelector(".sb-claim-groups");
      var group = groups.querySelector('[data-passage="' + data.passage.id + '"]');
      if (!group) {
        group = element("li", null, "sb-claim-group");
        group.dataset.passage = String(data.passage.id);
        group.dataset.start = String(data.passage.start);
        var heading = link(
          "#passage-" + data.passage.id,
          (panel.dataset.passageLabel || "Passage") + " #" + data.passage.id
        );
        heading.className = "sb-claim-group__passage";
        group.appendChild(heading);
        group.appendChild(document.createTextNode(" "));
        var exact = data.passage.exact;
        group.appendChild(element("q", exact.length > 60 ? exact.slice(0, 59) + "…" : exact));
        group.appendChild(element("ul", null, "sb-plain-list"));
        var after = null;
        groups.querySelectorAll(".sb-claim-group").forEach(function (other) {
          var start = Number(other.dataset.start || -1);
          if (after === null && start > data.passage.start) {
            after = other;
          }
        });
        groups.insertBefore(group, after);
      }
      var item = element("li");
      item.dataset.claim = String(data.claim.id);
      item.appendChild(
        link(data.claim.url, "#" + data.claim.id + " " + data.candidate.label + ": " +
          data.claim.property_label + " = " + data.claim.value)
      );
      item.appendChild(document.createTextNode(" "));
      item.appendChild(element("span", "(" + data.claim.state + ")", "help"));
      group.querySelector("ul").appendChild(item);
      group.classList.add("sb-claim-group--new");
      var count = panel.querySelector(".sb-claims-count");
      if (count) {
        count.textContent = String(panel.querySelectorAll("[data-claim]").length);
      }
      var empty = panel.querySelector(".sb-claims-empty");
      if (empty) {
        empty.hidden = true;
      }
      countClaims();
    }

    function countClaims() {
      var panel = document.getElementById("sb-article-claims");
      if (!panel) {
        return;
      }
      panel.querySelectorAll(".sb-claim-group").forEach(function (group) {
        var row = document.querySelector('tr.annotate-passage[data-passage="' + group.dataset.passage + '"]');
        if (!row) {
          return;
        }
        var count = group.querySelectorAll("[data-claim]").length;
        var cell = row.querySelector(".sb-passage-claims");
        if (!cell) {
          cell = element("span", null, "sb-passage-claims");
          row.querySelector(".annotate-passage-quote").appendChild(cell);
        }
        var word = count === 1 ? panel.dataset.claimLabel || "claim" : panel.dataset.claimsLabel || "claims";
        cell.textContent = " (" + count + " " + word + ")";
      });
    }

    function afterRecording(data) {
      // The next claim is most often about the same person: keep them, as an existing one.
      if (data.candidate.created) {
        document.getElementById("claim-mode-existing").checked = true;
        field("new_display_name").value = "";
        field("new_name_zh").value = "";
        showMode();
      }
      choose(data.candidate);
      valueField.value = "";
      suggested = "";
      field("note").value = "";
      reading.textContent = "";
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!field("exact").value) {
        showErrors({ exact: [message("msgSelectFirst", "Select the words to quote in the text first.")] });
        return;
      }
      submit.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (type.indexOf("application/json") < 0) {
            return { ok: false, data: { errors: { __all__: [
              message("msgRefused", "The server refused the request ({status}). Reload the page.", {
                status: response.status,
              }),
            ] } } };
          }
          return response.json().then(function (data) {
            return { ok: response.ok, data: data };
          });
        })
        .then(function (answer) {
          if (!answer.ok) {
            result.replaceChildren();
            showErrors(answer.data.errors || { __all__: [message("msgNotRecorded", "The claim was not recorded.")] });
            return;
          }
          clearErrors();
          showRecorded(answer.data);
          listClaim(answer.data);
          // sources/annotate.js highlights the passage in the text at once.
          document.dispatchEvent(
            new CustomEvent("sourcebook:passage-saved", { detail: answer.data.passage })
          );
          afterRecording(answer.data);
          result.focus();
        })
        .catch(function () {
          showErrors({ __all__: [message("msgUnreachable", "The server could not be reached; nothing was recorded.")] });
        })
        .finally(function () {
          submit.disabled = false;
        });
    });

    // Alt+R records the claim from anywhere on the page (listed with the other shortcuts).
    document.addEventListener("keydown", function (event) {
      if (event.altKey && !event.ctrlKey && !event.metaKey && event.code === "KeyR") {
        event.preventDefault();
        form.requestSubmit();
      }
    });

    result.tabIndex = -1;
    countClaims();
    showMode();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
