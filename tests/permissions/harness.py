"""The permission harness's vocabulary: outcomes, table rows, and the world they run on.

A table row names a URL (by its URL name) or an API operation (by its method and
OpenAPI path) and says, for every member of the cast and for an anonymous
visitor, what the request gets. tests/test_permissions.py runs every row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from rhythm.campaigns import services as campaigns
from rhythm.cases import services as cases
from rhythm.catalog.models import Offering
from rhythm.core import services as core
from rhythm.ctas import playbooks
from rhythm.engagements import services as engagements
from rhythm.escalations import services as escalations
from rhythm.followups import services as followups
from rhythm.health.models import MetricImport
from rhythm.meetings import services as meetings
from rhythm.officehours import services as officehours
from rhythm.people.choices import Role
from rhythm.surveys import services as surveys
from rhythm.surveys.choices import SurveyKind
from rhythm.timeline import services as timeline
from tests import content_fixtures
from tests.conftest import CAST
from tests.engagements.helpers import STAKEHOLDER, service_data
from tests.factories import (
    AccountFactory,
    ContactFactory,
    ObjectiveFactory,
    OpportunityFactory,
    SegmentFactory,
    SuccessPlanFactory,
    UserFactory,
)
from tests.webinars import helpers as webinar_helpers

ANONYMOUS = "anonymous"
ROLES = (*CAST, ANONYMOUS)

# An account owner and a CSM who work other accounts: the account visibility rule
# says they get 404 on everything of the world's account.
STRANGERS = ("account_owner", "csm")


# --- Outcomes -------------------------------------------------------------------------


def _name_of(location: str) -> str | None:
    try:
        return resolve(urlsplit(location).path).view_name
    except Resolver404:
        return None


def describe(response: HttpResponse) -> str:
    """What a response was, in the words the tables use."""
    if response.status_code in (301, 302) and response.has_header("Location"):
        return f"{response.status_code} to {_name_of(response['Location']) or response['Location']}"
    if response.has_header("HX-Redirect"):
        return f"{response.status_code} HX-Redirect to {_name_of(response['HX-Redirect'])}"
    return str(response.status_code)


class Outcome:
    def matches(self, response: HttpResponse) -> bool:
        raise NotImplementedError


@dataclass(frozen=True)
class Status(Outcome):
    code: int

    def matches(self, response: HttpResponse) -> bool:
        return response.status_code == self.code and not response.has_header("HX-Redirect")

    def __str__(self) -> str:
        return str(self.code)


@dataclass(frozen=True)
class Redirect(Outcome):
    """A 302 whose Location is the page with this URL name."""

    to: str

    def matches(self, response: HttpResponse) -> bool:
        return response.status_code == 302 and _name_of(response["Location"]) == self.to

    def __str__(self) -> str:
        return f"302 to {self.to}"


@dataclass(frozen=True)
class HxRedirect(Outcome):
    """What an HTMX request gets instead of a redirect: 200 and HX-Redirect."""

    to: str

    def matches(self, response: HttpResponse) -> bool:
        return response.status_code == 200 and (
            response.has_header("HX-Redirect") and _name_of(response["HX-Redirect"]) == self.to
        )

    def __str__(self) -> str:
        return f"200 HX-Redirect to {self.to}"


class OneOf(Outcome):
    def __init__(self, *options: Outcome | int) -> None:
        self.options = tuple(outcome(option) for option in options)

    def matches(self, response: HttpResponse) -> bool:
        return any(option.matches(response) for option in self.options)

    def __str__(self) -> str:
        return " or ".join(map(str, self.options))


@dataclass(frozen=True)
class Bug:
    """What should happen, where the code does something else today (xfail, strict)."""

    should: Outcome | int
    why: str


Expected = Outcome | int | Bug

LOGIN = Redirect("login")
HX_LOGIN = HxRedirect("login")


def outcome(value: Outcome | int) -> Outcome:
    return Status(value) if isinstance(value, int) else value


def expect(default: Expected, **by_role: Expected) -> dict[str, Expected]:
    """The outcome for every member of the cast: `default`, but for the roles named.

    The anonymous visitor's is the row's default unless given here."""
    unknown = set(by_role) - set(ROLES)
    assert not unknown, f"not roles of the cast: {unknown}"
    filled = {role: by_role.get(role, default) for role in CAST}
    if ANONYMOUS in by_role:
        filled[ANONYMOUS] = by_role[ANONYMOUS]
    return filled


def hidden(default: Expected = 404, **by_role: Expected) -> dict[str, Expected]:
    """What an account owner or a CSM gets on an account they may not see."""
    unknown = set(by_role) - set(STRANGERS)
    assert not unknown, f"a stranger is an account owner or a CSM, not {unknown}"
    return {role: by_role.get(role, default) for role in STRANGERS}


# --- Table rows -----------------------------------------------------------------------

Data = Callable[["World"], dict[str, Any]]


@dataclass
class Route:
    """A named URL of the UI, and what each method listed gets, role by role.

    An anonymous visitor is sent to sign in unless the row says otherwise;
    `stranger` is what an account owner or CSM who may not see the world's account
    gets (404 by default on a URL about one of its objects).
    """

    name: str
    get: dict[str, Expected] | None = None
    post: dict[str, Expected] | None = None
    htmx: bool = False  # sent as HTMX sends it (HX-Request): a partial
    query: Callable[[World], str] | None = None
    data: Data | None = None
    stranger: Mapping[str, Mapping[str, Expected]] | None = None  # method -> role -> outcome
    # URL parameters the row gives itself, over the world's (one row per account tab).
    kwargs: Mapping[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The row's name, with its own URL parameters: what it is known by."""
        given = ", ".join(f"{k}={v}" for k, v in self.kwargs.items())
        return f"{self.name} ({given})" if given else self.name

    def methods(self) -> dict[str, dict[str, Expected]]:
        found = {m: e for m, e in (("get", self.get), ("post", self.post)) if e is not None}
        assert found, f"{self.name}: say what at least one method gets"
        anonymous = HX_LOGIN if self.htmx else LOGIN
        return {m: {ANONYMOUS: anonymous, **e} for m, e in found.items()}


@dataclass
class Operation:
    """An API operation ("METHOD /path" as the OpenAPI document names it, without
    the /api/v1 prefix) and what each role gets; an anonymous caller gets 401
    unless the row says otherwise. A write sends `body`, valid where the row gives
    one, so that the refusal comes from the rights and not from the schema; a GET
    sends it as its query."""

    key: str
    expected: dict[str, Expected]
    body: Data | None = None
    stranger: Mapping[str, Expected] | None = None

    def __post_init__(self) -> None:
        self.expected = {ANONYMOUS: 401, **self.expected}

    @property
    def method(self) -> str:
        return self.key.split(" ", 1)[0].lower()

    @property
    def path(self) -> str:
        return self.key.split(" ", 1)[1]


@dataclass
class Exempt:
    """A URL outside the role tables (Django's admin and sign-in, health, API docs):
    why, and what an anonymous visitor gets."""

    name: str  # a URL name, or "namespace:*"
    why: str
    anonymous: Outcome | int
    sample: str = ""  # for a namespace: the URL name that is requested
    kwargs: dict[str, str] = field(default_factory=dict)
    method: str = "get"


# --- The world ------------------------------------------------------------------------

# URL parameters that are about one object of the world's account.
ACCOUNT_PARAMETERS = {
    "account_id",
    "opportunity_id",
    "contact_id",
    "plan_id",
    "objective_id",
    "case_id",
    "cta_id",
    "task_id",
    "request_id",
    "meeting_id",
    "item_id",
    "source_id",
    "question_id",
    "survey_id",
    "follow_up_id",
    "further_question_id",
    "community_event_id",
    "escalation_id",
    "clock_id",
}


@dataclass
class World:
    """One of everything, on one account owned by the cast's AE and managed by its CSM."""

    cast: Any
    strangers: dict[str, Any]
    tokens: dict[str, str]  # member -> a bearer token of theirs
    sessions: dict[str, str]  # member -> the key of a signed-in session of theirs
    segment: Any
    spare_segment: Any  # holds no account, so it may be archived
    account: Any
    contact: Any
    opportunity: Any
    plan: Any
    objective: Any
    offering: Any
    case: Any
    cta: Any
    task: Any
    request: Any
    session: Any
    question: Any  # open
    meeting: Any  # the spot call another question became
    note: Any
    playbook: Any
    step: Any
    teammate: Any  # a CSE outside the cast
    ae_token: Any  # the AE's own token, another than the one the harness signs in with
    survey: Any  # a CSAT survey to the contact about the opportunity, answered
    follow_up: Any  # of a spot call with the contact, held: not sent yet
    further_question: Any  # asked by the CSM after that call, not answered
    campaign: Any  # a draft by CS operations, targeting the account's segment
    metric_import: Any  # a metrics upload by CS operations, done
    content_item: Any  # a master deck of the CSE's, in draft
    bug: Any  # reported by the CSM on that deck, in the CSE's queue
    community_event: Any  # a talk of the CSE's at the account's meetup
    escalation: Any  # an account escalation the CSM raised on the account: raised
    webinar: Any = None  # a published lab the cast's CSE hosts, its environment ready
    registration: Any = None  # a confirmed registrant of it

    def parameters(self) -> dict[str, Any]:
        """A value for every URL parameter a route or an operation may have."""
        return {
            "account_id": self.account.pk,
            "opportunity_id": self.opportunity.pk,
            "contact_id": self.contact.pk,
            "plan_id": self.plan.pk,
            "objective_id": self.objective.pk,
            "segment_id": self.spare_segment.pk,
            "offering_id": self.offering.pk,
            "case_id": self.case.pk,
            "cta_id": self.cta.pk,
            "task_id": self.task.pk,
            "request_id": self.request.pk,
            "session_id": self.session.pk,
            "question_id": self.question.pk,
            "meeting_id": self.meeting.pk,
            "item_id": self.meeting.checklist.order_by("position").first().pk,
            "source": "cta",
            "source_id": self.cta.pk,
            "playbook_id": self.playbook.pk,
            "step_id": self.step.pk,
            "member_id": self.teammate.pk,
            "token_id": self.ae_token.pk,
            "survey_id": self.survey.pk,
            "follow_up_id": self.follow_up.pk,
            "further_question_id": self.further_question.pk,
            "content_item_id": self.content_item.pk,
            "code": "project_linked",
            "bug_id": self.bug.pk,
            "community_event_id": self.community_event.pk,
            "escalation_id": self.escalation.pk,
            "kind": "follow_up",  # an SLA clock's: the follow-up's
            "clock_id": self.follow_up.pk,
            "campaign_id": self.campaign.pk,
            "import_id": self.metric_import.pk,
            "column": "review",
            "webinar_id": self.webinar.pk,
            "environment_request_id": self.webinar.environment_request.pk,
            "checklist_item_id": self.webinar.checklist.first().pk,
            "registration_id": self.registration.pk,
            "template_id": self.webinar.lab_template_id,
        }


def build_world(cast) -> World:
    """Through the services, as the team would make it."""

    account = AccountFactory(account_owner=cast.account_owner, csm=cast.csm)
    # The cast's CSE covers the account, as the one who takes its work would.
    cast.cse.covered_regions = [account.region]
    cast.cse.save()
    cast.cse.covered_segments.set([account.segment])
    contact = ContactFactory(account=account)
    opportunity = OpportunityFactory(account=account, owner=cast.account_owner)
    plan = SuccessPlanFactory(account=account)
    objective = ObjectiveFactory(success_plan=plan)
    offering = Offering.objects.active().first()
    case = cases.open_case(
        cast.account_owner,
        {
            "opportunity": opportunity.pk,
            "kind": "cse_help",
            "offering": offering.pk,
            "contact": contact.pk,
            "challenges": "Pipelines take 40 minutes.",
        },
    ).case
    request = engagements.file_request(cast.csm, service_data(account, objective), [STAKEHOLDER])
    session = officehours.save_session(
        cast.cse, {"weekday": 2, "start_time": time(16, 0), "duration_minutes": 60}
    )

    def ask(topic: str):
        return officehours.ask(
            cast.csm, session=session, account_id=account.pk, topic=topic, context="Context."
        )

    question = ask("Monorepo pipelines")
    spot = officehours.make_spot_engagement(
        ask("Runner fleet"), actor=cast.cse, scheduled_at=timezone.now() + timedelta(days=3)
    )
    playbook = playbooks.save_playbook({"name": "Harness playbook", "description": ""})
    step = playbooks.save_step({"title": "Say hello", "due_offset_days": 1}, playbook=playbook)
    strangers = {
        "account_owner": UserFactory(username="other-ae", roles=[Role.ACCOUNT_OWNER]),
        "csm": UserFactory(username="other-csm", roles=[Role.CSM]),
    }
    # Every member by the name the tests use: a role, or "stranger_<role>".
    members = {**cast.members(), **{f"stranger_{r}": u for r, u in strangers.items()}}
    return World(
        cast=cast,
        strangers=strangers,
        tokens={name: core.create_token(user, "harness")[1] for name, user in members.items()},
        sessions={name: _signed_in(user) for name, user in members.items()},
        segment=account.segment,
        spare_segment=SegmentFactory(name="Spare", arr_floor=0, arr_ceiling=10),
        account=account,
        contact=contact,
        opportunity=opportunity,
        plan=plan,
        objective=objective,
        offering=offering,
        case=case,
        cta=case.cta,
        task=case.cta.tasks.order_by("position").first(),
        request=request,
        session=session,
        question=question,
        meeting=spot.meeting,
        note=timeline.add_note(account=account, author=cast.csm, text="Kick-off went well."),
        playbook=playbook,
        step=step,
        teammate=UserFactory(username="teammate", roles=[Role.CSE]),
        ae_token=core.create_token(cast.account_owner, "laptop")[0],
        survey=_answered_survey(opportunity, contact, cast.cse),
        follow_up=(follow_up := _follow_up(ask("Caching"), contact, cast.cse)),
        further_question=followups.ask(
            follow_up.meeting, actor=cast.csm, question="Does the cache survive a rebase?"
        ),
        content_item=(item := content_fixtures.master_deck(cast.cse)),
        bug=content_fixtures.bug(item, cast.csm),
        community_event=content_fixtures.meetup_talk(account, cast.cse),
        escalation=escalations.raise_escalation(
            cast.csm,
            {"account": account.pk, "kind": "account", "risk": "churn", "impact": "Blocked."},
        ).escalation,
        webinar=(lab := _lab(cast)),
        registration=webinar_helpers.confirmed(lab, "visitor@initech.example"),
        campaign=campaigns.create(
            {
                "name": "Harness campaign",
                "segments": [account.segment_id],
                "subject": "Hello {{ contact_first_name }}",
                "body": "Book a call: {{ booking_link }}",
            },
            actor=cast.cs_ops,
        ),
        metric_import=MetricImport.objects.create(
            file="done.csv", original_name="done.csv", status="done", created_by=cast.cs_ops
        ),
    )


def _lab(cast):
    lab = webinar_helpers.published_lab(cast.program_manager, cast.cse)
    webinar_helpers.ready_environment(lab, cast.cse, cast.demo_architect)
    return lab


def _follow_up(question, contact, cse):
    """The follow-up of a spot call held with the contact (logging it opens it)."""
    spot = officehours.make_spot_engagement(
        question, actor=cse, scheduled_at=timezone.now() + timedelta(days=3)
    )
    spot.meeting.contacts.add(contact)
    return meetings.log_held(spot.meeting, actor=cse, summary="Caching.").follow_up


def _answered_survey(subject, contact, cse):
    sent = surveys.send_survey(SurveyKind.CSAT, subject, contact, cse=cse)
    token = sent.url.rstrip("/").rsplit("/", 1)[1]
    surveys.answer(token, score=4, comment="Clear and quick.")
    return sent.survey


def _signed_in(user) -> str:
    """A session, signed in once for all the requests: sign-in is not what is tested."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value
