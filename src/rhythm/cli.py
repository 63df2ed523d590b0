"""The `rhythm` command: Django's management commands under one friendly name."""

from __future__ import annotations

import os
import sys

from rhythm.env import ConfigError

USAGE = """Usage: rhythm COMMAND [options]

Rhythm's commands:
  migrate                      create or update the database
  demo                         load the demo team and customers (idempotent)
  serve [--with-worker]        serve the app with gunicorn (and a queue worker)
  worker                       run a task-queue worker
  token create USERNAME [--name NAME] | token list [USERNAME] | token revoke ID
                               personal API tokens
  outbox list [--status S] | outbox retry ID... | outbox retry --failed
                               the emails Rhythm sends
  reconcile-ctas [--dry-run]   raise any missing CTA now
  content bugs [--owner USERNAME] | content report ITEM_ID --as USERNAME ...
                               content bugs: a queue, or a new report
  escalations qualify ACCOUNT [--today DATE] | escalations open-accounts
                               an escalation's verdict, with its reasons
  metrics import FILE [--skip-bad-rows]
                               load health metrics from a CSV file
  campaigns list | preview NAME | run NAME [--dry-run]
                               health-driven campaigns
  check                        explain a bad configuration

`rhythm COMMAND --help` says more about one; `rhythm help --commands` lists
every command, Django's own among them.
"""


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rhythm.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:]
    if not args or args in (["-h"], ["--help"], ["help"]):
        # Django's own list would bury Rhythm's few commands among forty of its own.
        sys.stdout.write(USAGE)
        return
    # `rhythm reconcile-ctas` reads better than Django's `reconcile_ctas`; both work.
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    try:
        execute_from_command_line(["rhythm", *args])
    except ConfigError as exc:
        # A bad variable is the operator's to fix, not a crash: one line, no traceback.
        sys.stderr.write(f"rhythm: configuration error: {exc}\n")
        sys.exit(2)
    except BrokenPipeError:
        # `rhythm outbox list | head` closed the pipe: the reader has what it wanted.
        # Python would still flush stdout at exit and complain; point it at nothing.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)  # 128 + SIGPIPE, as a shell reports a command cut short


if __name__ == "__main__":
    main()
