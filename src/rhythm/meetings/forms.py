import zoneinfo

from django import forms

from rhythm.catalog.models import Offering
from rhythm.meetings import rules


def _zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label="Date and time",
        help_text="On the wall clock of the time zone below.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": "Give the date and time of the call."},
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=[("", "My own"), *_zone_choices()],
        required=False,
        help_text="The call's zone: the invitation says its time in it.",
    )


class BookForm(ScheduleForm):
    """A customer call for a CTA or a complex engagement."""

    duration_minutes = forms.IntegerField(
        label="Duration (minutes)",
        initial=rules.DEFAULT_DURATION,
        min_value=15,
        max_value=rules.MAX_DURATION,
    )
    contacts: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label="Customer contacts",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    invite_ae = forms.BooleanField(
        label="Invite the AE as an optional attendee", required=False, initial=True
    )
    video_url = forms.URLField(label="Video link", required=False, assume_scheme="https")
    notes_url = forms.URLField(label="Notes document", required=False, assume_scheme="https")
    deck_url = forms.URLField(label="Slide deck", required=False, assume_scheme="https")
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    # The topic rules (DESIGN rule 9): a call about another offering, or a new topic,
    # on an engagement that has had its first call, needs a new request.
    offering = forms.ModelChoiceField(
        Offering.objects.active(),
        label="Catalog offering",
        required=False,
        help_text="Leave it for the engagement's own; another offering needs a new request.",
    )
    new_topic = forms.BooleanField(
        label="A topic this engagement is not about",
        required=False,
        help_text="A new topic needs a new request; the page offers one, filled in.",
    )

    def __init__(self, *args, account, ae=None, **kwargs):
        super().__init__(*args, **kwargs)
        contacts = self.fields["contacts"]
        assert isinstance(contacts, forms.ModelMultipleChoiceField)
        contacts.queryset = account.contacts.order_by("name", "pk")
        if ae is None:
            del self.fields["invite_ae"]
        else:
            self.fields["invite_ae"].label = f"Invite {ae} (the AE) as an optional attendee"


class HeldForm(forms.Form):
    summary = forms.CharField(
        label="Summary",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What was discussed: it goes on the account's timeline.",
    )
    outcome = forms.CharField(
        label="Outcome",
        max_length=300,
        required=False,
        help_text="What came of it, in a line.",
    )
    notes = forms.CharField(
        label="Notes from the call", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
