"""The four-hourly CTA reconciliation, at the seed platform's times (Pacific)."""

from huey.contrib.djhuey import db_periodic_task

from rhythm.core import locks
from rhythm.ctas import rules, services


@db_periodic_task(rules.is_reconciliation_time)
@locks.exclusive("reconcile-ctas")
def reconcile_ctas() -> int:
    # The lease (it dies with a killed worker) keeps two workers from sharing the
    # work; the database constraint would keep them from duplicating it anyway.
    return len(services.reconcile().raised)
