import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rhythm.cases import services
from rhythm.cases.choices import CaseKind, CaseStatus
from rhythm.cases.models import Case
from rhythm.catalog.models import Offering
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


# --- Duplicates ---------------------------------------------------------------

REASON = "Their platform team asks separately from the app teams."


def test_a_second_case_for_the_offering_is_refused_naming_and_linking_the_first(
    cast, case_data, account
):
    first = open_case(cast.account_owner, case_data).case
    with pytest.raises(ValidationError) as caught:
        open_case(cast.account_owner, {**case_data, "challenges": "Runners are saturated."})
    assert set(caught.value.error_dict) == {"duplicate_reason"}
    (error,) = caught.value.error_dict["duplicate_reason"]
    assert error.code == "duplicate"
    message = error.message % error.params
    assert (
        f"Case #{first.pk} (Streamline Your CI Workflows) is still open on this opportunity."
        in message
    )
    assert first.get_absolute_url() in message
    assert error.params["url"] == first.get_absolute_url()
    # Nothing half-written: no second case, CTA, history or timeline line.
    assert Case.objects.count() == 1 and Cta.objects.count() == 1
    assert Case.history.count() == 1
    assert TimelineEntry.objects.filter(account=account, kind="case").count() == 1


def test_a_second_case_with_a_reason_is_opened_and_keeps_it(cast, case_data):
    open_case(cast.account_owner, case_data)
    second = open_case(cast.account_owner, {**case_data, "duplicate_reason": f"  {REASON} "})
    assert second.created
    second.case.refresh_from_db()
    assert second.case.duplicate_reason == REASON
    assert Cta.objects.filter(case=second.case).exists()  # it is a case like any other


def test_a_reason_is_kept_only_where_it_explains_a_duplicate(cast, case_data):
    alone = open_case(cast.account_owner, {**case_data, "duplicate_reason": REASON}).case
    alone.refresh_from_db()
    assert alone.duplicate_reason == ""


def test_another_offering_or_a_closed_first_needs_no_reason(cast, case_data, offering):
    first = open_case(cast.account_owner, case_data).case
    other = Offering.objects.active().exclude(pk=offering.pk).first()
    assert open_case(cast.account_owner, {**case_data, "offering": other.pk}).created
    services.follow_cta(first.pk, CaseStatus.CLOSED, actor=cast.account_owner)
    again = open_case(cast.account_owner, case_data)
    assert again.created and again.case.duplicate_reason == ""


def test_another_opportunity_needs_no_reason(cast, case_data, account):
    open_case(cast.account_owner, case_data)
    elsewhere = OpportunityFactory(account=account)
    assert open_case(cast.account_owner, {**case_data, "opportunity": elsewhere.pk}).created


def test_escalations_are_never_duplicates(cast, case_data, offering):
    escalation = {**case_data, "kind": "escalation", "offering": None}
    open_case(cast.account_owner, escalation)
    assert open_case(cast.account_owner, escalation).created
    # Naming the offering, or on top of an open CSE-help case, changes nothing.
    open_case(cast.account_owner, case_data)
    assert open_case(cast.account_owner, {**escalation, "offering": offering.pk}).created
    assert Case.objects.filter(kind="escalation").count() == 3


def test_the_duplicate_is_named_with_the_other_errors(cast, case_data):
    open_case(cast.account_owner, case_data)
    with pytest.raises(ValidationError) as caught:
        open_case(cast.account_owner, {**case_data, "challenges": ""})
    assert set(caught.value.error_dict) == {"challenges", "duplicate_reason"}


def test_a_too_long_reason_keeps_the_link_and_writes_nothing(cast, case_data):
    first = open_case(cast.account_owner, case_data).case
    with pytest.raises(ValidationError) as caught:
        open_case(cast.account_owner, {**case_data, "duplicate_reason": "x" * 2001})
    (error,) = caught.value.error_dict["duplicate_reason"]
    assert error.code == "max_length" and error.params["url"] == first.get_absolute_url()
    assert Case.objects.count() == 1


def test_an_idempotent_retry_is_not_a_duplicate_of_itself(cast, case_data):
    first = open_case(cast.account_owner, case_data, idempotency_key="retry-1")
    again = open_case(cast.account_owner, case_data, idempotency_key="retry-1")
    assert not again.created and again.case.pk == first.case.pk
    assert Case.objects.count() == 1


def test_a_retry_racing_its_first_is_not_a_duplicate_of_it(cast, case_data, monkeypatch):
    """The retry looked for its key before the first attempt committed, then met the
    first in the duplicate check: it must answer with that case, not refuse."""
    first = open_case(cast.account_owner, case_data, idempotency_key="race-1").case
    real, looks = services._replayed, []

    def too_early_once(*args):
        looks.append(args)
        return None if len(looks) == 1 else real(*args)

    monkeypatch.setattr(services, "_replayed", too_early_once)
    again = open_case(cast.account_owner, case_data, idempotency_key="race-1")
    assert not again.created and again.case.pk == first.pk
    assert len(looks) == 2  # missed it, then found it once the key's row collided
    assert Case.objects.count() == 1


def test_a_new_key_for_a_second_case_is_still_a_duplicate(cast, case_data):
    open_case(cast.account_owner, case_data, idempotency_key="one")
    with pytest.raises(ValidationError) as caught:
        open_case(cast.account_owner, case_data, idempotency_key="two")
    assert set(caught.value.error_dict) == {"duplicate_reason"}
    assert Case.objects.count() == 1
