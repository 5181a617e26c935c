"""Per-desk statistics of a replay, and the replay steps they are folded from."""

from __future__ import annotations

import json

import pytest
from helpers import added, availability, envelope, focused, message, removed

from deskstate import LogLine, replay, replay_desks
from deskstate.replay import replay_steps
from deskstate.stats import DeskStats, collect_stats, total_stats

UNKNOWN = {"event": "com.iadvize.desk.SOMETHING_NEW", "conversationId": "c1"}

# Two desks interleaved: agent-1 handles c1 then c2 (c1 closed before c2 arrives, then c3);
# agent-2 gets c9, whose second message is a duplicate; one line of the file could not be read,
# and one record came from a page that is not the desk.
LOG: list[object] = [
    envelope(added("c1"), desk="agent-1"),  # 0
    envelope(added("c9"), desk="agent-2"),  # 1
    envelope(message("c1", "m1", "Visitor"), desk="agent-1"),  # 2
    envelope(message("c9", "n1", "Visitor"), desk="agent-2"),  # 3
    envelope(message("c9", "n1", "Visitor"), desk="agent-2"),  # 4: duplicate-message
    envelope(focused("c1"), desk="agent-1"),  # 5
    envelope(message("c1", "m2", "Professional"), desk="agent-1"),  # 6
    envelope(removed("c1"), desk="agent-1"),  # 7
    envelope(added("c2"), desk="agent-1"),  # 8
    envelope(added("c3"), desk="agent-1"),  # 9
    envelope(message("c1", "m3", "Expert"), desk="agent-1"),  # 10: closed-conversation
    LogLine(12, error="line is not JSON"),  # 11: invalid-event, no desk
    envelope(UNKNOWN, desk="agent-2"),  # 12: unknown-event
    envelope(added("c8"), desk="agent-2", origin="https://evil.example"),  # 13: foreign-origin
    envelope(availability(("CHAT", "AVAILABLE")), desk="agent-2"),  # 14
]


def test_replay_steps_say_what_became_of_each_record() -> None:
    """Each step names its record's index, line, desk, the event applied (or None) and state."""
    steps = list(replay_steps(LOG))
    assert [step.index for step in steps] == list(range(len(LOG)))
    assert [step.desk for step in steps][:2] == ["agent-1", "agent-2"]
    assert steps[11].desk is None and steps[11].line == 12 and steps[11].event is None
    assert steps[13].event is None  # a foreign record is not applied
    assert [a.kind for a in steps[13].anomalies] == ["foreign-origin"]
    assert steps[2].event is not None and steps[2].event.name == "CONVERSATION_MESSAGE_ADDED"
    assert steps[3].state.conversations["c9"].unread == 1
    assert "c1" not in steps[3].state.conversations  # agent-2's desk knows nothing of c1


def test_replay_steps_fold_into_one_desk_without_by_desk() -> None:
    """With by_desk=False every record goes to one desk, as replay does."""
    steps = list(replay_steps(LOG, by_desk=False))
    assert {step.desk for step in steps} == {None}
    assert steps[-1].state == replay(LOG).state


def test_replay_steps_refuse_a_single_string_of_origins_at_the_call() -> None:
    """A bad allowed_origins is refused when replay_steps is called, not at the first record."""
    with pytest.raises(TypeError, match="allowed_origins"):
        replay_steps([], allowed_origins="https://ha.iadvize.com")


def test_stats_count_per_desk() -> None:
    """Records, events per type, anomalies, conversations, most open and messages, per desk."""
    stats = collect_stats(replay_steps(LOG))
    assert set(stats) == {"agent-1", "agent-2", None}
    assert stats["agent-1"] == DeskStats(
        records=8,
        events={
            "CONVERSATION_ADDED": 3,
            "CONVERSATION_MESSAGE_ADDED": 3,
            "CONVERSATION_FOCUSED": 1,
            "CONVERSATION_REMOVED": 1,
        },
        anomalies={"closed-conversation": 1},
        conversations=3,  # c1 (closed), c2 and c3
        most_open=2,  # c1 alone, then c2 and c3 together
        open_at_end=2,
        messages={"Visitor": 1, "Professional": 1, "Expert": 1},  # m3 kept on the closed c1
    )
    assert stats["agent-2"] == DeskStats(
        records=6,
        events={
            "CONVERSATION_ADDED": 1,
            "CONVERSATION_MESSAGE_ADDED": 2,
            "SOMETHING_NEW": 1,
            "AVAILABILITY_UPDATED": 1,
        },
        anomalies={"duplicate-message": 1, "unknown-event": 1, "foreign-origin": 1},
        conversations=1,
        most_open=1,
        open_at_end=1,
        messages={"Visitor": 1},  # the duplicate is not kept
    )
    assert stats[None] == DeskStats(records=1, anomalies={"invalid-event": 1})


def test_total_adds_desks_up_and_keeps_the_most_open_on_one_desk() -> None:
    """The total sums every tally; most_open is the largest of any one desk."""
    total = total_stats(collect_stats(replay_steps(LOG)))
    assert total.records == len(LOG)
    assert total.events["CONVERSATION_ADDED"] == 4
    assert total.events["CONVERSATION_MESSAGE_ADDED"] == 5
    assert sum(total.anomalies.values()) == 5  # one each of five kinds
    assert total.conversations == 4
    assert total.most_open == 2
    assert total.messages == {"Visitor": 2, "Professional": 1, "Expert": 1}
    assert total_stats({}) == DeskStats()


def test_stats_agree_with_replay_desks() -> None:
    """Each desk's records and anomalies agree with the per-desk replay of the same log."""
    stats = collect_stats(replay_steps(LOG))
    for desk, result in replay_desks(LOG).items():
        assert stats[desk].records == result.count
        assert sum(stats[desk].anomalies.values()) == len(result.anomalies)
        assert stats[desk].open_at_end == len(result.state.conversations)


def test_stats_to_dict_is_plain_and_sorted() -> None:
    """to_dict gives plain dicts, each tally sorted by name."""
    form = json.loads(json.dumps(collect_stats(replay_steps(LOG))["agent-2"].to_dict()))
    assert list(form["events"]) == sorted(form["events"])
    assert form["anomalies"] == {
        "duplicate-message": 1,
        "foreign-origin": 1,
        "unknown-event": 1,
    }
