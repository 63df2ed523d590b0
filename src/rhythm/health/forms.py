from django import forms


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Metrics CSV",
        help_text="Columns account (the CRM id), metric, date (YYYY-MM-DD), value.",
    )
    skip_bad_rows = forms.BooleanField(
        required=False,
        label="Skip bad rows",
        help_text="Write the good rows and list the bad ones. "
        "Unticked, one bad row writes nothing.",
    )
