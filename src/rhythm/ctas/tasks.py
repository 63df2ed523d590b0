"""The four-hourly CTA reconciliation, at the seed platform's times (Pacific)."""

from huey.contrib.djhuey import db_periodic_task, lock_task

from rhythm.ctas import rules, services


@db_periodic_task(rules.is_reconciliation_time)
@lock_task("reconcile-ctas")
def reconcile_ctas() -> int:
    # The lock keeps two workers from sharing the work; the database constraint
    # would keep them from duplicating it anyway.
    return len(services.reconcile().raised)
