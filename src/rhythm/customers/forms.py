from __future__ import annotations

from django import forms

from rhythm.customers.models import Account, Contact
from rhythm.people.validators import region_choices


class AccountForm(forms.ModelForm):
    class Meta:
        model = Account
        fields = [
            "name", "crm_id", "segment", "region", "arr", "lam", "renewal_date", "employees",
            "licenses_purchased", "licenses_used", "industry", "account_owner", "csm",
        ]
        widgets = {"renewal_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = forms.ChoiceField(choices=region_choices())


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "email", "title", "phone"]
