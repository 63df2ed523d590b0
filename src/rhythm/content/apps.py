from rhythm.core import registry
from rhythm.core.registry import EVERYONE, NavItem
from rhythm.people.choices import Role


class ContentConfig(registry.RhythmAppConfig):
    """Webinar and lab content and its bugs. Below webinars, which links each event
    to the items it uses (a ManyToManyField to "content.ContentItem" on its event
    model), shows their open bugs on the event page (a Panel on its own event model
    whose view returns content.views.bugs_panel(request, event.content_items.all())),
    and subscribes to content.events.BugReported: when `event.severe`, it emails the
    DRI of each upcoming event that uses `event.item`. Content imports no webinars."""

    name = "rhythm.content"
    label = "content"
    verbose_name = "Content"

    url_prefix = "content/"
    urls = "rhythm.content.urls"
    api_router = "rhythm.content.api.router"
    navigation = (
        NavItem(
            "content.view_contentitem",
            "content:library",
            "Content",
            group="Team",
            order=82,
            icon="bi-collection-play",
        ),
        NavItem(
            "content.add_contentitem",
            "content:queue",
            "Content bugs",
            group="Team",
            order=83,
            icon="bi-bug",
        ),
    )
    open_work = "rhythm.content.services.open_work"
    registers = ("rhythm.content.notifications",)
    # Anyone signed in reads the content and reports a bug; the CSE team builds
    # content and works the bugs of what it owns (rights on a row are the rules'
    # parties: its owner, a maintainer, whoever reported it).
    # A manager, the program manager or an admin may also work any owner's bugs.
    _BUILD = ("content.add_contentitem", "content.change_contentitem")
    _LEAD = (*_BUILD, "content.change_bug")
    role_grants = {
        EVERYONE: ("content.view_contentitem", "content.view_bug", "content.add_bug"),
        Role.CSE: _BUILD,
        Role.CSE_MANAGER: _LEAD,
        Role.PROGRAM_MANAGER: _LEAD,
        Role.ADMIN: _LEAD,
    }
