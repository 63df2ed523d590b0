"""Background work of follow-ups: the SLA clocks' scan, every 15 minutes."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from rhythm.followups import clocks


@db_periodic_task(crontab(minute="*/15"))
def scan_clocks() -> int:
    # No lease: the outbox keys make a second worker's scan at the same moment write
    # nothing twice (tests/followups/test_clocks.py runs two at once).
    return clocks.scan().written
