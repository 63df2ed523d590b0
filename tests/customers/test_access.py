"""One access rule (customers.access) for every model that belongs to an account."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rhythm.customers.models import Account, Contact, Objective, Opportunity, SuccessPlan
from rhythm.timeline import services as timeline
from rhythm.timeline.models import TimelineEntry
from tests.factories import (
    AccountFactory,
    ContactFactory,
    ObjectiveFactory,
    OpportunityFactory,
    SuccessPlanFactory,
)

SRC = Path(__file__).resolve().parents[2] / "src" / "rhythm"
SCOPED = [Account, Contact, Opportunity, SuccessPlan, Objective, TimelineEntry]


@pytest.fixture
def two_accounts(cast, account):
    other = AccountFactory()
    for each in (account, other):
        ContactFactory(account=each)
        OpportunityFactory(account=each)
        ObjectiveFactory(success_plan=SuccessPlanFactory(account=each))
        timeline.add_note(account=each, author=cast.cse, text="Spoke with the team.")
    return account, other


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m.__name__)
def test_owners_see_their_accounts_rows_and_nothing_else(cast, two_accounts, model):
    mine, _ = two_accounts
    for person in (cast.account_owner, cast.csm):
        rows = list(model.objects.visible_to(person))
        assert rows, (model, person)
        account_of = (lambda r: r) if model is Account else _account_of
        assert {account_of(row).pk for row in rows} == {mine.pk}
    assert not model.objects.visible_to(cast.outsider).exists()


def _account_of(row):
    return row.success_plan.account if isinstance(row, Objective) else row.account


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m.__name__)
def test_the_cse_organisation_gets_no_filter_at_all(cast, two_accounts, model):
    """No WHERE clause: the database may walk the list's own index."""
    for person in (cast.cse, cast.manager, cast.admin):
        query = str(model.objects.visible_to(person).query)
        assert " WHERE " not in query, (model, person, query)


def test_the_rule_is_defined_once_and_never_copied():
    definitions, copies = [], []
    for path in SRC.rglob("*.py"):
        text = path.read_text()
        definitions += [path.name for _ in re.finditer(r"def visible_to\(", text)]
        copies += [str(path) for _ in re.finditer(r"__in=Account\.objects\.visible_to", text)]
    # Accounts themselves, and everything that belongs to one.
    assert sorted(definitions) == ["access.py", "models.py"]
    assert copies == []
