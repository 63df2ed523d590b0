from __future__ import annotations

from django import forms
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.template import loader

from rhythm.core import services as core_services
from rhythm.people.models import User
from rhythm.people.validators import WEEKDAY_CHOICES, region_choices


class OutboxPasswordResetForm(PasswordResetForm):
    """Password reset whose email goes through the outbox like every other message."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body_text = loader.render_to_string(email_template_name, context)
        body_html = (
            loader.render_to_string(html_email_template_name, context)
            if html_email_template_name
            else ""
        )
        core_services.enqueue_email(
            # The token changes with every request, so each request is its own message.
            key=f"password-reset:{context['user'].pk}:{context['token']}",
            to=[to_email],
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            from_email=from_email or "",
        )


class MemberForm(forms.ModelForm):
    """What a manager may tune of a team member: capacity, coverage and calendar."""

    class Meta:
        model = User
        fields = [
            "title",
            "region",
            "time_zone",
            "holiday_country",
            "holiday_subdivision",
            "working_days",
            "weekly_capacity_hours",
            "covered_regions",
            "covered_segments",
            "booking_url",
        ]
        widgets = {"covered_segments": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["covered_regions"] = forms.MultipleChoiceField(
            choices=region_choices(), required=False, widget=forms.CheckboxSelectMultiple
        )
        self.fields["region"] = forms.ChoiceField(choices=region_choices())
        self.fields["working_days"] = forms.TypedMultipleChoiceField(
            choices=WEEKDAY_CHOICES,
            coerce=int,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": "Give at least one working day."},
            help_text="Due dates and clocks count only these days.",
        )


class ProfileForm(forms.ModelForm):
    """What a member may change of themselves (rules.SELF_SERVICE_FIELDS)."""

    class Meta:
        model = User
        fields = ["title", "time_zone", "booking_url"]


class UnlockingSetPasswordForm(SetPasswordForm):
    """The new password from a reset link also lifts a sign-in lockout: the lockout
    page offers the reset as the way back in, so the reset must open the door."""

    def save(self, commit: bool = True):
        from axes.utils import reset

        user = super().save(commit=commit)
        reset(username=user.get_username())
        return user
