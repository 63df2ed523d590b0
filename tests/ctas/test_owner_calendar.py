"""A CTA's tasks fall due on its owner's calendar once a CSE accepts it."""

from datetime import date

import holidays
import time_machine

from rhythm.cases import services as cases
from rhythm.core.rules import BusinessCalendar
from rhythm.ctas import services
from rhythm.ctas.choices import TaskStatus
from rhythm.people.models import CompanyHoliday


def _first_working_week_with_a_holiday(country: str, after: date) -> date:
    """A Monday after `after` whose week holds a weekday public holiday of the country
    (from `holidays`, never written down here)."""
    for day, _ in sorted(
        holidays.country_holidays(country, years=[after.year, after.year + 1]).items()
    ):
        if day > after and day.weekday() in (1, 2, 3):
            return date.fromordinal(day.toordinal() - day.weekday())
    raise AssertionError("no weekday holiday in two years")


def test_accepting_moves_the_open_tasks_onto_the_owners_calendar(cast, case_data, covering_cse):
    monday = _first_working_week_with_a_holiday("FR", date(2026, 1, 1))
    covering_cse.holiday_country = "FR"
    covering_cse.save()
    CompanyHoliday.objects.create(date=monday, name="Offsite")
    with time_machine.travel(f"{monday.isoformat()} 08:00Z", tick=False):
        cta = cases.open_case(cast.account_owner, case_data).case.cta
        plain = {t.position: t.due_date for t in cta.tasks.all()}
        services.accept(cta, cse=covering_cse, actor=covering_cse)
    calendar = BusinessCalendar(country="FR", company_holidays=frozenset({monday}))
    tasks = list(cta.tasks.order_by("position"))
    for task in tasks:
        if task.status != TaskStatus.OPEN:
            assert task.due_date == plain[task.position]  # done ones keep their date
            continue
        offset = BusinessCalendar().days_between(monday, plain[task.position])
        assert task.due_date == calendar.add_days(monday, offset)
        assert calendar.is_business_day(task.due_date)
    # The week's holiday (and the offsite) pushed at least the later tasks back a day.
    assert any(t.due_date > plain[t.position] for t in tasks)
    cta.refresh_from_db()
    assert cta.due_date == max(t.due_date for t in tasks)
