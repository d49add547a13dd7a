// The coordinators' dashboard (templates/tickets/dashboard.html). Each part refreshes itself with htmx
// ("every N s" and "dashboard-refresh from:body"); "Refresh now" asks every part at once.
// The triage list holds forms, each behind its row's "Triage" button (aria-expanded): a row someone has
// opened, changed, is in, or asked suggestions for is theirs, and the list's refresh waits meanwhile, so a
// refresh never closes a row nor loses what a coordinator is typing. Waiting rather than swapping and
// restoring: a kept row's markup knows nothing of what was typed, chosen or suggested in it, and a list
// redrawn under the coordinator's eyes would move the row they are reading.
// Listeners in a static file rather than hx-on attributes and hx-trigger filters: the
// Content-Security-Policy allows no inline script, and htmx is configured never to eval (base.html).
(function () {
  "use strict";

  // The one place that decides whether the triage list may be replaced (the browser tests ask it too).
  window.triageIsBusy = function () {
    var list = document.getElementById("triage");
    return !!list && (list.querySelector("[data-triage-row].is-editing, [data-triage-row].is-open") !== null ||
      list.contains(document.activeElement));
  };

  // With JavaScript the rows' forms are folded away until opened (helpdesk.css, "Dashboard").
  var triage = document.getElementById("triage");
  if (triage) { triage.setAttribute("data-triage-folds", ""); }

  function setOpen(row, open) {
    row.classList.toggle("is-open", open);
    var toggle = row.querySelector("[data-triage-toggle]");
    if (toggle) { toggle.setAttribute("aria-expanded", open ? "true" : "false"); }
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-triage-toggle]");
    if (!toggle) { return; }
    var row = toggle.closest("[data-triage-row]");
    var open = !row.classList.contains("is-open");
    setOpen(row, open);
    if (open) {
      var first = row.querySelector(".triage-panel select, .triage-panel input:not([type=hidden])");
      if (first) { first.focus(); }
    }
  });

  // The read-only parts are replaced whole; a list opened in them (an overdue list) stays open.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target.id === "triage") { return; }
    target.dataset.openDetails = Array.prototype.map.call(
      target.querySelectorAll("details[open][id]"), function (details) { return details.id; }
    ).join(" ");
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    (target.dataset.openDetails || "").split(" ").forEach(function (id) {
      var details = id && document.getElementById(id);
      if (details && target.contains(details)) { details.open = true; }
    });
    delete target.dataset.openDetails;
  });

  // A refresh of the triage list, by the clock or by "Refresh now", is called off while a row is busy.
  // The other parts, and the row forms' own requests (saving, suggestions), go ahead as usual.
  document.addEventListener("htmx:confirm", function (event) {
    if (event.detail.elt.id === "triage" && window.triageIsBusy()) {
      event.preventDefault();
    }
  });

  // A refresh that was already on its way when a row became busy is not swapped in either.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target.id === "triage" && window.triageIsBusy()) {
      event.detail.shouldSwap = false;
    }
  });

  ["input", "change"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var row = event.target.closest && event.target.closest("[data-triage-row]");
      if (row) { row.classList.add("is-editing"); }
    });
  });

  // Suggestions swapped into a row make it busy too; a saved row comes back as new markup, not busy.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var row = target.closest && target.closest("[data-triage-row]");
    if (row && row !== target && row.isConnected) { row.classList.add("is-editing"); }
  });

  // "Refresh now" is a link to the dashboard, which reloads it without JavaScript; with it, the parts
  // refresh in place.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-dashboard-refresh]");
    if (link) {
      event.preventDefault();
      htmx.trigger(document.body, "dashboard-refresh");
    }
  });
})();
