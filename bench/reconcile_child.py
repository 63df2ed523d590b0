"""One timed reconciliation in a process of its own: `python -m bench.reconcile_child
subject|baseline` prints its time, what it raised and its peak resident memory."""

from __future__ import annotations

import gc
import json
import resource
import sys
import time

import django


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    which = sys.argv[1]
    django.setup()
    from django.db import connection
    from django.urls import reverse

    from bench.reconcile import baseline_sql
    from rhythm.ctas.services import reconcile

    connection.ensure_connection()
    # As `rhythm worker` starts: the URLconf loaded once for the worker's life (the
    # timeline's entries link to the CTAs they raise), then frozen out of the
    # garbage collector's walks. A run is measured, not a process start; both alike.
    reverse("ctas:detail", args=[1])
    gc.freeze()
    start_mb = _rss_mb()
    began = time.perf_counter()
    if which == "subject":
        raised = len(reconcile().raised)
    else:
        raised = baseline_sql()
    seconds = time.perf_counter() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps({"seconds": seconds, "raised": raised, "peak_mb": peak_mb, "start_mb": start_mb})
    )


if __name__ == "__main__":
    main()
