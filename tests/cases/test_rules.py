import pytest
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


@pytest.mark.parametrize(
    "cluster",
    [
        "e\u0301",  # a decomposed accent: e and the combining acute
        "\U0001f1f5\U0001f1f9",  # a flag: two regional indicators
        "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",  # a family emoji
    ],
    ids=["decomposed accent", "flag", "family emoji"],
)
def test_a_name_is_never_cut_inside_what_reads_as_one_character(cluster):
    room = 80 - len(CTA_NAME_SUFFIX)
    # The cluster starts one code point before the cut, so cutting by code point
    # would split it.
    customer = "A" * (room - 1) + cluster + "Z" * 5
    name = cta_name(customer)
    assert len(name) <= 80 and name.endswith(CTA_NAME_SUFFIX)
    assert name == "A" * (room - 1) + CTA_NAME_SUFFIX
    fits = "A" * (room - len(cluster)) + cluster + "Z"
    assert cta_name(fits) == "A" * (room - len(cluster)) + cluster + CTA_NAME_SUFFIX
