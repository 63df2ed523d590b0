"""Customers: segments, accounts, contacts, opportunities, success plans and objectives.

Everyone with a role reads them (account owners and CSMs their own accounts only);
CS operations and admins shape segments and accounts, and a CSE manager may change
an account; whoever works an account keeps its contacts; opportunities are the
account owner's; success plans the CSM's, their objectives' progress also the
CSE's and the manager's.
"""

from tests.permissions.harness import Operation, Redirect, Route, expect, hidden

PLANS_TAB = Redirect("customers:account-tab")

ROUTES = [
    Route("customers:account-list", get=expect(200, outsider=403)),
    Route("customers:account-detail", get=expect(200, outsider=403)),
    Route(
        "customers:account-edit",
        get=expect(403, manager=200, cs_ops=200, admin=200),
        post=expect(403, manager=200, cs_ops=200, admin=200),  # an empty form: shown again
        # Neither role may edit any account: refused before the account is looked up.
        stranger={"get": hidden(403), "post": hidden(403)},
    ),
    Route(
        "customers:contact-create",
        get=expect(200, manager=403, program_manager=403, demo_architect=403, outsider=403),
        post=expect(200, manager=403, program_manager=403, demo_architect=403, outsider=403),
    ),
    Route("customers:opportunity-detail", get=expect(200, outsider=403)),
    # The account page's tabs (each app brings its own; core.registry): everyone who
    # sees the account reads every tab.
    *(
        Route("customers:account-tab", get=expect(200, outsider=403), kwargs={"tab": tab})
        for tab in (
            "contacts",
            "opportunities",
            "success-plans",
            "cases",
            "requests",
            "meetings",
            "timeline",
            "history",
            "qbr",
        )
    ),
    # Success plans are the CSM's (and an admin's); their objectives' progress also the
    # CSE's and the manager's. Refused before the account is looked up, so an account
    # owner without the right gets 403 on any account, a CSM a 404 on another's.
    Route(
        "customers:plan-create",
        get=expect(403, csm=200, admin=200),
        post=expect(403, csm=PLANS_TAB, admin=PLANS_TAB),
        data=lambda w: {"name": "FY27 plan"},
        stranger={"get": hidden(account_owner=403), "post": hidden(account_owner=403)},
    ),
    Route(
        "customers:plan-edit",
        get=expect(403, csm=200, admin=200),
        post=expect(403, csm=PLANS_TAB, admin=PLANS_TAB),
        data=lambda w: {"name": "FY27 plan, reviewed"},
        stranger={"get": hidden(account_owner=403), "post": hidden(account_owner=403)},
    ),
    Route(
        "customers:objective-create",
        get=expect(403, csm=200, admin=200),
        post=expect(403, csm=PLANS_TAB, admin=PLANS_TAB),
        data=lambda w: {"title": "Adopt SAST", "status": "amber", "progress": "10"},
        stranger={"get": hidden(account_owner=403), "post": hidden(account_owner=403)},
    ),
    Route(
        "customers:objective-edit",
        get=expect(403, csm=200, cse=200, manager=200, admin=200),
        post=expect(403, csm=PLANS_TAB, cse=PLANS_TAB, manager=PLANS_TAB, admin=PLANS_TAB),
        data=lambda w: {"title": w.objective.title, "status": "green", "progress": "55"},
        stranger={"get": hidden(account_owner=403), "post": hidden(account_owner=403)},
    ),
]


def account_body(w):
    return {
        "name": "Acme Corp",
        "crm_id": "CRM-ACME",
        "segment": w.segment.pk,
        "region": "EMEA",
        "arr": "150000.00",
        "lam": "500000.00",
        "renewal_date": "2031-03-31",
    }


WORKS_ACCOUNTS = {"account_owner": 200, "csm": 200, "cse": 200, "cs_ops": 200, "admin": 200}

OPERATIONS = [
    # Segments: everyone with a role reads them; CS operations and admins shape them.
    Operation("GET /segments", expect(200, outsider=403)),
    Operation("GET /segments/{segment_id}", expect(200, outsider=403)),
    Operation(
        "POST /segments",
        expect(403, cs_ops=201, admin=201),
        body=lambda w: {"name": "Band", "arr_floor": "0", "arr_ceiling": "1000"},
    ),
    Operation(
        "PATCH /segments/{segment_id}",
        expect(403, cs_ops=200, admin=200),
        body=lambda w: {"arr_ceiling": "20"},
    ),
    Operation("POST /segments/{segment_id}/archive", expect(403, cs_ops=200, admin=200)),
    # Accounts: owners and CSMs see theirs, the CSE organisation sees all; an outsider
    # sees none, so every account is a 404 to them.
    Operation("GET /accounts", expect(200)),
    Operation("GET /accounts/{account_id}", expect(200, outsider=404)),
    Operation("POST /accounts", expect(403, cs_ops=201, admin=201), body=account_body),
    Operation(
        "PATCH /accounts/{account_id}",
        expect(403, manager=200, cs_ops=200, admin=200, outsider=404),
        body=lambda w: {"industry": "Banking"},
    ),
    Operation(
        "POST /accounts/{account_id}/archive",
        expect(403, manager=200, cs_ops=200, admin=200, outsider=404),
    ),
    # Contacts: whoever works the account keeps its contacts.
    Operation("GET /contacts", expect(200)),
    Operation("GET /contacts/{contact_id}", expect(200, outsider=404)),
    Operation(
        "POST /contacts",
        expect(403, account_owner=201, csm=201, cse=201, cs_ops=201, admin=201),
        body=lambda w: {"account": w.account.pk, "name": "Bo Lind", "email": "bo@customer.example"},
        # The account is named in the body: one they may not see is no account at all.
        stranger=hidden(422),
    ),
    Operation(
        "PATCH /contacts/{contact_id}",
        expect(403, **WORKS_ACCOUNTS, outsider=404),
        body=lambda w: {"title": "CTO"},
    ),
    Operation("POST /contacts/{contact_id}/archive", expect(403, **WORKS_ACCOUNTS, outsider=404)),
    # Opportunities: the account owner's, and CS operations'.
    Operation("GET /opportunities", expect(200)),
    Operation("GET /opportunities/{opportunity_id}", expect(200, outsider=404)),
    Operation(
        "POST /opportunities",
        expect(403, account_owner=201, cs_ops=201, admin=201),
        body=lambda w: {
            "account": w.account.pk,
            "crm_id": "OPP-NEW",
            "name": "Expansion",
            "amount": "25000",
        },
        stranger=hidden(422, csm=403),
    ),
    Operation(
        "PATCH /opportunities/{opportunity_id}",
        expect(403, account_owner=200, cs_ops=200, admin=200, outsider=404),
        body=lambda w: {"amount": "30000"},
    ),
    Operation(
        "POST /opportunities/{opportunity_id}/archive",
        expect(403, account_owner=200, cs_ops=200, admin=200, outsider=404),
    ),
    # Success plans: the CSM's; objectives' progress is also the CSE's and manager's.
    Operation("GET /success-plans", expect(200)),
    Operation("GET /success-plans/{plan_id}", expect(200, outsider=404)),
    Operation(
        "POST /success-plans",
        expect(403, csm=201, admin=201),
        body=lambda w: {
            "account": w.account.pk,
            "name": "FY27 plan",
            "objectives": [{"title": "Adopt CI", "progress": 10}],
        },
        stranger=hidden(422, account_owner=403),
    ),
    Operation(
        "PATCH /success-plans/{plan_id}",
        expect(403, csm=200, admin=200, outsider=404),
        body=lambda w: {"summary": "Reviewed"},
    ),
    Operation(
        "POST /success-plans/{plan_id}/archive", expect(403, csm=200, admin=200, outsider=404)
    ),
    Operation(
        "POST /success-plans/{plan_id}/objectives",
        expect(403, csm=201, admin=201, outsider=404),
        body=lambda w: {"title": "Adopt SAST", "status": "amber"},
    ),
    Operation(
        "PATCH /objectives/{objective_id}",
        expect(403, csm=200, cse=200, manager=200, admin=200, outsider=404),
        body=lambda w: {"progress": 55},
    ),
    Operation(
        "POST /objectives/{objective_id}/archive",
        expect(403, csm=200, cse=200, manager=200, admin=200, outsider=404),
    ),
]
