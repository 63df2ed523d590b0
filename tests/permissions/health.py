"""Health metrics: everyone with a role reads the metrics of the accounts they see;
CS operations (and admins) load them, by upload or the API."""

from tests.permissions.harness import Operation, Route, expect

LOAD = {"cs_ops": 200, "admin": 200}

ROUTES = [
    Route("health:imports", get=expect(403, **LOAD)),
    Route("health:import-detail", get=expect(403, **LOAD)),
]

OPERATIONS = [
    Operation("GET /metrics", expect(200, outsider=403)),
    Operation(
        "POST /metrics",
        expect(403, **LOAD),
        body=lambda w: {
            "rows": [
                {
                    "account": w.account.crm_id,
                    "metric": "active_users",
                    "date": "2025-01-06",
                    "value": "12",
                }
            ]
        },  # fmt: skip
    ),
]
