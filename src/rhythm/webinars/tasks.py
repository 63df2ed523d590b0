"""The timed jobs: reminders (registrants 1 day and 1 hour before, the host 10
minutes before) and the end of lab access windows, every minute."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from rhythm.core import locks
from rhythm.webinars import services

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
@locks.exclusive("webinar-reminders")
def send_reminders() -> dict[str, int]:
    # Each reminder is claimed by a conditional UPDATE: two workers send it once.
    return services.send_reminders()


@db_periodic_task(crontab(minute="*"))
@locks.exclusive("lab-access-expiry")
def end_access_windows() -> int:
    """Reports how many access windows ended: the task's result, and a log line when
    any did (what an operator reads)."""
    ended = services.end_access_windows()
    if ended:
        log.info("Ended %d lab access window(s).", ended)
    return ended
