"""core.prepared: a read compiled once answers as the ORM's own queryset does."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rhythm.core.prepared import Prepared
from rhythm.customers import access
from rhythm.customers.models import Opportunity
from tests.factories import AccountFactory, OpportunityFactory

OPPORTUNITIES = Prepared(
    lambda reach, user_id, pk: (
        Opportunity.objects.visible_as(reach, user_id)
        .select_related("account__segment")
        .filter(pk=pk)
    )
)


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.mark.parametrize("viewer", ["manager", "account_owner", "outsider"])
def test_a_prepared_read_finds_what_the_orm_finds(cast, viewer):
    user = getattr(cast, viewer)
    mine = OpportunityFactory(account=AccountFactory(account_owner=cast.account_owner))
    theirs = OpportunityFactory(account=AccountFactory())
    for opportunity in (mine, theirs, mine):  # the second run of a shape reuses its SQL
        expected = (
            Opportunity.objects.visible_to(user)
            .select_related("account__segment")
            .filter(pk=opportunity.pk)
            .first()
        )
        with CaptureQueriesContext(connection) as queries:
            found = OPPORTUNITIES.first(access.reach(user), user.pk, opportunity.pk)
            if found is not None:  # select_related: read with it, not after it
                assert found.account.segment.name
        assert len(queries) == (0 if viewer == "outsider" else 1)
        assert (found is None) == (expected is None)
        if expected is not None:
            assert _fields(found) == _fields(expected)
            assert _fields(found.account) == _fields(expected.account)
            assert _fields(found.account.segment) == _fields(expected.account.segment)
            assert found._state.db == expected._state.db and not found._state.adding


def test_deferred_fields_and_annotations_come_as_from_the_orm(cast):
    from django.db.models import Value

    opportunity = OpportunityFactory()
    only_names = Prepared(
        lambda _, pk: (
            Opportunity.objects.filter(pk=pk).only("pk", "name").annotate(answer=Value(42))
        )
    )
    found = only_names.first(None, opportunity.pk)
    assert found.get_deferred_fields() >= {"stage", "amount"}
    assert (found.name, found.answer) == (opportunity.name, 42)
    assert found.stage == opportunity.stage  # loaded on demand, as the ORM does


def test_a_value_the_orm_changes_on_its_way_is_refused(db):
    pattern = Prepared(lambda _, name: Opportunity.objects.filter(name__startswith=name))
    with pytest.raises(TypeError, match="changed"):
        pattern.all(None, "Expansion")


def test_only_ints_and_strings_vary(db):
    with pytest.raises(TypeError, match="ints and strings"):
        OPPORTUNITIES.all(access.SEES_ALL, 1.5, 1)
