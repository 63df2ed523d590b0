from django import forms
from django.contrib.auth import get_user_model

from rhythm.content.choices import ContentStatus
from rhythm.content.models import ContentItem
from rhythm.webinars.choices import AccessDays, Kind, Region
from rhythm.webinars.models import LabTemplate


class WebinarForm(forms.Form):
    """The program manager's draft. What an event needs is the service's rule
    (services.planning._clean_event), which names the field; the form only parses."""

    title = forms.CharField(max_length=200, required=False)
    kind = forms.ChoiceField(choices=Kind.choices, widget=forms.RadioSelect, initial=Kind.WEBINAR)
    lab_template = forms.ModelChoiceField(
        LabTemplate.objects.all(), required=False, help_text="Labs: the lab delivered."
    )
    abstract = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    region = forms.ChoiceField(choices=[("", "Choose…"), *Region.choices], required=False)
    starts_at = forms.DateTimeField(
        label="Starts at",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="In the event's time zone.",
    )
    time_zone = forms.CharField(max_length=64, initial="UTC", help_text="Such as Europe/Berlin.")
    duration_minutes = forms.IntegerField(initial=60, min_value=1, label="Duration (minutes)")
    capacity = forms.IntegerField(required=False, min_value=1, help_text="Empty: no limit.")
    content_project_url = forms.URLField(
        required=False, label="Content project", help_text="Labs: the template's when empty."
    )
    content_items = forms.ModelMultipleChoiceField(
        ContentItem.objects.exclude(status=ContentStatus.RETIRED).order_by("title"),
        required=False,
        label="Content used",
        help_text="Recordings, decks and exercise projects: their open bugs show here.",
    )
    access_days = forms.TypedChoiceField(
        choices=[("", "The template's"), *AccessDays.choices],
        coerce=int,
        empty_value=None,
        required=False,
        label="Access window",
    )

    def clean_starts_at(self):
        # Read as typed, in the event's zone (the service attaches it).
        value = self.cleaned_data.get("starts_at")
        return value.replace(tzinfo=None) if value else value


def cses():
    """Who may host or help: active members whose role signs up for events."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__permissions__codename="add_signup")
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class MemberChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class WebinarEditForm(WebinarForm):
    """A planned event changed by the program manager: its fields, and who runs it.
    The sign-up's rules (conflicts, holidays, a published event keeps a DRI) are the
    service's."""

    host = MemberChoice(
        cses(),
        required=False,
        label="DRI (host)",
        empty_label="No DRI yet",
        help_text="Usually the CSE who signs up; refused with the reason when they cannot make it.",
    )
    helpers = MemberChoices(
        cses(),
        required=False,
        label="Q&A helpers",
        widget=forms.CheckboxSelectMultiple,
    )

    @classmethod
    def for_event(cls, webinar, data=None) -> "WebinarEditForm":
        local = webinar.local_start.replace(tzinfo=None)
        initial = {
            **{name: getattr(webinar, name) for name in cls.base_fields if hasattr(webinar, name)},
            "starts_at": local,
            "lab_template": webinar.lab_template_id,
            "host": webinar.host_id,
            "helpers": [m.pk for m in webinar.helpers.all()],
            "content_items": [item.pk for item in webinar.content_items.all()],
        }
        return cls(data, initial=initial)


class LabTemplateForm(forms.Form):
    """A lab template's fields; what it needs is the service's rule."""

    name = forms.CharField(max_length=120, required=False, help_text="As the lab is announced.")
    master_deck_url = forms.CharField(
        required=False, label="Master deck", help_text="Copied for each delivery (run of show)."
    )
    content_project_url = forms.CharField(
        required=False, label="Content project", help_text="The exercises' project."
    )
    access_days = forms.TypedChoiceField(
        choices=AccessDays.choices,
        coerce=int,
        initial=AccessDays.TWO,
        widget=forms.RadioSelect,
        label="Access window",
        help_text="How long an attendee's lab environment lasts after they redeem the code.",
    )
    exercises = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="One exercise a line, as the attendees work through them.",
    )
    instructions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What an attendee reads once they redeem the code.",
    )


class RegistrationForm(forms.Form):
    name = forms.CharField(max_length=120, required=False)
    email = forms.CharField(max_length=254, required=False, widget=forms.EmailInput)
    company = forms.CharField(max_length=120, required=False)
    consent = forms.BooleanField(
        required=False, label="Email me about this event (confirmation, reminders, recording)"
    )


class RedeemForm(forms.Form):
    email = forms.CharField(
        max_length=254, required=False, widget=forms.EmailInput, label="Your registration email"
    )
    code = forms.CharField(max_length=64, required=False, label="Invitation code")


class EnvironmentRequestForm(forms.Form):
    late_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Why it is late",
        help_text="Needed when filed under 7 days before delivery.",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CodesForm(forms.Form):
    production_code = forms.CharField(max_length=64, required=False)
    testing_code = forms.CharField(max_length=64, required=False)


class PostEventForm(forms.Form):
    recording_url = forms.URLField(required=False, label="Recording link")
    deck_url = forms.URLField(required=False, label="Deck link")


class AttendanceImportForm(forms.Form):
    file = forms.FileField(
        label="Attendee list (CSV)", help_text="The meeting tool's export: every email in it."
    )
