"""The ten on-demand offerings of the CSE catalog, described in our own words."""

from django.db import migrations

from rhythm.catalog.reference import OFFERINGS


def seed(apps, schema_editor):
    Offering = apps.get_model("catalog", "Offering")
    for position, (name, description) in enumerate(OFFERINGS, start=1):
        Offering.objects.get_or_create(
            name=name, defaults={"description": description, "position": position * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
