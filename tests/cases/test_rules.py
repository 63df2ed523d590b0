from hypothesis import given
from hypothesis import strategies as st

from rhythm.cases import rules
from rhythm.ctas.rules import CTA_NAME_SUFFIX, cta_name


def test_challenges_are_counted_in_characters_not_bytes():
    assert rules.challenges_problem("é" * 1000) is None  # 2000 bytes in UTF-8
    assert "1001" in rules.challenges_problem("é" * 1001)


def test_empty_challenges_are_refused():
    assert rules.challenges_problem("   ") is not None


def test_ineligible_segment_gives_its_reason():
    verdict = rules.cse_eligibility(
        segment_name="Scale", segment_eligible=False, account_archived=False, opportunity_open=True
    )
    assert not verdict.eligible
    assert verdict.reasons == ["Accounts in the Scale segment do not qualify for CSE engagement."]


def test_short_names_are_kept_whole():
    assert cta_name("Acme Motors") == "Acme Motors - Ad-Hoc CSE Engagement Request"


def test_long_names_lose_customer_characters_never_the_suffix():
    name = cta_name("A" * 200)
    assert len(name) == 80
    assert name.endswith(CTA_NAME_SUFFIX)


def test_truncation_trims_trailing_spaces():
    # 80 - 32 = 48 characters of room: the cut lands right after the space.
    name = cta_name("A" * 47 + " " + "B" * 10)
    assert name == "A" * 47 + CTA_NAME_SUFFIX


@given(st.text(min_size=1, max_size=300), st.integers(min_value=33, max_value=255))
def test_any_name_fits_its_limit_and_keeps_the_suffix(customer, limit):
    name = cta_name(customer, limit)
    assert len(name) <= limit
    assert name.endswith(CTA_NAME_SUFFIX)
    assert not name[: -len(CTA_NAME_SUFFIX)].endswith(" ")
