"""A survey may go to an address alone (a webinar's attendee who is no contact): its
contact and account become optional, and every survey keeps the name and address it
went to, filled from the contact for the surveys sent so far."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_recipients(apps, schema_editor):
    Survey = apps.get_model("surveys", "Survey")
    for survey in Survey.objects.select_related("contact").iterator():
        survey.recipient_name = survey.contact.name[:120]
        survey.recipient_email = survey.contact.email.strip().lower()
        survey.save(update_fields=["recipient_name", "recipient_email"])


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0006_formsubmission'),
        ('customers', '0004_list_orders'),
        ('surveys', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='survey',
            name='survey_once',
        ),
        migrations.AddField(
            model_name='historicalsurvey',
            name='recipient_email',
            field=models.EmailField(default='', max_length=254),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='historicalsurvey',
            name='recipient_name',
            field=models.CharField(default='', max_length=120),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='survey',
            name='recipient_email',
            field=models.EmailField(default='', max_length=254),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='survey',
            name='recipient_name',
            field=models.CharField(default='', max_length=120),
            preserve_default=False,
        ),
        migrations.RunPython(fill_recipients, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='survey',
            name='account',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='surveys', to='customers.account'),
        ),
        migrations.AlterField(
            model_name='survey',
            name='contact',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='surveys', to='customers.contact'),
        ),
        migrations.AddConstraint(
            model_name='survey',
            constraint=models.UniqueConstraint(condition=models.Q(('contact__isnull', False)), fields=('kind', 'subject_type', 'subject_id', 'contact'), name='survey_once'),
        ),
        migrations.AddConstraint(
            model_name='survey',
            constraint=models.UniqueConstraint(condition=models.Q(('contact__isnull', True)), fields=('kind', 'subject_type', 'subject_id', 'recipient_email'), name='survey_once_per_address'),
        ),
        migrations.AddConstraint(
            model_name='survey',
            constraint=models.CheckConstraint(condition=models.Q(('contact__isnull', True), ('account__isnull', False), _connector='OR'), name='survey_contact_has_its_account'),
        ),
    ]
