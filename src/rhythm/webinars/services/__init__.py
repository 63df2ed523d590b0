"""Webinars' use cases. Each is one transaction that checks the rules, locks what it
changes, writes, and announces what happened (events.py); the emails that follow an
event are notifications.py's, the timed ones (reminders, the post-event email) are
written here, each once (a conditional UPDATE claims the row, the outbox key guards a
retry).

By concern, one module each: `planning` (events, their states, sign-up, the run of
show), `registrations` (the public's registration, waiting list and reminders), `labs`
(environment requests, codes, redemptions and access windows), `after_event`
(attendance, the post-event email and survey), `calendar` (the public iCal feed),
`lab_templates` (the labs run month after month); `common` holds the rights and
helpers they share. Callers import this package."""

from rhythm.webinars.services.after_event import (
    Attendance,
    record_attendance,
    send_post_event,
)
from rhythm.webinars.services.calendar import (
    ical,
    published_in,
)
from rhythm.webinars.services.common import (
    FULFIL,
    LINK_LIFETIME_AFTER,
    MANAGE,
    SEE_CODES,
    TOKEN_BYTES,
    may_see_codes,
    parties,
)
from rhythm.webinars.services.lab_templates import (
    KEEP,
    TEMPLATE_FIELDS,
    save_lab_template,
)
from rhythm.webinars.services.labs import (
    Redeemed,
    end_access_windows,
    file_environment_request,
    move_request,
    redeem,
    redemption_counts,
)
from rhythm.webinars.services.planning import (
    EVENT_FIELDS,
    TOLD_REGISTRANTS,
    host_conflict,
    move,
    open_work,
    save_webinar,
    sign_up,
    tick,
    upcoming_filter,
)
from rhythm.webinars.services.registrations import (
    LinkRefused,
    Registered,
    by_token,
    cancel,
    cancel_by_token,
    confirm,
    link_url,
    looks_like_token,
    open_for_registration,
    register,
    seat_counts,
    send_reminders,
)

__all__ = [
    "KEEP",
    "TEMPLATE_FIELDS",
    "save_lab_template",
    "Attendance",
    "EVENT_FIELDS",
    "FULFIL",
    "LINK_LIFETIME_AFTER",
    "LinkRefused",
    "MANAGE",
    "Redeemed",
    "Registered",
    "SEE_CODES",
    "TOKEN_BYTES",
    "by_token",
    "cancel",
    "cancel_by_token",
    "confirm",
    "end_access_windows",
    "file_environment_request",
    "host_conflict",
    "ical",
    "link_url",
    "looks_like_token",
    "may_see_codes",
    "move",
    "move_request",
    "open_for_registration",
    "open_work",
    "parties",
    "published_in",
    "record_attendance",
    "redeem",
    "redemption_counts",
    "register",
    "save_webinar",
    "seat_counts",
    "send_post_event",
    "send_reminders",
    "sign_up",
    "TOLD_REGISTRANTS",
    "tick",
    "upcoming_filter",
]
