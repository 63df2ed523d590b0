"""Fixtures of the engagement page tests."""

import pytest

from rhythm.engagements import services
from tests.engagements.helpers import STAKEHOLDER, service_data


@pytest.fixture
def request_(cast, account, objective):
    """A complex request the cast's CSM filed, waiting in review."""
    return services.file_request(cast.csm, service_data(account, objective), [STAKEHOLDER])
