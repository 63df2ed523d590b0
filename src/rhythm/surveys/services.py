"""Surveys' use cases: send one (its row and its email, once), answer one through its
link (once, before it expires).

The link is a random token, not a `django.core.signing` value: 32 bytes from
`secrets` (256 bits, past any guessing), of which only the SHA-256 is stored, and
an expiry on the row. A signed value would carry its own expiry but would die with
a rotated SECRET_KEY, could not be shown as expired or answered once the row is
gone from it, and would need the row's id in the link; a stored hash gives single
use (the row's `answered_at`, set once under a row lock), an expiry a person can
read and change, and a table that opens nothing if it leaks. A link is found by
its hash, an exact match on a unique index: the time that takes says nothing about
the token, whose hash the guesser cannot steer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from rhythm.core import events
from rhythm.core import rules as core_rules
from rhythm.core import services as core_services
from rhythm.surveys import rules
from rhythm.surveys.choices import SurveyKind
from rhythm.surveys.events import SurveyAnswered, SurveySent
from rhythm.surveys.models import Survey, SurveyResponse


@dataclass(frozen=True)
class Sent:
    survey: Survey
    created: bool  # False: it had gone before, and nothing was sent again
    url: str = ""  # the link, known only to the call that made it


def outbox_key(kind: str, subject_type: ContentType, subject_id: int, recipient: str) -> str:
    """The survey email's outbox key: `recipient` is the contact's id, or `to:` and
    the SHA-256 of the address for someone who is no contact (an address is longer
    than a key may be, and the key is no place for it)."""
    return f"survey:{kind}:{subject_type.app_label}.{subject_type.model}:{subject_id}:{recipient}"


@dataclass(frozen=True)
class Recipient:
    """Who a survey goes to: a customer's contact, or a name and an address alone
    (a webinar's attendee who is no contact)."""

    name: str
    email: str
    contact: Any = None

    @property
    def account_id(self) -> int | None:
        return self.contact.account_id if self.contact is not None else None

    def once(self) -> dict[str, Any]:
        """The fields that make a survey this person's (the constraints' columns)."""
        if self.contact is not None:
            return {"contact": self.contact}
        return {"contact": None, "recipient_email": self.email}

    def key(self) -> str:
        if self.contact is not None:
            return str(self.contact.pk)
        return "to:" + core_rules.hash_token(self.email)


def _recipient(contact: Any, email: str, name: str) -> Recipient:
    if contact is not None:
        if not contact.email:
            raise _field_error("contact", f"{contact.name} has no email address.", "required")
        return Recipient(contact.name, contact.email.strip().lower(), contact)
    email = (email or "").strip().lower()
    if not email:
        raise _field_error("email", "Give the contact or the email address to ask.", "required")
    try:
        validate_email(email)
    except ValidationError:
        raise _field_error("email", f"{email!r} is not an email address.", "invalid") from None
    name = (name or "").strip()[:120]
    return Recipient(name or email.split("@")[0], email)


def answer_url(token: str) -> str:
    return settings.SITE_URL + reverse("surveys:answer", args=[token])


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


@transaction.atomic
def send_survey(
    kind: str,
    subject: Any,
    contact: Any = None,
    *,
    email: str = "",
    name: str = "",
    cse: Any = None,
    about: str = "",
    link: str = "",
    actor: Any = None,
    now: datetime | None = None,
) -> Sent:
    """Send a survey of `kind` about `subject` (any saved row) to `contact`, or, with
    no contact, to `email` (and `name`): the survey and its email (the outbox, keyed
    by kind, subject and person) in this transaction. Sending it again for the same
    subject and person sends nothing and returns the first one."""
    if kind not in SurveyKind.values:
        raise _field_error(
            "kind",
            f"Unknown kind {kind!r}; one of {', '.join(SurveyKind.values)}.",
            "invalid_choice",
        )
    recipient = _recipient(contact, email, name)
    subject_type = ContentType.objects.get_for_model(subject)
    same = {
        "kind": kind,
        "subject_type": subject_type,
        "subject_id": subject.pk,
        **recipient.once(),
    }
    earlier = Survey.objects.filter(**same).first()
    if earlier is not None:
        return Sent(earlier, created=False)
    now = now or timezone.now()
    token = secrets.token_urlsafe(rules.TOKEN_BYTES)
    about = (about or str(subject))[:255]
    try:
        # A savepoint: a twin call that won the race leaves its survey, and ours goes.
        with transaction.atomic():
            survey = Survey.objects.create(
                **{**same, "recipient_email": recipient.email},
                recipient_name=recipient.name,
                account_id=recipient.account_id,
                cse=cse,
                about=about,
                link=link or getattr(subject, "get_absolute_url", lambda: "")(),
                token_hash=core_rules.hash_token(token),
                sent_at=now,
                expires_at=now + timedelta(days=settings.RHYTHM_SURVEY_EXPIRY_DAYS),
            )
            url = answer_url(token)
            survey.message = core_services.enqueue_email(
                key=outbox_key(kind, subject_type, subject.pk, recipient.key()),
                to=[recipient.email],
                reply_to=[cse.email] if cse is not None and cse.email else [],
                subject=_email_subject(survey),
                body_text=render_to_string(
                    "surveys/email/survey.txt", {"survey": survey, "url": url, "cse": cse}
                ),
            )
            survey.save(update_fields=["message", "updated_at"])
            events.publish(SurveySent(survey, actor))
    except IntegrityError:
        earlier = Survey.objects.filter(**same).first()
        if earlier is None:
            raise
        return Sent(earlier, created=False)
    return Sent(survey, created=True, url=url)


def _email_subject(survey: Survey) -> str:
    if survey.kind == SurveyKind.NPS:
        return f"How likely are you to recommend us? ({survey.about})"
    return f"How did we do? ({survey.about})"


class LinkRefused(Exception):
    """A survey link that cannot be answered: unknown (or tampered with), expired,
    or answered already. `state` says which, for the page that says so."""

    def __init__(self, state: str, survey: Survey | None = None) -> None:
        super().__init__(state)
        self.state = state
        self.survey = survey


INVALID = "invalid"


def by_token(token: str) -> Survey:
    """The survey a link opens, or LinkRefused("invalid")."""
    if not rules.looks_like_token(token):
        raise LinkRefused(INVALID)
    survey = (
        Survey.objects.active()
        .select_related("cse", "response")
        .filter(token_hash=core_rules.hash_token(token))
        .first()
    )
    if survey is None:
        raise LinkRefused(INVALID)
    return survey


def openable(token: str, now: datetime | None = None) -> Survey:
    """The survey behind a link that may still be answered, or LinkRefused saying why."""
    survey = by_token(token)
    state = survey_link_state(survey, now)
    if state != rules.LinkState.OPEN:
        raise LinkRefused(state.value, survey)
    return survey


def survey_link_state(survey: Survey, now: datetime | None = None) -> rules.LinkState:
    return rules.link_state(
        answered_at=survey.answered_at, expires_at=survey.expires_at, now=now or timezone.now()
    )


@transaction.atomic
def answer(
    token: str, *, score: Any, comment: str = "", now: datetime | None = None
) -> SurveyResponse:
    """Record the person's answer, once: a second answer, an expired or an unknown
    link is refused (LinkRefused), a score off the scale names the field."""
    found = by_token(token)
    # Locked: of two answers sent at once, the second waits here and finds the first.
    survey = Survey.objects.select_for_update().get(pk=found.pk)
    now = now or timezone.now()
    state = survey_link_state(survey, now)
    if state != rules.LinkState.OPEN:
        raise LinkRefused(state.value, survey)
    try:
        score = None if score in (None, "") else int(score)
    except (TypeError, ValueError):
        raise _field_error("score", "The score must be a whole number.", "invalid") from None
    problem = rules.score_problem(survey.kind, score)
    if problem:
        raise _field_error("score", problem, "required" if score is None else "out_of_range")
    comment = (comment or "").strip()
    if len(comment) > rules.COMMENT_LIMIT:
        raise _field_error(
            "comment",
            f"Ensure this value has at most {rules.COMMENT_LIMIT} characters "
            f"(it has {len(comment)}).",
            "max_length",
        )
    response = SurveyResponse.objects.create(
        survey=survey, score=score, comment=comment, created_at=now
    )
    survey.answered_at = now
    survey.save(update_fields=["answered_at", "updated_at"])
    events.publish(SurveyAnswered(survey, response))
    return response


def ensure_rate_limit_table(*, app_config=None, using: str = "default", **kwargs: Any) -> None:
    """Create the database cache's table the public pages' rate limits count in, when
    that cache is the database's (settings.py, "Caches"); after every migrate."""
    if app_config is not None and app_config.label != "surveys":
        return  # post_migrate is sent once per app: do it once
    if settings.CACHES[settings.RATELIMIT_USE_CACHE]["BACKEND"].endswith("db.DatabaseCache"):
        # Django's own command; it skips a table that exists. It takes table names
        # (not cache aliases): the cache's LOCATION is the table it reads.
        table = settings.CACHES[settings.RATELIMIT_USE_CACHE]["LOCATION"]
        call_command("createcachetable", table, database=using, verbosity=0)
