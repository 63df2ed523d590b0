from django import forms

from rhythm.escalations import rules
from rhythm.escalations.choices import EscalationKind, EscalationRisk


class RaiseForm(forms.Form):
    """What an escalation says. Which fields a kind needs is the service's rule
    (rules.details_problems): every field is optional to the form."""

    kind = forms.ChoiceField(choices=EscalationKind.choices, widget=forms.RadioSelect)
    ticket_reference = forms.CharField(
        label="Support ticket",
        required=False,
        max_length=rules.TICKET_REFERENCE_MAX_LENGTH,
        help_text="Its reference, e.g. #482913. Required for a support escalation.",
    )
    ticket_url = forms.CharField(
        label="Ticket URL",
        required=False,
        max_length=rules.URL_MAX_LENGTH,
        help_text="Required for a support escalation; optional for an account escalation.",
    )
    bug_url = forms.CharField(
        label="Product bug",
        required=False,
        max_length=rules.URL_MAX_LENGTH,
        help_text="The issue's URL, if it is about a bug.",
    )
    feature_request_url = forms.CharField(
        label="Feature request",
        required=False,
        max_length=rules.URL_MAX_LENGTH,
        help_text="The issue's URL, if it is about a feature request.",
    )
    risk = forms.ChoiceField(
        label="Risk",
        required=False,
        choices=[("", "Choose…"), *EscalationRisk.choices],
        help_text="What it puts at risk. Required for an account escalation.",
    )
    impact = forms.CharField(
        label="Impact",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=rules.IMPACT_MAX_LENGTH,
        help_text="The business impact on the customer, as they described it.",
    )

    def service_data(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}


class MoveForm(forms.Form):
    to = forms.CharField(widget=forms.HiddenInput)
    expected_state = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=rules.REASON_MAX_LENGTH,
    )
    justification = forms.CharField(
        label="Why approve it against the verdict",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=rules.REASON_MAX_LENGTH,
        help_text="Needed when the verdict says it does not qualify.",
    )
