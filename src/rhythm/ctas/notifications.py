"""What a CTA tells whom: the outreach to the customer (the handbook's rule, sent
by the outreach service itself), and the emails to the CSEs and the account owner
as it is assigned, reassigned and closed (subscribers to the CTA's events).

Each email is composed first (`*_draft`: recipients and words from its templates),
so that the person whose act sends it reads it, and may reword it, before it goes
(`core.rules.EmailDraft.edited`); then it is written to the outbox, in the
transaction of the change, once (its idempotency key)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string

from rhythm.core import services as core_services
from rhythm.core.events import subscribe
from rhythm.core.rules import AS_DRAFTED, EmailDraft
from rhythm.ctas import rules
from rhythm.ctas.events import CtaAccepted, CtaClosed
from rhythm.ctas.models import Cta

# The emails of a CTA, by the name their wording goes under (API, forms, events).
OUTREACH, ASSIGNED, REASSIGNED, CLOSED = "outreach", "assigned", "reassigned", "closed"


def _name(user) -> str:
    return user.get_full_name() or user.username


def outreach_draft(cta: Cta, case, cse) -> EmailDraft:
    """The CSE's first email to the contact, the account owner in copy: it greets
    the contact by first name, names the offering and carries the CSE's booking link."""
    contact = case.contact
    owner = cta.account.account_owner  # the case's account
    context = {
        "cta": cta,
        "case": case,
        "contact": contact,
        "greeting_name": rules.greeting_name(contact.name),
        "cse": cse,
        "offering": case.offering,
        "account_owner": owner,
    }
    return EmailDraft(
        # One outreach per CTA, however often it is sent, retried or reassigned.
        key=f"cta-outreach:{cta.pk}",
        to=(contact.email,),
        cc=(owner.email,) if owner and owner.email else (),
        reply_to=(cse.email,) if cse.email else (),
        from_email=f"{_name(cse)} <{cse.email}>" if cse.email else "",
        subject=f"{case.offering.name if case.offering else 'Your CSE engagement'} — "
        f"next steps with GitLab Customer Success Engineering",
        body_text=render_to_string("ctas/email/outreach.txt", context),
        body_html=render_to_string("ctas/email/outreach.html", context),
    )


def assigned_draft(cta: Cta, case, cse, actor, *, previous=None) -> EmailDraft:
    """Tell a CSE a manager gave them a CTA; once per CTA and CSE. Taking it over
    from someone whose outreach already went, they introduce themselves."""
    context = {
        "cta": cta,
        "case": case,
        "cse": cse,
        "actor": actor,
        "previous": previous,
        "outreach_sent": cta.outreach_message_id is not None,
        "url": settings.SITE_URL + cta.get_absolute_url(),
    }
    return EmailDraft(
        key=f"cta-assigned:{cta.pk}:{cse.pk}",
        to=(cse.email,),
        reply_to=(actor.email,) if actor.email else (),
        subject=f"Assigned to you: {cta.name}",
        body_text=render_to_string("ctas/email/assigned.txt", context),
        body_html=render_to_string("ctas/email/assigned.html", context),
    )


def reassigned_draft(cta: Cta, *, previous, cse, actor, at: datetime | None = None) -> EmailDraft:
    """Tell the CSE a CTA was taken from that it is no longer theirs (`at`: when;
    a preview has none yet)."""
    stamp = at.isoformat() if at else "preview"
    return EmailDraft(
        key=f"cta-reassigned:{cta.pk}:{previous.pk}:{cse.pk}:{stamp}",
        to=(previous.email,),
        reply_to=(actor.email,) if actor.email else (),
        subject=f"Reassigned: {cta.name}",
        body_text=f"{actor} gave {cta.name} to {cse}; it is no longer on your list.\n"
        f"\n{settings.SITE_URL}{cta.get_absolute_url()}\n",
    )


def closed_draft(cta: Cta, case, actor, reason: str = "") -> EmailDraft:
    """Tell the account owner who opened the case that it is done. The closer's
    reason ends it ("Why: …"), whatever else they wrote: see `with_reason`."""
    body = (
        f"Hello {rules.greeting_name(_name(case.opened_by))},\n\n"
        f"{actor} closed {cta.name}, and with it your CS Help case #{case.pk}.\n"
        f"\n{settings.SITE_URL}{case.get_absolute_url()}\n"
    )
    return with_reason(
        EmailDraft(
            key=f"cta-closed:{cta.pk}",
            to=(case.opened_by.email,),
            reply_to=(actor.email,) if actor.email else (),
            subject=f"Closed: {cta.name}",
            body_text=body,
        ),
        reason,
    )


def with_reason(draft: EmailDraft, reason: str) -> EmailDraft:
    """The closing email with the closer's reason as its last line."""
    reason = reason.strip()
    if not reason:
        return draft
    return dataclasses.replace(draft, body_text=f"{draft.body_text}\nWhy: {reason}\n")


def closing_email_goes(cta: Cta, actor) -> bool:
    """Whether closing this CTA tells the account owner: not when they close it
    themselves, nor when the CTA has no case or they have no address."""
    case = cta.case
    return case is not None and case.opened_by_id != actor.pk and bool(case.opened_by.email)


# --- Sent as the CTA's events say --------------------------------------------------


@subscribe(CtaAccepted)
def tell_of_assignment(event: CtaAccepted) -> None:
    cta, cse, actor, previous = event.cta, event.cse, event.actor, event.previous
    wording = event.wording
    if event.assigned and cse.email:
        draft = assigned_draft(cta, cta.case, cse, actor, previous=previous)
        core_services.send_draft(draft.edited(wording.get(ASSIGNED, AS_DRAFTED)))
    if previous is not None and previous.email and previous.pk != actor.pk:
        draft = reassigned_draft(cta, previous=previous, cse=cse, actor=actor, at=cta.updated_at)
        core_services.send_draft(draft.edited(wording.get(REASSIGNED, AS_DRAFTED)))


@subscribe(CtaClosed)
def tell_of_closing(event: CtaClosed) -> None:
    cta = event.cta
    if not closing_email_goes(cta, event.actor):
        return
    draft = closed_draft(cta, cta.case, event.actor).edited(event.wording.get(CLOSED, AS_DRAFTED))
    core_services.send_draft(with_reason(draft, event.reason))
