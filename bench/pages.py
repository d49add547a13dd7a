"""The pages the benchmark measures, resolved by URL name against the loaded data.

A page whose URL does not exist yet (it is being built in another issue) shows as "not available" in the
table instead of stopping the run.
"""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from bench.http import Page
from tickets.selectors import TICKET_SORTS

# The technician suggestions are being built; the first of these names that resolves is measured.
SUGGESTION_URL_NAMES = ("tickets:suggestions", "tickets:technician_suggestions", "tickets:suggest")
SEARCH_TEXT = "docking"
# The reports' target: a year of rollups (and the year before it) read and drawn in under 300 ms at p95.
REPORT_P95_MS = 300.0
# How it was solved before: the solved tickets like one, found among a million, in under 150 ms at p95.
SIMILAR_P95_MS = 150.0
# One search for staff: tickets, articles, employees and devices found among a million in under 100 ms.
STAFF_SEARCH_P95_MS = 100.0


def _reverse(name: str, **kwargs: object) -> str:
    """The URL of `name`, or "" when there is no such page (yet)."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


def _with_query(path: str, **params: object) -> str:
    return f"{path}?{urlencode(params)}" if path else ""


def report_pages(people: dict) -> list[tuple[str, str, str, str, dict]]:
    """(key, report, label, role, query) of each report page measured."""
    year = {"period": "last_12_months"}
    department = {**year, "department": people["filters"]["department"]}
    return [
        ("report_desk", "desk", "Report: the desk, 12 months", "coordinator", year),
        ("report_desk_department", "desk", "Report: the desk within a department", "coordinator", department),
        ("report_technicians", "technicians", "Report: technicians, 12 months", "coordinator", year),
        ("report_technician_own", "technicians", "Report: a technician's own row", "technician", year),
        ("report_trends", "trends", "Report: problem trends, 12 months", "coordinator", year),
        ("report_machines", "machines", "Report: machines that break often", "coordinator", year),
        ("report_training", "training", "Report: training needs", "coordinator", year),
    ]


def build(people: dict) -> list[Page]:
    long_ticket, typical = people["long_ticket"], people["typical_ticket"]
    ticket_list = _reverse("tickets:list")
    suggestions = next(
        (
            path
            for path in (_reverse(name, number=people["unassigned_ticket"]) for name in SUGGESTION_URL_NAMES)
            if path
        ),
        "",
    )
    specs = [
        Page(
            "mine",
            "My tickets",
            "requester",
            [_reverse("tickets:mine")],
            is_list=True,
            small_role="requester_light",
            small_path=_reverse("tickets:mine"),
        ),
        Page(
            "requester_ticket",
            "A ticket page",
            "requester",
            [_reverse("tickets:detail", number=people["requester_ticket"])],
        ),
        Page(
            "submit",
            "Submit a ticket (POST + redirect)",
            "requester",
            [_reverse("tickets:submit")],
            method="POST",
            follow=True,
            form={
                "subject": "Bench: the printer on floor 2 jams",
                "description": "Every job since this morning.",
                "category": people["category"],
                "device": "",
                "other_asset_tag": "",
                "impact": 3,
                "urgency": 2,
            },
        ),
        Page(
            "queue",
            "My queue",
            "technician",
            [_reverse("tickets:queue")],
            is_list=True,
            small_role="technician_light",
            small_path=_reverse("tickets:queue"),
        ),
        Page(
            "long_ticket",
            "A ticket with 200 events",
            "technician",
            [_reverse("tickets:detail", number=long_ticket)],
            small_role="technician",
            small_path=_reverse("tickets:detail", number=typical),
        ),
        Page(
            "reply",
            "Reply (POST + redirect)",
            "technician",
            [_reverse("tickets:reply", number=number) for number in people["reply_targets"]],
            method="POST",
            follow=True,
            form={"body": "I am looking at it now."},
        ),
        Page("dashboard", "Dashboard", "coordinator", [_reverse("tickets:dashboard")], is_list=True),
        Page(
            "list_all", "Ticket list, unfiltered", "coordinator", [_with_query(ticket_list, status="any")], is_list=True
        ),
        Page(
            "list_status_tier",
            "Ticket list, status + tier",
            "coordinator",
            [_with_query(ticket_list, status="in_progress", tier=2)],
            is_list=True,
        ),
        Page(
            "list_due", "Ticket list, by due time", "coordinator", [_with_query(ticket_list, sort="due")], is_list=True
        ),
        Page(
            "list_search",
            f'Ticket list, search "{SEARCH_TEXT}"',
            "coordinator",
            [_with_query(ticket_list, q=SEARCH_TEXT, status="any")],
            is_list=True,
        ),
        Page("suggestions", "Technician suggestions", "coordinator", [suggestions], is_list=True),
        # The API's staff list, 50 a page, as a script reads it (the session serves here as a token would).
        Page(
            "api_list",
            "API: staff ticket list, 50 a page",
            "coordinator",
            [
                _with_query(_reverse("api:tickets"), status="any", page_size=50),
                _with_query(_reverse("api:tickets"), status="open", sort="-updated", page_size=50),
            ],
            is_list=True,
        ),
        Page(
            "similar",
            "How it was solved before (similar solved tickets)",
            "technician",
            [_reverse("tickets:similar", number=typical), _reverse("tickets:similar", number=long_ticket)],
            p95_target_ms=SIMILAR_P95_MS,
        ),
        Page(
            "staff_search",
            "One search for staff (tickets, articles, employees, devices)",
            "technician",
            [
                _with_query(_reverse("knowledge:search"), q=text)
                for text in ("printer offline", "vpn", f"HD-{typical}", "B000042", "BA-100042", "outlook password")
            ],
            p95_target_ms=STAFF_SEARCH_P95_MS,
        ),
        # The Insight reports over twelve months, and the previous twelve beside them: read from the rollups.
        *(
            Page(key, title, role, [_with_query(_reverse(f"reports:{name}"), **query)], p95_target_ms=REPORT_P95_MS)
            for key, name, title, role, query in report_pages(people)
        ),
        # A training session's page with its effect: the groups from the tickets by requester, the whole
        # organisation from the rollups.
        Page(
            "training_effect",
            "A training session and its effect",
            "coordinator",
            [_reverse("training:detail", pk=people["training_session"]) if people.get("training_session") else ""],
            p95_target_ms=REPORT_P95_MS,
        ),
        Page("healthz", "Bare view (/healthz): the ceiling", "anonymous", [_reverse("health")]),
    ]
    for page in specs:
        if not all(page.paths):
            page.available = False
            page.note = "not available: the page does not exist yet"
            page.paths = []
    return specs


# --- the staff list, every filter and every sort --------------------------------------------------


def list_filters(people: dict, today: date) -> dict[str, dict]:
    """One ordinary value for each filter of the staff list (tickets.forms.FILTER_FIELDS but the sort),
    over tickets of every status unless the filter is the status."""
    values = people["filters"]
    month_ago, week_ahead = today - timedelta(days=30), today + timedelta(days=7)
    return {
        "q": {"q": SEARCH_TEXT},
        "status": {"status": "waiting_requester"},
        "priority": {"priority": 1},
        "tier": {"tier": 3},
        "category": {"category": values["category"]},
        "assignee": {"assignee": values["assignee"]},
        "requester": {"requester": values["requester"]},
        "department": {"department": values["department"]},
        "location": {"location": values["location"]},
        "device_model": {"device_model": values["device_model"]},
        "project": {"project": values["project"]},
        "created_from": {"created_from": (today - timedelta(days=400)).isoformat()},
        "created_to": {"created_to": (today - timedelta(days=900)).isoformat()},
        "due_from": {"due_from": today.isoformat()},
        "due_to": {"due_to": week_ahead.isoformat(), "due_from": month_ago.isoformat()},
        # The reports' drill-downs: each as a report links it, over the desk's days.
        "resolved_from": {"status": "solved", "resolved_from": month_ago.isoformat()},
        "resolved_to": {"status": "solved", "resolved_to": (today - timedelta(days=900)).isoformat()},
        "channel": {"channel": "phone"},
        "resolution_code": {"resolution_code": "user_training"},
        "device": {"device": values.get("device") or 1},
        "report_as": {"report_as": "hardware"},
        "how_to": {"how_to": "yes"},
        "escalated": {"escalated": "yes"},
        "reopened": {"reopened": "yes"},
        "first_contact": {"first_contact": "yes", "status": "solved"},
        "response_met": {"response_met": "no"},
        "resolution_met": {"resolution_met": "no"},
        "activity": {"activity": "escalations_sent", "activity_by": values["assignee"]},
        "activity_by": {"activity": "time_logged", "activity_by": values["assignee"]},
        "activity_from": {"activity": "reopened_after", "activity_from": month_ago.isoformat()},
        "activity_to": {"activity": "escalations_received", "activity_to": month_ago.isoformat()},
        "responded": {"responded": "yes"},
        "open_on": {"open_on": month_ago.isoformat()},
        "days": {"days": "desk", "created_from": month_ago.isoformat()},
    }


def build_sweep(people: dict, today: date) -> list[Page]:
    """The staff list once per filter and once per sort in each direction, as a coordinator."""
    ticket_list = _reverse("tickets:list")
    pages = []
    for name, params in list_filters(people, today).items():
        query = params if "status" in params else {"status": "any", **params}
        pages.append(Page(f"filter_{name}", f"Filter {name}", "coordinator", [_with_query(ticket_list, **query)]))
    for name in TICKET_SORTS:
        for sort, direction in ((name, "ascending"), (f"-{name}", "descending")):
            pages.append(
                Page(
                    f"sort_{sort}",
                    f"Sort {name}, {direction}",
                    "coordinator",
                    [_with_query(ticket_list, status="any", sort=sort)],
                )
            )
    return pages
