"""The "One-Off CSE Outreach" playbook every CSE-help CTA follows.

Used by the data migration and by `playbooks.ensure_playbooks`.
"""

ONE_OFF_DESCRIPTION = "An ad-hoc CSE engagement from a CS Help case, call to close."

STEPS = [
    ("Accept the request", 0, "always"),
    ("Reach out to the contact, account owner in copy", 1, "unless_opted_out"),
    ("Schedule the call", 2, "always"),
    ("Prepare the call (meeting checklist)", 4, "always"),
    ("Hold the call and log it as a CSE Engagement", 5, "always"),
    ("Send the follow-up email", 8, "always"),
    ("Close the CTA", 9, "always"),
]
