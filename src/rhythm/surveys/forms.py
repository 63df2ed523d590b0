from django import forms

from rhythm.surveys import rules
from rhythm.surveys.choices import SurveyKind

QUESTIONS = {
    SurveyKind.CSAT: "How satisfied are you with our help?",
    SurveyKind.NPS: "How likely are you to recommend us to a friend or colleague?",
}
ENDS = {
    SurveyKind.CSAT: "1 is very dissatisfied, 5 very satisfied.",
    SurveyKind.NPS: "0 is not at all likely, 10 extremely likely.",
}


class AnswerForm(forms.Form):
    """The contact's answer: a score in one row of radio choices, and a comment. The
    range is checked by the service (surveys.rules.score_problem), which names it."""

    score = forms.IntegerField(required=False, widget=forms.RadioSelect)
    comment = forms.CharField(
        required=False,
        max_length=rules.COMMENT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Anything you would like to add? (optional)",
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        low, high = rules.scale(kind)
        score = self.fields["score"]
        score.label = QUESTIONS[SurveyKind(kind)]
        score.help_text = ENDS[SurveyKind(kind)]
        score.widget.choices = [(n, str(n)) for n in range(low, high + 1)]
