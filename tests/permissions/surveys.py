"""Surveys: everyone with a role reads the surveys and answers of the accounts they
see; nobody writes one through the API (a survey is sent by what it is about and
answered through its public link, tests/permissions/exempt.py)."""

from tests.permissions.harness import Operation, expect

OPERATIONS = [
    Operation("GET /surveys", expect(200, outsider=403)),
    Operation("GET /surveys/{survey_id}", expect(200, outsider=403)),
    Operation("GET /survey-responses", expect(200, outsider=403)),
    Operation("GET /survey-kpis", expect(200, outsider=403)),
]
