from django import forms


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label="Date and time",
        help_text="In your time zone.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": "Give the date and time of the call."},
    )
