import pytest
from django.core.cache import caches


@pytest.fixture(autouse=True)
def fresh_rate_limits(db):
    """The rate limits count in the database cache, which no rollback empties."""
    caches["ratelimit"].clear()
    yield
    caches["ratelimit"].clear()
