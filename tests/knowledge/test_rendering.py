"""An article body renders inert, whatever its author typed: no script, handler, javascript: link, frame or
style ever reaches the page as markup (knowledge.rendering)."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from knowledge.rendering import render_markdown
from tests import factories


class _Markup(HTMLParser):
    """The elements and attributes of a piece of HTML, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)

    handle_startendtag = handle_starttag


def _markup(html: str) -> _Markup:
    parser = _Markup()
    parser.feed(html)
    return parser


HOSTILE = {
    "script": "Hello <script>alert(1)</script> world",
    "script block": "<script>\nalert(document.cookie)\n</script>",
    "event handler": '<img src="x.png" onerror="alert(1)">\n\n<b onclick="alert(1)">click</b>',
    "javascript link": "[click me](javascript:alert(1))",
    "javascript link, encoded": "[click me](jav&#x61;script:alert(1))",
    "javascript autolink": "<javascript:alert(1)>",
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "style": "<style>body { display: none }</style>",
    "style attribute": '<p style="position:fixed;top:0">covered</p>',
    "raw html block": '<div onmouseover="alert(1)">\n<a href="javascript:alert(1)">x</a>\n</div>',
    "svg": "<svg><script>alert(1)</script></svg>",
    "data link": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "image with handler in title": '![a](x.png "t\\" onerror=\\"alert(1)")',
}


@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markdown_renders_inert(source):
    markup = _markup(render_markdown(source))
    assert not {"script", "iframe", "style", "object", "embed", "svg", "div", "form"} & set(markup.tags)
    for tag, name, value in markup.attributes:
        assert not name.startswith("on"), (tag, name)
        assert name != "style", tag
        if name in ("href", "src"):
            assert value.split(":", 1)[0].lower().strip() not in ("javascript", "data", "vbscript"), value


def test_raw_html_is_shown_as_text_not_markup():
    html = render_markdown("Type <b>bold</b> and <script>x</script>")
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<b>" not in html
    assert "&lt;script&gt;" in html


def test_markdown_still_renders_and_links_are_nofollow():
    html = render_markdown(
        "# Printer\n\n**Turn it off** and on.\n\n- one\n- two\n\n[the guide](https://example.org/guide)\n\n"
        "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n```\ncode <here>\n```"
    )
    markup = _markup(html)
    assert {"h2", "strong", "ul", "li", "a", "table", "pre", "code"} <= set(markup.tags)
    assert "h1" not in markup.tags  # the page's title is its one h1
    link = {name: value for tag, name, value in markup.attributes if tag == "a"}
    assert link["href"] == "https://example.org/guide"
    assert set(link["rel"].split()) == {"noopener", "noreferrer", "nofollow"}
    assert ("th", "align", "left") in markup.attributes  # alignment without a style attribute
    assert "code &lt;here&gt;" in html


@pytest.mark.django_db
def test_the_article_page_shows_a_hostile_body_inert(client_for, requester):
    article = factories.ArticleFactory(body="\n\n".join(HOSTILE.values()))
    body = client_for(requester).get(reverse("knowledge:detail", args=[article.pk])).content.decode()
    rendered = body[body.index('data-testid="article-body"') : body.index("</article>")]
    markup = _markup(rendered)
    assert not {"script", "iframe", "style"} & set(markup.tags)
    assert not [name for _tag, name, _value in markup.attributes if name.startswith("on")]
    assert "javascript:" not in " ".join(value for _tag, name, value in markup.attributes if name == "href")
