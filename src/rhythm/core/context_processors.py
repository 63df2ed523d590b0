from __future__ import annotations

from django.http import HttpRequest

# (permission, URL name, label): the navigation bar shows what a person may use.
NAVIGATION = [
    ("customers.view_account", "customers:account-list", "Accounts"),
    ("cases.view_case", "cases:list", "Cases"),
    ("ctas.view_cta", "ctas:list", "CTAs"),
    ("engagements.view_engagementrequest", "engagements:list", "Requests"),
    ("engagements.view_engagementrequest", "engagements:board", "Board"),
    ("engagements.view_engagementrequest", "engagements:capacity", "Capacity"),
    ("officehours.view_officehoursession", "officehours:list", "Office hours"),
    ("catalog.view_offering", "catalog:list", "Catalog"),
    # Everyone may read a playbook from its CTA; those who edit them get the link.
    ("ctas.change_playbook", "ctas:playbooks", "Playbooks"),
    ("people.view_user", "people:team", "Team"),
]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    items = [("home", "Home")]
    items += [(url, label) for perm, url, label in NAVIGATION if user.has_perm(perm)]
    return {"nav": items}
