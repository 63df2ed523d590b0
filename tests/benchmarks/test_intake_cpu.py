"""The intake CPU benchmark's verdict: the intake against the one-row note, round by
round, with the bare view's ratios beside it. The measurement is `make bench`'s."""

from __future__ import annotations

from bench import intake_cpu


def test_the_target_is_the_median_of_intake_over_note_per_round():
    samples = {
        "intake": [0.0050, 0.0060, 0.0055],
        "note": [0.0025, 0.0020, 0.0020],
        "bare": [0.0004, 0.0004, 0.0005],
    }
    row = intake_cpu.summarize(samples, statements=17, rounds=3)

    assert row["ratio"] == 2.75  # rounds: 2.0, 3.0, 2.75
    assert not row["passed"]
    assert row["subject"] == "intake 5.50 ms CPU"
    assert row["baseline"] == "one-row note 2.00 ms CPU"
    assert (
        "intake / bare 1-INSERT view (0.400 ms) min/median/max 11.0 / 12.5 / 15.0" in row["notes"]
    )
    assert "statements per intake: 17" in row["notes"]

    samples["note"] = [0.0025, 0.0025, 0.0025]
    assert intake_cpu.summarize(samples, statements=17, rounds=3)["passed"]  # 2.0, 2.4, 2.2
