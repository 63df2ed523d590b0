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


# --- Duplicates ---------------------------------------------------------------

CI = 7  # an offering's id


def _case(id, *, kind="cse_help", offering=CI, status="open", name="Streamline Your CI Workflows"):
    return rules.EarlierCase(id, kind, offering, name if offering else "", status)


def test_an_open_case_for_the_same_offering_makes_a_duplicate_and_says_which():
    verdict = rules.duplicate_cases(kind="cse_help", offering_id=CI, earlier=[_case(12)])
    assert verdict.duplicate and verdict.first == _case(12)
    assert verdict.reasons == [
        "Case #12 (Streamline Your CI Workflows) is still open on this opportunity."
    ]


def test_an_accepted_case_is_still_open():
    verdict = rules.duplicate_cases(
        kind="cse_help", offering_id=CI, earlier=[_case(12, status="accepted")]
    )
    assert verdict.duplicate


def test_a_closed_case_or_another_offering_is_no_duplicate():
    earlier = [_case(12, status="closed"), _case(13, offering=8, name="Scale Your Agile Planning")]
    verdict = rules.duplicate_cases(kind="cse_help", offering_id=CI, earlier=earlier)
    assert not verdict.duplicate
    assert (verdict.first, verdict.reasons) == (None, [])


def test_the_first_is_the_oldest_and_every_open_one_is_named():
    verdict = rules.duplicate_cases(
        kind="cse_help", offering_id=CI, earlier=[_case(30), _case(12), _case(20, status="closed")]
    )
    assert verdict.first is not None and verdict.first.id == 12
    assert [reason.split(" ")[1] for reason in verdict.reasons] == ["#12", "#30"]


def test_escalations_are_not_subject_to_the_rule_either_way():
    # A second escalation, even naming the same offering, is no duplicate ...
    assert not rules.duplicate_cases(
        kind="escalation", offering_id=CI, earlier=[_case(12, kind="escalation")]
    ).duplicate
    assert not rules.duplicate_cases(kind="escalation", offering_id=None, earlier=[]).duplicate
    # ... and an open escalation does not make a CSE-help case one.
    assert not rules.duplicate_cases(
        kind="cse_help", offering_id=CI, earlier=[_case(12, kind="escalation")]
    ).duplicate


@given(
    st.lists(
        st.builds(
            _case,
            st.integers(1, 10_000),
            kind=st.sampled_from(["cse_help", "escalation"]),
            offering=st.sampled_from([CI, 8, None]),
            status=st.sampled_from(["open", "accepted", "closed"]),
        ),
        max_size=8,
    )
)
def test_a_duplicate_is_exactly_an_open_cse_help_case_for_the_offering(earlier):
    verdict = rules.duplicate_cases(kind="cse_help", offering_id=CI, earlier=earlier)
    repeated = [
        c for c in earlier if c.kind == "cse_help" and c.offering_id == CI and c.status != "closed"
    ]
    assert verdict.duplicate == bool(repeated)
    assert len(verdict.reasons) == len(repeated)
    if repeated:
        assert verdict.first is not None and verdict.first.id == min(c.id for c in repeated)


def test_a_duplicate_needs_a_reason_of_readable_length():
    assert "Say why" in rules.duplicate_reason_problem("  ", duplicate=True)
    assert rules.duplicate_reason_problem("Another team on the deal.", duplicate=True) is None
    too_long = "x" * (rules.DUPLICATE_REASON_MAX_LENGTH + 1)
    assert "2001" in rules.duplicate_reason_problem(too_long, duplicate=True)
    # What is no duplicate needs no reason, and what was sent is not judged.
    assert rules.duplicate_reason_problem("", duplicate=False) is None
    assert rules.duplicate_reason_problem(too_long, duplicate=False) is None
