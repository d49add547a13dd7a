"""Every write of the training sessions: planning, inviting, answers and the waiting list, changes,
cancellation, attendance, ratings and the reminders of the day before. Each checks its actor through
training.permissions and tells people through the outbox, in the same transaction.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import can as role_can
from assets.models import Department, Employee
from core.days import day_of, desk_zone
from knowledge.models import Article
from notifications.models import Notification
from notifications.services import notifications_for, notifications_save
from tickets.attachments import attachment_file_save
from tickets.models import Category, ResolutionCode
from training import notices, permissions
from training.models import Answer, Invitation, Material, SessionStatus, TrainingSession

# A change to any of these moves the session in people's calendars: it is sent again with a higher SEQUENCE.
CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "place", "online_link")
SESSION_FIELDS = ("title", "description", "trainer", "starts_at", "ends_at", "place", "online_link", "capacity")
# The invitations that hold or want a seat, and are told of changes and reminded.
EXPECTED = (Answer.INVITED, Answer.ACCEPTED, Answer.WAITING)
# Reminders go out from this time of the day before a session (the desk's time zone).
REMIND_FROM = time(8)


class TrainingError(Exception):
    """A rule of training was broken; the message is for the person who tried, `field` what it is about."""

    def __init__(self, message: object, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def _refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise TrainingError(_("You may not do this with this session."))


def _check(
    *, trainer: User, starts_at: datetime, ends_at: datetime, place: str, online_link: str, now: datetime
) -> None:
    if not role_can(trainer, "training.plan"):
        raise TrainingError(_("Choose a trainer from the help desk."), "trainer")
    if ends_at <= starts_at:
        raise TrainingError(_("The session must end after it starts."), "ends")
    if starts_at < now:
        raise TrainingError(_("This time has passed: choose one to come."), "day")
    if not place.strip() and not online_link.strip():
        raise TrainingError(_("Give a place, an online link, or both."), "place")


def _codes(codes: Iterable[str]) -> list[str]:
    known = set(ResolutionCode.values)
    return sorted({code for code in codes if code in known})


@transaction.atomic
def session_plan(
    *,
    by: User,
    title: str,
    trainer: User,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    description: str = "",
    place: str = "",
    online_link: str = "",
    categories: Sequence[Category] = (),
    resolution_codes: Sequence[str] = (),
    articles: Sequence[Article] = (),
    files: Sequence = (),
    employees: Sequence[Employee] = (),
    departments: Sequence[Department] = (),
    planned_from: str = "",
    now: datetime | None = None,
) -> TrainingSession:
    """Plan a session and invite the people and departments chosen (each person is sent the invitation)."""
    now = now or timezone.now()
    _refuse_unless(permissions.can(by, "plan"))
    _check(trainer=trainer, starts_at=starts_at, ends_at=ends_at, place=place, online_link=online_link, now=now)
    session = TrainingSession.objects.create(
        title=title.strip(),
        description=description.strip(),
        trainer=trainer,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        online_link=online_link.strip(),
        capacity=capacity,
        resolution_codes=_codes(resolution_codes),
        planned_by=by,
        planned_from=planned_from[:200],
    )
    session.categories.set(categories)
    session.articles.set(articles)
    _add_files(session, files)
    session_invite(session=session, by=by, employees=employees, departments=departments, now=now)
    return session


def _add_files(session: TrainingSession, files: Sequence) -> None:
    for upload in files:
        material = Material(session=session, original_name=upload.name[:200], size=upload.size)
        attachment_file_save(material, upload)
        material.save()


@dataclass(frozen=True)
class Invited:
    added: int  # new invitations
    already: int  # chosen but invited before
    unreachable: int  # invited, but with neither a login nor an address: to be told another way


@transaction.atomic
def session_invite(
    *,
    session: TrainingSession,
    by: User,
    employees: Sequence[Employee] = (),
    departments: Sequence[Department] = (),
    now: datetime | None = None,
) -> Invited:
    """Invite people, and everyone in the departments who still works there on the session's day."""
    now = now or timezone.now()
    _refuse_unless(permissions.can(by, "invite", session))
    if session.starts_at <= now:
        raise TrainingError(_("This session has begun: no one more can be invited."))
    day = day_of(session.starts_at)
    chosen = {employee.pk for employee in employees}
    if departments:
        present = Employee.objects.filter(department__in=departments, is_active=True).filter(
            Q(left_on__isnull=True) | Q(left_on__gte=day)
        )
        chosen.update(present.values_list("pk", flat=True))
    before = set(Invitation.objects.filter(session=session, employee__in=chosen).values_list("employee", flat=True))
    new = sorted(chosen - before)
    Invitation.objects.bulk_create([Invitation(session=session, employee_id=pk) for pk in new])
    invitations = list(Invitation.objects.filter(session=session, employee__in=new).select_related("employee__user"))
    rows = _messages(session, invitations, notices.INVITED, now)
    notifications_save(rows)
    told = {row_key for row in rows if (row_key := row.context.get("invitation"))}
    return Invited(added=len(new), already=len(before), unreachable=len(new) - len(told))


def _messages(
    session: TrainingSession, invitations: Iterable[Invitation], kind: str, now: datetime, *, cancelled: bool = False
) -> list[Notification]:
    """The outbox rows telling each invited person, as they chose on their profile (notifications_for)."""
    rows: list[Notification] = []
    for invitation in invitations:
        employee = invitation.employee
        # A login no longer active: the person is still invited, at their work address.
        user = employee.user if employee.user is not None and employee.user.is_active else None
        address = (user.email if user else employee.email).strip()
        path = reverse("training:mine") if user is not None else ""
        context = {
            **notices.snapshot(session, attendee=address, path=path, cancelled=cancelled),
            "invitation": invitation.pk,
        }
        rows += notifications_for(user=user, address=address, kind=kind, context=context, at=now)
    return rows


def _locked(session: TrainingSession) -> TrainingSession:
    return TrainingSession.objects.select_for_update().select_related("trainer").get(pk=session.pk)


def _promote(session: TrainingSession, now: datetime) -> list[Invitation]:
    """Fill the free seats from the waiting list, first come first served; each is told. Session locked."""
    taken = Invitation.objects.filter(session=session, answer=Answer.ACCEPTED).count()
    free = max(session.capacity - taken, 0)
    if not free:
        return []
    waiting = list(
        Invitation.objects.filter(session=session, answer=Answer.WAITING)
        .select_related("employee__user")
        .order_by("answered_at", "pk")[:free]
    )
    Invitation.objects.filter(pk__in=[i.pk for i in waiting]).update(answer=Answer.ACCEPTED)
    notifications_save(_messages(session, waiting, notices.SEAT, now))
    return waiting


@transaction.atomic
def invitation_answer(*, invitation: Invitation, by: User, coming: bool, now: datetime | None = None) -> Invitation:
    """The invited person says whether they come. A yes takes a seat while there is one, or a place on the
    waiting list; a no frees a seat for the first on the list."""
    now = now or timezone.now()
    if invitation.employee.user_id != by.pk:
        raise TrainingError(_("Only the person invited can answer."))
    session = _locked(invitation.session)
    if session.is_cancelled:
        raise TrainingError(_("This session is called off."))
    if session.starts_at <= now:
        raise TrainingError(_("This session has begun: answers are closed."))
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if coming:
        if invitation.answer in (Answer.ACCEPTED, Answer.WAITING):
            return invitation
        taken = Invitation.objects.filter(session=session, answer=Answer.ACCEPTED).count()
        invitation.answer = Answer.ACCEPTED if taken < session.capacity else Answer.WAITING
    else:
        if invitation.answer == Answer.DECLINED:
            return invitation
        invitation.answer = Answer.DECLINED
    invitation.answered_at = now
    invitation.save(update_fields=["answer", "answered_at"])
    if not coming:
        _promote(session, now)
    return invitation


@transaction.atomic
def session_update(
    *, session: TrainingSession, by: User, now: datetime | None = None, **fields: object
) -> TrainingSession:
    """Change a session. A new time, place or title is sent to everyone still expected, as the same calendar
    entry; more seats are filled from the waiting list."""
    now = now or timezone.now()
    _refuse_unless(permissions.can(by, "change", session))
    session = _locked(session)
    if session.starts_at <= now:
        raise TrainingError(_("This session has begun: it can no longer be changed."))
    unknown = set(fields) - {*SESSION_FIELDS, "categories", "resolution_codes", "articles", "files"}
    if unknown:
        raise ValueError(f"Not a session field: {sorted(unknown)}")
    categories, codes = fields.pop("categories", None), fields.pop("resolution_codes", None)
    articles, files = fields.pop("articles", None), fields.pop("files", None)
    values = {name: fields.get(name, getattr(session, name)) for name in SESSION_FIELDS}
    moved = any(values[name] != getattr(session, name) for name in CALENDAR_FIELDS) or (
        values["trainer"] != session.trainer
    )
    if moved:
        _check(
            trainer=values["trainer"],  # type: ignore[arg-type]
            starts_at=values["starts_at"],  # type: ignore[arg-type]
            ends_at=values["ends_at"],  # type: ignore[arg-type]
            place=str(values["place"]),
            online_link=str(values["online_link"]),
            now=now,
        )
    accepted = Invitation.objects.filter(session=session, answer=Answer.ACCEPTED).count()
    if int(values["capacity"]) < accepted:  # type: ignore[call-overload]
        raise TrainingError(
            _("%(count)s people already have a seat: the session needs at least as many.") % {"count": accepted},
            "capacity",
        )
    for name, value in values.items():
        setattr(session, name, value)
    if moved:
        session.sequence += 1
    session.save()
    if categories is not None:
        session.categories.set(categories)  # type: ignore[arg-type]
    if codes is not None:
        session.resolution_codes = _codes(codes)  # type: ignore[arg-type]
        session.save(update_fields=["resolution_codes"])
    if articles is not None:
        session.articles.set(articles)  # type: ignore[arg-type]
    _add_files(session, files or ())  # type: ignore[arg-type]
    if moved:
        expected = Invitation.objects.filter(session=session, answer__in=EXPECTED).select_related("employee__user")
        notifications_save(_messages(session, expected, notices.CHANGED, now))
    _promote(session, now)
    return session


@transaction.atomic
def session_cancel(*, session: TrainingSession, by: User, now: datetime | None = None) -> TrainingSession:
    """Call a session off; everyone still expected gets the cancellation for their calendar."""
    now = now or timezone.now()
    _refuse_unless(permissions.can(by, "cancel", session))
    session = _locked(session)
    if session.starts_at <= now:
        raise TrainingError(_("This session has begun: it can no longer be called off."))
    session.status = SessionStatus.CANCELLED
    session.sequence += 1
    session.save(update_fields=["status", "sequence"])
    expected = Invitation.objects.filter(session=session, answer__in=EXPECTED).select_related("employee__user")
    notifications_save(_messages(session, expected, notices.CANCELLED, now, cancelled=True))
    return session


@transaction.atomic
def attendance_record(
    *, session: TrainingSession, by: User, attended: Iterable[int], now: datetime | None = None
) -> int:
    """Who came (invitation ids); everyone else invited did not. Once the session has begun; may be
    corrected later. Returns how many came."""
    now = now or timezone.now()
    _refuse_unless(permissions.can(by, "attendance", session))
    session = _locked(session)
    if session.is_cancelled:
        raise TrainingError(_("This session is called off."))
    if session.starts_at > now:
        raise TrainingError(_("Attendance is recorded once the session has begun."))
    came = set(attended)
    invitations = Invitation.objects.filter(session=session)
    unknown = came - set(invitations.values_list("pk", flat=True))
    if unknown:
        raise TrainingError(_("Only people invited can be recorded as present."))
    # Someone who did not come has nothing to rate: a rating stays only with a presence (the constraint).
    invitations.exclude(pk__in=came).update(attended=False, rating=None, comment="", rated_at=None)
    invitations.filter(pk__in=came).update(attended=True)
    session.attendance_recorded_at = now
    session.save(update_fields=["attendance_recorded_at"])
    return len(came)


@transaction.atomic
def invitation_rate(
    *, invitation: Invitation, by: User, rating: int, comment: str = "", now: datetime | None = None
) -> Invitation:
    """An attendee rates the session they came to: 1 to 5 and a comment, once."""
    now = now or timezone.now()
    if invitation.employee.user_id != by.pk:
        raise TrainingError(_("Only the person who came can rate the session."))
    if not 1 <= rating <= 5:
        raise TrainingError(_("Choose from 1 to 5."), "rating")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.attended:
        raise TrainingError(_("Only those recorded as present can rate the session."))
    if invitation.rated_at is not None:
        raise TrainingError(_("You have rated this session already."))
    try:
        updated = Invitation.objects.filter(pk=invitation.pk, rated_at__isnull=True, attended=True).update(
            rating=rating, comment=comment.strip()[:2000], rated_at=now
        )
    except IntegrityError:
        raise TrainingError(_("Only those recorded as present can rate the session.")) from None
    if not updated:
        raise TrainingError(_("You have rated this session already."))
    invitation.refresh_from_db()
    return invitation


def reminders_send(*, now: datetime | None = None) -> int:
    """Celery beat: on the day before a session (from REMIND_FROM, the desk's days and time), one reminder to
    each person coming or who has not answered, invited before that day. Safe to run twice at once (the
    invitations are claimed). Returns how many people were reminded."""
    now = now or timezone.now()
    zone = desk_zone()
    if now.astimezone(zone).time() < REMIND_FROM:
        return 0  # nobody is mailed a reminder in the night
    today = day_of(now, zone)
    start_of_today = datetime.combine(today, time.min, tzinfo=zone)
    end_of_tomorrow = start_of_today + timedelta(days=2)
    with transaction.atomic():
        due = list(
            Invitation.objects.filter(
                reminded_at__isnull=True,
                answer__in=(Answer.INVITED, Answer.ACCEPTED),
                invited_at__lt=start_of_today,
                session__status=SessionStatus.PLANNED,
                session__starts_at__gte=start_of_today + timedelta(days=1),
                session__starts_at__lt=end_of_tomorrow,
            )
            .select_related("employee__user", "session__trainer")
            .select_for_update(skip_locked=True, of=("self",))
        )
        if not due:
            return 0
        Invitation.objects.filter(pk__in=[i.pk for i in due]).update(reminded_at=now)
        by_session: dict[int, list[Invitation]] = {}
        for invitation in due:
            by_session.setdefault(invitation.session_id, []).append(invitation)
        rows = []
        for invitations in by_session.values():
            rows += _messages(invitations[0].session, invitations, notices.REMINDER, now)
        notifications_save(rows)
    return len(due)
