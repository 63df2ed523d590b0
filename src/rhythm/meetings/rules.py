"""Pure decisions about meetings."""

from __future__ import annotations

SPOT_PREFIX = "CSE: "
# The timeline type the handbook logs every customer meeting under.
TIMELINE_TYPE = "CSE Engagement"


def spot_meeting_name(topic: str, limit: int = 200) -> str:
    """`CSE: <topic>`: the prefix marks a spot engagement on the customer's timeline."""
    topic = " ".join(topic.split())
    if topic.startswith(SPOT_PREFIX):
        topic = topic[len(SPOT_PREFIX) :]
    return (SPOT_PREFIX + topic)[:limit].rstrip()
