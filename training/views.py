"""The pages of training: the sessions list, planning from a report, a session's page with its invitations,
attendance and measured effect, and each person's own sessions. Thin: permission, form, service, redirect."""

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Prefetch, Q
from django.http import Http404, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import can as role_can
from assets.models import Department, Employee
from core.days import day_of
from knowledge.permissions import articles_visible_to
from tickets.attachments import FilesNotStored, download_response
from tickets.models import Category, ResolutionCode
from tickets.views.common import SignedInRequest
from training import effect as effects
from training import forms, permissions, services
from training.models import PLANNED_FROM, Answer, Invitation, Material, TrainingSession

FORM_PAGE = "training/form.html"
REFUSED = 400
PAST_SHOWN = 50


def _take(
    request: SignedInRequest, form: django_forms.BaseForm, save: Callable[[dict[str, Any]], object], done: str
) -> int | None:
    """Post `form` to `save` and say `done`: None once done; otherwise the status of the page that shows the
    form again, with the service's refusal beside the field it is about (or above the form)."""
    if request.method != "POST":
        return 200
    if not form.is_valid():
        return REFUSED
    try:
        save(form.cleaned_data)
    except services.TrainingError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error.message))
        return REFUSED
    except FilesNotStored as error:
        form.add_error("handouts" if "handouts" in form.fields else None, str(error.message))
        return REFUSED
    messages.success(request, done)
    return None


def _form_page(
    request: SignedInRequest,
    form: django_forms.BaseForm,
    *,
    title: str,
    submit: str,
    session: TrainingSession | None = None,
    intro: str = "",
    status: int = 200,
) -> HttpResponseBase:
    context = {"form": form, "title": title, "submit": submit, "session": session, "intro": intro}
    return render(request, FORM_PAGE, context, status=status)


def _counted(sessions: Any) -> Any:
    return sessions.select_related("trainer").annotate(
        seats_taken=Count("invitations", filter=Q(invitations__answer=Answer.ACCEPTED)),
        waiting=Count("invitations", filter=Q(invitations__answer=Answer.WAITING)),
        invited=Count("invitations"),
        came=Count("invitations", filter=Q(invitations__attended=True)),
        rating=Avg("invitations__rating"),
    )


@login_required
@require_GET
def index(request: SignedInRequest) -> HttpResponseBase:
    """Staff: the sessions to come and those given, the ones they give first. Others: their own sessions."""
    if not permissions.can(request.user, "plan"):
        if role_can(request.user, "training.attend"):
            return redirect("training:mine")
        raise Http404
    now = timezone.now()
    sessions = _counted(TrainingSession.objects.all())
    mine = request.GET.get("mine") == "1"
    if mine:
        sessions = sessions.filter(trainer=request.user)
    upcoming = list(sessions.filter(ends_at__gte=now).order_by("starts_at", "pk"))
    past = list(sessions.filter(ends_at__lt=now).order_by("-starts_at", "-pk")[:PAST_SHOWN])
    return render(
        request,
        "training/index.html",
        {"upcoming": upcoming, "past": past, "mine": mine, "may_plan": True, "past_shown": PAST_SHOWN},
    )


def _prefilled(request: SignedInRequest) -> dict[str, Any]:
    """What a report's "Plan a session" link suggests: the topic, and who to invite."""
    initial: dict[str, Any] = {"trainer": request.user.pk if role_can(request.user, "tickets.work") else None}
    category_ids = [int(pk) for pk in request.GET.getlist("category") if pk.isdigit()]
    categories = list(Category.objects.filter(pk__in=category_ids).select_related("parent"))
    codes = [code for code in request.GET.getlist("code") if code in ResolutionCode.values]
    labels = dict(ResolutionCode.choices)
    topic = ", ".join([c.translated_name for c in categories] + [str(labels[code]) for code in codes])
    if categories or codes:
        initial.update(categories=categories, resolution_codes=codes, title=_("Getting more out of %(topic)s")
                       % {"topic": topic})  # fmt: skip
    department_ids = [int(pk) for pk in request.GET.getlist("department") if pk.isdigit()]
    if department_ids:
        initial["departments"] = list(Department.objects.filter(pk__in=department_ids))
    employee_ids = [int(pk) for pk in request.GET.getlist("employee") if pk.isdigit()]
    if employee_ids:
        numbers = Employee.objects.filter(pk__in=employee_ids[: forms.MAX_PEOPLE]).values_list(
            "employee_number", flat=True
        )
        initial["employees"] = "\n".join(numbers)
    initial["capacity"] = 12
    return initial


@login_required
def plan(request: SignedInRequest) -> HttpResponseBase:
    if not permissions.can(request.user, "plan"):
        raise PermissionDenied
    form = forms.SessionForm(request.POST or None, request.FILES or None, initial=_prefilled(request))
    created: list[TrainingSession] = []

    def save(data: dict[str, Any]) -> None:
        created.append(
            services.session_plan(
                by=request.user,
                **form.session_fields(),
                employees=data["employees"],
                departments=list(data["departments"]),
                planned_from=source if (source := request.GET.get("from", "")) in PLANNED_FROM else "",
            )
        )

    status = _take(request, form, save, _("The session is planned and the invitations are on their way."))
    if status is None:
        return redirect(created[0])
    intro = _("Those invited are sent the invitation with a calendar entry, in their language, and answer on their "
              "training page. When the seats are taken, the next to say yes goes on a waiting list.")  # fmt: skip
    return _form_page(request, form, title=_("Plan a training session"), submit=_("Plan and invite"), intro=intro,
                      status=status)  # fmt: skip


@login_required
@require_GET
def detail(request: SignedInRequest, pk: int) -> HttpResponseBase:
    session = permissions.get_session_for(request.user, pk)
    if not permissions.can(request.user, "plan"):
        return redirect(reverse("training:mine") + f"#session-{session.pk}")
    invitations = list(
        Invitation.objects.filter(session=session)
        .select_related("employee__department")
        .order_by("employee__last_name", "employee__first_name", "pk")
    )
    counts = dict.fromkeys(Answer.values, 0)
    for invitation in invitations:
        counts[invitation.answer] += 1
    ratings = [i for i in invitations if i.rating]
    may_effect = permissions.can(request.user, "effect")
    measured = (
        effects.session_effect(
            session,
            today=day_of(timezone.now()),
            with_people=permissions.can(request.user, "person_figures"),
            invitations=invitations,
        )
        if may_effect and not session.is_cancelled
        else None
    )
    people = {row.invitation_id: row for row in measured.people} if measured else {}
    labels = dict(ResolutionCode.choices)
    context = {
        "session": session,
        "categories": list(session.categories.select_related("parent")),
        "codes": [labels[code] for code in session.resolution_codes if code in labels],
        "articles": list(session.articles.all()),
        "materials": list(session.materials.all()),
        "invitations": [(invitation, people.get(invitation.pk)) for invitation in invitations],
        "counts": counts,
        "came": sum(1 for i in invitations if i.attended),
        "ratings": ratings,
        "rating_average": sum(i.rating or 0 for i in ratings) / len(ratings) if ratings else None,
        "comments": [i.comment for i in ratings if i.comment],
        "effect": measured,
        "person_figures": bool(people),
        "started": session.starts_at <= timezone.now(),
        "may": {action: permissions.can(request.user, action, session) for action in permissions.SESSION_ACTIONS},
    }
    return render(request, "training/detail.html", context)


def _managed(request: SignedInRequest, pk: int, action: str) -> TrainingSession:
    session = permissions.get_session_for(request.user, pk)
    if not permissions.can(request.user, action, session):
        raise PermissionDenied
    return session


@login_required
def edit(request: SignedInRequest, pk: int) -> HttpResponseBase:
    session = _managed(request, pk, "change")
    form = forms.SessionForm.for_session(session, request.POST or None, request.FILES or None)

    def save(_data: dict[str, Any]) -> None:
        services.session_update(session=session, by=request.user, **form.session_fields())

    status = _take(request, form, save, _("The session is changed. Those expected are sent the new time."))
    if status is None:
        return redirect(session)
    intro = _("A new time, place or title is sent to everyone still expected, as an update of the same calendar "
              "entry. More seats go to the waiting list first.")  # fmt: skip
    return _form_page(request, form, title=_("Change the session"), submit=_("Save"), session=session,
                      intro=intro, status=status)  # fmt: skip


@login_required
def invite(request: SignedInRequest, pk: int) -> HttpResponseBase:
    session = _managed(request, pk, "invite")
    form = forms.InviteForm(request.POST or None)
    done: list[services.Invited] = []

    def save(data: dict[str, Any]) -> None:
        done.append(services.session_invite(session=session, by=request.user, employees=data["employees"],
                                            departments=list(data["departments"])))  # fmt: skip

    status = _take(request, form, save, _("The invitations are on their way."))
    if status is None:
        result = done[0]
        if result.already:
            messages.info(request, _("%(count)s of them were invited already.") % {"count": result.already})
        if result.unreachable:
            messages.warning(
                request,
                _("%(count)s have neither a login nor an email address: tell them another way.")
                % {"count": result.unreachable},
            )
        return redirect(session)
    return _form_page(request, form, title=_("Invite more people"), submit=_("Invite"), session=session,
                      status=status)  # fmt: skip


@login_required
def attendance(request: SignedInRequest, pk: int) -> HttpResponseBase:
    session = _managed(request, pk, "attendance")
    invitations = list(Invitation.objects.filter(session=session).select_related("employee"))
    form = forms.AttendanceForm(request.POST or None, invitations=invitations)

    def save(_data: dict[str, Any]) -> None:
        services.attendance_record(session=session, by=request.user, attended=form.attended())

    status = _take(request, form, save, _("Attendance is recorded. Those who came may now rate the session."))
    if status is None:
        return redirect(session)
    intro = _("Tick everyone who came. Everyone else invited is recorded as absent. You can correct it later.")
    return _form_page(request, form, title=_("Who came"), submit=_("Record attendance"), session=session,
                      intro=intro, status=status)  # fmt: skip


@login_required
def cancel(request: SignedInRequest, pk: int) -> HttpResponseBase:
    session = _managed(request, pk, "cancel")
    form = django_forms.Form(request.POST or None)

    def save(_data: dict[str, Any]) -> None:
        services.session_cancel(session=session, by=request.user)

    status = _take(request, form, save, _("The session is called off, and those expected are told."))
    if status is None:
        return redirect(session)
    intro = _("Everyone still expected is told, and the entry leaves their calendars. This cannot be undone.")
    return _form_page(request, form, title=_("Call off the session"), submit=_("Call it off"), session=session,
                      intro=intro, status=status)  # fmt: skip


# --- each person's own sessions ------------------------------------------------------------------


def _own_invitations(request: SignedInRequest) -> list[Invitation]:
    employee = getattr(request.user, "employee", None)
    if employee is None:
        return []
    articles = articles_visible_to(request.user).order_by("title")
    return list(
        Invitation.objects.filter(employee=employee)
        .select_related("session__trainer")
        .prefetch_related(
            Prefetch("session__articles", queryset=articles, to_attr="readable_articles"),
            "session__materials",
        )
        .order_by("-session__starts_at", "-pk")[:200]
    )


@login_required
def mine(request: SignedInRequest, rating: tuple[int, forms.RatingForm] | None = None,
         status: int = 200) -> HttpResponseBase:  # fmt: skip
    if not role_can(request.user, "training.attend"):
        raise Http404
    now = timezone.now()
    invitations = _own_invitations(request)
    upcoming = [i for i in invitations if i.session.ends_at >= now]
    upcoming.reverse()  # soonest first
    past = [i for i in invitations if i.session.ends_at < now]
    rows = []
    for invitation in past:
        form = None
        if invitation.attended and invitation.rated_at is None and not invitation.session.is_cancelled:
            form = rating[1] if rating and rating[0] == invitation.pk else forms.RatingForm(prefix=f"r{invitation.pk}")
        rows.append((invitation, form))
    context = {
        "upcoming": upcoming,
        "past": rows,
        "now": now,
    }
    return render(request, "training/mine.html", context, status=status)


ANSWERED: dict[str, object] = {  # lazy texts, said in the reader's language
    Answer.ACCEPTED: gettext_lazy("You have a seat. See you there."),
    Answer.WAITING: gettext_lazy("The seats are taken: you are on the waiting list, and told if one becomes free."),
    Answer.DECLINED: gettext_lazy("Noted: you are not coming."),
}


@login_required
@require_POST
def answer(request: SignedInRequest, pk: int) -> HttpResponseBase:
    invitation = permissions.own_invitation(request.user, pk)
    choice = request.POST.get("coming")
    if choice not in ("yes", "no"):
        messages.error(request, _("Choose whether you are coming."))
        return redirect(reverse("training:mine") + f"#session-{invitation.session_id}")
    coming = choice == "yes"
    try:
        invitation = services.invitation_answer(invitation=invitation, by=request.user, coming=coming)
    except services.TrainingError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            str(ANSWERED.get(str(invitation.answer), _("Noted."))),
        )
    return redirect(reverse("training:mine") + f"#session-{invitation.session_id}")


@login_required
@require_POST
def rate(request: SignedInRequest, pk: int) -> HttpResponseBase:
    invitation = permissions.own_invitation(request.user, pk)
    form = forms.RatingForm(request.POST, prefix=f"r{invitation.pk}")
    if form.is_valid():
        try:
            services.invitation_rate(
                invitation=invitation, by=request.user, rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )  # fmt: skip
        except services.TrainingError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Thank you for your rating."))
        return redirect(reverse("training:mine") + f"#session-{invitation.session_id}")
    return mine(request, rating=(invitation.pk, form), status=REFUSED)


@login_required
@require_GET
def material(request: SignedInRequest, pk: int) -> HttpResponseBase:
    found: Material = permissions.get_material_for(request.user, pk)
    return download_response(found)
