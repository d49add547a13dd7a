"""Every main page of each role fits a phone, a tablet, a laptop and a wide screen.

At each width: no horizontal scrolling of the page, and no control whose text does not fit it (a button,
link or field whose text runs past its box; a select whose chosen option is wider than the space beside
its arrow). A full-page screenshot of each page at each width lands in
test-results/screenshots/<role>-<page>-<width>.png (git-ignored), to look at after a run.

One login per role; its pages are loaded once and the window resized through the widths, as a person
resizing it would see them. The pages are those of tests/e2e/test_accessibility.py.
"""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from helpdesk.management.commands.demo_load import DEMO_PASSWORD
from notifications.models import WebhookSubscription
from tests.e2e.test_accessibility import PAGES, demo_objects, resolve

pytestmark = pytest.mark.e2e

WIDTHS = (390, 768, 1280, 1920)
HEIGHT = 900
ROLES = {
    "requester": "rita@demo.example",
    "technician": "tess@demo.example",
    "coordinator": "cora@demo.example",
    "manager": "max@demo.example",
}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"

# What does not fit, measured in the page. A text box scrolls its own text by design; what is checked is
# that its text (a value set by the page) fits. Inline elements have no box of their own to overflow.
# A select draws only its chosen option: its text is measured with a canvas in the select's font and
# compared with the box less its padding (a .form-select's right padding holds its arrow; a native one
# draws its arrow in a further ~20 px).
MEASURE = """
() => {
  const canvas = document.createElement("canvas").getContext("2d");
  const describe = (element) => {
    let name = element.tagName.toLowerCase();
    if (element.id) name += "#" + element.id;
    else if (element.name) name += "[name=" + element.name + "]";
    else if (element.classList.length) name += "." + [...element.classList].join(".");
    const text = (element.innerText || element.value || element.getAttribute("aria-label") || "").trim();
    return name + ' "' + text.replace(/\\s+/g, " ").slice(0, 60) + '"';
  };
  // Shown, and not one of the visually hidden texts for screen readers (a 1 px box by design). What a
  // closed <details> holds still has a box in Chromium (its content is only not painted): checkVisibility
  // says it is not shown.
  const visible = (element) => {
    if (!element.checkVisibility({ visibilityProperty: true })) return false;
    const box = element.getBoundingClientRect();
    return box.width > 1 && box.height > 1 && getComputedStyle(element).visibility !== "hidden"
      && element.clientWidth > 0;
  };
  const root = document.documentElement;
  const found = [];
  if (root.scrollWidth > root.clientWidth) {
    // What sticks out: the elements whose right edge makes the page's width, innermost first (an
    // absolutely placed element escapes a scrolling box that does not contain it).
    const reach = root.scrollWidth - 1;
    const clipped = (element) => {
      if (["absolute", "fixed"].includes(getComputedStyle(element).position)) return false;
      for (let parent = element.parentElement; parent && parent !== root; parent = parent.parentElement) {
        if (getComputedStyle(parent).overflowX !== "visible") return true;
      }
      return false;
    };
    const culprits = [...document.body.querySelectorAll("*")]
      .filter((element) => element.getBoundingClientRect().right + window.scrollX >= reach && !clipped(element))
      .reverse();
    found.push("the page scrolls sideways: " + root.scrollWidth + " px wide in " + root.clientWidth
      + " px, made by: " + culprits.slice(0, 3).map(describe).join(" in "));
  }
  const controls = document.querySelectorAll(
    "button, a, .btn, input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file]), label"
  );
  for (const element of controls) {
    if (!visible(element) || getComputedStyle(element).display === "inline") continue;
    if (element.scrollWidth > element.clientWidth + 1) {
      found.push("text cut off: " + describe(element) + " needs " + element.scrollWidth + " px, has "
        + element.clientWidth + " px");
    }
  }
  for (const select of document.querySelectorAll("select:not([multiple])")) {
    if (!visible(select) || select.size > 1 || select.selectedIndex < 0) continue;
    const style = getComputedStyle(select);
    canvas.font = style.font || [style.fontStyle, style.fontWeight, style.fontSize, style.fontFamily].join(" ");
    const text = select.options[select.selectedIndex].text.trim();
    const needed = canvas.measureText(text).width;
    let room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (style.appearance !== "none") room -= 20;
    if (needed > room + 1) {
      found.push("option cut off: " + describe(select) + ' shows "' + text + '", ' + Math.ceil(needed)
        + " px in " + Math.floor(room) + " px");
    }
  }
  return found;
}
"""


OPEN_ALL = "() => document.querySelectorAll('details').forEach((details) => { details.open = true; })"


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.strip("{}/").lower()).strip("-") or "home"


@pytest.mark.parametrize("role", list(ROLES))
def test_every_main_page_fits_every_width(browser_page, login, role):
    call_command("demo_load")
    email = ROLES[role]
    tickets = {
        **demo_objects(),
        "webhook": WebhookSubscription.objects.create(
            name="Chat bot", url="https://hooks.example.org/a-long-path/for-a-receiver/in", secret="s" * 64
        ),
    }
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser_page
    login(page, email, DEMO_PASSWORD)
    found = []
    for path in PAGES[email]:
        name = _slug(path)
        path = resolve(path, tickets)
        page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
        response = page.goto(path)
        assert response is not None and response.status == 200, (path, response and response.status)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": HEIGHT})
            # Two animation frames: the layout of the new width is done before it is measured.
            page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
            found += [f"{role} {path} at {width} px: {problem}" for problem in page.evaluate(MEASURE)]
            page.screenshot(path=SCREENSHOTS / f"{role}-{name}-{width}.png", full_page=True)
        # And with every folded section and form opened: what they hold must fit too.
        page.evaluate(OPEN_ALL)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": HEIGHT})
            page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
            found += [f"{role} {path} at {width} px, opened: {problem}" for problem in page.evaluate(MEASURE)]
    assert not found, "\n".join(found)
