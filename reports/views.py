"""The Insight reports' pages: thin views. Permission -> form -> selector -> page, or CSV of what is shown."""

from collections.abc import Iterable, Sequence
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from core import csvfiles
from reports import charts, markers, permissions, services
from reports.forms import DeskForm, PeriodForm, SetupForm, TechniciansForm, TrendsForm
from reports.selectors.desk import desk_report
from reports.selectors.machines import REASONS, WARRANTY, machines_report, replacement_candidates
from reports.selectors.technicians import technicians_report
from reports.selectors.training import training_needs
from reports.selectors.trends import problem_trends
from reports.templatetags.reports import figure
from tickets.models import Category, TrainingSetup
from tickets.selectors import tickets_avoided


def _csv(
    name: str, period_first: date, period_last: date, header: Sequence[object], rows: Iterable[Sequence[object]]
) -> StreamingHttpResponse:
    return csvfiles.response(header, rows, f"{name}-{period_first.isoformat()}-{period_last.isoformat()}.csv")


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    offered = permissions.reports_offered(request.user)
    if not offered:
        raise Http404
    return redirect(f"reports:{offered[0]}")


def _context(request: HttpRequest, report: str, form, **more: object) -> dict[str, object]:
    return {
        "report": report,
        "reports_offered": permissions.reports_offered(request.user),
        "form": form,
        "querystring": form.querystring(),
        **more,
    }


@login_required
@require_GET
def desk(request: HttpRequest) -> HttpResponseBase:
    permissions.get_report_for(request.user, "desk")
    form = DeskForm(request.GET)
    period = form.chosen_period()
    result = desk_report(period, form.within())
    export = request.GET.get("export")
    if export == "figures":
        return _csv(
            "desk-figures",
            period.first,
            period.last,
            [_("Figure"), _("This period"), _("Previous period"), _("Change")],
            (
                [
                    str(f.label),
                    figure(f.value, f.unit),
                    figure(f.previous, f.unit),
                    "" if f.change is None else f.change,
                ]
                for f in result.figures
            ),
        )
    if export == "days":
        return _csv(
            "desk-days",
            period.first,
            period.last,
            [_("From"), _("Until"), _("Created"), _("Resolved"), _("Open at the end")],
            ([b.first.isoformat(), b.last.isoformat(), b.created, b.resolved, b.backlog] for b in result.buckets),
        )
    if export == "channels":
        return _csv(
            "desk-channels",
            period.first,
            period.last,
            [_("Channel"), _("Created"), _("Resolved"), _("Resolved at first contact")],
            ([str(c.label), c.created, c.resolved, c.first_contact] for c in result.channels),
        )
    step = _("week") if result.by_week else _("day")
    chart = charts.line_chart(
        chart_id="desk-flow",
        title=_("Created, resolved and open tickets by %(step)s") % {"step": step},
        description=_("Three lines over the period; the table below holds every number."),
        buckets=[b.first for b in result.buckets],
        series=[
            (_("Created"), [b.created for b in result.buckets]),
            (_("Resolved"), [b.resolved for b in result.buckets]),
            (_("Open at the end"), [b.backlog for b in result.buckets]),
        ],
        by_week=result.by_week,
    )
    # Known problems: the tickets requesters did not file because they said "Me too" (a few rows a period).
    avoided = tickets_avoided(period.first, period.last)
    context = _context(request, "desk", form, result=result, chart=chart, avoided=avoided)
    return render(request, "reports/desk.html", context)


@login_required
@require_GET
def technicians(request: HttpRequest) -> HttpResponseBase:
    viewer = permissions.get_report_for(request.user, "technicians")
    everyone = permissions.sees_every_technician(viewer)
    form = TechniciansForm(request.GET)
    period = form.chosen_period()
    result = technicians_report(period, viewer=viewer, everyone=everyone, tier=form.tier_chosen())
    if request.GET.get("export") == "technicians":
        header = [_("Technician"), _("Tier"), *[str(label) for label in COLUMN_LABELS.values()], _("Capacity")]
        return _csv(
            "technicians",
            period.first,
            period.last,
            header,
            (
                [
                    row.name,
                    row.tier,
                    *[_plain(row.figures[name], unit) for name, unit in COLUMN_UNITS.items()],
                    row.capacity,
                ]
                for row in result.rows
            ),
        )
    chart = charts.bar_chart(
        chart_id="technicians-resolved",
        title=_("Tickets resolved, this period and the previous one"),
        description=_("Two bars for each technician shown; the table below holds every number."),
        labels=[row.name for row in result.rows],
        series=[
            (_("This period"), [row.figures["resolved"] or 0 for row in result.rows]),
            (_("Previous period"), [row.previous["resolved"] or 0 for row in result.rows]),
        ],
    )
    return render(
        request,
        "reports/technicians.html",
        _context(
            request,
            "technicians",
            form,
            result=result,
            chart=chart,
            everyone=everyone,
            columns=[(name, COLUMN_LABELS[name], COLUMN_UNITS[name]) for name in COLUMN_UNITS],
        ),
    )


COLUMN_UNITS = {
    "resolved": "count",
    "resolution_median": "minutes",
    "resolution_p90": "minutes",
    "resolution_met": "percent",
    "reopened_after": "count",
    "escalations_sent": "count",
    "escalations_received": "count",
    "minutes_logged": "minutes",
    "open_now": "count",
}
COLUMN_LABELS = {
    "resolved": gettext_lazy("Resolved"),
    "resolution_median": gettext_lazy("Resolution, median"),
    "resolution_p90": gettext_lazy("Resolution, 90th percentile"),
    "resolution_met": gettext_lazy("Resolved in time"),
    "reopened_after": gettext_lazy("Reopened after their resolution"),
    "escalations_sent": gettext_lazy("Escalations sent"),
    "escalations_received": gettext_lazy("Escalations received"),
    "minutes_logged": gettext_lazy("Time logged"),
    "open_now": gettext_lazy("Open now"),
}


def _plain(value: float | None, unit: str) -> object:
    """A CSV cell: numbers stay numbers (minutes as minutes), so a spreadsheet can add them up."""
    return "" if value is None else value


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Managers: which codes and categories the reports read as training needs or hardware faults."""
    if not permissions.can(request.user, "reports.setup"):
        raise Http404
    categories = list(Category.objects.select_related("parent").order_by("parent__name", "name"))
    form = SetupForm(request.POST or None, categories=categories, codes=TrainingSetup.codes())
    if request.method == "POST" and form.is_valid():
        services.report_setup_save(by=request.user, how_to_codes=form.cleaned_data["how_to_codes"], kinds=form.kinds())
        messages.success(request, _("Saved. The reports count again with these settings in a few minutes."))
        return redirect("reports:setup")
    return render(
        request,
        "reports/setup.html",
        {"form": form, "reports_offered": permissions.reports_offered(request.user), "report": "setup"},
    )


# How many topics the trends chart draws: more lines than this no one can read; the table has them all.
CHARTED_TOPICS = 5


@login_required
@require_GET
def trends(request: HttpRequest) -> HttpResponseBase:
    permissions.get_report_for(request.user, "trends")
    form = TrendsForm(request.GET)
    period = form.chosen_period()
    result = problem_trends(period, within=form.within())
    export = request.GET.get("export")
    if export in ("categories", "codes"):
        rows = result.categories if export == "categories" else result.resolution_codes
        return _csv(
            f"trends-{export}",
            period.first,
            period.last,
            [_("Category") if export == "categories" else _("Resolution code"), _("This period"),
             _("Previous period"), _("Change"), _("Rising")],
            ([row.label, row.count, row.previous, "" if row.change is None else row.change,
              _("yes") if row.rising else ""] for row in rows),
        )  # fmt: skip
    charted = result.categories[:CHARTED_TOPICS]
    sessions = markers.markers_in(period)
    chart = charts.line_chart(
        chart_id="trends-categories",
        title=_("The most frequent categories by %(step)s") % {"step": _("week") if result.by_week else _("day")},
        description=_("One line for each of the most frequent categories; the table below holds every number."),
        buckets=[point.first for point in charted[0].series] if charted else [],
        series=[(row.label, [point.count for point in row.series]) for row in charted],
        by_week=result.by_week,
        marks=[(marker.day, marker.label) for marker in sessions],
    )
    return render(
        request,
        "reports/trends.html",
        _context(request, "trends", form, result=result, chart=chart, sessions=sessions),
    )


@login_required
@require_GET
def machines(request: HttpRequest) -> HttpResponseBase:
    permissions.get_report_for(request.user, "machines")
    form = PeriodForm(request.GET)
    period = form.chosen_period()
    export = request.GET.get("export")
    if export == "replacements":
        return _csv(
            "replacement-candidates",
            period.first,
            period.last,
            [_("Asset tag"), _("Model"), _("Failures"), _("Failures per device-year"), _("Repeat failures"),
             _("Repairs"), _("Age in years"), _("Warranty"), _("Why"), _("Page")],
            ([row.asset_tag, row.model, row.failures, row.rate, row.repeat_failures, row.repairs, row.age_years_at_end,
              str(WARRANTY.get(row.warranty_at_end, "")), ", ".join(str(REASONS[r]) for r in row.reasons),
              request.build_absolute_uri(row.url)] for row in replacement_candidates(period)),
        )  # fmt: skip
    result = machines_report(period)
    if export == "models":
        return _csv(
            "device-models",
            period.first,
            period.last,
            [_("Model"), _("Devices"), _("Device-years"), _("Failures"), _("Failures per device-year"),
             _("Against the fleet")],
            ([row.model, row.devices, row.device_years, row.failures, row.rate, row.ratio_to_fleet]
             for row in result.models),
        )  # fmt: skip
    chart = charts.bar_chart(
        chart_id="machines-models",
        title=_("Failures per device-year by model, against the fleet's"),
        description=_("Each model's rate beside the fleet's; the table below holds every number."),
        labels=[row.model or _("No model") for row in result.models],
        series=[
            (_("This model"), [row.rate or 0 for row in result.models]),
            (_("The fleet"), [result.fleet_rate or 0 for _row in result.models]),
        ],
    )
    return render(
        request,
        "reports/machines.html",
        _context(request, "machines", form, result=result, chart=chart, reasons=REASONS, warranty=WARRANTY),
    )


@login_required
@require_GET
def training(request: HttpRequest) -> HttpResponseBase:
    permissions.get_report_for(request.user, "training")
    form = PeriodForm(request.GET)
    period = form.chosen_period()
    result = training_needs(period)
    export = request.GET.get("export")
    if export in ("employees", "departments"):
        rows = result.employees if export == "employees" else result.departments
        return _csv(
            f"training-{export}",
            period.first,
            period.last,
            [_("Topics"), _("Employee") if export == "employees" else _("Department"), _("Questions of knowing how"),
             _("Of all their tickets (%)"), _("Previous period")],
            ([", ".join(f"{topic.name} ({topic.how_to})" for topic in row.topics), row.name, row.how_to,
              "" if row.share is None else row.share, row.previous_how_to] for row in rows),
        )  # fmt: skip
    return render(request, "reports/training.html", _context(request, "training", form, result=result))
