from django import forms

from rhythm.catalog.models import Offering
from rhythm.customers.models import Contact
from rhythm.followups import rules


class ComposeForm(forms.Form):
    """The handbook's four parts of a follow-up; the service refuses an empty one."""

    summary = forms.CharField(
        label="Summary of key points", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    action_items = forms.CharField(
        label="Action items and next steps",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    resources = forms.CharField(
        label="Resources and documentation",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    invitation = forms.CharField(
        label="An invitation to ask more", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def parts(self) -> dict[str, str]:
        # Read raw: the service names an empty part (rules.part_problems), in the
        # page's words, the API's and the CLI's alike.
        return {name: self.data.get(name, "") for name in rules.PART_NAMES}


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label="Your answer", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class AskForm(forms.Form):
    """A customer's further question, as whoever heard it enters it."""

    question = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    contact: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=Contact.objects.none(),
        required=False,
        help_text="Who asked, if one of the call's contacts.",
    )
    offering = forms.ModelChoiceField(
        Offering.objects.active(),
        label="Catalog offering",
        required=False,
        help_text="Leave it for the engagement's own; another offering needs a new request.",
    )
    new_topic = forms.BooleanField(
        label="A topic the engagement is not about",
        required=False,
        help_text="A new topic needs a new request; the page offers one, filled in.",
    )

    def __init__(self, *args, meeting, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = meeting.contacts.order_by("name")  # type: ignore[attr-defined]  # a ModelChoiceField


class PauseForm(forms.Form):
    reason = forms.CharField(
        label="Waiting on the customer for",
        max_length=rules.PAUSE_REASON_LIMIT,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Their pipeline logs"}),
    )
