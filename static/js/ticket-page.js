// The ticket page's side sections (<details data-wide-open>): folded on a phone, where they come after the
// conversation and the reply box; open on a wide screen, where they sit beside them. The page follows a
// window that changes width (a tablet turned, a window resized): the sections this script opened fold again
// on a narrow screen, while one the person opened or closed by hand stays as they left it. Without this
// script they stay folded everywhere and open with a click.
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 992px)");
  var sections = document.querySelectorAll("details[data-wide-open]");

  function follow() {
    sections.forEach(function (section) {
      if (section.dataset.touched || section.open === wide.matches) return;
      section.dataset.opening = "1";
      section.open = wide.matches;
    });
  }

  sections.forEach(function (section) {
    section.addEventListener("toggle", function () {
      if (section.dataset.opening) {
        delete section.dataset.opening;
        return;
      }
      section.dataset.touched = "1";
    });
  });
  if (wide.matches) follow();
  wide.addEventListener("change", follow);
})();
