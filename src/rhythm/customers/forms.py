from __future__ import annotations

from django import forms
from django.db.models import Q

from rhythm.customers.models import Account, Contact, Segment
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
        fields = ["name", "email", "title", "phone"]
