"""The baseline of the intake benchmark: a bare Django view doing one INSERT.

It goes through the same middleware, server and database settings as the API;
it reads the same JSON body, writes one row in one transaction and answers 201.
"""

import json

from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from bench.db import BARE_TABLE


@csrf_exempt
def bare_insert(request: HttpRequest) -> JsonResponse:
    body = json.loads(request.body)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {BARE_TABLE} (body, created_at) VALUES (%s, %s) RETURNING id",
            [body.get("challenges", ""), connection.ops.adapt_datetimefield_value(timezone.now())],
        )
        row_id = cursor.fetchone()[0]
    return JsonResponse({"id": row_id}, status=201)
