"""The demo's surveys: the NPS surveys its completed engagements sent (surveys hears
them complete), CSAT surveys after a few CTAs' calls, and answers to most of them,
given as a contact gives them: through the link in the survey's email."""

from __future__ import annotations

import random
import re
from datetime import timedelta

from django.utils import timezone

from rhythm.ctas.choices import CtaStatus
from rhythm.ctas.models import Cta
from rhythm.surveys import services as surveys
from rhythm.surveys.choices import SurveyKind
from rhythm.surveys.models import Survey, SurveyResponse

_LINK = re.compile(r"/surveys/answer/([\w-]+)/")
_COMMENTS = {
    "high": [
        "Clear answers and a working pipeline by the end of the call.",
        "Exactly what we needed.",
    ],
    "middle": ["Helpful, though we ran out of time.", ""],
    "low": ["We expected a deeper look at our runners.", "The follow-up came late."],
}
# A handful of CTAs whose call got a CSAT survey.
CSAT_CTAS = 12


def load(seed: int) -> dict[str, int]:
    created = {"surveys": 0, "survey answers": 0}
    if SurveyResponse.objects.exists():
        return created
    rng = random.Random(f"{seed}:surveys")
    worked = (
        Cta.objects.filter(status__in=[CtaStatus.IN_PROGRESS, CtaStatus.CLOSED])
        .exclude(owner=None)
        .exclude(case=None)
        .select_related("case__contact", "owner")
        .order_by("pk")[:CSAT_CTAS]
    )
    for cta in worked:
        if cta.case is None:
            continue  # excluded above; said again for the type checker
        surveys.send_survey(
            SurveyKind.CSAT,
            cta,
            cta.case.contact,
            cse=cta.owner,
            about=f"your call with {cta.owner}",
            now=timezone.now() - timedelta(days=rng.randint(1, 20)),
        )
    for survey in Survey.objects.filter(answered_at=None).select_related("message").order_by("pk"):
        if rng.random() < 0.25:
            continue  # some never answer: the response rate is not 100%
        found = _LINK.search(survey.message.body_text) if survey.message else None
        if found is None:
            continue
        score = _score(rng, survey.kind)
        low, high = survey.scale
        mood = "high" if score >= high - 1 else "low" if score <= (low + high) // 2 else "middle"
        surveys.answer(found.group(1), score=score, comment=rng.choice(_COMMENTS[mood]))
        created["survey answers"] += 1
    # With the NPS surveys the engagements' completions sent, before this ran.
    created["surveys"] = Survey.objects.count()
    return created


def _score(rng: random.Random, kind: str) -> int:
    if kind == SurveyKind.NPS:
        return rng.choice([10, 10, 9, 9, 9, 8, 8, 7, 6, 4])
    return rng.choice([5, 5, 5, 4, 4, 4, 3, 2])
