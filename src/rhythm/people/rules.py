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
    ],
    Role.CSE: [
        *_VIEW_CUSTOMERS,
        *_VIEW_TEAM,
        VIEW_ALL_ACCOUNTS,
        "customers.add_contact",
        "customers.change_contact",
        "customers.change_objective",
    ],
    Role.CSE_MANAGER: [
        *_VIEW_CUSTOMERS,
        *_VIEW_TEAM,
        VIEW_ALL_ACCOUNTS,
        "customers.change_account",
        "customers.change_objective",
        "people.change_user",
    ],
    Role.PROGRAM_MANAGER: [*_VIEW_CUSTOMERS, *_VIEW_TEAM, VIEW_ALL_ACCOUNTS],
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
    ],
    Role.DEMO_ARCHITECT: [*_VIEW_CUSTOMERS, *_VIEW_TEAM, VIEW_ALL_ACCOUNTS],
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
    ],
}
