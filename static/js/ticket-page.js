// The ticket page's side sections (<details data-wide-open>): folded on a phone, where they come after the
// conversation and the reply box; open on a wide screen, where they sit beside them. Without this script
// they stay folded everywhere and open with a click.
(function () {
  "use strict";
  if (!window.matchMedia("(min-width: 992px)").matches) return;
  document.querySelectorAll("details[data-wide-open]").forEach(function (section) {
    section.open = true;
  });
})();
