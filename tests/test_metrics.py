"""Desk metrics: every metric on hand-built sessions with answers worked out by hand.

Then properties over chaotic streams with timestamps that go missing or backwards.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from helpers import (
    added,
    availability,
    envelope,
    focus_lost,
    focused,
    message,
    removed,
    visitor_updated,
)
from hypothesis import given
from hypothesis import strategies as st

from deskstate import LogLine, replay
from deskstate.metrics import ConversationMetrics, DeskMetrics, collect_metrics, desk_metrics
from deskstate.replay import replay_steps
from deskstate.stats import collect_stats
from deskstate.testing import chaotic_streams

Raw = dict[str, Any]

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def at(seconds: float) -> str:
    """The ISO-8601 ``ts`` of ``seconds`` after 10:00 UTC."""
    return (T0 + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def t(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def s(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


def timed(*pairs: tuple[float | None, Raw], **members: Any) -> list[Raw]:
    """Envelopes of ``(seconds after T0 or None for no ts, event)``."""
    return [
        envelope(event, **members) if when is None else envelope(event, ts=at(when), **members)
        for when, event in pairs
    ]


def one_desk(records: list[Any]) -> DeskMetrics:
    """The metrics of a log that has one desk (no ``desk`` member)."""
    metrics = desk_metrics(records)
    assert list(metrics) == [None]
    return metrics[None]


# --- one conversation ----------------------------------------------------------------------------


def test_a_plain_conversation_gets_every_metric() -> None:
    """Open 0-100, unread 10-20, focused 20-100 (the removal clears focus), answered 40s after."""
    desk = one_desk(
        timed(
            (0, added("c1")),
            (10, message("c1", "m1", "Visitor")),
            (20, focused("c1")),
            (50, message("c1", "m2", "Professional")),
            (60, message("c1", "m3", "Professional")),
            (100, removed("c1")),
        )
    )
    assert desk.conversations["c1"] == ConversationMetrics(
        "c1",
        time_open=s(100),
        time_focused=s(80),
        answered=True,
        first_response=s(40),
        messages={"Visitor": 1, "Professional": 2},
        unread_peak=1,
        implicit=False,
        reopened=0,
        still_open=False,
    )
    assert desk.handled == 1
    assert desk.most_open == 1
    assert desk.open_counts == ((t(0), 1), (t(100), 0))
    assert (desk.started_at, desk.ended_at) == (t(0), t(100))
    assert desk.unread_share == 0.1  # 10 s of 100


def test_to_dict_is_json_with_seconds_and_iso_times() -> None:
    """to_dict gives durations as float seconds, times as ISO-8601 with Z, maps sorted."""
    desk = one_desk(
        timed(
            (0, availability(("CHAT", "AVAILABLE"))),
            (0.5, added("c1")),
            (2, message("c1", "m1", "Visitor")),
        )
    )
    assert json.loads(json.dumps(desk.to_dict())) == {
        "started_at": "2026-11-25T10:00:00Z",
        "ended_at": "2026-11-25T10:00:02Z",
        "handled": 1,
        "most_open": 1,
        "open_counts": [["2026-11-25T10:00:00.500000Z", 1]],
        "availability_time": {"CHAT": {"AVAILABLE": 2.0}},
        "unread_share": 0.0,  # unread from 2 s, the last record: no time with unread
        "conversations": {
            "c1": {
                "conversation_id": "c1",
                "time_open": 1.5,
                "time_focused": 0.0,
                "answered": False,
                "first_response": None,
                "messages": {"Visitor": 1},
                "unread_peak": 1,
                "implicit": False,
                "reopened": 0,
                "still_open": True,
            }
        },
    }


def test_a_reopened_conversation_sums_its_open_intervals() -> None:
    """Removed at 30 and added again at 60 (a transfer back): open 30 s + 40 s, reopened once."""
    desk = one_desk(
        timed(
            (0, added("c1")),
            (30, removed("c1")),
            (60, added("c1")),
            (100, availability(("CHAT", "AVAILABLE"))),
        )
    )
    c1 = desk.conversations["c1"]
    assert (c1.time_open, c1.reopened, c1.still_open) == (s(70), 1, True)
    assert desk.handled == 1
    assert desk.open_counts == ((t(0), 1), (t(30), 0), (t(60), 1))


def test_focusing_a_closed_conversation_reopens_it() -> None:
    """A focus on a removed conversation reopens it (anomaly closed-conversation): reopened 1."""
    desk = one_desk(
        timed((0, added("c1")), (10, removed("c1")), (25, focused("c1")), (45, removed("c1")))
    )
    c1 = desk.conversations["c1"]
    assert (c1.time_open, c1.time_focused, c1.reopened) == (s(30), s(20), 1)
    assert c1.implicit is False


def test_an_implicitly_opened_conversation_counts_from_its_first_event() -> None:
    """A message to a conversation never added opens it there: implicit, open from that event."""
    desk = one_desk(
        timed(
            (0, added("c1")),
            (10, message("c5", "m1", "Visitor")),
            (15, visitor_updated("c6", firstName="Ada")),
            (40, removed("c1")),
        )
    )
    assert desk.conversations["c5"].implicit is True
    assert desk.conversations["c5"].time_open == s(30)
    assert desk.conversations["c6"].implicit is True
    assert desk.conversations["c6"].time_open == s(25)
    assert desk.conversations["c1"].implicit is False
    assert desk.most_open == 3


def test_first_response_is_the_first_professional_message_after_the_first_visitor_one() -> None:
    """Professional before any Visitor message and Expert messages do not answer."""
    desk = one_desk(
        timed(
            (0, added("c1")),
            (5, message("c1", "m0", "Professional")),  # a greeting: nobody asked yet
            (10, message("c1", "m1", "Visitor")),
            (20, message("c1", "m2", "Visitor")),
            (30, message("c1", "m3", "Expert")),
            (70, message("c1", "m4", "Professional")),  # the answer: 60 s after m1
            (90, message("c1", "m5", "Professional")),
            (100, added("c2")),
            (110, message("c2", "n1", "Visitor")),
            (120, message("c2", "n2", "Expert")),
        )
    )
    c1, c2 = desk.conversations["c1"], desk.conversations["c2"]
    assert (c1.answered, c1.first_response) == (True, s(60))
    assert c1.messages == {"Professional": 3, "Visitor": 2, "Expert": 1}
    assert (c2.answered, c2.first_response) == (False, None)  # never answered


def test_a_duplicate_message_is_not_counted() -> None:
    """A message id already in the conversation is ignored, as the reducer ignores it."""
    desk = one_desk(
        timed(
            (0, added("c1")), (1, message("c1", "m1")), (2, message("c1", "m1")), (3, removed("c1"))
        )
    )
    assert desk.conversations["c1"].messages == {"Visitor": 1}


# --- focus, unread, availability -----------------------------------------------------------------


def test_focus_moving_between_conversations() -> None:
    """c1 focused 10-30 and 50-80, c2 30-45; a late FOCUS_LOST of c1 changes nothing."""
    desk = one_desk(
        timed(
            (0, added("c1")),
            (0, added("c2")),
            (10, focused("c1")),
            (30, focused("c2")),
            (35, focus_lost("c1")),  # late: c2 keeps the focus
            (45, focus_lost("c2")),
            (50, focused("c1")),
            (80, availability(("CHAT", "AVAILABLE"))),
        )
    )
    assert desk.conversations["c1"].time_focused == s(20 + 30)
    assert desk.conversations["c2"].time_focused == s(15)
    assert desk.conversations["c1"].time_open == s(80)


def test_availability_time_per_channel_and_status() -> None:
    """CHAT: AVAILABLE 0-100 and 130-200, UNAVAILABLE 100-130; CALL UNAVAILABLE until unlisted."""
    desk = one_desk(
        timed(
            (0, availability(("CHAT", "AVAILABLE"), ("CALL", "UNAVAILABLE"))),
            (100, availability(("CHAT", "UNAVAILABLE"), ("CALL", "UNAVAILABLE"))),
            (130, availability(("CHAT", "AVAILABLE"))),  # CALL no longer reported
            (200, added("c1")),
        )
    )
    assert desk.availability_time == {
        "CHAT": {"AVAILABLE": s(100 + 70), "UNAVAILABLE": s(30)},
        "CALL": {"UNAVAILABLE": s(130)},
    }


def test_unread_share_is_the_time_with_any_unread_over_the_observed_time() -> None:
    """Unread from 10 to 60 (c1 then c2) and from 70 to the end at 100: 80 s of 100."""
    desk = one_desk(
        timed(
            (0, added("c1")),
            (10, message("c1", "m1")),
            (20, added("c2")),
            (30, message("c2", "n1")),
            (40, focused("c1")),  # c1 read, c2 still unread
            (60, focused("c2")),  # nothing unread
            (70, message("c1", "m2")),
            (85, message("c1", "m3")),
            (100, clicked_c2()),
        )
    )
    assert desk.unread_share == 0.8
    assert desk.conversations["c1"].unread_peak == 2
    assert desk.conversations["c2"].unread_peak == 1


def clicked_c2() -> Raw:
    return {"event": "com.iadvize.desk.CONVERSATION_STATE_BOX_CLICKED", "conversationId": "c2"}


# --- time going missing or backwards -------------------------------------------------------------


def test_missing_timestamps_make_only_the_intervals_they_end_unknown() -> None:
    """An open or close without ts makes that conversation's time unknown, not the others'."""
    desk = one_desk(
        timed(
            (0, added("c1")),
            (None, added("c2")),
            (10, added("c3")),
            (12, message("c3", "m1", "Visitor")),
            (None, message("c3", "m2", "Professional")),
            (None, removed("c1")),
            (20, removed("c3")),
            (30, availability(("CHAT", "AVAILABLE"))),
            (None, availability(("CHAT", "UNAVAILABLE"))),
            (40, availability(("CHAT", "AVAILABLE"))),
        )
    )
    c1, c2, c3 = (desk.conversations[cid] for cid in ("c1", "c2", "c3"))
    assert c1.time_open is None  # closed at an unknown time
    assert c2.time_open is None  # opened at an unknown time
    assert c3.time_open == s(10)
    assert (c3.answered, c3.first_response) == (True, None)  # answered, at an unknown time
    assert desk.availability_time == {"CHAT": {"AVAILABLE": None, "UNAVAILABLE": None}}
    assert desk.open_counts == ((t(0), 1), (None, 2), (t(10), 3), (None, 2), (t(20), 1))
    assert (desk.started_at, desk.ended_at) == (t(0), t(40))
    assert desk.unread_share == 0.2  # c3 unread from 12 to its removal at 20, of 40 s


def test_a_log_without_any_timestamp_has_only_unknown_times() -> None:
    """No ts anywhere: every duration is None, counts are still right."""
    desk = one_desk([added("c1"), message("c1", "m1"), focused("c1"), removed("c1")])
    c1 = desk.conversations["c1"]
    assert (c1.time_open, c1.time_focused, c1.unread_peak) == (None, None, 1)
    assert (desk.started_at, desk.ended_at, desk.unread_share) == (None, None, None)
    assert desk.open_counts == ((None, 1), (None, 0))


def test_an_interval_spanning_a_clock_going_backwards_is_unknown() -> None:
    """c1 spans the jump back from 100 to 50: unknown; c2 starts at the jump: known, 30 s."""
    desk = one_desk(
        timed(
            (100, added("c1")),
            (50, added("c2")),  # the clock goes back
            (80, removed("c2")),
            (120, removed("c1")),
            (130, added("c3")),
            (140, removed("c3")),
        )
    )
    assert desk.conversations["c1"].time_open is None
    assert desk.conversations["c2"].time_open == s(30)
    assert desk.conversations["c3"].time_open == s(10)
    assert (desk.started_at, desk.ended_at) == (t(100), t(140))
    assert desk.unread_share is None  # the observed time spans the jump


def test_an_interval_ending_earlier_than_it_started_is_unknown_not_negative() -> None:
    """Removed at a time before its opening: None, never -10 s; same for a first response."""
    desk = one_desk(
        timed(
            (100, added("c1")),
            (105, message("c1", "m1", "Visitor")),
            (95, message("c1", "m2", "Professional")),
            (90, removed("c1")),
        )
    )
    c1 = desk.conversations["c1"]
    assert (c1.time_open, c1.answered, c1.first_response) == (None, True, None)
    assert desk.ended_at == t(90)  # the last time seen, not the latest


def test_several_desks_interleaved_keep_their_own_clocks() -> None:
    """Each desk has its own records, clock and end; agent-1 at 20 after agent-2 at 50 is fine."""
    records = [
        *timed((0, added("c1")), desk="agent-1"),
        *timed((50, added("c9")), desk="agent-2"),
        *timed((20, removed("c1")), desk="agent-1"),
        *timed((60, focused("c9")), desk="agent-2"),
        *timed((30, availability(("CHAT", "AVAILABLE"))), desk="agent-1"),
        *timed((70, message("c9", "n1", "Professional")), desk="agent-2"),
    ]
    metrics = desk_metrics(records)
    assert set(metrics) == {"agent-1", "agent-2"}
    one, two = metrics["agent-1"], metrics["agent-2"]
    assert one.conversations["c1"].time_open == s(20)
    assert (one.started_at, one.ended_at) == (t(0), t(30))
    assert one.availability_time == {"CHAT": {"AVAILABLE": s(0)}}
    assert set(two.conversations) == {"c9"}
    assert two.conversations["c9"].time_open == s(20)  # still open at agent-2's end, 70
    assert two.conversations["c9"].time_focused == s(10)
    assert (two.started_at, two.ended_at) == (t(50), t(70))


# --- what is counted -----------------------------------------------------------------------------


def test_records_not_applied_change_nothing() -> None:
    """An unreadable line and a foreign record are not applied: no conversation, no time."""
    records: list[object] = [
        envelope(added("c1"), ts=at(0)),
        LogLine(2, error="line is not JSON"),
        envelope(added("c2"), ts=at(5), origin="https://evil.example"),
        envelope(removed("c1"), ts=at(10)),
    ]
    desk = one_desk(records)
    assert set(desk.conversations) == {"c1"}
    assert desk.conversations["c1"].time_open == s(10)
    assert desk.ended_at == t(10)


def test_an_initial_desk_starts_everything_at_an_unknown_time() -> None:
    """What is open, focused or reported in the initial desk began before the records: unknown."""
    start = replay(
        [
            added("c0"),
            removed("c0"),
            added("c1"),
            focused("c1"),
            availability(("CHAT", "AVAILABLE")),
        ]
    ).state
    records = timed(
        (0, added("c2")), (5, message("c0", "m1")), (10, removed("c1")), (20, removed("c2"))
    )
    desk = desk_metrics(records, initial=start)[None]
    c1, c2 = desk.conversations["c1"], desk.conversations["c2"]
    assert (c1.time_open, c1.time_focused, c1.still_open) == (None, None, False)
    assert c2.time_open == s(20)
    # c0, closed before the records, got a message: it has metrics, but was not handled here.
    assert desk.conversations["c0"].messages == {"Visitor": 1}
    assert desk.conversations["c0"].time_open == s(0)
    assert desk.handled == 2
    assert desk.availability_time == {"CHAT": {"AVAILABLE": None}}
    assert desk.most_open == 2
    assert collect_metrics(replay_steps([]), initial=start) == {}


def test_without_by_desk_every_record_folds_into_one_desk() -> None:
    """by_desk=False: the desks of the envelopes are ignored, as replay does."""
    records = [
        *timed((0, added("c1")), desk="agent-1"),
        *timed((10, added("c2")), desk="agent-2"),
    ]
    metrics = desk_metrics(records, by_desk=False)
    assert list(metrics) == [None]
    assert metrics[None].most_open == 2


def test_a_desk_with_nothing_applied_has_empty_metrics() -> None:
    """Only an unreadable line: the desk is there (as in stats), with nothing in it."""
    assert desk_metrics([LogLine(1, error="line is not JSON")]) == {None: DeskMetrics()}


# --- properties ----------------------------------------------------------------------------------


@st.composite
def timed_logs(draw: st.DrawFn) -> list[Raw]:
    """A chaotic session on one or two desks, each ts missing, moving on, staying or going back."""
    events = draw(chaotic_streams(max_events=40))
    moment = 1_800_000_000_000  # epoch milliseconds
    records: list[Raw] = []
    for event in events:
        moment += draw(st.sampled_from([0, 1, 250, 60_000, -5_000]))
        members: dict[str, object] = {"desk": draw(st.sampled_from(["a", "b"]))}
        if draw(st.integers(0, 9)) > 0:
            members["ts"] = moment
        records.append(envelope(event, **members))
    return records


def _open_time(desk: DeskMetrics) -> timedelta | None:
    """The area under the open count, from its changes to the desk's end."""
    total = timedelta(0)
    counts = [*desk.open_counts, (desk.ended_at, 0)]
    for (start, count), (end, _) in itertools.pairwise(counts):
        if count and (start is None or end is None):
            return None
        if count and start is not None and end is not None:
            total += count * (end - start)
    return total


@given(timed_logs())
def test_metrics_never_fail_and_agree_with_stats(records: list[Raw]) -> None:
    """On any chaotic log: no error, no negative duration, focus within open, counts as stats."""
    metrics = desk_metrics(records)
    stats = collect_stats(replay_steps(records))
    assert set(metrics) == set(stats)
    for key, desk in metrics.items():
        assert desk.handled == len(desk.conversations) == stats[key].conversations
        assert desk.most_open == stats[key].most_open
        open_now = sum(c.still_open for c in desk.conversations.values())
        assert open_now == stats[key].open_at_end
        messages: Counter[str] = Counter()
        for conversation in desk.conversations.values():
            messages.update(conversation.messages)
            known = [
                d
                for d in (
                    conversation.time_open,
                    conversation.time_focused,
                    conversation.first_response,
                )
                if d is not None
            ]
            assert all(d >= timedelta(0) for d in known)
            if conversation.time_open is not None and conversation.time_focused is not None:
                assert conversation.time_focused <= conversation.time_open
            assert conversation.answered or conversation.first_response is None
        assert messages == stats[key].messages
        for statuses in desk.availability_time.values():
            assert all(d is None or d >= timedelta(0) for d in statuses.values())
        assert desk.unread_share is None or 0 <= desk.unread_share <= 1
        json.dumps(desk.to_dict())


@given(chaotic_streams(max_events=40), st.lists(st.integers(0, 120_000), max_size=40))
def test_with_a_clock_that_only_moves_on_every_time_is_known(
    events: list[Raw], steps: list[int]
) -> None:
    """Every record timed, never backwards: every duration is known, and they add up.

    The time open summed over the conversations is the area under the open count.
    """
    moment = 1_800_000_000_000
    records = []
    for index, event in enumerate(events):
        moment += steps[index] if index < len(steps) else 1_000
        records.append(envelope(event, ts=moment))
    for desk in desk_metrics(records).values():
        conversations = desk.conversations.values()
        assert all(c.time_open is not None and c.time_focused is not None for c in conversations)
        assert all(c.first_response is not None for c in conversations if c.answered)
        assert sum((c.time_open or timedelta(0) for c in conversations), timedelta(0)) == (
            _open_time(desk)
        )
        if desk.started_at is not None and desk.ended_at != desk.started_at:
            assert desk.unread_share is not None
