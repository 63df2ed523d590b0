"""The "One-Off CSE Outreach" playbook that every CSE-help CTA follows."""

from django.db import migrations

STEPS = [
    ("Accept the request", 0, "always"),
    ("Reach out to the contact, account owner in copy", 1, "unless_opted_out"),
    ("Schedule the call", 2, "always"),
    ("Prepare the call (meeting checklist)", 4, "always"),
    ("Hold the call and log it as a CSE Engagement", 5, "always"),
    ("Send the follow-up email", 8, "always"),
    ("Close the CTA", 9, "always"),
]


def seed(apps, schema_editor):
    Playbook = apps.get_model("ctas", "Playbook")
    PlaybookStep = apps.get_model("ctas", "PlaybookStep")
    playbook, created = Playbook.objects.get_or_create(
        name="One-Off CSE Outreach",
        defaults={"description": "An ad-hoc CSE engagement from a CS Help case, call to close."},
    )
    if created:
        for position, (title, offset, condition) in enumerate(STEPS, start=1):
            PlaybookStep.objects.create(
                playbook=playbook,
                position=position,
                title=title,
                due_offset_days=offset,
                condition=condition,
            )


class Migration(migrations.Migration):
    dependencies = [("ctas", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
