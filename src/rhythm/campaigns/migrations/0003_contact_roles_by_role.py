"""A campaign's contact roles become contact roles (customers 0005 gave contacts one)
instead of words of a title: each word becomes the role the same title words say
(customers 0005's frozen mapping), a word that says none is dropped."""

import importlib

from django.db import migrations, models

ROLES = {
    "economic_buyer", "executive_sponsor", "technical_champion", "admin", "developer_lead",
    "security_lead",
}  # fmt: skip


def to_roles(apps, schema_editor):
    # The module's name starts with a digit: imported, not named in an import statement.
    backfill = importlib.import_module("rhythm.customers.migrations.0005_contact_role")
    Campaign = apps.get_model("campaigns", "Campaign")
    for campaign in Campaign.objects.exclude(contact_roles=[]):
        roles = []
        for word in campaign.contact_roles:
            role = word if word in ROLES else backfill.role_from_title(str(word))
            if role and role not in roles:
                roles.append(role)
        campaign.contact_roles = roles
        campaign.save(update_fields=["contact_roles"])


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_seed_drafts"),
        ("customers", "0005_contact_role"),
    ]

    operations = [
        migrations.AlterField(
            model_name="campaign",
            name="contact_roles",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="The contact roles (customers.ContactRole) written to; empty: every contact.",
            ),
        ),
        migrations.AlterField(
            model_name="historicalcampaign",
            name="contact_roles",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="The contact roles (customers.ContactRole) written to; empty: every contact.",
            ),
        ),
        migrations.RunPython(to_roles, migrations.RunPython.noop),
    ]
