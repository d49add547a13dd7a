"""The forms of training: planning and changing a session, inviting, attendance and the rating."""

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assets.forms import employee_from_reference
from assets.models import Department, Employee
from knowledge.models import Article, ArticleStatus
from tickets import selectors as ticket_selectors
from tickets.forms import MultipleFileField
from tickets.models import Category, ResolutionCode
from training.models import Invitation, TrainingSession

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
MAX_PEOPLE = 2000  # one invitation round


class PeopleField(forms.CharField):
    """Employees typed one per line (employee number or work email); each unknown line is named."""

    widget = forms.Textarea(attrs={"rows": 4})

    def clean(self, value: Any) -> list[Employee]:
        text = super().clean(value) or ""
        lines = [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]
        if len(lines) > MAX_PEOPLE:
            raise forms.ValidationError(_("At most %(count)s people at a time."), params={"count": MAX_PEOPLE})
        people, unknown = [], []
        for line in lines:
            try:
                people.append(employee_from_reference(line, active_only=True))
            except forms.ValidationError:
                unknown.append(line)
        if unknown:
            raise forms.ValidationError(
                _("No active employee has the number or email: %(lines)s"), params={"lines": ", ".join(unknown[:10])}
            )
        return people


class InviteForm(forms.Form):
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Everyone in them who still works there on the session's day."),
    )
    employees = PeopleField(
        label=_("People"),
        required=False,
        help_text=_("One employee number or work email per line."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        departments = self.fields["departments"]
        departments.label_from_instance = lambda d: d.translated_name  # type: ignore[attr-defined]


class SessionForm(InviteForm):
    # Two rows: a long title is read whole on a phone, not scrolled in a one-line box.
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))
    description = forms.CharField(label=_("What it covers"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories it addresses"),
        queryset=Category.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Tickets of these categories, or resolved with the codes below, are its topic: the effect is "
                    "measured on them."),
    )  # fmt: skip
    resolution_codes = forms.MultipleChoiceField(
        label=_("Resolution codes it addresses"),
        choices=ResolutionCode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    trainer = forms.ModelChoiceField(label=_("Trainer"), queryset=ticket_selectors.technicians_for_assignment())
    day = forms.DateField(label=_("Day"), widget=DATE)
    starts = forms.TimeField(label=_("From"), widget=TIME)
    ends = forms.TimeField(label=_("Until"), widget=TIME)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_link = forms.URLField(label=_("Online link"), max_length=200, required=False, assume_scheme="https")
    capacity = forms.IntegerField(label=_("Seats"), min_value=1, max_value=10000)
    articles = forms.ModelMultipleChoiceField(
        label=_("Help articles to read"),
        queryset=Article.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Published articles; those invited see the ones written for them."),
    )
    handouts = MultipleFileField(label=_("Files to hand out"))

    field_order = ["title", "description", "categories", "resolution_codes", "trainer", "day", "starts", "ends",
                   "place", "online_link", "capacity", "articles", "handouts", "departments", "employees"]  # fmt: skip

    def __init__(self, *args: Any, inviting: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = self.fields["categories"]
        categories.queryset = Category.objects.filter(is_active=True).select_related("parent")  # type: ignore[attr-defined]
        trainer = self.fields["trainer"]
        trainer.label_from_instance = lambda user: user.get_full_name() or user.email  # type: ignore[attr-defined]
        articles = self.fields["articles"]
        articles.queryset = Article.objects.filter(status=ArticleStatus.PUBLISHED).order_by("title")  # type: ignore[attr-defined]
        articles.label_from_instance = lambda a: f"{a.reference} {a.title}"  # type: ignore[attr-defined]
        if not inviting:  # a session's own page invites more; its form changes the session alone
            del self.fields["departments"]
            del self.fields["employees"]

    @classmethod
    def for_session(cls, session: TrainingSession, *args: Any, **kwargs: Any) -> "SessionForm":
        start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        kwargs["initial"] = {
            "title": session.title,
            "description": session.description,
            "categories": list(session.categories.all()),
            "resolution_codes": session.resolution_codes,
            "trainer": session.trainer_id,
            "day": start.date(),
            "starts": start.time(),
            "ends": end.time(),
            "place": session.place,
            "online_link": session.online_link,
            "capacity": session.capacity,
            "articles": list(session.articles.all()),
        }
        return cls(*args, inviting=False, **kwargs)

    def session_fields(self) -> dict[str, Any]:
        """The session as the services take it (training.services.session_plan and session_update)."""
        data = self.cleaned_data
        return {
            **{name: data[name] for name in ("title", "description", "trainer", "starts_at", "ends_at", "place",
                                             "online_link", "capacity", "resolution_codes")},
            "categories": list(data["categories"]),
            "articles": list(data["articles"]),
            "files": data["handouts"],
        }  # fmt: skip

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("day") and data.get("starts") and data.get("ends"):
            data["starts_at"] = timezone.make_aware(datetime.combine(data["day"], data["starts"]))
            data["ends_at"] = timezone.make_aware(datetime.combine(data["day"], data["ends"]))
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("ends", _("The session must end after it starts."))
        if "place" in data and "online_link" in data and not data["place"].strip() and not data["online_link"]:
            self.add_error("place", _("Give a place, an online link, or both."))
        return data


class AttendanceForm(forms.Form):
    came = forms.MultipleChoiceField(label=_("Who came"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, invitations: list[Invitation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        came = self.fields["came"]
        came.choices = [(str(i.pk), f"{i.employee.full_name} ({i.get_answer_display()})") for i in invitations]  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial["came"] = [str(i.pk) for i in invitations if i.attended]

    def attended(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data["came"]]


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How useful was it?"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        widget=forms.RadioSelect,
        help_text=_("1 not at all, 5 very."),
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
