from datetime import time

from rhythm.officehours import rules


def test_sessions_that_share_a_minute_overlap_and_back_to_back_ones_do_not():
    assert rules.overlaps(time(14, 0), 60, time(14, 30), 30)
    assert rules.overlaps(time(14, 30), 30, time(14, 0), 60)
    assert rules.overlaps(time(14, 0), 60, time(14, 0), 60)
    assert not rules.overlaps(time(14, 0), 60, time(15, 0), 30)
    assert not rules.overlaps(time(15, 0), 30, time(14, 0), 60)
