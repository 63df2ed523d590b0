"""Contacts get an explicit role (campaigns used to match words of the title), backfilled
from each title. The words are a frozen copy of customers.rules.role_from_title as it
was: a migration must mean the same thing whatever the rules become."""

from django.db import migrations, models

TITLE_WORDS = (
    (("security", "appsec", "ciso"), "security_lead"),
    (("admin", "administrator", "sysadmin"), "admin"),
    (("cto", "cio", "chief", "vp", "vice president", "procurement", "finance"), "economic_buyer"),
    (("head of", "director", "sponsor"), "executive_sponsor"),
    (("devops", "platform", "sre", "infrastructure"), "admin"),
    (("champion", "architect", "staff", "principal"), "technical_champion"),
    (("engineering manager", "developer", "dev lead", "team lead", "tech lead"), "developer_lead"),
)


def role_from_title(title):
    words = f" {' '.join(title.lower().replace('-', ' ').split())} "
    for needles, role in TITLE_WORDS:
        for needle in needles:
            if f" {needle} " in words or (" " in needle and needle in words):
                return role
    return ""


def backfill(apps, schema_editor):
    # The history rows keep the role they had (none): the backfill is no one's edit.
    Contact = apps.get_model("customers", "Contact")
    changed = []
    for contact in Contact.objects.exclude(title="").only("pk", "title").iterator(chunk_size=2000):
        contact.role = role_from_title(contact.title)
        if contact.role:
            changed.append(contact)
        if len(changed) == 2000:
            Contact.objects.bulk_update(changed, ["role"])
            changed = []
    Contact.objects.bulk_update(changed, ["role"])


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0004_list_orders'),
    ]

    operations = [
        migrations.AddField(
            model_name='contact',
            name='role',
            field=models.CharField(blank=True, choices=[('', 'Not set'), ('economic_buyer', 'Economic buyer'), ('executive_sponsor', 'Executive sponsor'), ('technical_champion', 'Technical champion'), ('admin', 'GitLab admin'), ('developer_lead', 'Developer lead'), ('security_lead', 'Security lead')], default='', help_text='The part they play for the account team; campaigns address roles.', max_length=32),
        ),
        migrations.AddField(
            model_name='historicalcontact',
            name='role',
            field=models.CharField(blank=True, choices=[('', 'Not set'), ('economic_buyer', 'Economic buyer'), ('executive_sponsor', 'Executive sponsor'), ('technical_champion', 'Technical champion'), ('admin', 'GitLab admin'), ('developer_lead', 'Developer lead'), ('security_lead', 'Security lead')], default='', help_text='The part they play for the account team; campaigns address roles.', max_length=32),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
