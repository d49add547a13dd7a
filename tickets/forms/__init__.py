"""Validation and normalisation for the ticket pages. No side effects: views hand clean data to services.

One module per job; every form and helper the views and tests use is named here.
"""

from tickets.forms.actions import (
    AssignForm,
    CancelForm,
    CommentForm,
    LinkTicketForm,
    LogTimeForm,
    OptionalNoteForm,
    RequiredNoteForm,
    ResolveForm,
    TierMoveForm,
    VersionForm,
)
from tickets.forms.fields import (
    ALLOWED_TYPES,
    MAX_FILES,
    ListedModelChoiceIterator,
    MultipleFileField,
    MultipleFileInput,
    SubmissionKeyField,
    attachments_field,
    categories_offered,
    category_field,
    choices_in_one_query,
    device_by_tag,
    max_attachment_bytes,
    validate_upload,
)
from tickets.forms.projects import AutoAssignForm, ProjectForm, ProjectTicketsForm
from tickets.forms.staff_list import (
    FILTER_FIELDS,
    SORT_CHOICES,
    BulkActionForm,
    QueueFilterForm,
    SavedFilterForm,
    TicketFilterForm,
)
from tickets.forms.submit import LogCallForm, TicketSubmitForm
from tickets.forms.triage import (
    SuggestionPreviewForm,
    TriageChoices,
    TriageForm,
    TriageRowForm,
    technician_label,
    triage_row_choices,
)

__all__ = [
    "ALLOWED_TYPES",
    "FILTER_FIELDS",
    "MAX_FILES",
    "SORT_CHOICES",
    "AssignForm",
    "AutoAssignForm",
    "BulkActionForm",
    "CancelForm",
    "CommentForm",
    "LinkTicketForm",
    "ListedModelChoiceIterator",
    "LogCallForm",
    "LogTimeForm",
    "MultipleFileField",
    "MultipleFileInput",
    "OptionalNoteForm",
    "ProjectForm",
    "ProjectTicketsForm",
    "QueueFilterForm",
    "RequiredNoteForm",
    "ResolveForm",
    "SavedFilterForm",
    "SubmissionKeyField",
    "SuggestionPreviewForm",
    "TicketFilterForm",
    "TicketSubmitForm",
    "TierMoveForm",
    "TriageChoices",
    "TriageForm",
    "TriageRowForm",
    "VersionForm",
    "attachments_field",
    "categories_offered",
    "category_field",
    "choices_in_one_query",
    "device_by_tag",
    "max_attachment_bytes",
    "technician_label",
    "triage_row_choices",
    "validate_upload",
]
