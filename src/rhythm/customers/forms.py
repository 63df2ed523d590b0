from __future__ import annotations

from django import forms
from django.db.models import Q

from rhythm.customers.choices import HealthStatus
from rhythm.customers.models import Account, Contact, Objective, Segment
from rhythm.people.models import User
from rhythm.people.validators import region_choices


class AccountForm(forms.ModelForm):
    class Meta:
        model = Account
        fields = [
            "name",
            "crm_id",
            "segment",
            "region",
            "arr",
            "lam",
            "renewal_date",
            "employees",
            "licenses_purchased",
            "licenses_used",
            "industry",
            "account_owner",
            "csm",
        ]
        widgets = {"renewal_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = forms.ChoiceField(choices=region_choices())
        # Archived segments take no new accounts, but an account may stay in its own.
        current = self.instance.segment_id if self.instance.pk else None
        self.fields["segment"].queryset = Segment.objects.filter(  # type: ignore[attr-defined]
            Q(archived_at__isnull=True) | Q(pk=current)
        )
        # Only people still on the team may own or manage an account.
        for name in ("account_owner", "csm"):
            self.fields[name] = forms.ModelChoiceField(
                User.objects.active(), required=False, label=self.fields[name].label
            )


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "email", "title", "role", "phone"]


class SuccessPlanForm(forms.Form):
    """A success plan's name and summary; the service validates the row, the form
    the types, so both name the field."""

    name = forms.CharField(max_length=200)
    summary = forms.CharField(
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The outcomes the customer and the account team agreed for the plan.",
    )


class ObjectiveForm(forms.Form):
    title = forms.CharField(max_length=200)
    status = forms.ChoiceField(
        choices=HealthStatus.choices, initial=HealthStatus.GREEN, widget=forms.RadioSelect
    )
    progress = forms.IntegerField(
        label="Progress (%)", min_value=0, max_value=100, initial=0, help_text="0 to 100."
    )
    due_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Due date"
    )

    def __init__(self, *args, objective: Objective | None = None, **kwargs):
        if objective is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": objective.title,
                    "status": objective.status,
                    "progress": objective.progress,
                    "due_date": objective.due_date,
                },
            )
        super().__init__(*args, **kwargs)
