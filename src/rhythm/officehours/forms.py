from django import forms

from rhythm.core import display
from rhythm.officehours.models import OfficeHourSession


class SessionChoiceField(forms.ModelChoiceField):
    """A session named with its next time in the viewer's zone, the host's beside it."""

    def label_from_instance(self, obj: OfficeHourSession) -> str:
        mine, theirs = display.weekly_slot(obj.weekday, obj.start_time, obj.cse.time_zone)
        host = f" ({theirs} for {obj.cse})" if theirs else f" ({obj.cse})"
        return f"{obj.title} — {mine}{host}"


class SessionForm(forms.ModelForm):
    class Meta:
        model = OfficeHourSession
        fields = ["title", "weekday", "start_time", "duration_minutes", "recurring"]
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}),
            # The model's range, so the browser's spinner agrees with the server.
            "duration_minutes": forms.NumberInput(attrs={"min": 15, "max": 240}),
        }


class QuestionForm(forms.Form):
    session = SessionChoiceField(OfficeHourSession.objects.active().select_related("cse"))
    account = forms.IntegerField(widget=forms.Select, help_text="The customer it concerns.")
    topic = forms.CharField(max_length=190)
    context = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].widget.choices = [("", "—"), *[(a.pk, a.name) for a in accounts]]


class AnswerForm(forms.Form):
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))


class SpotForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label="Date and time of the call",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="In your time zone. Leave empty while the CSM books it through your link: "
        "the meeting page sets it later.",
    )
