"""What one intake costs the database, and that its faster paths write what the ORM
would have written."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rhythm.cases import services
from rhythm.cases.models import Case

# The token; the person's permissions; the opportunity, the offering and the contact
# (each one compiled statement); then, in the transaction, the open duplicates; the
# case and its history row; its timeline line; the playbook's steps; the CTA and its
# history; its tasks and their history; the CTA's timeline line; BEGIN and COMMIT
# (a savepoint and its release, in a test). PostgreSQL locks the opportunity
# too; SQLite's write lock is the transaction's.
STATEMENTS_PER_INTAKE = 17


def test_one_intake_through_the_api_runs_a_fixed_number_of_statements(cast, api, case_data):
    client = api(cast.account_owner)
    assert client.post("/cases", case_data).status_code == 201  # warm: tokens touched
    for n in range(3):
        body = {**case_data, "duplicate_reason": f"Another team, the {n}th."}
        with CaptureQueriesContext(connection) as queries:
            response = client.post("/cases", body)
        assert response.status_code == 201, response.content
        expected = STATEMENTS_PER_INTAKE + connection.features.has_select_for_update
        assert len(queries) == expected, [q["sql"][:80] for q in queries]


def test_every_intake_sends_the_same_statements_text(cast, api, case_data):
    """Values travel as parameters, so the drivers parse each statement once (a new
    case's id written into its history copy made three new texts per intake)."""
    client = api(cast.account_owner)
    assert client.post("/cases", case_data).status_code == 201  # warm: tokens touched
    texts = []
    for n in range(2):
        sent: list[str] = []

        def record(run, sql, params, many, context, sent=sent):
            sent.append(sql)
            return run(sql, params, many, context)

        body = {**case_data, "duplicate_reason": f"Another team, the {n}th."}
        with connection.execute_wrapper(record):
            assert client.post("/cases", body).status_code == 201
        texts.append([sql for sql in sent if "SAVEPOINT" not in sql])
    assert texts[0] == texts[1]


def test_the_case_history_row_is_the_one_simple_history_writes(cast, case_data):
    case = services.open_case(cast.account_owner, case_data).case
    (copied,) = Case.history.filter(id=case.pk)
    assert (copied.history_type, copied.history_user_id) == ("+", cast.account_owner.pk)
    # The same case saved through the ORM: django-simple-history's own row.
    case.save()
    orm_row = Case.history.filter(id=case.pk, history_type="~").get()
    tracked = [f.attname for f in Case.history.model.tracked_fields]
    assert {a: getattr(copied, a) for a in tracked if a != "updated_at"} == {
        a: getattr(orm_row, a) for a in tracked if a != "updated_at"
    }
    assert copied.history_change_reason == orm_row.history_change_reason


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL keeps its own statistics (autovacuum)"
)
def test_the_open_duplicates_are_read_down_the_opportunitys_index(cast, api, case_data):
    """The one read of cases_case an intake makes names the opportunity and the
    offering. Without statistics (Rhythm never ANALYZEs) SQLite weighs the two
    single-column indexes alike; the offering's holds nearly every case, so the
    plan must search by the opportunity, or each intake scans the offering's cases
    (15 ms at 25,000 cases in `make bench`, after a composite index was thought to
    stand in for the opportunity's own)."""
    client = api(cast.account_owner)
    with CaptureQueriesContext(connection) as queries:
        assert client.post("/cases", case_data).status_code == 201
    (duplicates,) = [q["sql"] for q in queries if q["sql"].startswith('SELECT "cases_case"."id"')]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + duplicates)
        plan = " ".join(row[-1] for row in cursor.fetchall())
    assert "(opportunity_id=?)" in plan, plan
