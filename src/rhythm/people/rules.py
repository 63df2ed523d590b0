"""What each role may do, as data. Pure: no database, no I/O."""

from __future__ import annotations

VIEW_ALL_ACCOUNTS = "customers.view_all_accounts"
# A CSE manager's capability, whatever the app: assign CSEs their work and act on
# it for them (run a CSE's call, answer a session's questions, end a session).
MANAGES_CSES = "people.manage_cses"

# What each role may do is declared by each app (`role_grants` in its apps.py);
# people keeps one Django group per role in step with them (services).


def archive_refusal(name: str, held: list[tuple[int, str]]) -> str | None:
    """A member who leaves hands their work over first: archived with it, it would
    sit with someone who can no longer sign in, and their accounts would drop out
    of sight of the people who work them. `held`: (count, noun) per kind of work."""
    parts = [f"{n} {what}{'s' if n != 1 else ''}" for n, what in held if n]
    if not parts:
        return None
    return f"{name} still has {', '.join(parts)}: reassign them first."


# What anyone may change of themselves: how they are reached and when. Capacity,
# coverage and roles are their manager's or an admin's to set.
SELF_SERVICE_FIELDS = frozenset({"title", "time_zone", "booking_url"})
