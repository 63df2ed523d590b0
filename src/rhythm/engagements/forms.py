from django import forms

from rhythm.catalog.models import Offering
from rhythm.customers.models import Objective
from rhythm.engagements.choices import EffortKind, RejectionReason
from rhythm.engagements.rules import DUPLICATE_REASON_MAX_LENGTH
from rhythm.engagements.services import LIST_LIMIT


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class RequestForm(forms.Form):
    """A complex engagement request. The rules (objective on the account, at least
    one metric, deliverable and stakeholder) live in the service, so the UI and the
    API name the same fields."""

    objective = forms.ModelChoiceField(Objective.objects.none(), required=False)
    title = forms.CharField(
        max_length=200, required=False, help_text="Leave empty to use the objective."
    )
    offering = forms.ModelChoiceField(Offering.objects.active(), required=False)
    # Not required here: the service names a missing value with the other missing ones.
    effort_kind = forms.ChoiceField(
        label="Expected effort",
        choices=EffortKind.choices,
        widget=forms.RadioSelect,
        initial=EffortKind.ONE_OFF,
        required=False,
    )
    duration_weeks = forms.IntegerField(
        label="Duration (weeks)",
        min_value=1,
        max_value=104,
        required=False,
        help_text="For an engagement that runs for a duration.",
    )
    hours_per_week = forms.DecimalField(
        label="Effort (hours per week)",
        min_value=0.5,
        max_value=40,
        decimal_places=1,
        initial=4,
        required=False,
        help_text="What the CSE spends each week; it counts against their capacity.",
        error_messages={
            "min_value": "At least half an hour a week.",
            "max_value": "At most 40 hours a week: a CSE's whole week.",
        },
    )
    target_start_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    outcome = forms.CharField(
        label="Outcome",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What the customer will have achieved.",
    )
    metrics = forms.CharField(
        label="Success metrics",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="One per line.",
    )
    deliverables = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="One per line."
    )
    # Shown, beside the warning, only once the service has found an open request on
    # the same objective (the template leaves it out of the other fields).
    duplicate_reason = forms.CharField(
        label="Why file it anyway?",
        required=False,
        # No max_length here: the service names a long one with the warning it belongs to.
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": DUPLICATE_REASON_MAX_LENGTH}),
        help_text="What this request asks that the open one does not. It is shown on the "
        "request, for its reviewer.",
    )
    field_order = [
        "objective",
        "title",
        "offering",
        "effort_kind",
        "duration_weeks",
        "hours_per_week",
        "target_start_date",
        "outcome",
        "metrics",
        "deliverables",
        "duplicate_reason",
    ]

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objective"] = forms.ModelChoiceField(
            Objective.objects.active()
            .filter(success_plan__account=account, success_plan__archived_at__isnull=True)
            .select_related("success_plan"),
            required=False,
            label="Success-plan objective",
            help_text="The objective of the account's success plan this engagement serves.",
        )
        self.fields["objective"].label_from_instance = (  # type: ignore[attr-defined]
            lambda objective: f"{objective.success_plan.name} — {objective.title}"
        )

    def service_data(self, account) -> dict:
        data = dict(self.cleaned_data)
        data["account"] = account.pk
        data["objective"] = data["objective"].pk if data.get("objective") else None
        data["offering"] = data["offering"].pk if data.get("offering") else None
        data["metrics"] = _lines(data.get("metrics", ""))
        data["deliverables"] = _lines(data.get("deliverables", ""))
        return data


class StakeholderForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    role_title = forms.CharField(label="Role/title", max_length=200, required=False)
    responsibilities = forms.CharField(max_length=2000, required=False)
    email = forms.CharField(
        max_length=254, required=False, help_text="Their email, if a contact of the account."
    )


StakeholderFormSet = forms.formset_factory(
    StakeholderForm, extra=3, max_num=LIST_LIMIT, validate_max=True
)


class TransitionForm(forms.Form):
    to = forms.CharField()
    reason = forms.CharField(required=False, max_length=5000)
    reason_code = forms.ChoiceField(choices=[("", "—"), *RejectionReason.choices], required=False)
    cse = forms.IntegerField(required=False)
    confirm_over_capacity = forms.BooleanField(required=False)
    override_reason = forms.CharField(required=False, max_length=2000)
    expected_state = forms.CharField(required=False)
