"""The API contract is committed: docs/openapi.json must be what the code generates."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

from django.conf import settings
from ninja.responses import NinjaJSONEncoder

from rhythm.api import api

COMMITTED = Path(settings.BASE_DIR) / "docs" / "openapi.json"


def generated_document() -> str:
    """Exactly what `make openapi` writes.

    That is `rhythm export_openapi_schema --api rhythm.api.api --indent 2 --sorted`:
    ninja's command dumps with its JSON encoder, keeps non-ASCII characters, and
    Django's command output adds the final newline.
    """
    text = json.dumps(
        api.get_openapi_schema(),
        cls=NinjaJSONEncoder,
        indent=2,
        sort_keys=True,
        ensure_ascii=False,
    )
    return text + "\n"


def test_the_committed_document_matches_the_code():
    committed = COMMITTED.read_text(encoding="utf-8")
    generated = generated_document()
    if committed != generated:
        diff = difflib.unified_diff(
            committed.splitlines(),
            generated.splitlines(),
            "docs/openapi.json (committed)",
            "generated from the code",
            lineterm="",
        )
        excerpt = "\n".join(list(diff)[:60])
        raise AssertionError(
            "docs/openapi.json is out of date with the code: run `make openapi` "
            f"and commit the result.\n{excerpt}"
        )


def test_the_document_describes_the_issues_errors():
    document = json.loads(COMMITTED.read_text(encoding="utf-8"))
    post_accounts = document["paths"]["/api/v1/accounts"]["post"]
    for status in ("401", "403", "413", "422"):
        assert status in post_accounts["responses"], status
    error = document["components"]["schemas"]["ErrorOut"]
    assert set(error["properties"]) == {"detail", "errors"}
    schemes = document["components"]["securitySchemes"]
    assert schemes["BearerToken"] == {"scheme": "bearer", "type": "http"}
    listing = {p["name"] for p in document["paths"]["/api/v1/accounts"]["get"]["parameters"]}
    assert {"segment", "region", "q", "archived", "limit", "offset"} <= listing
