"""How the board reads its cells: the SQL behind engagements.board, apart from what
the board draws. A cell is a queryset of one column (a state) and one lane.

For a person who sees every account, each cell is read down its own index: one
statement unites every cell's LIMITed subquery (first_rows), one counts each to a
bound (bounded_counts). For one who sees a few accounts, walking each cell's index
would pass thousands of others' rows to find theirs: their rows are read once, by
account, ranked within their cell (first_rows_ranked) and counted by one GROUP BY
(grouped_counts).
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import BooleanField, Count, F, Func, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber

from rhythm.core.paging import COUNT_AHEAD

ORDER = ("-updated_at", "-id")  # a cell's cards, newest first

# SQLite joins at most 500 SELECTs by UNION (SQLITE_MAX_COMPOUND_SELECT): a statement
# reads this many cells, so a team of up to 65 CSEs (six columns) takes one.
CELLS_PER_STATEMENT = 400


def first_rows(rows: QuerySet, cells: list[QuerySet]) -> list[Any]:
    """The rows of every cell's (LIMITed, `values("pk")`) subquery, newest first."""
    found: list[Any] = []
    for start in range(0, len(cells), CELLS_PER_STATEMENT):
        chosen = rows.filter(InCells(F("pk"), *cells[start : start + CELLS_PER_STATEMENT]))
        found += list(chosen.order_by(*ORDER))
    return found


def first_rows_ranked(rows: QuerySet, cell: list[str], per_cell: int) -> QuerySet:
    """Each cell's first `per_cell` rows in one statement: `rows` ranked within their
    cell (ROW_NUMBER over the `cell` fields, newest first), the first of each kept."""
    ranked = (
        rows.order_by()
        .annotate(
            rank_in_cell=Window(
                RowNumber(),
                partition_by=[F(name) for name in cell],
                order_by=[F("updated_at").desc(), F("id").desc()],
            )
        )
        .filter(rank_in_cell__lte=per_cell)
        .values("pk")
    )
    return rows.filter(pk__in=ranked).order_by(*ORDER)


def grouped_counts(rows: QuerySet, fields: list[str]) -> dict[tuple[Any, ...], int]:
    """The exact count of `rows` per value of `fields`, by one GROUP BY."""
    return {
        tuple(group[name] for name in fields): group["held"]
        for group in rows.order_by().values(*fields).annotate(held=Count("pk"))
    }


def bounded_counts(cells: list[QuerySet]) -> list[tuple[int, bool]]:
    """Each cell's count and whether it was capped: one statement of a COUNT over a
    LIMITed subquery per cell (core.paging's bounded count, for many at once)."""
    found: list[tuple[int, bool]] = []
    for start in range(0, len(cells), CELLS_PER_STATEMENT):
        parts: list[str] = []
        params: list[Any] = []
        for n, cell in enumerate(cells[start : start + CELLS_PER_STATEMENT]):
            sql, cell_params = cell.order_by()[: COUNT_AHEAD + 1].query.sql_with_params()
            parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS cell{n})")
            params += cell_params
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            found += [(min(n, COUNT_AHEAD), n > COUNT_AHEAD) for n in cursor.fetchone()]
    return found


class InCells(Func):
    """`id IN (SELECT id FROM (cell 1) UNION ALL SELECT id FROM (cell 2) …)`: the rows
    of every cell's LIMITed subquery. On PostgreSQL as `id = ANY(ARRAY(…))`, an
    initplan run once, as customers.access.InAccounts does (for the same reason)."""

    output_field = BooleanField()
    conditional = True
    template = "%(expressions)s"

    def _parts(self, compiler) -> tuple[str, str, list[Any]]:
        column, *cells = self.get_source_expressions()
        column_sql, params = compiler.compile(column)
        selects = []
        params = list(params)
        for n, cell in enumerate(cells):
            cell_sql, cell_params = compiler.compile(cell)
            selects.append(f"SELECT * FROM {cell_sql} AS cell{n}")  # its one column: the id
            params += cell_params
        return column_sql, " UNION ALL ".join(selects), params

    def __init__(self, column: F, *cells: QuerySet) -> None:
        super().__init__(column, *(Subquery(cell) for cell in cells))

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        column_sql, union, params = self._parts(compiler)
        return f"{column_sql} IN ({union})", params

    def as_postgresql(self, compiler, connection, **extra_context):
        column_sql, union, params = self._parts(compiler)
        return f"{column_sql} = ANY(ARRAY({union}))", params
