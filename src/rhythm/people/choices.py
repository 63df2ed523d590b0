from django.db import models

from rhythm.core.choices import ColouredChoices


class Role(ColouredChoices):
    """A role is a Django group of the same name (see rules.ROLE_PERMISSIONS)."""

    ACCOUNT_OWNER = "account_owner", "Account owner", "primary"
    CSM = "csm", "CSM", "info"
    CSE = "cse", "CSE", "success"
    CSE_MANAGER = "cse_manager", "CSE manager", "warning"
    PROGRAM_MANAGER = "program_manager", "CSE program manager", "secondary"
    CS_OPERATIONS = "cs_operations", "CS operations", "dark"
    DEMO_ARCHITECT = "demo_architect", "Demo architect", "light"
    ADMIN = "admin", "Admin", "danger"


class AccountOwnerTitle(models.TextChoices):
    """The account-owner role covers three job titles of the handbook."""

    AE = "ae", "Account Executive"
    SAE = "sae", "Strategic Account Executive"
    RENEWALS = "renewals", "Renewals Manager"
