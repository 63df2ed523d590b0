from django import forms

from rhythm.followups import rules


class ComposeForm(forms.Form):
    """The handbook's four parts of a follow-up; the service refuses an empty one."""

    summary = forms.CharField(
        label="Summary of key points", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    action_items = forms.CharField(
        label="Action items and next steps",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    resources = forms.CharField(
        label="Resources and documentation",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    invitation = forms.CharField(
        label="An invitation to ask more", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def parts(self) -> dict[str, str]:
        # Read raw: the service names an empty part (rules.part_problems), in the
        # page's words, the API's and the CLI's alike.
        return {name: self.data.get(name, "") for name in rules.PART_NAMES}
