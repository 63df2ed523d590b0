"""The "One-Off CSE Outreach" playbook that every CSE-help CTA follows."""

from django.db import migrations

from rhythm.ctas.reference import ONE_OFF_DESCRIPTION, STEPS


def seed(apps, schema_editor):
    Playbook = apps.get_model("ctas", "Playbook")
    PlaybookStep = apps.get_model("ctas", "PlaybookStep")
    playbook, created = Playbook.objects.get_or_create(
        name="One-Off CSE Outreach",
        defaults={"description": ONE_OFF_DESCRIPTION},
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
