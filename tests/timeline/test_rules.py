"""The timeline's pure decisions: which entries read as one group, where a page ends."""

from hypothesis import given
from hypothesis import strategies as st

from rhythm.timeline.rules import group_consecutive, page_end


def _keys(groups):
    return [[key for key, _ in group] for group in groups]


def test_consecutive_items_of_one_key_are_one_group():
    items = [("a", 1), ("a", 2), ("b", 3), ("a", 4), ("", 5), ("", 6), ("c", 7), ("c", 8)]
    groups = group_consecutive(items, key=lambda item: item[0])
    assert _keys(groups) == [["a", "a"], ["b"], ["a"], [""], [""], ["c", "c"]]
    assert [n for group in groups for _, n in group] == list(range(1, 9))  # order kept


def test_nothing_makes_no_group():
    assert group_consecutive([], key=str) == []


@given(st.lists(st.sampled_from(["", "a", "b"]), max_size=40))
def test_groups_keep_every_item_in_order_and_never_join_two_runs(keys):
    groups = group_consecutive(keys, key=lambda k: k)
    assert [k for group in groups for k in group] == keys
    for group in groups:
        assert len(set(group)) == 1 and (group[0] or len(group) == 1)
    for before, after in zip(groups, groups[1:], strict=False):
        assert not before[0] or before[0] != after[0]


def test_a_page_ends_after_its_size_and_the_rest_of_its_last_run():
    keys = ["a", "b", "c", "c", "c", "d"]
    assert page_end(keys, 2) == 2  # "b" ends its run
    assert page_end(keys, 3) == 5  # the run of "c" is finished first
    assert page_end(keys, 10) == 6
    assert page_end([], 3) == 0


def test_entries_about_nothing_are_never_a_run():
    assert page_end(["a", "", "", ""], 2) == 2
