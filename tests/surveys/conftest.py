"""What the survey tests share: a survey sent to the account's contact, its token
read back from the outbox email as the contact gets it, and clean rate limits."""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches

from rhythm.core.models import OutboundMessage
from rhythm.surveys import services
from rhythm.surveys.choices import SurveyKind
from tests.factories import ContactFactory, OpportunityFactory

LINK = re.compile(r"https?://\S+/surveys/answer/([\w-]+)/")


@pytest.fixture(autouse=True)
def fresh_rate_limits(db):
    """The rate limits count in the database cache, which no test rollback empties
    when the count was made outside a test's transaction."""
    caches["ratelimit"].clear()
    yield
    caches["ratelimit"].clear()


@pytest.fixture
def subject(account, cast):
    """Anything a survey may be about: here an opportunity of the account."""
    return OpportunityFactory(account=account, owner=cast.account_owner, name="Q3 expansion")


@pytest.fixture
def survey_contact(account):
    return ContactFactory(account=account, name="Ana Costa", email="ana@customer.example")


def url_in_email(survey) -> str:
    """The link of the survey's email, as the contact reads it in the outbox row."""
    message = OutboundMessage.objects.get(pk=survey.message_id)
    found = LINK.search(message.body_text)
    assert found, message.body_text
    return found.group(0)


def token_in_email(survey) -> str:
    return LINK.search(url_in_email(survey)).group(1)


@pytest.fixture
def send(cast, subject, survey_contact):
    def send(kind=SurveyKind.CSAT, **kwargs):
        kwargs.setdefault("cse", cast.cse)
        return services.send_survey(kind, kwargs.pop("subject", subject), survey_contact, **kwargs)

    return send
