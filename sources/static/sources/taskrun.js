/*
 * Progress bars of long tasks in the admin (sources/admin/tasks.py).
 *
 * Each `.sb-task-progress[data-poll="true"]` asks its run's JSON progress every
 * `data-interval` milliseconds and updates its <progress>, its count and its state. When the
 * run has ended, the page reloads, to show the outcome or the error as the server renders it.
 * Text goes in with textContent only: nothing the server sends is read as HTML. The word for a
 * run being cancelled comes translated from the page (#sb-task-messages, data-cancelling).
 */
(function () {
  "use strict";

  function update(box, data) {
    var bar = box.querySelector("progress");
    if (data.total > 0) {
      bar.max = data.total;
      bar.value = data.done;
    } else if (!data.active) {
      bar.max = 1;
      bar.value = data.state === "succeeded" ? 1 : 0;
    } else {
      bar.removeAttribute("value");
    }
    bar.textContent = data.percent + "%";
    box.querySelector(".sb-task-count").textContent = data.done + " / " + data.total;
    var state = data.state_label;
    if (data.active && data.cancel_requested) {
      var messages = document.getElementById("sb-task-messages");
      state += " " + ((messages && messages.dataset.cancelling) || "(cancelling)");
    }
    box.querySelector(".sb-task-state").textContent = state;
    box.dataset.state = data.state;
  }

  function poll(box) {
    var url = box.dataset.progressUrl;
    var interval = parseInt(box.dataset.interval, 10) || 1000;

    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("progress: " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          update(box, data);
          if (data.active) {
            window.setTimeout(tick, interval);
          } else {
            window.location.reload();
          }
        })
        .catch(function () {
          // The server is busy or restarting: ask again, less often.
          window.setTimeout(tick, interval * 5);
        });
    }

    window.setTimeout(tick, interval);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll('.sb-task-progress[data-poll="true"]').forEach(poll);
  });
})();
