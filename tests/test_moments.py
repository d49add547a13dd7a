"""One date format per language, relative times with the exact one on hover, and <time> as HTML allows."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.template import Context, Template
from django.utils import timezone, translation

NOW = datetime(2026, 12, 8, 13, 0, 0, 123456, tzinfo=UTC)


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("en", "2026-12-08 14:00"),
        ("sv", "2026-12-08 14:00"),
        ("nb", "08.12.2026 14:00"),
        ("pl", "08.12.2026 14:00"),
        ("nl", "08-12-2026 14:00"),
        ("es", "08/12/2026 14:00"),
    ],
)
def test_each_language_writes_a_moment_one_way_on_a_24_hour_clock(language, written):
    with translation.override(language), timezone.override("Europe/Stockholm"):
        assert render('{{ at|date:"DATETIME_FORMAT" }}', at=NOW) == written
        assert render('{{ at|date:"SHORT_DATETIME_FORMAT" }}', at=NOW) == written
        assert render('{{ at|date:"DATE_FORMAT" }}', at=NOW) == written.split(" ")[0]


def test_a_recent_moment_reads_relatively_with_the_exact_time_on_hover():
    with time_machine.travel(NOW, tick=False), translation.override("en"), timezone.override("Europe/Stockholm"):
        html = render("{% moment at %}", at=NOW - timedelta(hours=3, minutes=20))
    assert html == '<time datetime="2026-12-08T09:40:00.123Z" title="2026-12-08 10:40">3\xa0hours ago</time>'


def test_a_coming_moment_and_an_old_one():
    with time_machine.travel(NOW, tick=False), translation.override("sv"), timezone.override("Europe/Stockholm"):
        coming = render("{% moment at %}", at=NOW + timedelta(days=2, hours=1))
        old = render("{% moment at %}", at=NOW - timedelta(days=30))
        just = render("{% moment at %}", at=NOW - timedelta(seconds=20))
    assert ">om 2\xa0dagar</time>" in coming
    assert ">2026-11-08 14:00</time>" in old  # beyond a week: the exact moment
    assert "</time>" in just and "sekund" not in just


def test_the_datetime_attribute_has_at_most_milliseconds():
    with time_machine.travel(NOW, tick=False):
        html = render("{% stamp at %}", at=NOW)
    (value,) = re.findall(r'datetime="([^"]+)"', html)
    assert value == "2026-12-08T13:00:00.123Z"


def test_a_day_and_a_missing_value():
    with translation.override("pl"):
        assert render("{% day d %}", d=date(2026, 3, 1)) == '<time datetime="2026-03-01">01.03.2026</time>'
        assert render("{% day d %}{% moment d %}{% stamp d %}", d=None) == "———"
