from django.db import models


class Role(models.TextChoices):
    """A role is a Django group of the same name (see rules.ROLE_PERMISSIONS)."""

    ACCOUNT_OWNER = "account_owner", "Account owner"
    CSM = "csm", "CSM"
    CSE = "cse", "CSE"
    CSE_MANAGER = "cse_manager", "CSE manager"
    PROGRAM_MANAGER = "program_manager", "CSE program manager"
    CS_OPERATIONS = "cs_operations", "CS operations"
    DEMO_ARCHITECT = "demo_architect", "Demo architect"
    ADMIN = "admin", "Admin"

    @property
    def colour(self) -> str:
        return {
            "account_owner": "primary",
            "csm": "info",
            "cse": "success",
            "cse_manager": "warning",
            "program_manager": "secondary",
            "cs_operations": "dark",
            "demo_architect": "light",
            "admin": "danger",
        }[self.value]


class AccountOwnerTitle(models.TextChoices):
    """The account-owner role covers three job titles of the handbook."""

    AE = "ae", "Account Executive"
    SAE = "sae", "Strategic Account Executive"
    RENEWALS = "renewals", "Renewals Manager"
