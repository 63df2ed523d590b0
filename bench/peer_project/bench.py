"""What bench/peer.py asks of the helpdesk project, in the peer's virtualenv:

python -m peer_project.bench setup   # migrate, email templates, a queue, an agent
                                     # with a token; prints {"token", "queue"}
python -m peer_project.bench count   # prints the tickets and follow-ups stored
python -m peer_project.bench queries TOKEN BODY   # one ticket through the API:
                                     # prints {"status", "queries"}
"""

import json
import sys

import django


def setup() -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from helpdesk.models import Queue
    from rest_framework.authtoken.models import Token

    call_command("migrate", verbosity=0, interactive=False)
    # helpdesk's install guide: without its email templates no email is sent.
    call_command("loaddata", "emailtemplate.json", verbosity=0)
    queue = Queue.objects.create(
        title="CSE Help", slug="cse-help", email_address="cse-help@bench.example"
    )
    # TicketViewSet allows staff only (IsAdminUser): an agent, not a superuser.
    agent = get_user_model().objects.create_user(
        "bench-agent", "agent@bench.example", first_name="Bench", last_name="Agent"
    )
    agent.is_staff = True
    agent.save(update_fields=["is_staff"])
    return {"token": Token.objects.create(user=agent).key, "queue": queue.pk}


def count() -> dict:
    from django.db.models import Count
    from helpdesk.models import FollowUp, Ticket

    return {
        "tickets": Ticket.objects.count(),
        # The tickets of the peer served by sync workers: their submitters' domain.
        "sync": Ticket.objects.filter(submitter_email__endswith="@sync.customer.example").count(),
        "followups": FollowUp.objects.count(),
        # Each ticket created through the API gets its "Ticket Opened" follow-up.
        "without_followup": Ticket.objects.annotate(n=Count("followup")).filter(n=0).count(),
    }


def queries(token: str, body: str) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(headers={"Authorization": f"Token {token}"})
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/api/tickets/", body, content_type="application/json")
    return {"status": response.status_code, "queries": len(captured)}


if __name__ == "__main__":
    django.setup()
    command = {"setup": setup, "count": count, "queries": queries}[sys.argv[1]]
    print(json.dumps(command(*sys.argv[2:])))
