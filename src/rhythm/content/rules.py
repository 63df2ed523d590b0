"""Pure decisions about content and its bugs: no database, no clock, no I/O.

The webinar guidelines below are the handbook's own words (seed "CSE Operating
Rhythm": Lab Preparation, Lab housekeeping items, Tips and tricks for presenting),
each applied to the kinds of content it is about. The internal "Webinar Guidelines
for CSEs" page the handbook links to is not public; what the public page says is
what a content item is checked against.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from rhythm.content.choices import BugPlace, BugStatus, ContentKind, ContentStatus, Severity
from rhythm.core.rules import Move, Workflow

K = ContentKind
DECKS = frozenset({K.MASTER_DECK, K.LAB_TEMPLATE})
LABS = frozenset({K.LAB_TEMPLATE, K.EXERCISE_PROJECT})
PRESENTED = frozenset({K.RECORDING, K.LAB_TEMPLATE, K.MASTER_DECK})


@dataclass(frozen=True)
class Guideline:
    code: str
    text: str
    kinds: frozenset[str]


GUIDELINES: tuple[Guideline, ...] = (
    Guideline(
        "project_linked",
        "The correct project of the GitLab Learn Labs Sample Projects group is linked in the deck.",
        frozenset({*DECKS, K.EXERCISE_PROJECT}),
    ),
    Guideline(
        "subgroup_instructions",
        "The deck has the detailed instructions attendees follow to redeem their invitation "
        "code, create their subgroup and access it.",
        DECKS,
    ),
    Guideline(
        "registration_codes_slide",
        "The deck has the registration codes slide the host changes for each lab.",
        DECKS,
    ),
    Guideline(
        "presenter_slide",
        "The deck has the presenter slide for the host's name and profile picture.",
        DECKS,
    ),
    Guideline(
        "housekeeping_muted",
        "Housekeeping: all attendees are muted; questions go in the Q&A panel.",
        DECKS,
    ),
    Guideline(
        "housekeeping_account",
        "Housekeeping: an account on gitlab.com is needed before starting.",
        DECKS,
    ),
    Guideline(
        "housekeeping_access_days",
        "Housekeeping: the deck says how many days the lab environment stays open (2 or 4).",
        DECKS,
    ),
    Guideline(
        "exercises_run",
        "The exercises were run through in their entirety, with no technical issues.",
        LABS,
    ),
    Guideline(
        "side_by_side",
        "The exercises work with two windows side by side: the issue instructions and the "
        "lab project.",
        LABS,
    ),
    Guideline(
        "full_screen",
        "Slides are shown in full screen presentation mode.",
        PRESENTED,
    ),
    Guideline(
        "no_other_customers",
        "Notifications are off, the bookmarks bar is hidden, and nothing about other "
        "customers is shown.",
        PRESENTED,
    ),
    Guideline(
        "slow_pace",
        "The exercises are shown slower than you think you need.",
        frozenset({K.RECORDING, K.LAB_TEMPLATE}),
    ),
)


def guidelines_for(kind: str) -> list[Guideline]:
    """The guidelines a content item of this kind is checked against, in order."""
    return [g for g in GUIDELINES if kind in g.kinds]


def unticked(kind: str, ticked: Iterable[str]) -> list[Guideline]:
    done = set(ticked)
    return [g for g in guidelines_for(kind) if g.code not in done]


def readiness_note(kind: str, ticked: Iterable[str]) -> str:
    """ "" when every guideline is ticked; otherwise what the reviewer still has to check."""
    left = unticked(kind, ticked)
    if not left:
        return ""
    return f"{len(left)} of the webinar guidelines are not checked yet: " + " ".join(
        g.text for g in left
    )


# --- The content's workflow ---------------------------------------------------
# The owner writes it and sends it for review; a content maintainer (another CSE,
# a manager or the program manager) reviews it against the guidelines; ready
# content is used by events until it is retired. Retired is the end.

OWNER, MAINTAINER = "owner", "maintainer"
CS = ContentStatus
_BOTH = frozenset({OWNER, MAINTAINER})
REASON = "Say why, for the owner and the history."

CONTENT_WORKFLOW = Workflow(
    noun="content item",
    moves={
        (CS.DRAFT, CS.IN_REVIEW): Move(
            "send for review", frozenset({OWNER}), label="Send for review"
        ),
        (CS.IN_REVIEW, CS.READY): Move(
            "approve",
            frozenset({MAINTAINER}),
            {"guidelines": "Check every webinar guideline before the content is ready."},
            label="Mark ready",
        ),
        (CS.IN_REVIEW, CS.DRAFT): Move(
            "send back", _BOTH, {"reason": REASON}, label="Send back to draft"
        ),
        (CS.READY, CS.IN_REVIEW): Move("revise", _BOTH, label="Revise"),
        (CS.DRAFT, CS.RETIRED): Move("retire", _BOTH, {"reason": REASON}, label="Retire"),
        (CS.READY, CS.RETIRED): Move("retire", _BOTH, {"reason": REASON}, label="Retire"),
    },
    states=dict(CS.choices),
    party_labels={OWNER: "the content's owner", MAINTAINER: "a content maintainer"},
)


# --- Bugs ---------------------------------------------------------------------
# A bug goes to the content's owner, who triages it, fixes it and closes it; a
# maintainer may act in their place. Whoever reported it may close it once fixed,
# or send it back when the fix did not work.

REPORTER = "reporter"
BS = BugStatus
_FIXERS = frozenset({OWNER, MAINTAINER})

BUG_WORKFLOW = Workflow(
    noun="bug",
    moves={
        (BS.REPORTED, BS.TRIAGED): Move("triage", _FIXERS, label="Triage"),
        (BS.REPORTED, BS.CLOSED): Move(
            "close", _FIXERS, {"reason": "Say why this is no bug to fix."}, label="Close"
        ),
        (BS.TRIAGED, BS.FIXED): Move(
            "fix", _FIXERS, {"reason": "Say what was fixed, for the reporter."}, label="Mark fixed"
        ),
        (BS.TRIAGED, BS.CLOSED): Move(
            "close", _FIXERS, {"reason": "Say why it will not be fixed."}, label="Close"
        ),
        (BS.FIXED, BS.CLOSED): Move("close", frozenset({*_FIXERS, REPORTER}), label="Close"),
        (BS.FIXED, BS.TRIAGED): Move(
            "reopen",
            frozenset({*_FIXERS, REPORTER}),
            {"reason": "Say what is still wrong."},
            label="Reopen",
        ),
    },
    states=dict(BS.choices),
    party_labels={
        OWNER: "the content's owner",
        MAINTAINER: "a content maintainer",
        REPORTER: "whoever reported it",
    },
)

OPEN_BUG_STATUSES = frozenset({BS.REPORTED, BS.TRIAGED, BS.FIXED})
SEVERE = frozenset({Severity.CRITICAL, Severity.HIGH})
# The worst first: the owner's queue and an event's panel list bugs in this order.
SEVERITY_RANK = {s.value: rank for rank, s in enumerate(Severity)}


SEVERITY_MEANS = {
    Severity.CRITICAL: "the lab or webinar cannot go on",
    Severity.HIGH: "attendees get stuck without help",
    Severity.MEDIUM: "a workaround exists",
    Severity.LOW: "cosmetic",
}


def is_severe(severity: str) -> bool:
    return severity in SEVERE


TITLE_LIMIT = 200
TEXT_LIMIT = 5000
PLACE_LIMIT = 200
LINK_LIMIT = 500

_PLACE_PROMPTS = {
    BugPlace.SLIDE: "Say which slide: its number or its title.",
    BugPlace.EXERCISE_STEP: "Say which exercise and step, such as 'Exercise 3, step 2'.",
    BugPlace.ELSEWHERE: "Say where in the content it is.",
}


def link_problem(url: str, *, required: bool) -> tuple[str, str] | None:
    """Why a link is refused (message, rule), or None."""
    if not url:
        return ("Give the link.", "required") if required else None
    if len(url) > LINK_LIMIT:
        return f"At most {LINK_LIMIT} characters; this has {len(url)}.", "max_length"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "Give a full http:// or https:// address.", "invalid_url"
    return None


def _text_problem(value: str, limit: int, prompt: str) -> tuple[str, str] | None:
    if not value:
        return prompt, "required"
    if len(value) > limit:
        return f"At most {limit} characters; this has {len(value)}.", "max_length"
    return None


def bug_problems(data: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Every field of a bug report that breaks the bug template's rules, at once:
    field -> (message, rule). The values come stripped."""
    problems: dict[str, tuple[str, str] | None] = {}
    problems["title"] = _text_problem(
        data.get("title", ""), TITLE_LIMIT, "Say in a line what is wrong."
    )
    place = data.get("place", "")
    if place not in BugPlace.values:
        problems["place"] = (
            f"Choose where it is: {', '.join(BugPlace.values)}.",
            "required" if not place else "invalid_choice",
        )
    else:
        problems["location"] = _text_problem(
            data.get("location", ""), PLACE_LIMIT, _PLACE_PROMPTS[BugPlace(place)]
        )
    problems["expected"] = _text_problem(
        data.get("expected", ""), TEXT_LIMIT, "Say what you expected to happen."
    )
    problems["actual"] = _text_problem(
        data.get("actual", ""), TEXT_LIMIT, "Say what happened instead."
    )
    severity = data.get("severity", "")
    if severity not in Severity.values:
        problems["severity"] = (
            f"Choose the severity: {', '.join(Severity.values)}.",
            "required" if not severity else "invalid_choice",
        )
    problems["screenshot_url"] = link_problem(data.get("screenshot_url", ""), required=False)
    return {name: problem for name, problem in problems.items() if problem}


def item_problems(data: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Every field of a content item that breaks a rule: field -> (message, rule)."""
    problems: dict[str, tuple[str, str] | None] = {
        "title": _text_problem(data.get("title", ""), TITLE_LIMIT, "Give the content a title."),
        "link": link_problem(data.get("link", ""), required=True),
    }
    if "kind" in data and data["kind"] not in ContentKind.values:
        problems["kind"] = (f"Choose one of {', '.join(ContentKind.values)}.", "invalid_choice")
    return {name: problem for name, problem in problems.items() if problem}
