"""`{% aging_mark obj.aging %}`: the mark of work that is overdue or aging.

Any row with an `aging` verdict (`core.rules.Aging`) gets the same mark wherever
it is listed: a CTA, a task, an engagement request (their models' `aging`), a
board card that carries one. The verdict is the domain's (ctas.rules.cta_aging,
engagements.rules.request_aging); this only shows it.

    {% load aging %}
    {% aging_mark cta.aging %}            a badge, its reasons in its title
    {% aging_mark cta.aging "reasons" %}  the badge and its reasons beside it
"""

from django import template

from rhythm.core.rules import Aging

register = template.Library()


@register.inclusion_tag("core/_aging_mark.html")
def aging_mark(aging: Aging | None, style: str = "badge") -> dict:
    return {"aging": aging, "with_reasons": style == "reasons"}
