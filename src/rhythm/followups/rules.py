"""What a follow-up is, decided without Django: when it is due, its four parts,
the email they make, and whether it went on time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

# The handbook: the follow-up goes within 3 business days of the call, 2 is the aim.
DUE_BUSINESS_DAYS = 3
TARGET_BUSINESS_DAYS = 2

# The handbook's four parts of a follow-up email, in the order the email has them.
PARTS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary of key points"),
    ("action_items", "Action items and next steps"),
    ("resources", "Resources and documentation"),
    ("invitation", "An invitation to ask more"),
)
PART_NAMES = tuple(name for name, _ in PARTS)
PART_LIMIT = 10_000


def part_problems(parts: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Each part that is missing or too long, by its field: what is wrong and its code."""
    problems = {}
    for name, label in PARTS:
        text = (parts.get(name) or "").strip()
        if not text:
            problems[name] = (f"{label} is required: a follow-up has all four parts.", "required")
        elif len(text) > PART_LIMIT:
            problems[name] = (
                f"{label} is at most {PART_LIMIT} characters (it has {len(text)}).",
                "max_length",
            )
    return problems


def subject(meeting_name: str) -> str:
    return f"Follow-up: {meeting_name}"


def body(parts: Mapping[str, str], *, greeting: str, signature: str) -> str:
    """The email's text: a greeting, the four parts under their headings, the CSE's name."""
    sections = [f"{label}\n{'-' * len(label)}\n{parts[name].strip()}" for name, label in PARTS]
    return "\n\n".join([f"Hello {greeting},", *sections, f"Best regards,\n{signature}"]) + "\n"


def greeting(names: list[str]) -> str:
    """Whom the email greets: the contacts' first names ("Grace and Alan")."""
    first = [n.split()[0] for n in names if n.split()] or ["all"]
    return first[0] if len(first) == 1 else ", ".join(first[:-1]) + " and " + first[-1]


def on_time(sent_at: datetime, due_at: datetime) -> bool:
    return sent_at <= due_at


def outcome_note(*, on_time: bool, outcome: str) -> str:
    """What the CTA's "Send the follow-up email" task keeps of it (300 characters)."""
    when = "Follow-up sent on time" if on_time else "Follow-up sent late"
    return (f"{when}: {outcome}" if outcome else f"{when}.")[:300]


# A customer's further question is answered within 1 business day of the CSE who
# held the call.
ANSWER_BUSINESS_DAYS = 1
QUESTION_LIMIT = 5_000


def text_problem(text: str, *, what: str, limit: int = QUESTION_LIMIT) -> tuple[str, str] | None:
    """Why a question's or an answer's text is refused (message, code), or None."""
    text = (text or "").strip()
    if not text:
        return (f"Write the {what}.", "required")
    if len(text) > limit:
        return (f"The {what} is at most {limit} characters (it has {len(text)}).", "max_length")
    return None
