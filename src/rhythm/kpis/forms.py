"""The dashboards' filters: one definition for the pages, the CSV exports and the API
(GET /api/v1/kpis), each bad value refused by its field with the rule it broke."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from rhythm.catalog.models import Offering
from rhythm.customers.models import Segment
from rhythm.kpis import rules
from rhythm.kpis.figures import Filters
from rhythm.people.choices import Role
from rhythm.people.models import User
from rhythm.webinars.choices import Kind, Region


def cses():
    return (
        User.objects.active().filter(groups__name=Role.CSE.label).order_by("first_name", "username")
    )


class FilterForm(forms.Form):
    period = forms.CharField(
        required=False,
        max_length=16,
        help_text="A month (2026-11), a fiscal quarter (FY2027-Q2) or a fiscal year (FY2027).",
    )
    region = forms.ChoiceField(required=False)
    segment = forms.ModelChoiceField(Segment.objects.active(), required=False)
    cse = forms.ModelChoiceField(cses(), required=False, label="CSE")
    offering = forms.ModelChoiceField(Offering.objects.active(), required=False)

    def __init__(self, *args, fixed_cse: User | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        assert isinstance(region, forms.ChoiceField)
        region.choices = [("", "All regions")] + [(code, code) for code in settings.RHYTHM_REGIONS]
        self.fixed_cse = fixed_cse
        if fixed_cse is not None:
            # A CSE's own page: their figures, whoever else there is.
            del self.fields["cse"]
        self.today = timezone.localdate()
        self.periods = rules.period_choices(self.today, settings.RHYTHM_FISCAL_YEAR_START_MONTH)

    def clean_period(self) -> rules.Period:
        try:
            return rules.parse_period(
                self.cleaned_data.get("period", ""),
                today=self.today,
                start_month=settings.RHYTHM_FISCAL_YEAR_START_MONTH,
            )
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid_period") from None

    def filters(self) -> Filters:
        """The valid form's filters (call is_valid first)."""
        data = self.cleaned_data
        cse = self.fixed_cse if self.fixed_cse is not None else data.get("cse")
        return Filters(
            period=data["period"],
            region=data.get("region") or "",
            segment=data["segment"].pk if data.get("segment") else None,
            cse=cse.pk if cse else None,
            offering=data["offering"].pk if data.get("offering") else None,
        )

    @property
    def chosen_period(self) -> str:
        value = self.data.get("period", "") if self.is_bound else ""
        return value or self.periods[0].key


class WebinarFilterForm(forms.Form):
    """The webinars dashboard's filters: the period its events start in, their region
    and kind (webinar or lab)."""

    period = FilterForm.base_fields["period"]
    region = forms.ChoiceField(required=False, choices=[("", "All regions"), *Region.choices])
    kind = forms.ChoiceField(required=False, choices=[("", "Webinars and labs"), *Kind.choices])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()
        self.periods = rules.period_choices(self.today, settings.RHYTHM_FISCAL_YEAR_START_MONTH)

    clean_period = FilterForm.clean_period
    chosen_period = FilterForm.chosen_period

    def filters(self) -> Filters:
        """The valid form's filters (call is_valid first)."""
        data = self.cleaned_data
        return Filters(
            period=data["period"], region=data.get("region") or "", kind=data.get("kind") or ""
        )
