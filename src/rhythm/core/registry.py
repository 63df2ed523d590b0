"""Apps declare themselves: what each one adds to the menu, the API, the URLs, the
timeline, the account page's tabs, the panels on other apps' pages, the role table
and the list of a member's open work lives in its own `apps.py`, on a
`RhythmAppConfig`. The central lists (navigation, the API's routers, the URL
mounts, the timeline's kinds, the account tabs, the panels, the role groups, the
archive check) are loops over the installed apps, so a
new app edits no other app's files.

Read once the app registry is ready; nothing here imports a domain app.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class NavItem:
    """A menu entry, shown to those holding `permission` ("" for everyone signed in).

    `group` says what a role does there (Customers, Engagements, Team, Setup; ""
    stands above the groups); groups come in the order of their first entry, and
    `order` places the entry. `icon` is a Bootstrap icon (docs/ui.md)."""

    permission: str
    url_name: str
    label: str
    group: str = "Engagements"
    order: int = 50
    icon: str = "bi-circle"


@dataclass(frozen=True)
class TimelineKind:
    """A kind of timeline entry an app writes: stored as `code`, shown with its
    label and a Bootstrap icon."""

    code: str
    label: str
    icon: str = "bi-dot"


@dataclass(frozen=True)
class AccountTab:
    """A tab an app brings to the account page (the account's 360).

    `view` is the dotted path of `f(request, account) -> HttpResponse` rendering the
    tab's content alone, for an account the viewer may see: the account page shows
    it inline on a full load and HTMX swaps it in on a click, so each tab is an
    address of its own (/accounts/<id>/<slug>/). Shown to those holding
    `permission` ("" for everyone who sees the account). `figures`, if given, is
    the dotted path of `f(user, account) -> list[AccountFigure]`: what the
    overview counts of the tab, in a query or two whatever the rows."""

    slug: str
    label: str
    view: str
    permission: str = ""
    order: int = 50
    figures: str = ""


@dataclass(frozen=True)
class AccountFigure:
    """One line of the account overview: a count, what it counts, the tab that lists
    them, and a colour when it asks for attention (a Bootstrap colour, "" for none)."""

    label: str
    count: int
    tab: str
    colour: str = ""
    note: str = ""


@dataclass(frozen=True)
class Panel:
    """A side panel an app brings to another app's page about one object.

    `model` is the object's model label ("engagements.engagementrequest"); `view`
    the dotted path of `f(request, obj) -> str`, the panel's HTML ("" for none),
    for an object the viewer may already see; it reads in a query or two whatever
    the rows. The page shows every app's panels for its object with
    `{% panels obj %}`, so the page's app imports none of them."""

    model: str
    view: str
    order: int = 50


# A role_grants key meaning every role.
EVERYONE = "*"


class RhythmAppConfig(AppConfig):
    """An app of Rhythm's, declaring what it brings. Every attribute is optional.

    An app's apps.py subclasses it as `registry.RhythmAppConfig`: a config class
    imported by name would make Django see two candidates there and use neither."""

    # Mounted at /<url_prefix>; `urls` is the dotted path of the app's urls module.
    url_prefix: str = ""
    urls: str = ""
    # The dotted path of the app's django-ninja router, mounted under /api/v1/.
    api_router: str = ""
    navigation: tuple[NavItem, ...] = ()
    timeline_kinds: tuple[TimelineKind, ...] = ()
    account_tabs: tuple[AccountTab, ...] = ()
    panels: tuple[Panel, ...] = ()
    # Role value (people.choices.Role), or EVERYONE, -> permission codes
    # ("app_label.codename"); people keeps each role's group in step with them.
    role_grants: dict[str, tuple[str, ...]] = {}
    # The dotted path of `f(user) -> list[(count, noun)]`: what a member still holds
    # in this app, which they hand over before they are archived.
    open_work: str = ""
    # Modules imported once the app is ready, whose import registers something:
    # subscribers to domain events, system checks.
    registers: tuple[str, ...] = ()
    # Dotted paths of functions run after every migrate (and test flush): idempotent
    # seeding and syncing, such as the role groups or the catalog.
    on_migrate: tuple[str, ...] = ()

    def ready(self) -> None:
        for module in self.registers:
            import_module(module)
        for dotted in self.on_migrate:
            # Resolved when called, so ready() imports no models of its own; kept
            # strongly, as the receiver is made here.
            post_migrate.connect(
                functools.partial(_run_dotted, dotted), weak=False, dispatch_uid=dotted
            )


def _run_dotted(dotted: str, **kwargs: Any) -> None:
    import_string(dotted)(**kwargs)


def rhythm_apps() -> Iterator[RhythmAppConfig]:
    for config in apps.get_app_configs():
        if isinstance(config, RhythmAppConfig):
            yield config


@functools.cache
def navigation() -> list[NavItem]:
    """Every app's menu entries in their order."""
    items = [item for config in rhythm_apps() for item in config.navigation]
    return sorted(items, key=lambda i: (i.order, i.label))


def navigation_groups(items: list[NavItem]) -> list[tuple[str, list[NavItem]]]:
    """`items` (in their order) under their groups, each group where its first entry is."""
    groups: dict[str, list[NavItem]] = {}
    for item in items:
        groups.setdefault(item.group, []).append(item)
    return list(groups.items())


def api_routers() -> list[tuple[str, Any]]:
    """(app label, router) for every app with an API, in INSTALLED_APPS order."""
    return [(c.label, import_string(c.api_router)) for c in rhythm_apps() if c.api_router]


def url_mounts() -> list[tuple[str, str]]:
    return [(c.url_prefix, c.urls) for c in rhythm_apps() if c.urls]


@functools.cache
def timeline_kinds() -> dict[str, TimelineKind]:
    kinds: dict[str, TimelineKind] = {}
    for config in rhythm_apps():
        for kind in config.timeline_kinds:
            if kind.code in kinds:
                raise ValueError(f"Timeline kind {kind.code!r} is declared twice.")
            kinds[kind.code] = kind
    return kinds


@functools.cache
def account_tabs() -> dict[str, AccountTab]:
    """Every app's tabs of the account page by slug, in their order."""
    tabs = sorted(
        (tab for config in rhythm_apps() for tab in config.account_tabs),
        key=lambda t: (t.order, t.label),
    )
    found: dict[str, AccountTab] = {}
    for tab in tabs:
        if tab.slug in found:
            raise ValueError(f"Account tab {tab.slug!r} is declared twice.")
        found[tab.slug] = tab
    return found


@functools.cache
def panels() -> dict[str, list[Panel]]:
    """Every app's panels by the model label of the page's object, in their order."""
    found: dict[str, list[Panel]] = {}
    for panel in sorted(
        (p for config in rhythm_apps() for p in config.panels), key=lambda p: p.order
    ):
        found.setdefault(panel.model, []).append(panel)
    return found


def timeline_kind_choices() -> list[tuple[str, str]]:
    """The timeline's kinds as model choices: a callable, so that a new kind needs
    no migration."""
    return [(kind.code, kind.label) for kind in timeline_kinds().values()]


def role_grants(roles: list[str]) -> dict[str, list[str]]:
    """Each of `roles`' permissions, gathered from every app."""
    grants: dict[str, list[str]] = {role: [] for role in roles}
    for config in rhythm_apps():
        for key, codes in config.role_grants.items():
            for role in roles if key == EVERYONE else [key]:
                grants[role] += [code for code in codes if code not in grants[role]]
    return grants


def open_work(user) -> list[tuple[int, str]]:
    """What a member still holds, every app asked: (count, noun) for each kind held."""
    held: list[tuple[int, str]] = []
    for config in rhythm_apps():
        if config.open_work:
            counter: Callable[[Any], list[tuple[int, str]]] = import_string(config.open_work)
            held += [(n, noun) for n, noun in counter(user) if n]
    return held
