"""What each role may do, as data. Pure: no database, no I/O."""

from __future__ import annotations

from rhythm.people.choices import Role

VIEW_ALL_ACCOUNTS = "customers.view_all_accounts"

_VIEW_CUSTOMERS = [
    "customers.view_segment",
    "customers.view_account",
    "customers.view_contact",
    "customers.view_opportunity",
    "customers.view_successplan",
    "customers.view_objective",
]
_VIEW_TEAM = ["people.view_user"]
_VIEW_ENGAGEMENTS = [
    "catalog.view_offering",
    "cases.view_case",
    "ctas.view_cta",
    "ctas.view_playbook",
    "engagements.view_engagementrequest",
    "meetings.view_meeting",
    "officehours.view_officehoursession",
    "officehours.view_question",
    "timeline.view_timelineentry",
]
_NOTES = ["timeline.add_timelineentry"]

# Every role sees the team. Account owners and CSMs see the accounts they own or
# manage; the CSE organisation sees every account (the VIEW_ALL_ACCOUNTS right).
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.ACCOUNT_OWNER: [
        *_VIEW_CUSTOMERS,
        *_VIEW_TEAM,
        "customers.add_contact",
        "customers.change_contact",
        "customers.add_opportunity",
        "customers.change_opportunity",
        *_VIEW_ENGAGEMENTS,
        *_NOTES,
        "cases.add_case",
    ],
    Role.CSM: [
        *_VIEW_CUSTOMERS,
        *_VIEW_TEAM,
        "customers.add_contact",
        "customers.change_contact",
        "customers.add_successplan",
        "customers.change_successplan",
        "customers.add_objective",
        "customers.change_objective",
        *_VIEW_ENGAGEMENTS,
        *_NOTES,
        "engagements.add_engagementrequest",
        "officehours.add_question",
    ],
    Role.CSE: [
        *_VIEW_CUSTOMERS,
        *_VIEW_TEAM,
        VIEW_ALL_ACCOUNTS,
        "customers.add_contact",
        "customers.change_contact",
        "customers.change_objective",
        *_VIEW_ENGAGEMENTS,
        *_NOTES,
        "ctas.change_cta",
        "ctas.change_ctatask",
        "officehours.add_officehoursession",
        "officehours.change_officehoursession",
        "officehours.change_question",
        "meetings.add_meeting",
    ],
    Role.CSE_MANAGER: [
        *_VIEW_CUSTOMERS,
        *_VIEW_TEAM,
        VIEW_ALL_ACCOUNTS,
        "customers.change_account",
        "customers.change_objective",
        "people.change_user",
        *_VIEW_ENGAGEMENTS,
        *_NOTES,
        "ctas.change_cta",
        "ctas.change_ctatask",
        "ctas.assign_cta",
        "engagements.review_engagementrequest",
        "officehours.add_officehoursession",
        "officehours.change_officehoursession",
        "meetings.add_meeting",
    ],
    Role.PROGRAM_MANAGER: [
        *_VIEW_CUSTOMERS,
        *_VIEW_TEAM,
        VIEW_ALL_ACCOUNTS,
        *_VIEW_ENGAGEMENTS,
    ],
    Role.CS_OPERATIONS: [
        *_VIEW_CUSTOMERS,
        *_VIEW_TEAM,
        VIEW_ALL_ACCOUNTS,
        "customers.add_segment",
        "customers.change_segment",
        "customers.add_account",
        "customers.change_account",
        "customers.add_contact",
        "customers.change_contact",
        "customers.add_opportunity",
        "customers.change_opportunity",
        *_VIEW_ENGAGEMENTS,
        *_NOTES,
        "ctas.add_playbook",
        "ctas.change_playbook",
        "ctas.add_playbookstep",
        "ctas.change_playbookstep",
    ],
    Role.DEMO_ARCHITECT: [
        *_VIEW_CUSTOMERS,
        *_VIEW_TEAM,
        VIEW_ALL_ACCOUNTS,
        *_VIEW_ENGAGEMENTS,
    ],
    Role.ADMIN: [
        *_VIEW_CUSTOMERS,
        *_VIEW_TEAM,
        VIEW_ALL_ACCOUNTS,
        "customers.add_segment",
        "customers.change_segment",
        "customers.add_account",
        "customers.change_account",
        "customers.add_contact",
        "customers.change_contact",
        "customers.add_opportunity",
        "customers.change_opportunity",
        "customers.add_successplan",
        "customers.change_successplan",
        "customers.add_objective",
        "customers.change_objective",
        "people.add_user",
        "people.change_user",
        *_VIEW_ENGAGEMENTS,
        *_NOTES,
        "catalog.add_offering",
        "catalog.change_offering",
        "cases.add_case",
        "ctas.change_cta",
        "ctas.change_ctatask",
        "ctas.assign_cta",
        "ctas.add_playbook",
        "ctas.change_playbook",
        "ctas.add_playbookstep",
        "ctas.change_playbookstep",
        "engagements.add_engagementrequest",
        "engagements.review_engagementrequest",
        "officehours.add_officehoursession",
        "officehours.change_officehoursession",
        "officehours.add_question",
        "officehours.change_question",
        "meetings.add_meeting",
    ],
}


def archive_refusal(name: str, *, open_ctas: int, engagements: int, accounts: int) -> str | None:
    """A member who leaves hands their work over first: archived with it, it would
    sit with someone who can no longer sign in, and their accounts would drop out
    of sight of the people who work them."""
    held = [
        f"{n} {what}{'s' if n != 1 else ''}"
        for n, what in (
            (open_ctas, "open CTA"),
            (engagements, "running engagement"),
            (accounts, "account"),
        )
        if n
    ]
    if not held:
        return None
    return f"{name} still has {', '.join(held)}: reassign them first."


# What anyone may change of themselves: how they are reached and when. Capacity,
# coverage and roles are their manager's or an admin's to set.
SELF_SERVICE_FIELDS = frozenset({"title", "time_zone", "booking_url"})
