from django import forms

from rhythm.core.rules import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH, EmailDraft, Wording
from rhythm.ctas.choices import StepCondition


class PlaybookForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class StepForm(forms.Form):
    """A step's fields. The rules (a free position, the model's limits) are the
    service's, so the page and the API refuse the same things."""

    position = forms.IntegerField(min_value=1, max_value=1000, required=False)
    title = forms.CharField(max_length=200)
    due_offset_days = forms.IntegerField(
        label="Due after (business days)", min_value=0, max_value=365, initial=0
    )
    condition = forms.ChoiceField(choices=StepCondition.choices, initial=StepCondition.ALWAYS)

    def __init__(self, *args, adding: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        position = self.fields["position"]
        position.required = not adding
        position.help_text = "Empty puts it last." if adding else ""

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v is not None}


class EmailForm(forms.Form):
    """The words of one email a CTA sends, prefilled with its draft; the rules (not
    blank, not too long) are core.rules.wording_problems, beside the fields."""

    subject = forms.CharField(max_length=SUBJECT_MAX_LENGTH, strip=False)
    body = forms.CharField(
        label="Message",
        max_length=BODY_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 9}),
    )

    def __init__(self, *args, draft: EmailDraft | None = None, rows: int = 9, **kwargs):
        if draft is not None and "initial" not in kwargs:
            kwargs["initial"] = {"subject": draft.subject, "body": draft.body_text}
        super().__init__(*args, **kwargs)
        self.draft = draft
        self.fields["body"].widget.attrs["rows"] = rows

    @classmethod
    def posted(cls, data, prefix: str) -> Wording | None:
        """The words sent under `prefix`, or None when the form was not in the POST
        (a script, a page without JavaScript): the email then goes as drafted."""
        subject, body = data.get(f"{prefix}-subject"), data.get(f"{prefix}-body")
        if subject is None and body is None:
            return None
        return Wording(subject, body)

    def add_service_errors(self, errors: dict[str, list[str]], field_prefix: str = "") -> None:
        """The service's refusals of these words (`<field_prefix>subject`), beside them."""
        for part in ("subject", "body"):
            for message in errors.get(f"{field_prefix}{part}", []):
                self.add_error(part, message)
