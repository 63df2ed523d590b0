"""Campaign evaluation on the queue: every five minutes, the active campaigns whose
schedule says now run. Two workers doing it at once send each account once anyway
(the send's unique constraint); the lease only saves them the double work."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from rhythm.campaigns import sending
from rhythm.core import locks


@db_periodic_task(crontab(minute="*/5"))
@locks.exclusive("run-due-campaigns")
def run_due_campaigns() -> int:
    return sum(len(r.sent) for r in sending.run_due())
