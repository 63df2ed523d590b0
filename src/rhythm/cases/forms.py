from django import forms

from rhythm.cases.choices import CaseKind, Priority
from rhythm.cases.rules import CHALLENGES_MAX_LENGTH, DUPLICATE_REASON_MAX_LENGTH
from rhythm.catalog.models import Offering
from rhythm.customers.models import Contact


class CaseForm(forms.Form):
    """The CS Help form of an opportunity. Its rules live in cases.services: the
    form only shapes the input, so the UI and the API refuse the same things."""

    kind = forms.ChoiceField(
        choices=[
            (CaseKind.CSE_HELP, "CSE Help (not escalations)"),
            (
                CaseKind.ESCALATION,
                "Escalation (CSM/CSE accounts): a high-impact problem, a churn risk",
            ),
        ],
        widget=forms.RadioSelect,
        initial=CaseKind.CSE_HELP,
    )
    offering = forms.ModelChoiceField(
        Offering.objects.active(),
        required=False,
        label="On-demand catalog offering",
        help_text="Required for CSE help: the service that best fits the customer's need.",
    )
    contact = forms.ModelChoiceField(
        Contact.objects.none(), required=False, label="Customer contact"
    )
    challenges = forms.CharField(
        label="Challenges/Pain Points",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "data-max-chars": CHALLENGES_MAX_LENGTH}),
        help_text=(f"What the CSE needs to prepare; at most {CHALLENGES_MAX_LENGTH} characters."),
    )
    opt_out_outreach = forms.BooleanField(
        required=False,
        label="Do not contact the customer automatically",
        help_text=(
            "Ticked, the CSE who accepts gets no outreach email to send and skips "
            "“Reach out”; unticked, they get one drafted to the contact, you in copy, "
            "to read and send."
        ),
    )
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.MEDIUM)
    # Shown, beside the warning, only once the service has found an open case for
    # the same offering (the template leaves it out of the other fields).
    duplicate_reason = forms.CharField(
        label="Why file it anyway?",
        required=False,
        # No max_length here: the service names a long one with the warning it belongs to.
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": DUPLICATE_REASON_MAX_LENGTH}),
        help_text="What this case asks that the open one does not. It is shown on the case, "
        "for the CSE who takes it.",
    )

    def __init__(self, *args, account, cse_help: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not cse_help:
            # The opportunity does not qualify (the page says why, once): only an
            # escalation may be raised on it.
            kind = self.fields["kind"]
            kind.choices = [c for c in kind.choices if c[0] == CaseKind.ESCALATION]  # type: ignore[attr-defined]
            kind.initial = CaseKind.ESCALATION
            self.fields["offering"].help_text = "Optional for an escalation."
        self.fields["contact"] = forms.ModelChoiceField(
            Contact.objects.active().filter(account=account),
            required=False,
            label="Customer contact",
            help_text="Who the CSE reaches out to; add a contact on the account page first.",
        )

    def clean_challenges(self) -> str:
        # A browser submits a textarea's line breaks as CRLF while its counter (and the
        # person) sees one character each: count them as the person does.
        return (self.cleaned_data.get("challenges") or "").replace("\r\n", "\n")

    def service_data(self, opportunity) -> dict:
        data = dict(self.cleaned_data)
        data["opportunity"] = opportunity.pk
        data["offering"] = data["offering"].pk if data.get("offering") else None
        data["contact"] = data["contact"].pk if data.get("contact") else None
        return data
