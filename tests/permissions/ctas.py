"""CTAs and playbooks: every role reads them; CSEs, their managers and admins work
CTAs (a CTA's owner or a manager ticks its tasks and closes it); CS operations and
admins edit playbooks."""

from tests.permissions.harness import Operation, Redirect, Route, expect, hidden

CTA = Redirect("ctas:detail")
PLAYBOOK = Redirect("ctas:playbook")
# A CSE takes a CTA, a manager assigns it; the answer is a message on the CTA's page.
WORKS_CTAS = {"cse": CTA, "manager": CTA, "admin": CTA}
EDITS_PLAYBOOKS = {"cs_ops": PLAYBOOK, "admin": PLAYBOOK}
# Account owners and CSMs work no CTA: refused before the CTA is looked up.
NO_CTA_WORK = {"get": hidden(403), "post": hidden(403)}

ROUTES = [
    Route("ctas:list", get=expect(200, outsider=403)),
    Route("ctas:detail", get=expect(200, outsider=403)),
    # Form targets: to those who may send the form, a GET leads to its page.
    Route(
        "ctas:accept",
        get=expect(403, **WORKS_CTAS),
        post=expect(403, **WORKS_CTAS),
        stranger=NO_CTA_WORK,
    ),
    # The world's CTA has no owner yet: its outreach waits for one, and the page
    # says so (the CSE, the manager); the others may not send anything.
    Route(
        "ctas:outreach",
        get=expect(403, **WORKS_CTAS),
        post=expect(403, cse=200, manager=200, admin=200),
        stranger=NO_CTA_WORK,
    ),
    # The emails assigning it sends, swapped in as a manager picks the CSE.
    Route(
        "ctas:assign-emails",
        get=expect(403, manager=200, admin=200),
        query=lambda w: f"cse={w.cast.cse.pk}",
        htmx=True,
        stranger={"get": hidden(403)},
    ),
    Route(
        "ctas:close",
        get=expect(403, **WORKS_CTAS),
        post=expect(403, **WORKS_CTAS),
        # A valid close, so that what each role gets comes from its rights.
        data=lambda w: {"reason": "The customer solved it.", "skip_reason": "Solved already."},
        stranger=NO_CTA_WORK,
    ),
    Route(
        "ctas:task-toggle",
        get=expect(403, **WORKS_CTAS),
        post=expect(403, **WORKS_CTAS),
        stranger=NO_CTA_WORK,
    ),
    Route(
        "ctas:playbooks",
        get=expect(200, outsider=403),
        post=expect(403, cs_ops=200, admin=200),  # an empty form: shown again
    ),
    Route(
        "ctas:playbook",
        get=expect(200, outsider=403),
        post=expect(403, cs_ops=422, admin=422),  # an empty form: refused, beside its fields
    ),
    Route(
        "ctas:step-create",
        get=expect(403, **EDITS_PLAYBOOKS),
        post=expect(403, cs_ops=422, admin=422),
    ),
    Route(
        "ctas:step-update",
        get=expect(403, **EDITS_PLAYBOOKS),
        post=expect(403, cs_ops=422, admin=422),
    ),
    Route(
        "ctas:step-archive", get=expect(403, **EDITS_PLAYBOOKS), post=expect(403, **EDITS_PLAYBOOKS)
    ),
]

OPERATIONS = [
    Operation("GET /ctas", expect(200)),
    Operation("GET /ctas/{cta_id}", expect(200, outsider=404)),
    # The manager and the admin assign it to the cast's CSE; the CSE takes it.
    Operation(
        "POST /ctas/{cta_id}/accept",
        expect(403, cse=200, manager=200, admin=200, outsider=404),
        body=lambda w: {"cse": w.cast.cse.pk},
    ),
    Operation("GET /ctas/{cta_id}/outreach", expect(200, outsider=404)),
    # Nobody owns the CTA yet: the outreach waits for an owner (422), whoever asks.
    Operation(
        "POST /ctas/{cta_id}/outreach",
        expect(403, cse=422, manager=422, admin=422, outsider=404),
        body=lambda w: {},
    ),
    Operation(
        "GET /ctas/{cta_id}/assign-emails",
        expect(403, manager=200, admin=200, outsider=404),
        body=lambda w: {"cse": w.cast.cse.pk},
    ),
    Operation("GET /ctas/{cta_id}/closing-email", expect(200, outsider=404)),
    # Nobody owns the CTA yet: a manager may close it, a CSE not.
    Operation(
        "POST /ctas/{cta_id}/close",
        expect(403, manager=200, admin=200, outsider=404),
        body=lambda w: {"reason": "The customer solved it.", "skip_reason": "Solved already."},
    ),
    Operation(
        "PATCH /cta-tasks/{task_id}",
        expect(403, manager=200, admin=200, outsider=404),
        body=lambda w: {"status": "done"},
    ),
    Operation("GET /playbooks", expect(200, outsider=403)),
    Operation("GET /playbooks/{playbook_id}", expect(200, outsider=403)),
    Operation(
        "POST /playbooks",
        expect(403, cs_ops=201, admin=201),
        body=lambda w: {"name": "Renewal outreach"},
    ),
    Operation(
        "PATCH /playbooks/{playbook_id}",
        expect(403, cs_ops=200, admin=200),
        body=lambda w: {"description": "Edited."},
    ),
    Operation(
        "POST /playbooks/{playbook_id}/steps",
        expect(403, cs_ops=201, admin=201),
        body=lambda w: {"title": "Book the call"},
    ),
    Operation(
        "PATCH /playbook-steps/{step_id}",
        expect(403, cs_ops=200, admin=200),
        body=lambda w: {"title": "Say hello first"},
    ),
    Operation("POST /playbook-steps/{step_id}/archive", expect(403, cs_ops=200, admin=200)),
]
