"""Paging that counts no further than a person could page: bounded counts.

Counting every row a list may show reads them all: at 100,000 CTAs the COUNT is
the slowest statement of the page, for a figure nobody pages to the end of. A
bounded count counts at most COUNT_AHEAD rows past the page asked for (a COUNT
over a LIMITed subquery, which stops there), so it costs what the page costs
however large the table. Below the bound the count is exact; past it a page
says "of 1,000+" and the API's page has no `count` and says it was capped.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator

COUNT_AHEAD = 1000  # rows counted past the start of the page asked for


def bounded_count(queryset: Any, start: int = 0, ahead: int | None = None) -> tuple[int, bool]:
    """How many rows `queryset` has, counting no further than `start + ahead + 1`
    (ahead: COUNT_AHEAD); and whether it stopped there (more than `start + ahead`)."""
    bound = start + (COUNT_AHEAD if ahead is None else ahead)
    if not hasattr(queryset, "query"):  # a list: its length is known
        return len(queryset), False
    counted = queryset.order_by()[: bound + 1].count()
    return counted, counted > bound


class BoundedPaginator(Paginator):
    """A Django paginator whose count stops COUNT_AHEAD rows past the page asked for
    (`page`, as the URL gives it). `capped` says it stopped: the template writes
    "of 1,000+"; the pages past the bound are reached by "next" and the count
    grows with them."""

    def __init__(self, object_list: Any, per_page: int, page: Any = 1, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        try:
            number = max(int(page), 1)
        except (TypeError, ValueError):
            number = 1
        self._start = (number - 1) * per_page

    @cached_property
    def _bounded(self) -> tuple[int, bool]:
        return bounded_count(self.object_list, self._start)

    @cached_property
    def count(self) -> int:
        """The rows counted: all of them, or (capped) one past the bound, so that the
        last page counted has a next one."""
        return self._bounded[0]

    @property
    def capped(self) -> bool:
        return self._bounded[1]

    @property
    def at_least(self) -> int:
        """What a capped count says: more than this many ("of 1,000+")."""
        return self._start + COUNT_AHEAD


def page_of(object_list: Any, per_page: int, number: Any):
    """The page `number` (as the URL gives it) of `object_list`, counted boundedly;
    a number out of range gives the last page, as Paginator.get_page does."""
    return BoundedPaginator(object_list, per_page, page=number).get_page(number)
