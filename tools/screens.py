"""`make screens`: the whole product, every role, at a laptop's and a phone's width.

Migrates a throwaway SQLite database under var/screens.site/, loads the demo
(`rhythm demo`), serves it with `rhythm serve`, signs in as one member of each
demo role and writes a full-page screenshot of every main page that role uses to
var/screens/<role>/<page>-<width>.png. The pages are the registry's menu entries
the member may open (core.registry.navigation) and the main detail pages of what
the member can see: an account, an opportunity, a case, a CTA, a request, a
meeting, an office-hours question, a playbook, the board.

Exits non-zero when a page (or a fragment it loads) answers an error, throws a
script error, or is wider than a phone's screen.

    python tools/screens.py [--roles cse,csm] [--keep-site] [--readme]

The roles are the ones whose work the product is for (DEFAULT_ROLES); `--roles`
names others (cs_operations, demo_architect). `--readme` also writes the README's
few screenshots to docs/screens/: the first screen at laptop width, 1280 px wide,
in 256 colours, so the repository stays small.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "var" / "screens.site"
OUT = ROOT / "var" / "screens"
CHROMIUM = Path(os.environ.get("RHYTHM_CHROMIUM", "/usr/bin/chromium"))
WIDTHS = {"laptop": (1440, 900), "phone": (390, 844)}
RHYTHM = [sys.executable, "-m", "rhythm.cli"]
# A survey's public page, as its email links it (the path of the link).
SURVEY_LINK = re.compile(r"/surveys/answer/[\w-]+/")
DEFAULT_ROLES = {"cse", "cse_manager", "csm", "account_owner", "program_manager", "admin"}
# The README's screenshots: (role, page, file under docs/screens/).
README_SHOTS = [
    ("cse", "ctas", "ctas.png"),
    ("cse_manager", "request", "request-review.png"),
    ("cse_manager", "board", "board.png"),
    ("csm", "office-hours", "office-hours.png"),
]
README_WIDTH = 1280


@dataclass
class Problems:
    items: list[str] = field(default_factory=list)

    def add(self, where: str, what: str) -> None:
        self.items.append(f"{where}: {what}")
        print(f"  ! {where}: {what}", flush=True)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        RHYTHM_VAR_DIR=str(SITE),
        DJANGO_SETTINGS_MODULE="rhythm.settings",
        RHYTHM_DEBUG="0",
        PYTHONPATH=str(ROOT / "src"),
    )
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_site() -> None:
    shutil.rmtree(SITE, ignore_errors=True)
    SITE.mkdir(parents=True)
    for command in (["migrate", "--noinput", "-v", "0"], ["demo", "--quiet-logins"]):
        subprocess.run([*RHYTHM, *command], env=_env(), cwd=ROOT, check=True)


def serve(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [*RHYTHM, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=_env(),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        process_group=0,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"rhythm serve stopped: {server.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)  # the server is starting: poll until it answers
    server.terminate()
    raise SystemExit("rhythm serve did not answer within a minute")


def pages_by_role(only: set[str]) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """role -> (username, [(page name, path)]): the menu entries each demo member may
    open, then the detail pages of what they can see."""
    os.environ.update(_env())
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from django.utils.text import slugify

    from rhythm.campaigns.models import Campaign
    from rhythm.cases.models import Case
    from rhythm.content.models import Bug, ContentItem
    from rhythm.core import registry
    from rhythm.ctas.models import Cta, Playbook
    from rhythm.customers.models import Account, Opportunity
    from rhythm.demo.data import TEAM
    from rhythm.engagements.models import EngagementRequest
    from rhythm.escalations.models import Escalation
    from rhythm.followups.models import FollowUp
    from rhythm.meetings.models import Meeting
    from rhythm.officehours.models import Question
    from rhythm.surveys.models import Survey
    from rhythm.webinars.models import Webinar

    users = get_user_model().objects
    chosen: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for member in TEAM:
        role = member.role.value
        if role in chosen or role not in only:
            continue
        user = users.get(username=member.username)
        pages: list[tuple[str, str]] = []
        for item in registry.navigation():
            if not item.permission or user.has_perm(item.permission):
                pages.append((slugify(item.label), reverse(item.url_name)))

        def first(queryset, *preferred):
            for condition in preferred:
                found = queryset.filter(**condition).order_by("pk").first()
                if found:
                    return found
            return queryset.order_by("pk").first()

        mine = {"owner": user}
        if user.has_perm("webinars.view_webinar"):
            lab = first(
                Webinar.objects.filter(kind="lab"),
                {"host": user, "status": "published"},
                {"status": "published", "environment_request__isnull": False},
            )
            if lab:
                pages.append(("webinar", reverse("webinars:detail", args=[lab.pk])))
        if user.has_perm("webinars.add_signup"):
            pages.append(("webinar-sign-up", reverse("webinars:sign-up")))
        if user.has_perm("ctas.view_cta"):
            cta = first(
                Cta.objects.visible_to(user), {**mine, "status": "in_progress"}, {"status": "open"}
            )
            if cta:
                pages.append(("cta", reverse("ctas:detail", args=[cta.pk])))
        if user.has_perm("engagements.view_engagementrequest"):
            requests = EngagementRequest.objects.visible_to(user)
            wanted = {
                "cse": {"assigned_cse": user, "state": "started"},
                "cse_manager": {"state": "review"},
            }
            request = first(
                requests, wanted.get(role, {"requested_by": user}), {"state": "started"}
            )
            if request:
                pages.append(("request", reverse("engagements:detail", args=[request.pk])))
        account = None
        if user.has_perm("customers.view_account"):
            accounts = Account.objects.visible_to(user).active()
            account = first(
                accounts,
                {"csm": user, "engagement_requests__isnull": False},
                {"account_owner": user, "opportunities__cases__isnull": False},
                {"engagement_requests__isnull": False},
            )
            if account:
                pages.append(("account", reverse("customers:account-detail", args=[account.pk])))
                pages.append(("qbr", reverse("kpis:qbr", args=[account.pk])))
                opportunity = first(
                    Opportunity.objects.filter(account=account).active(),
                    {"cases__isnull": False},
                    {"stage": "discovery"},
                )
                if opportunity:
                    pages.append(
                        (
                            "opportunity",
                            reverse("customers:opportunity-detail", args=[opportunity.pk]),
                        )
                    )
                    if user.has_perm("cases.add_case") and opportunity.is_open:
                        pages.append(
                            ("cs-help-form", reverse("cases:create", args=[opportunity.pk]))
                        )
                if user.has_perm("engagements.add_engagementrequest"):
                    pages.append(("request-form", reverse("engagements:create", args=[account.pk])))
        if user.has_perm("cases.view_case"):
            case = first(Case.objects.visible_to(user), {"opened_by": user}, {"kind": "cse_help"})
            if case:
                pages.append(("case", reverse("cases:detail", args=[case.pk])))
        if user.has_perm("escalations.view_escalation"):
            escalation = first(
                Escalation.objects.visible_to(user),
                {"state": "raised", "case__isnull": False},
                {"state": "raised"},
            )
            if escalation:
                pages.append(("escalation", reverse("escalations:detail", args=[escalation.pk])))
                if escalation.case_id:
                    pages.append(
                        ("escalation-case", reverse("cases:detail", args=[escalation.case_id]))
                    )
                tab = reverse("customers:account-tab", args=[escalation.account_id, "escalations"])
                pages.append(("account-escalations", tab))
            if account and user.has_perm("escalations.add_escalation"):
                form = reverse("escalations:create") + f"?account={account.pk}"
                pages.append(("escalation-form", form))
        if user.has_perm("meetings.view_meeting"):
            meeting = first(
                Meeting.objects.visible_to(user),
                {"cse": user, "status": "scheduled"},
                {"status": "scheduled"},
            )
            if meeting:
                pages.append(("meeting", reverse("meetings:detail", args=[meeting.pk])))
        if user.has_perm("followups.change_followup"):
            # The follow-up composer: one of theirs still to send.
            follow_up = first(
                FollowUp.objects.visible_to(user),
                {"cse": user, "status": "open"},
                {"status": "open"},
            )
            if follow_up:
                pages.append(("follow-up", reverse("followups:detail", args=[follow_up.pk])))
        if role == "cse":
            # The public survey page, as a contact opens it from the email's link.
            survey = Survey.objects.filter(answered_at=None).exclude(message=None).order_by("pk")
            found = next(
                (m for s in survey[:20] if (m := SURVEY_LINK.search(s.message.body_text))), None
            )
            if found:
                pages.append(("survey", found.group(0)))
        if user.has_perm("officehours.view_question"):
            question = first(Question.objects.visible_to(user), {"status": "open"})
            if question:
                pages.append(("question", reverse("officehours:question", args=[question.pk])))
        if user.has_perm("ctas.view_playbook"):
            playbook = Playbook.objects.active().order_by("pk").first()
            if playbook:
                pages.append(("playbook", reverse("ctas:playbook", args=[playbook.pk])))
        if user.has_perm("content.view_contentitem"):
            item = first(ContentItem.objects.all(), {"bugs__severity": "critical"})
            if item:
                pages.append(("content-item", reverse("content:item", args=[item.pk])))
                pages.append(("bug-form", reverse("content:bug-new", args=[item.pk])))
            found = first(Bug.objects.all(), {"owner": user}, {"severity": "critical"})
            if found:
                pages.append(("bug", reverse("content:bug", args=[found.pk])))
        if user.has_perm("community.view_communityevent"):
            with_events = first(
                Account.objects.visible_to(user).active(), {"community_events__isnull": False}
            )
            if with_events and with_events.community_events.exists():
                tab = reverse("customers:account-tab", args=[with_events.pk, "community"])
                pages.append(("account-community", tab))
        if user.has_perm("campaigns.view_campaign"):
            campaign = first(Campaign.objects.active(), {"state": "active"})
            if campaign:
                pages.append(("campaign", reverse("campaigns:detail", args=[campaign.pk])))
                if user.has_perm("campaigns.change_campaign"):
                    pages.append(("campaign-form", reverse("campaigns:edit", args=[campaign.pk])))
        pages.append(("profile", reverse("people:member", args=[user.pk])))
        chosen[role] = (member.username, list(dict.fromkeys(pages)))
    return chosen


# htmx's requests in flight: a page is at rest once those its load started are
# done and swapped in, and its fonts are in.
COUNT_HTMX = """
window.__inFlight = 0;
document.addEventListener("htmx:beforeRequest", () => { window.__inFlight += 1; });
document.addEventListener("htmx:afterRequest", () => { window.__inFlight -= 1; });
"""
AT_REST = """() => window.__inFlight === 0 && document.fonts.status === "loaded"
  && !document.querySelector(".htmx-request, .htmx-settling, .htmx-swapping")"""


# One read of the page's layout: how far it reaches past the window, and the widest
# elements doing it (to say which).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    const scrolls = el.closest('.rh-table-wrap, .offcanvas-lg, .table-responsive, [data-scrolls]');
    if (box.width && box.right > width + 1 && !scrolls) {
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '');
      wide.push(`${name}.${[...el.classList].join('.')} (${Math.round(box.right)} px)`);
    }
  }
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
}"""


def shoot(base: str, plan, problems: Problems) -> int:
    from playwright.sync_api import sync_playwright

    count = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        password = os.environ.get("RHYTHM_DEMO_PASSWORD", "rhythm-demo")
        # The sign-in page, as anyone sees it first.
        context = browser.new_context(base_url=base, reduced_motion="reduce")
        tab = context.new_page()
        for width_name, (w, h) in WIDTHS.items():
            tab.set_viewport_size({"width": w, "height": h})
            tab.goto("/login/")
            (OUT / "anonymous").mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(OUT / "anonymous" / f"login-{width_name}.png"), full_page=True)
            # The public calendar of webinars and labs, as a visitor sees it.
            tab.goto("/webinars/calendar/")
            tab.screenshot(
                path=str(OUT / "anonymous" / f"webinars-calendar-{width_name}.png"), full_page=True
            )
            count += 1
            count += 1
        context.close()
        # Which page the listeners below report on: one dict, rewritten as the walk goes.
        where = {"page": "sign-in"}
        for role, (username, pages) in plan.items():
            print(f"{role} ({username}): {len(pages)} pages", flush=True)
            context = browser.new_context(base_url=base, reduced_motion="reduce")
            context.set_default_timeout(20_000)
            context.add_init_script(COUNT_HTMX)
            tab = context.new_page()
            where["page"] = f"{role}/sign-in"
            tab.on("pageerror", lambda exc: problems.add(where["page"], f"script error: {exc}"))
            tab.on(
                "response",
                lambda r: (
                    problems.add(where["page"], f"{r.status} from {r.url}")
                    if r.status >= 400
                    else None
                ),
            )
            tab.goto("/login/")
            tab.fill("input[name=username]", username)
            tab.fill("input[name=password]", password)
            tab.click("button[type=submit]")
            tab.wait_for_url(lambda url: "/login" not in url)
            folder = OUT / role
            folder.mkdir(parents=True, exist_ok=True)
            for name, path in pages:
                for width_name, (w, h) in WIDTHS.items():
                    where["page"] = f"{role}/{name} at {w} px ({path})"
                    tab.set_viewport_size({"width": w, "height": h})
                    tab.goto(path)
                    tab.wait_for_function(AT_REST)
                    if width_name == "phone":
                        layout = tab.evaluate(OVERFLOW)
                        if layout["scroll"] > layout["width"] + 1:
                            problems.add(
                                where["page"],
                                f"{layout['scroll']} px wide for {layout['width']}: "
                                + "; ".join(layout["wide"]),
                            )
                    tab.screenshot(path=str(folder / f"{name}-{width_name}.png"), full_page=True)
                    count += 1
            context.close()
        browser.close()
    return count


def readme_shots() -> None:
    from PIL import Image

    target = ROOT / "docs" / "screens"
    target.mkdir(parents=True, exist_ok=True)
    for role, page, name in README_SHOTS:
        source = OUT / role / f"{page}-laptop.png"
        if not source.exists():
            print(f"  ! no {source.relative_to(ROOT)} for the README")
            continue
        with Image.open(source) as shot:
            width, height = WIDTHS["laptop"]
            first_screen = shot.convert("RGB").crop((0, 0, width, min(height, shot.height)))
            small = first_screen.resize(
                (README_WIDTH, round(first_screen.height * README_WIDTH / width)),
                Image.Resampling.LANCZOS,
            )
            small.quantize(colors=256, dither=Image.Dither.NONE).save(target / name, optimize=True)
        print(f"  docs/screens/{name}: {(target / name).stat().st_size // 1024} KB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roles", default="", help="comma-separated role values; all by default")
    parser.add_argument("--keep-site", action="store_true", help="reuse var/screens.site")
    parser.add_argument("--readme", action="store_true", help="write docs/screens/ too")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"No Chromium at {CHROMIUM}: apt install chromium", file=sys.stderr)
        return 2
    started = time.monotonic()
    if not (args.keep_site and (SITE / "rhythm.sqlite3").exists()):
        prepare_site()
    plan = pages_by_role({r for r in args.roles.split(",") if r} or DEFAULT_ROLES)
    shutil.rmtree(OUT, ignore_errors=True)
    port = _free_port()
    server = serve(port)
    problems = Problems()
    try:
        count = shoot(f"http://127.0.0.1:{port}", plan, problems)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(f"{count} screenshots in {OUT.relative_to(ROOT)}/ in {time.monotonic() - started:.0f} s")
    if args.readme:
        readme_shots()
    if problems.items:
        print(f"{len(problems.items)} problem(s):", *problems.items, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
