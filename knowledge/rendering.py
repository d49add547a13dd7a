"""An article's Markdown as safe HTML: the one module that renders it.

Two layers, so that no script an author (or someone who took over an author's login) writes ever runs:

1. Markdown (the `markdown` package) with its raw-HTML handling switched off: `<script>`, `<iframe>`,
   `<b onclick=…>` typed into the text are shown as the text they are, never passed through as markup.
2. The HTML Markdown made is cleaned by `nh3` (the maintained binding of the Rust sanitiser ammonia) against
   a short list of tags and attributes: no event handlers, no style, only http, https and mailto links,
   and every link gets rel="noopener noreferrer nofollow".

Nothing here produces a style attribute either (table alignment is the `align` attribute), so the output
stays within the strict Content-Security-Policy.
"""

from xml.etree.ElementTree import Element

import markdown  # type: ignore[import-untyped]  # no stubs in the pinned tools
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.treeprocessors import Treeprocessor  # type: ignore[import-untyped]

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"
# Longer texts are cut before rendering: the form allows far less; this guards the renderer itself.
MAX_SOURCE = 200_000


class _HeadingsUnderTitle(Treeprocessor):
    """The page's title is its h1: an article's own headings start at h2 (# is h2, ## is h3 ...)."""

    def run(self, root: Element) -> None:
        for element in root.iter():
            if element.tag in ("h1", "h2", "h3", "h4", "h5"):
                element.tag = f"h{int(element.tag[1]) + 1}"


class _HelpArticle(markdown.Extension):
    """Raw HTML in the text is text: Markdown's own passing through of HTML blocks and inline tags is off.
    And headings sit under the page's title."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # the hook's name is Markdown's
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_HeadingsUnderTitle(md), "headings_under_title", 5)


def _markdown() -> markdown.Markdown:
    # A Markdown instance keeps state between conversions and is not thread-safe: one per call.
    return markdown.Markdown(
        extensions=[_HelpArticle(), "fenced_code", "tables", "sane_lists"],
        extension_configs={"tables": {"use_align_attribute": True}},
        output_format="html",
    )


def sanitise(html: str) -> str:
    """`html` with only the allowed tags, attributes and link schemes left; links made rel=nofollow."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(text: str) -> SafeString:
    """An article's body, Markdown, as HTML safe to put in a page."""
    source = (text or "")[:MAX_SOURCE]
    return mark_safe(sanitise(_markdown().convert(source)))  # noqa: S308 (cleaned by nh3 just above)
