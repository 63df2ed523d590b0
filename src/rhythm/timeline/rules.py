"""How the timeline reads: pure decisions, no database.

An object's events that follow each other on the timeline (a CTA raised, accepted,
its tasks ticked, closed; a request's review steps) read as one group, opened on
demand, instead of ten lines that repeat its name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def group_consecutive(items: Sequence[T], key: Callable[[T], str]) -> list[list[T]]:
    """The items in order, in runs of consecutive items of the same key; an item
    whose key is empty (a note, which is about no object) is a group of its own."""
    groups: list[list[T]] = []
    previous = ""
    for item in items:
        current = key(item)
        if groups and current and current == previous:
            groups[-1].append(item)
        else:
            groups.append([item])
        previous = current
    return groups


def page_end(keys: Sequence[str], size: int) -> int:
    """Where a page of `size` items ends among `keys` (the page's and the lookahead's
    keys, in order): after `size` items, and then after the rest of the last
    item's run, so that a group is not cut in two by a page break while the
    lookahead shows where it ends."""
    end = min(size, len(keys))
    if end == 0 or not keys[end - 1]:
        return end
    while end < len(keys) and keys[end] == keys[end - 1]:
        end += 1
    return end
