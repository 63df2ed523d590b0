from django import forms

from rhythm.campaigns import rules
from rhythm.campaigns.choices import CampaignSchedule
from rhythm.customers.choices import ContactRole
from rhythm.customers.models import Segment


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    segments = forms.ModelMultipleChoiceField(
        Segment.objects.active(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every segment.",
    )  # fmt: skip
    regions = forms.CharField(
        required=False,
        help_text="Comma-separated region codes (EMEA, AMER, APAC…); empty: every region.",
    )
    arr_min = forms.DecimalField(label="ARR from", required=False, min_value=0)
    arr_max = forms.DecimalField(label="ARR up to", required=False, min_value=0)
    conditions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "font-monospace"}),
        help_text="One a line, all must hold: “license_utilisation < 50 for 90 days”, "
        "“days_since_start = 21”, “ci_pipelines_30d = 0”. A line “or” starts an alternative.",
    )
    contact_roles = forms.MultipleChoiceField(
        choices=[(value, label) for value, label in ContactRole.choices if value],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The contacts' roles to write to; none ticked: every contact.",
    )
    subject = forms.CharField(max_length=rules.SUBJECT_LIMIT)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Placeholders: "
        + ", ".join(f"{{{{ {p} }}}}" for p in rules.PLACEHOLDERS)
        + ", {{ metric.NAME }}.",
    )
    schedule = forms.ChoiceField(choices=CampaignSchedule.choices)
    send_time = forms.TimeField(initial="09:00", widget=forms.TimeInput(attrs={"type": "time"}))
    send_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="For a campaign sent once.",
    )
    frequency_cap_days = forms.IntegerField(
        initial=rules.FREQUENCY_CAP_DAYS, min_value=0, max_value=365,
        help_text="At most one campaign email per contact in this many days, across campaigns.",
    )  # fmt: skip

    def clean_conditions(self):
        data, problems = rules.conditions_from_text(self.cleaned_data["conditions"])
        if problems:
            raise forms.ValidationError(problems["conditions"])
        return data

    def definition(self) -> dict:
        data = dict(self.cleaned_data)
        data["segments"] = [s.pk for s in data["segments"]]
        data["regions"] = [r.strip() for r in data["regions"].split(",") if r.strip()]
        return data

    @classmethod
    def initial_of(cls, campaign) -> dict:
        return {
            "name": campaign.name,
            "description": campaign.description,
            "segments": list(campaign.segments.all()),
            "regions": ", ".join(campaign.regions),
            "arr_min": campaign.arr_min,
            "arr_max": campaign.arr_max,
            "conditions": rules.conditions_to_text(campaign.conditions),
            "contact_roles": list(campaign.contact_roles),
            "subject": campaign.subject,
            "body": campaign.body,
            "schedule": campaign.schedule,
            "send_time": campaign.send_time,
            "send_on": campaign.send_on,
            "frequency_cap_days": campaign.frequency_cap_days,
        }
