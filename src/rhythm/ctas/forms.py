from django import forms

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
