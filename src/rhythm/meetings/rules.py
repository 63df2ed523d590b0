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


def runs_the_call(*, meeting_cse_id: int, actor_id: int, is_manager: bool) -> bool:
    """The meeting's CSE logs the call; a manager may stand in."""
    return actor_id == meeting_cse_id or is_manager


def sets_the_time(
    *, meeting_cse_id: int, organiser_id: int | None, actor_id: int, is_manager: bool
) -> bool:
    """The CSM who set the call up with the customer books its time, as its CSE
    (or a manager standing in) may."""
    return actor_id in (meeting_cse_id, organiser_id) or is_manager
