"""Who may call each customer endpoint: every endpoint, every member of the cast."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from rhythm.customers.models import Account
from tests.conftest import CAST
from tests.core.test_api_auth_and_errors import assert_error
from tests.customers.conftest import World, account_body

ROLES = CAST


def statuses(default: int, **by_role: int) -> dict[str, int]:
    """The expected status for every member of the cast."""
    assert set(by_role) <= set(ROLES), set(by_role) - set(ROLES)
    return {role: by_role.get(role, default) for role in ROLES}


# --- Permissions: every endpoint, every member of the cast ---------------------------


@dataclass
class Endpoint:
    name: str
    method: str
    path: Callable[[World], str]
    expected: dict[str, int]
    body: Callable[[str, World], dict[str, Any]] | None = None


ENDPOINTS = [
    # Segments: everyone with a role reads them; CS operations and admins shape them.
    Endpoint("segment list", "get", lambda w: "/segments", statuses(200, outsider=403)),
    Endpoint(
        "segment detail",
        "get",
        lambda w: f"/segments/{w.segment.pk}",
        statuses(200, outsider=403),
    ),
    Endpoint(
        "segment create",
        "post",
        lambda w: "/segments",
        statuses(403, cs_ops=201, admin=201),
        lambda role, w: {"name": f"Band {role}", "arr_floor": "0", "arr_ceiling": "1000"},
    ),
    Endpoint(
        "segment update",
        "patch",
        lambda w: f"/segments/{w.spare_segment.pk}",
        statuses(403, cs_ops=200, admin=200),
        lambda role, w: {"arr_ceiling": "20"},
    ),
    Endpoint(
        "segment archive",
        "post",
        lambda w: f"/segments/{w.spare_segment.pk}/archive",
        statuses(403, cs_ops=200, admin=200),
    ),
    # Accounts: owners and CSMs see theirs, the CSE organisation sees all.
    Endpoint("account list", "get", lambda w: "/accounts", statuses(200)),
    Endpoint(
        "account detail",
        "get",
        lambda w: f"/accounts/{w.account.pk}",
        statuses(200, outsider=404),
    ),
    Endpoint(
        "account create",
        "post",
        lambda w: "/accounts",
        statuses(403, cs_ops=201, admin=201),
        lambda role, w: account_body(w, name=f"Acme {role}", crm_id=f"CRM-{role}"),
    ),
    Endpoint(
        "account update",
        "patch",
        lambda w: f"/accounts/{w.account.pk}",
        statuses(403, manager=200, cs_ops=200, admin=200, outsider=404),
        lambda role, w: {"industry": f"Edited by {role}"},
    ),
    Endpoint(
        "account archive",
        "post",
        lambda w: f"/accounts/{w.account.pk}/archive",
        statuses(403, manager=200, cs_ops=200, admin=200, outsider=404),
    ),
    # Contacts: whoever works the account keeps its contacts.
    Endpoint("contact list", "get", lambda w: "/contacts", statuses(200)),
    Endpoint(
        "contact detail",
        "get",
        lambda w: f"/contacts/{w.contact.pk}",
        statuses(200, outsider=404),
    ),
    Endpoint(
        "contact create",
        "post",
        lambda w: "/contacts",
        statuses(403, account_owner=201, csm=201, cse=201, cs_ops=201, admin=201),
        lambda role, w: {
            "account": w.account.pk,
            "name": f"Contact of {role}",
            "email": f"{role}@customer.example",
        },
    ),
    Endpoint(
        "contact update",
        "patch",
        lambda w: f"/contacts/{w.contact.pk}",
        statuses(403, account_owner=200, csm=200, cse=200, cs_ops=200, admin=200, outsider=404),
        lambda role, w: {"title": f"Seen by {role}"},
    ),
    Endpoint(
        "contact archive",
        "post",
        lambda w: f"/contacts/{w.contact.pk}/archive",
        statuses(403, account_owner=200, csm=200, cse=200, cs_ops=200, admin=200, outsider=404),
    ),
    # Opportunities: the account owner's, and CS operations'.
    Endpoint("opportunity list", "get", lambda w: "/opportunities", statuses(200)),
    Endpoint(
        "opportunity detail",
        "get",
        lambda w: f"/opportunities/{w.opportunity.pk}",
        statuses(200, outsider=404),
    ),
    Endpoint(
        "opportunity create",
        "post",
        lambda w: "/opportunities",
        statuses(403, account_owner=201, cs_ops=201, admin=201),
        lambda role, w: {
            "account": w.account.pk,
            "crm_id": f"OPP-{role}",
            "name": f"Expansion by {role}",
            "amount": "25000",
        },
    ),
    Endpoint(
        "opportunity update",
        "patch",
        lambda w: f"/opportunities/{w.opportunity.pk}",
        statuses(403, account_owner=200, cs_ops=200, admin=200, outsider=404),
        lambda role, w: {"amount": "30000"},
    ),
    Endpoint(
        "opportunity archive",
        "post",
        lambda w: f"/opportunities/{w.opportunity.pk}/archive",
        statuses(403, account_owner=200, cs_ops=200, admin=200, outsider=404),
    ),
    # Success plans: the CSM's; objectives progress is also the CSE's and manager's.
    Endpoint("success plan list", "get", lambda w: "/success-plans", statuses(200)),
    Endpoint(
        "success plan detail",
        "get",
        lambda w: f"/success-plans/{w.plan.pk}",
        statuses(200, outsider=404),
    ),
    Endpoint(
        "success plan create",
        "post",
        lambda w: "/success-plans",
        statuses(403, csm=201, admin=201),
        lambda role, w: {
            "account": w.account.pk,
            "name": f"Plan by {role}",
            "objectives": [{"title": "Adopt CI", "progress": 10}],
        },
    ),
    Endpoint(
        "success plan update",
        "patch",
        lambda w: f"/success-plans/{w.plan.pk}",
        statuses(403, csm=200, admin=200, outsider=404),
        lambda role, w: {"summary": f"Reviewed by {role}"},
    ),
    Endpoint(
        "success plan archive",
        "post",
        lambda w: f"/success-plans/{w.plan.pk}/archive",
        statuses(403, csm=200, admin=200, outsider=404),
    ),
    Endpoint(
        "objective create",
        "post",
        lambda w: f"/success-plans/{w.plan.pk}/objectives",
        statuses(403, csm=201, admin=201, outsider=404),
        lambda role, w: {"title": f"Objective by {role}", "status": "amber"},
    ),
    Endpoint(
        "objective update",
        "patch",
        lambda w: f"/objectives/{w.objective.pk}",
        statuses(403, csm=200, cse=200, manager=200, admin=200, outsider=404),
        lambda role, w: {"progress": 55},
    ),
    Endpoint(
        "objective archive",
        "post",
        lambda w: f"/objectives/{w.objective.pk}/archive",
        statuses(403, csm=200, cse=200, manager=200, admin=200, outsider=404),
    ),
]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_each_role_gets_the_expected_status(api, cast, world, endpoint):
    actual = {}
    for role, user in cast.members().items():
        client = api(user)
        path = endpoint.path(world)
        if endpoint.method == "get":
            response = client.get(path)
        else:
            body = endpoint.body(role, world) if endpoint.body else {}
            response = getattr(client, endpoint.method)(path, body)
        actual[role] = response.status_code
        if response.status_code >= 400:
            assert_error(response, response.status_code)
    assert actual == endpoint.expected


def test_a_refused_write_changes_nothing(api, cast, world):
    before = Account.objects.get(pk=world.account.pk)
    for user in (cast.account_owner, cast.csm, cast.cse, cast.outsider):
        api(user).patch(f"/accounts/{world.account.pk}", {"arr": "1"})
        api(user).post(f"/accounts/{world.account.pk}/archive")
    after = Account.objects.get(pk=world.account.pk)
    assert (after.arr, after.archived_at, after.updated_at) == (
        before.arr,
        None,
        before.updated_at,
    )
