"""What a CTA tells whom: the outreach to the customer (the handbook's rule, sent
by the accept service itself), and the emails to the CSEs and the account owner
as it is assigned, reassigned and closed (subscribers to the CTA's events). Each
goes through the outbox, in the transaction of the change, once."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string

from rhythm.core import services as core_services
from rhythm.core.events import subscribe
from rhythm.ctas.events import CtaAccepted, CtaClosed
from rhythm.ctas.models import Cta


def outreach(cta: Cta, case, cse):
    """The CSE's first email to the contact, the account owner in copy."""
    contact = case.contact
    owner = case.account.account_owner
    context = {
        "cta": cta,
        "case": case,
        "contact": contact,
        "cse": cse,
        "offering": case.offering,
        "account_owner": owner,
    }
    sender = f"{cse.get_full_name() or cse.username} <{cse.email}>" if cse.email else ""
    return core_services.enqueue_email(
        # One outreach per CTA, however often it is accepted, retried or reassigned.
        key=f"cta-outreach:{cta.pk}",
        to=[contact.email],
        cc=[owner.email] if owner and owner.email else [],
        reply_to=[cse.email] if cse.email else [],
        from_email=sender,
        subject=f"{case.offering.name if case.offering else 'Your CSE engagement'} — "
        f"next steps with GitLab Customer Success Engineering",
        body_text=render_to_string("ctas/email/outreach.txt", context),
        body_html=render_to_string("ctas/email/outreach.html", context),
    )


def assigned(cta: Cta, case, cse, actor, *, previous=None):
    """Tell a CSE a manager gave them a CTA; once per CTA and CSE. Taking it over
    from someone whose outreach already went, they introduce themselves."""
    context = {
        "cta": cta,
        "case": case,
        "cse": cse,
        "actor": actor,
        "previous": previous,
        "outreach_sent_by_previous": previous is not None and cta.outreach_message_id is not None,
        "url": settings.SITE_URL + cta.get_absolute_url(),
    }
    return core_services.enqueue_email(
        key=f"cta-assigned:{cta.pk}:{cse.pk}",
        to=[cse.email],
        reply_to=[actor.email] if actor.email else [],
        subject=f"Assigned to you: {cta.name}",
        body_text=render_to_string("ctas/email/assigned.txt", context),
        body_html=render_to_string("ctas/email/assigned.html", context),
    )


def reassigned(cta: Cta, *, previous, cse, actor, at: datetime):
    """Tell the CSE a CTA was taken from that it is no longer theirs."""
    return core_services.enqueue_email(
        key=f"cta-reassigned:{cta.pk}:{previous.pk}:{cse.pk}:{at.isoformat()}",
        to=[previous.email],
        reply_to=[actor.email] if actor.email else [],
        subject=f"Reassigned: {cta.name}",
        body_text=f"{actor} gave {cta.name} to {cse}; it is no longer on your list.\n"
        f"\n{settings.SITE_URL}{cta.get_absolute_url()}\n",
    )


def closed(cta: Cta, case, actor, reason: str):
    """Tell the account owner who opened the case that it is done, and why."""
    lines = [
        f"{actor} closed {cta.name}, and with it your CS Help case #{case.pk}.",
        *([f"\nWhy: {reason}"] if reason else []),
        f"\n{settings.SITE_URL}{case.get_absolute_url()}",
    ]
    return core_services.enqueue_email(
        key=f"cta-closed:{cta.pk}",
        to=[case.opened_by.email],
        reply_to=[actor.email] if actor.email else [],
        subject=f"Closed: {cta.name}",
        body_text="\n".join(lines) + "\n",
    )


@subscribe(CtaAccepted)
def tell_of_assignment(event: CtaAccepted) -> None:
    cta, cse, actor, previous = event.cta, event.cse, event.actor, event.previous
    if event.assigned and cse.email:
        assigned(cta, cta.case, cse, actor, previous=previous)
    if previous is not None and previous.email and previous.pk != actor.pk:
        reassigned(cta, previous=previous, cse=cse, actor=actor, at=cta.updated_at)


@subscribe(CtaClosed)
def tell_of_closing(event: CtaClosed) -> None:
    case = event.cta.case
    if case is not None and case.opened_by_id != event.actor.pk and case.opened_by.email:
        closed(event.cta, case, event.actor, event.reason)
