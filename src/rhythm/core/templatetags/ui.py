"""The design language's helpers (docs/ui.md): page headers, status badges, people,
and times that always show their zone.

Loaded for every template (settings.TEMPLATES "builtins"), so a page uses them
without `{% load %}`, as it uses `{% csrf_token %}`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe

from rhythm.core import display, registry

register = template.Library()


@register.filter
def when(value: datetime | date | None, style: str = "datetime") -> str:
    """A moment in the viewer's zone, with the zone: "4 Mar 2025, 17:00 CET"."""
    return display.when(value, style)


@register.simple_tag
def due(value: date | datetime | None, done: Any = False, today: date | None = None) -> SafeString:
    """A due date, marked late when it has passed and the work is not `done`:
    "4 Mar 2025" or "4 Mar 2025 · 3 days late" (docs/ui.md, "Colours per status")."""
    if value is None or value == "":
        return SafeString("—")
    day = timezone.localtime(value).date() if isinstance(value, datetime) else value
    shown = date_format(day, "DATE_FORMAT")
    late = ((today or timezone.localdate()) - day).days
    if done or late <= 0:
        return format_html('<span class="rh-due">{}</span>', shown)
    return format_html(
        '<span class="rh-late" data-testid="late">{} · {} day{} late</span>',
        shown,
        late,
        "" if late == 1 else "s",
    )


@register.simple_tag
def badge(value: Any, colour: str | None = None, testid: str = "", title: str = "") -> SafeString:
    """A status as a subtle badge in its colour: `{% badge cta.status_enum %}`, or a
    label and a colour for a state with no enum: `{% badge "Archived" "secondary" %}`.
    Anything with a `label` and a `colour` will do (a plan's health); `title` says why."""
    if value is None or value == "":
        return SafeString("")
    label = getattr(value, "label", value)
    colour = colour or getattr(value, "colour", "secondary")
    return format_html(
        '<span class="badge rh-badge rh-badge-{}"{}{}>{}</span>',
        colour,
        format_html(' data-testid="{}"', testid) if testid else "",
        format_html(' title="{}"', title) if title else "",
        label,
    )


def initials(user) -> str:
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if first or last:
        return (first[:1] + last[:1]).upper()
    return (user.get_username() or "?")[:2].upper()


@register.simple_tag(takes_context=True)
def person(context, user, style: str = "name", testid: str = "") -> SafeString:
    """Initials in a circle and the name, linked to the member's page when the viewer
    may open it; "Unassigned" for nobody. `style="initials"` shows the circle only.
    `testid` marks the name itself, so a test reads the name and not the initials."""
    extra = format_html(' data-testid="{}"', testid) if testid else ""
    if user is None or user == "":
        return format_html('<span class="rh-person text-secondary"{}>Unassigned</span>', extra)
    name = str(user)
    avatar = format_html(
        '<span class="rh-avatar" style="--rh-hue: {}" aria-hidden="true">{}</span>',
        (user.pk or 0) * 47 % 360,
        initials(user),
    )
    if style == "initials":
        return format_html(
            '<span class="rh-person" title="{}"{}>{}<span class="visually-hidden">{}</span></span>',
            name,
            extra,
            avatar,
            name,
        )
    viewer = context.get("user")
    may_open = viewer is not None and (
        getattr(viewer, "pk", None) == user.pk or viewer.has_perm("people.view_user")
    )
    if may_open:
        return format_html(
            '<a class="rh-person" href="{}">{}<span{}>{}</span></a>',
            reverse("people:member", args=[user.pk]),
            avatar,
            extra,
            name,
        )
    return format_html('<span class="rh-person">{}<span{}>{}</span></span>', avatar, extra, name)


@register.simple_tag
def office_hours(session, now: datetime | None = None) -> SafeString:
    """A weekly session's next start in the viewer's zone, and in its host's beside
    it when the two differ: "Tue 11:00 EST · Tue 17:00 CET for Martin Brummer"."""
    mine, theirs = display.weekly_slot(
        session.weekday, session.start_time, session.cse.time_zone, now
    )
    if theirs is None:
        return format_html('<span class="rh-when" data-testid="session-time">{}</span>', mine)
    return format_html(
        '<span class="rh-when" data-testid="session-time">{}</span> '
        '<span class="text-secondary" data-testid="session-host-time">· {} for {}</span>',
        mine,
        theirs,
        session.cse,
    )


class PageHeaderNode(template.Node):
    def __init__(
        self,
        title: FilterExpression,
        options: dict[str, FilterExpression],
        actions: NodeList,
        meta: NodeList | None,
    ):
        self.title, self.options, self.actions, self.meta = title, options, actions, meta

    def render(self, context) -> str:
        values = {name: value.resolve(context) for name, value in self.options.items()}
        part = context.template.engine.get_template("core/_page_header.html")
        with context.push(
            header={
                "title": self.title.resolve(context),
                "status": values.get("status"),
                "owner": values.get("owner"),
                "has_owner": "owner" in values,
                "owner_label": values.get("owner_label", "Owner"),
                "subtitle": values.get("subtitle", ""),
                "testid": values.get("testid", ""),
                "actions": mark_safe(self.actions.render(context).strip()),  # noqa: S308 - rendered template output
                "meta": mark_safe(self.meta.render(context).strip()) if self.meta else "",  # noqa: S308
            }
        ):
            return part.render(context)


@register.tag
def pageheader(parser: Parser, token: Token) -> PageHeaderNode:
    """`{% pageheader title status=… owner=… owner_label=… subtitle=… testid=… %}`
    actions `{% pagemeta %}` facts `{% endpageheader %}`: the head of every page
    (core/_page_header.html): title, status badge, owner, main actions."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% pageheader %} needs a title.")
    title = parser.compile_filter(bits[1])
    options: dict[str, FilterExpression] = {}
    for bit in bits[2:]:
        name, sep, value = bit.partition("=")
        if not sep or name not in {"status", "owner", "owner_label", "subtitle", "testid"}:
            raise template.TemplateSyntaxError(f"{{% pageheader %}} does not take {bit!r}.")
        options[name] = parser.compile_filter(value)
    actions = parser.parse(("pagemeta", "endpageheader"))
    meta = None
    if parser.next_token().contents == "pagemeta":
        meta = parser.parse(("endpageheader",))
        parser.delete_first_token()
    return PageHeaderNode(title, options, actions, meta)


@register.simple_tag(takes_context=True)
def panels(context, obj) -> SafeString:
    """`{% panels obj %}`: the side panels other apps bring to the page of `obj`
    (core.registry.Panel), in their order; nothing when no app brings one."""
    found = registry.panels().get(obj._meta.label_lower, [])
    request = context.get("request")
    html = [str(import_string(panel.view)(request, obj)) for panel in found]
    return mark_safe("".join(html))  # noqa: S308 - each panel is a rendered template
