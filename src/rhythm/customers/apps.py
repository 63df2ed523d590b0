from rhythm.core import registry
from rhythm.core.registry import EVERYONE, AccountTab, NavItem
from rhythm.people.choices import Role
from rhythm.people.rules import VIEW_ALL_ACCOUNTS

_PAGE = "rhythm.customers.account_page"


def _add_change(*models: str) -> tuple[str, ...]:
    return tuple(f"customers.{verb}_{model}" for model in models for verb in ("add", "change"))


class CustomersConfig(registry.RhythmAppConfig):
    name = "rhythm.customers"
    label = "customers"
    verbose_name = "Customers"

    url_prefix = "accounts/"
    urls = "rhythm.customers.urls"
    api_router = "rhythm.customers.api.router"
    navigation = (
        NavItem(
            "customers.view_account",
            "customers:account-list",
            "Accounts",
            "Customers",
            10,
            icon="bi-buildings",
        ),
    )
    open_work = "rhythm.customers.services.open_work"
    # The account page's own tabs; the workflow apps bring theirs (core.registry).
    account_tabs = (
        AccountTab("overview", "Overview", f"{_PAGE}.overview_tab", order=0),
        AccountTab("contacts", "Contacts", f"{_PAGE}.contacts_tab", "customers.view_contact", 10),
        AccountTab(
            "opportunities",
            "Opportunities",
            f"{_PAGE}.opportunities_tab",
            "customers.view_opportunity",
            20,
        ),
        AccountTab(
            "success-plans",
            "Success plans",
            f"{_PAGE}.success_plans_tab",
            "customers.view_successplan",
            30,
        ),
        AccountTab("history", "History", f"{_PAGE}.history_tab", order=90),
    )
    # Account owners and CSMs see the accounts they own or manage; the CSE
    # organisation sees every account (VIEW_ALL_ACCOUNTS; customers.access).
    role_grants = {
        EVERYONE: tuple(
            f"customers.view_{model}"
            for model in (
                "segment",
                "account",
                "contact",
                "opportunity",
                "successplan",
                "objective",
            )
        ),
        Role.ACCOUNT_OWNER: _add_change("contact", "opportunity"),
        Role.CSM: _add_change("contact", "successplan", "objective"),
        Role.CSE: (VIEW_ALL_ACCOUNTS, *_add_change("contact"), "customers.change_objective"),
        Role.CSE_MANAGER: (
            VIEW_ALL_ACCOUNTS,
            "customers.change_account",
            "customers.change_objective",
        ),
        Role.PROGRAM_MANAGER: (VIEW_ALL_ACCOUNTS,),
        Role.CS_OPERATIONS: (
            VIEW_ALL_ACCOUNTS,
            *_add_change("segment", "account", "contact", "opportunity"),
        ),
        Role.DEMO_ARCHITECT: (VIEW_ALL_ACCOUNTS,),
        Role.ADMIN: (
            VIEW_ALL_ACCOUNTS,
            *_add_change(
                "segment", "account", "contact", "opportunity", "successplan", "objective"
            ),
        ),
    }
