"""Background work of the core app. Tasks take ids, never objects."""

from __future__ import annotations

from django.db import connections
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_shutdown, on_startup

from rhythm.core import events, locks, services

# While a worker lives, its heartbeat renews its leases and its outbox claims, and
# hands back the claims of workers that died (within CLAIM_STALE_AFTER and a beat).
locks.on_heartbeat(services.touch_claims)
locks.on_heartbeat(services.release_dead_claims)


@db_task(retries=2, retry_delay=30)
def deliver_message(message_id: int) -> str:
    return services.deliver(message_id).outcome


@db_periodic_task(crontab(minute="*"))
def deliver_due_messages() -> int:
    """The safety net: anything pending whose time has come (retries, lost enqueues)."""
    sent = 0
    for message_id in services.due_message_ids():
        if services.deliver(message_id).outcome == "sent":
            sent += 1
    return sent


@db_task(retries=2, retry_delay=30)
def deliver_events() -> int:
    """Feed the domain events just committed to their after-commit subscribers."""
    return events.deliver_due()


@db_periodic_task(crontab(minute="*"))
def deliver_due_events() -> int:
    """The safety net: retries, and deliveries whose enqueue was lost."""
    return events.deliver_due()


@on_startup()
def recover_and_start_heartbeat() -> None:
    """Runs in each worker thread as it starts (idempotent): a worker restarted
    after a kill first frees what its dead predecessor on this machine held, so
    the next run of a locked job, and the interrupted sends, go ahead at once."""
    locks.clear_dead_holders()
    services.release_dead_claims()
    locks.start_heartbeat()
    connections.close_all()


@on_shutdown()
def close_database_connections() -> None:
    # Runs in each worker thread as it stops: a connection kept open for reuse
    # (CONN_MAX_AGE) would otherwise linger on the database server.
    locks.stop_heartbeat()
    connections.close_all()
