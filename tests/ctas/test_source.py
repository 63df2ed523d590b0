"""A CTA says by its source whether it tracks an engagement request; the database
keeps the two in agreement, so lists may filter by the (indexable) source."""

import pytest
from django.db import IntegrityError, transaction

from rhythm.ctas.choices import CtaSource
from rhythm.ctas.models import Cta
from tests.factories import AccountFactory
from tests.query_counts import rows


@pytest.mark.parametrize(
    "source, with_request",
    [(CtaSource.REQUEST, False), (CtaSource.REALTIME, True), (CtaSource.RECONCILIATION, True)],
)
def test_source_and_request_must_agree(cast, source, with_request):
    stage = rows.build_stage(cast)
    account = AccountFactory()
    request = stage.request if with_request else None
    with pytest.raises(IntegrityError), transaction.atomic():
        Cta.objects.create(name="A CTA", account=account, source=source, request=request)


def test_of_cases_leaves_out_the_ctas_of_requests(cast):
    stage = rows.build_stage(cast)
    rows.requests(stage, 2, "started")
    of_cases = set(Cta.objects.of_cases().values_list("pk", flat=True))
    assert of_cases == set(Cta.objects.filter(request__isnull=True).values_list("pk", flat=True))
    assert of_cases and Cta.objects.exclude(pk__in=of_cases).count() == 2
