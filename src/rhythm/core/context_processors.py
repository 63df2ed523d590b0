from __future__ import annotations

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    """What the navigation bar offers depends on what the person may do."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    items = [("home", "Home")]
    if user.has_perm("customers.view_account"):
        items.append(("customers:account-list", "Accounts"))
    if user.has_perm("people.view_user"):
        items.append(("people:team", "Team"))
    return {"nav": items}
