from django import forms
from django.contrib.auth import get_user_model

from rhythm.content import rules
from rhythm.content.choices import BugPlace, ContentKind, Severity


def content_owners():
    """Who may own content: active members whose role builds it."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__permissions__codename="change_contentitem")
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class OwnerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class ItemForm(forms.Form):
    """The fields of a content item. Each rule is the service's (content.rules),
    so a form, the API and the CLI say the same thing."""

    kind = forms.ChoiceField(choices=ContentKind.choices, required=False)
    title = forms.CharField(max_length=rules.TITLE_LIMIT, required=False)
    link = forms.CharField(
        max_length=rules.LINK_LIMIT,
        required=False,
        help_text="Where it lives: the master deck, the recording, the lab project.",
        widget=forms.URLInput,
    )
    owner = OwnerChoice(
        queryset=None, required=False, help_text="The team member who keeps it right."
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, OwnerChoice)
        owner.queryset = content_owners()
        if editing:
            del self.fields["kind"]

    def values(self) -> dict:
        data = {name: self.data.get(name, "") for name in self.fields}
        return data


class BugForm(forms.Form):
    """The bug template: what and where, expected, actual, severity, a screenshot."""

    title = forms.CharField(label="What is wrong", max_length=rules.TITLE_LIMIT, required=False)
    place = forms.ChoiceField(
        label="Where", choices=BugPlace.choices, required=False, widget=forms.RadioSelect
    )
    location = forms.CharField(
        label="Which slide or step",
        max_length=rules.PLACE_LIMIT,
        required=False,
        help_text="Such as 'Slide 14' or 'Exercise 3, step 2'.",
    )
    expected = forms.CharField(
        label="What you expected", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    actual = forms.CharField(
        label="What happened instead", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    severity = forms.ChoiceField(
        choices=[(s.value, f"{s.label}: {rules.SEVERITY_MEANS[s]}") for s in Severity],
        required=False,
        widget=forms.RadioSelect,
        help_text="Critical or high warns the DRI of every upcoming event that uses it.",
    )
    screenshot_url = forms.CharField(
        label="Screenshot link",
        required=False,
        widget=forms.URLInput,
        help_text="Optional: a link to a screenshot.",
    )

    def values(self) -> dict:
        return {name: self.data.get(name, "") for name in self.fields}


class MoveForm(forms.Form):
    to = forms.CharField()
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    expected_state = forms.CharField(required=False)
