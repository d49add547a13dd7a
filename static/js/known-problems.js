// The report form's known problems (templates/tickets/work/_known_problems.html): once a category is
// chosen, only the problems of that category, and those of none, stay in view. Without this script all
// are shown.
(function () {
  "use strict";
  var select = document.getElementById("id_category");
  var items = document.querySelectorAll("[data-testid=known-problem-item]");
  if (!select || !items.length) return;

  function follow() {
    var chosen = select.value;
    items.forEach(function (item) {
      var categories = (item.dataset.categories || "").trim().split(/\s+/).filter(Boolean);
      item.hidden = Boolean(chosen) && categories.length > 0 && categories.indexOf(chosen) === -1;
    });
  }

  select.addEventListener("change", follow);
  follow();
})();
