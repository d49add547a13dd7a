// Light and dark colour modes: follows the system until the person chooses, then remembers the choice.
// Loaded in <head> so the page never flashes in the wrong colours.
(function () {
  "use strict";
  var key = "helpdesk-color-mode";
  function preferred() {
    var stored = localStorage.getItem(key);
    if (stored === "light" || stored === "dark") return stored;
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  function apply(mode) {
    document.documentElement.setAttribute("data-bs-theme", mode);
  }
  apply(preferred());
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-color-mode-toggle]").forEach(function (button) {
      button.addEventListener("click", function () {
        var next = document.documentElement.getAttribute("data-bs-theme") === "dark" ? "light" : "dark";
        localStorage.setItem(key, next);
        apply(next);
      });
    });
  });
})();
