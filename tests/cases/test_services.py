import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rhythm.cases import services
from rhythm.cases.choices import CaseKind, CaseStatus
from rhythm.cases.models import Case
from rhythm.ctas.models import Cta
from rhythm.timeline.models import TimelineEntry
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory


def open_case(user, data, **kwargs):
    return services.open_case(user, data, **kwargs)


def test_a_cse_help_case_raises_its_cta_at_once(cast, case_data, account):
    opened = open_case(cast.account_owner, case_data)
    assert opened.created
    cta = Cta.objects.get(case=opened.case)
    assert cta.name == f"{account.name} - Ad-Hoc CSE Engagement Request"
    assert (cta.type, cta.reason) == ("Digital Journey", "Other Digital Journey Reason")
    assert cta.playbook.name == "One-Off CSE Outreach"
    assert cta.priority == "high"
    assert cta.owner is None
    assert cta.latency is not None and cta.latency.total_seconds() < 5
    assert [t.title for t in cta.tasks.all()][0] == "Accept the request"
    assert TimelineEntry.objects.filter(account=account, kind="case").count() == 1
    assert TimelineEntry.objects.filter(account=account, kind="cta").count() == 1


def test_an_escalation_is_stored_without_a_cta(cast, case_data):
    opened = open_case(cast.account_owner, {**case_data, "kind": "escalation", "offering": None})
    assert opened.case.kind == CaseKind.ESCALATION
    assert not Cta.objects.filter(case=opened.case).exists()


def test_each_bad_field_is_named_and_nothing_is_written(cast, case_data):
    other_contact = ContactFactory(account=AccountFactory())
    bad = {
        **case_data,
        "offering": None,
        "contact": other_contact.pk,
        "challenges": "x" * 1001,
        "priority": "whenever",
    }
    with pytest.raises(ValidationError) as caught:
        open_case(cast.account_owner, bad)
    assert set(caught.value.error_dict) == {"offering", "contact", "challenges", "priority"}
    assert caught.value.error_dict["challenges"][0].code == "max_length"
    assert Case.objects.count() == 0 and Cta.objects.count() == 0


def test_an_ineligible_segment_is_refused_with_its_reason(cast, case_data, ineligible_segment):
    account = AccountFactory(segment=ineligible_segment, account_owner=cast.account_owner)
    opportunity = OpportunityFactory(account=account)
    contact = ContactFactory(account=account)
    data = {**case_data, "opportunity": opportunity.pk, "contact": contact.pk}
    with pytest.raises(ValidationError) as caught:
        open_case(cast.account_owner, data)
    assert "Self-serve segment do not qualify" in caught.value.error_dict["opportunity"][0].message


def test_an_opportunity_the_owner_cannot_see_is_unknown(cast, case_data):
    stranger = OpportunityFactory()
    with pytest.raises(ValidationError) as caught:
        open_case(cast.account_owner, {**case_data, "opportunity": stranger.pk})
    assert caught.value.error_dict["opportunity"][0].code == "does_not_exist"


def test_only_roles_with_the_right_open_cases(cast, case_data):
    with pytest.raises(PermissionDenied):
        open_case(cast.cse, case_data)


def test_the_same_idempotency_key_returns_the_first_case(cast, case_data):
    first = open_case(cast.account_owner, case_data, idempotency_key="abc-123")
    again = open_case(cast.account_owner, case_data, idempotency_key="abc-123")
    assert not again.created
    assert again.case.pk == first.case.pk
    assert Case.objects.count() == 1 and Cta.objects.count() == 1


def test_someone_elses_idempotency_key_is_refused(cast, case_data):
    open_case(cast.account_owner, case_data, idempotency_key="shared")
    cast.admin.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        open_case(cast.admin, case_data, idempotency_key="shared")
    assert "idempotency_key" in caught.value.error_dict


def test_a_new_case_is_open(cast, case_data):
    assert open_case(cast.account_owner, case_data).case.status == CaseStatus.OPEN
