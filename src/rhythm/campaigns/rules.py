"""Pure decisions of campaigns: the audience's conditions on health metrics, the
email template's placeholders, the covering CSE, who may approve.

An audience is groups of conditions: the groups combine with `match` ("all" is AND,
"any" is OR), the conditions of a group with the group's own `match`. A condition
reads one metric: its latest value (on or before today), or, with `for_days`, every
reading of the last N days (and the readings must reach back to the window's first
week, so one low reading yesterday is not "low for 90 days"). services compile it
into one queryset."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from rhythm.health.rules import METRIC_NAME

OPERATORS = {"<": "lt", "<=": "lte", "=": "exact", ">=": "gte", ">": "gt", "!=": "ne"}
MATCHES = ("all", "any")
MAX_WINDOW_DAYS = 730
COVERAGE_SLACK_DAYS = 7  # the first reading of a window may be this late
MAX_CONDITIONS = 20
FREQUENCY_CAP_DAYS = 7
ATTRIBUTION_DAYS = 30


@dataclass(frozen=True)
class Condition:
    metric: str
    op: str
    value: Decimal
    for_days: int | None = None

    def describe(self) -> str:
        text = f"{self.metric} {self.op} {self.value.normalize():f}"
        return f"{text} for {self.for_days} days" if self.for_days else text

    def holds(self, value: Decimal) -> bool:
        return {
            "<": value < self.value,
            "<=": value <= self.value,
            "=": value == self.value,
            ">=": value >= self.value,
            ">": value > self.value,
            "!=": value != self.value,
        }[self.op]


@dataclass(frozen=True)
class Group:
    match: str
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Audience:
    match: str = "all"
    groups: tuple[Group, ...] = ()

    def describe(self) -> str:
        if not self.groups:
            return "every account of the target group"
        joiner = " and " if self.match == "all" else " or "
        parts = []
        for group in self.groups:
            inner = (" and " if group.match == "all" else " or ").join(
                c.describe() for c in group.conditions
            )
            parts.append(
                f"({inner})" if len(self.groups) > 1 and len(group.conditions) > 1 else inner
            )
        return joiner.join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "match": self.match,
            "groups": [
                {
                    "match": g.match,
                    "conditions": [
                        {
                            "metric": c.metric,
                            "op": c.op,
                            "value": f"{c.value.normalize():f}",
                            **({"for_days": c.for_days} if c.for_days else {}),
                        }
                        for c in g.conditions
                    ],
                }
                for g in self.groups
            ],
        }

    @property
    def metrics(self) -> list[str]:
        return sorted({c.metric for g in self.groups for c in g.conditions})


def parse_audience(data: Any) -> tuple[Audience | None, dict[str, str]]:
    """Read an audience's conditions (JSON-shaped): the audience, or problems by the
    path of the bad part ("conditions.groups[0].conditions[1].op")."""
    base = "conditions"
    if data in (None, "", {}):
        return Audience(), {}
    if not isinstance(data, Mapping):
        return None, {base: "must be an object with match and groups."}
    problems: dict[str, str] = {}
    match = data.get("match", "all")
    if match not in MATCHES:
        problems[f"{base}.match"] = f"{match!r}: one of {', '.join(MATCHES)}."
    raw_groups = data.get("groups", [])
    if not isinstance(raw_groups, Sequence) or isinstance(raw_groups, str):
        return None, {f"{base}.groups": "must be a list of groups."}
    groups: list[Group] = []
    count = 0
    for gi, raw_group in enumerate(raw_groups):
        where = f"{base}.groups[{gi}]"
        if not isinstance(raw_group, Mapping):
            problems[where] = "must be an object with match and conditions."
            continue
        group_match = raw_group.get("match", "all")
        if group_match not in MATCHES:
            problems[f"{where}.match"] = f"{group_match!r}: one of {', '.join(MATCHES)}."
        conditions = []
        raw_conditions = raw_group.get("conditions") or []
        if not raw_conditions:
            problems[f"{where}.conditions"] = "a group needs at least one condition."
        for ci, raw in enumerate(raw_conditions):
            count += 1
            condition, problem = _parse_condition(raw, f"{where}.conditions[{ci}]")
            problems.update(problem)
            if condition:
                conditions.append(condition)
        groups.append(Group(group_match, tuple(conditions)))
    if count > MAX_CONDITIONS:
        problems[base] = f"at most {MAX_CONDITIONS} conditions (there are {count})."
    if problems:
        return None, problems
    return Audience(match, tuple(groups)), {}


def _parse_condition(raw: Any, where: str) -> tuple[Condition | None, dict[str, str]]:
    if not isinstance(raw, Mapping):
        return None, {where: "must be an object with metric, op and value."}
    problems = {}
    metric = str(raw.get("metric") or "").strip().lower()
    if not METRIC_NAME.match(metric):
        problems[f"{where}.metric"] = f"{metric or 'an empty name'!r} is not a metric name."
    op = str(raw.get("op") or "").strip()
    if op not in OPERATORS:
        problems[f"{where}.op"] = f"{op or 'nothing'!r}: one of {' '.join(OPERATORS)}."
    try:
        value = Decimal(str(raw.get("value", "")).strip())
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        value = Decimal(0)
        problems[f"{where}.value"] = f"{raw.get('value')!r} is not a number."
    for_days = raw.get("for_days") or None
    if for_days is not None:
        try:
            for_days = int(for_days)
        except (TypeError, ValueError):
            for_days = None
            problems[f"{where}.for_days"] = "must be a whole number of days."
        else:
            if not 1 <= for_days <= MAX_WINDOW_DAYS:
                problems[f"{where}.for_days"] = f"between 1 and {MAX_WINDOW_DAYS} days."
    if problems:
        return None, problems
    return Condition(metric, op, value, for_days), {}


# --- The email template -------------------------------------------------------

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z][a-z0-9_]*)?)\s*\}\}")
PLACEHOLDERS = {
    "contact_name": "the contact's name",
    "contact_first_name": "the contact's first name",
    "account_name": "the account's name",
    "cse_name": "the covering CSE's name",
    "cse_email": "the covering CSE's email",
    "booking_link": "the covering CSE's booking link",
    "unsubscribe_link": "the contact's unsubscribe link (added at the end when left out)",
}
METRIC_PREFIX = "metric."
SUBJECT_LIMIT = 200
BODY_LIMIT = 10_000


def template_problems(subject: str, body: str) -> dict[str, str]:
    problems = {}
    for name, text, limit in (("subject", subject, SUBJECT_LIMIT), ("body", body, BODY_LIMIT)):
        if not text.strip():
            problems[name] = "required."
        elif len(text) > limit:
            problems[name] = f"at most {limit} characters (it has {len(text)})."
        else:
            unknown = [
                p
                for p in PLACEHOLDER.findall(text)
                if p not in PLACEHOLDERS
                and not (p.startswith(METRIC_PREFIX) and METRIC_NAME.match(p[len(METRIC_PREFIX) :]))
            ]
            if unknown:
                problems[name] = (
                    f"unknown placeholder {{{{ {unknown[0]} }}}}; use one of "
                    + ", ".join(f"{{{{ {p} }}}}" for p in PLACEHOLDERS)
                    + ", or {{ metric.NAME }}."
                )
    return problems


def render(text: str, values: Mapping[str, str], metrics: Mapping[str, Decimal]) -> str:
    """Fill the placeholders; a metric the account has no reading of reads "n/a"."""

    def fill(found: re.Match[str]) -> str:
        name = found.group(1)
        if name.startswith(METRIC_PREFIX):
            value = metrics.get(name[len(METRIC_PREFIX) :])
            return "n/a" if value is None else f"{value.normalize():f}"
        return values.get(name, found.group(0))

    return PLACEHOLDER.sub(fill, text)


def metrics_named(subject: str, body: str) -> list[str]:
    return sorted(
        {
            p[len(METRIC_PREFIX) :]
            for p in PLACEHOLDER.findall(subject + "\n" + body)
            if p.startswith(METRIC_PREFIX)
        }
    )


# --- Contacts, CSEs, approval -------------------------------------------------


def title_matches(title: str, roles: Sequence[str]) -> bool:
    """A contact is addressed when its title names one of the campaign's roles (no
    roles: every contact). The CRM keeps a contact's role in its title."""
    if not roles:
        return True
    lowered = title.lower()
    return any(role.lower() in lowered for role in roles)


def pick_cse(candidates: Sequence[tuple[int, int]]) -> int | None:
    """Of the CSEs covering an account's segment and region, (id, load) each, the
    least loaded; of equals, the longest-standing (lowest id), so a run is
    repeatable. Load is open CTAs owned, as capacity planning counts them."""
    if not candidates:
        return None
    return min(candidates, key=lambda c: (c[1], c[0]))[0]


@dataclass(frozen=True)
class ApprovalVerdict:
    allowed: bool
    reasons: list[str] = field(default_factory=list)


def approval(
    *, approver_id: int, author_id: int | None, approver_roles: set[str]
) -> ApprovalVerdict:
    """A second person approves: a CS operations member or a CSE manager (or an
    admin), never the campaign's author."""
    if approver_id == author_id:
        return ApprovalVerdict(
            False, ["The campaign's author may not approve it: a second person reviews it."]
        )
    if not approver_roles & {"cs_operations", "cse_manager", "admin"}:
        return ApprovalVerdict(
            False, ["Only CS operations or a CSE manager may approve a campaign."]
        )
    return ApprovalVerdict(True)


def first_name(name: str) -> str:
    return name.split()[0] if name.strip() else name


# --- The form's text for conditions ---------------------------------------------------

LINE = re.compile(
    r"^\s*(?P<metric>[A-Za-z][A-Za-z0-9_]*)\s*(?P<op><=|>=|!=|<|>|=)\s*(?P<value>-?[0-9][0-9.,]*)\s*%?"
    r"(?:\s+for\s+(?P<days>[0-9]+)\s+days?)?\s*$",
    re.IGNORECASE,
)


def conditions_from_text(text: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The form's conditions, one a line ("license_utilisation < 50 for 90 days"):
    the lines of a group all hold (AND); a line "or" starts another group, any of
    which may hold (OR). As JSON for parse_audience, or the problem by line."""
    groups: list[list[dict[str, Any]]] = [[]]
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if line.strip().lower() == "or":
            groups.append([])
            continue
        found = LINE.match(line)
        if not found:
            return {}, {
                "conditions": f"line {number}: {line.strip()!r} is not a condition; write "
                "“metric < 50”, “metric = 21” or “metric < 50 for 90 days”, and “or” alone "
                "on a line between alternatives."
            }
        condition: dict[str, Any] = {
            "metric": found["metric"].lower(),
            "op": found["op"],
            "value": found["value"].replace(",", ""),
        }
        if found["days"]:
            condition["for_days"] = int(found["days"])
        groups[-1].append(condition)
    groups = [g for g in groups if g]
    if not groups:
        return {}, {}
    return {
        "match": "any",
        "groups": [{"match": "all", "conditions": g} for g in groups],
    }, {}


def conditions_to_text(data: Mapping[str, Any]) -> str:
    """The form's text of stored conditions (an audience of OR-ed AND groups; a group
    of "any" reads as alternatives of one line each)."""
    audience, _ = parse_audience(data)
    if audience is None or not audience.groups:
        return ""
    alternatives: list[list[Condition]] = []
    if audience.match == "any":
        for group in audience.groups:
            if group.match == "all":
                alternatives.append(list(group.conditions))
            else:
                alternatives.extend([c] for c in group.conditions)
    else:
        alternatives = [[c for g in audience.groups for c in g.conditions]]
    return "\nor\n".join("\n".join(c.describe() for c in alt) for alt in alternatives)
