from django import forms
from django.contrib.auth import get_user_model

from rhythm.community import rules
from rhythm.community.choices import CommunityEventKind, Contribution


def cses():
    """Who may be named as contributor: active members whose role logs community events."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__permissions__codename="add_communityevent")
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class MemberChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class CommunityEventForm(forms.Form):
    """The fields of a community event; their rules are the service's."""

    name = forms.CharField(
        max_length=rules.NAME_LIMIT,
        required=False,
        help_text="As its organisers name it, such as 'DevOpsDays Lisbon'.",
    )
    kind = forms.ChoiceField(
        choices=CommunityEventKind.choices, required=False, widget=forms.RadioSelect
    )
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    contribution = forms.ChoiceField(
        choices=Contribution.choices, required=False, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label="What was contributed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The talk's title, the workshop's topic, who staffed the booth.",
    )
    contributors = MemberChoices(
        label="Contributing CSEs",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    outcome = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What came of it: leads, adoption, feedback. Add it after the event.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        contributors = self.fields["contributors"]
        assert isinstance(contributors, MemberChoices)
        contributors.queryset = cses()

    def values(self) -> dict:
        """What was sent, for the service to judge; a date that is no date is None."""
        self.is_valid()
        values = {
            name: self.data.get(name, "")
            for name in ("name", "kind", "contribution", "details", "outcome")
        }
        values["date"] = self.cleaned_data.get("date")
        values["contributors"] = (
            self.data.getlist("contributors")
            if hasattr(self.data, "getlist")
            else self.data.get("contributors", [])
        )
        return values
