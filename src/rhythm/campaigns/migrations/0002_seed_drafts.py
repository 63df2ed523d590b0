"""The handbook's three campaigns (the seed's "Targeted Campaigns"), as drafts: a
real deployment starts from them, sets its target group and has them approved. A
data migration, not the demo: every deployment gets them, once; a draft renamed or
archived is not brought back (the names are only looked up here)."""

from django.db import migrations

SIGNATURE = (
    "\n\nIf a 30-minute call would help, pick a time that suits you: {{ booking_link }}\n\n"
    "{{ cse_name }}\nCustomer Success Engineer, GitLab"
)

DRAFTS = [
    {
        "name": "21-day check-in",
        "description": "Three weeks into the subscription: how is the rollout going?",
        "conditions": {
            "match": "all",
            "groups": [
                {"match": "all", "conditions": [{"metric": "days_since_start", "op": "=", "value": "21"}]}
            ],
        },
        "subject": "How is {{ account_name }} getting on with GitLab?",
        "body": "Hi {{ contact_first_name }},\n\nYou have had GitLab for three weeks now. I am the "
        "Customer Success Engineer for your team, and I would like to hear how the rollout is going "
        "and where we can help." + SIGNATURE,
    },
    {
        "name": "90-day low license utilisation",
        "description": "Fewer than half the licenses in use for 90 days.",
        "conditions": {
            "match": "all",
            "groups": [
                {
                    "match": "all",
                    "conditions": [
                        {"metric": "license_utilisation", "op": "<", "value": "50", "for_days": 90}
                    ],
                }
            ],
        },
        "subject": "Getting more of {{ account_name }}'s GitLab licenses into use",
        "body": "Hi {{ contact_first_name }},\n\n{{ metric.license_utilisation }}% of your GitLab "
        "licenses are in use. Teams that onboard the rest usually start with a short plan: who "
        "comes next, what they need to move, and how to keep it going. I can walk you through it."
        + SIGNATURE,
    },
    {
        "name": "CI product coach",
        "description": "No CI pipelines in the last 30 days.",
        "conditions": {
            "match": "all",
            "groups": [
                {"match": "all", "conditions": [{"metric": "ci_pipelines_30d", "op": "=", "value": "0"}]}
            ],
        },
        "subject": "Your first GitLab CI pipelines",
        "body": "Hi {{ contact_first_name }},\n\n{{ account_name }} has not run a GitLab CI pipeline "
        "in the last 30 days. A first pipeline takes about an hour with someone who has done it "
        "many times; I would be glad to build one with your team." + SIGNATURE,
    },
]


def seed(apps, schema_editor):
    Campaign = apps.get_model("campaigns", "Campaign")
    for draft in DRAFTS:
        Campaign.objects.get_or_create(name=draft["name"], defaults={**draft, "state": "draft"})


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
