"""The tidy tables' rows (``metric_rows``): hand-built sessions, then agreement with the metrics."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

from helpers import added, availability, focus_lost, focused, message, removed
from hypothesis import given
from test_metrics import Raw, s, t, timed, timed_logs

from deskstate import LogLine, replay
from deskstate.metrics import DeskMetrics, collect_metrics, metric_rows
from deskstate.replay import replay_steps
from deskstate.state import DeskState
from deskstate.tables import (
    AnomalyRow,
    AvailabilityInterval,
    ConversationRow,
    FocusInterval,
    MessageRow,
    OpenInterval,
    Row,
)


def rows_of(records: list[Any], **options: Any) -> list[Row]:
    return list(metric_rows(replay_steps(records, **options), **options))


def of_type(rows: list[Row], kind: type[Any]) -> list[Any]:
    return [row for row in rows if isinstance(row, kind)]


def session() -> list[Raw]:
    """c1 open 0-120 and 300-360, focused 10-60; CHAT AVAILABLE 0-180, UNAVAILABLE after."""
    return timed(
        (0, availability(("CHAT", "AVAILABLE"))),
        (0, added("c1")),
        (10, focused("c1")),
        (20, message("c1", "m1", "Visitor")),
        (50, message("c1", "m2", "Professional")),
        (60, focus_lost("c1")),
        (120, removed("c1")),
        (180, availability(("CHAT", "UNAVAILABLE"))),
        (300, added("c1")),
        (360, removed("c1")),
    )


def test_a_session_gives_its_intervals_messages_and_conversation() -> None:
    rows = rows_of(session())
    assert of_type(rows, OpenInterval) == [
        OpenInterval(None, "c1", t(0), t(120), s(120), running=False),
        OpenInterval(None, "c1", t(300), t(360), s(60), running=False),
    ]
    assert of_type(rows, FocusInterval) == [
        FocusInterval(None, "c1", t(10), t(60), s(50), running=False)
    ]
    assert of_type(rows, AvailabilityInterval) == [
        AvailabilityInterval(None, "CHAT", "AVAILABLE", t(0), t(180), s(180), running=False),
        AvailabilityInterval(None, "CHAT", "UNAVAILABLE", t(180), t(360), s(180), running=True),
    ]
    assert of_type(rows, MessageRow) == [
        MessageRow(None, "c1", "m1", "Visitor", t(20), record=3, line=None),
        MessageRow(None, "c1", "m2", "Professional", t(50), record=4, line=None),
    ]
    assert of_type(rows, ConversationRow) == [
        ConversationRow(
            desk=None,
            conversation_id="c1",
            project_id=1234,  # the helpers' default project
            first_opened=t(0),
            last_closed=t(360),
            time_open=s(180),
            time_focused=s(50),
            answered=True,
            first_response=s(30),
            messages_visitor=1,
            messages_professional=1,
            messages_expert=0,
            messages_other=0,
            unread_peak=0,  # focused when the visitor wrote
            implicit=False,
            reopened=1,
            still_open=False,
        )
    ]
    assert of_type(rows, AnomalyRow) == []


def test_rows_stream_as_the_replay_goes() -> None:
    """An interval is yielded once the record that ends it is folded, before the log ends."""
    records = session()
    consumed = 0

    def counted() -> Any:
        nonlocal consumed
        for record in records:
            consumed += 1
            yield record

    rows = metric_rows(replay_steps(counted()))
    first_open = next(row for row in rows if isinstance(row, OpenInterval))
    assert first_open.end == t(120)
    assert consumed == 7  # up to the removal at 120, not the whole log


def test_running_intervals_and_still_open_conversations_end_at_the_last_timestamp() -> None:
    rows = rows_of(timed((0, added("c1")), (30, focused("c1")), (90, added("c2"))))
    assert of_type(rows, OpenInterval) == [
        OpenInterval(None, "c1", t(0), t(90), s(90), running=True),
        OpenInterval(None, "c2", t(90), t(90), s(0), running=True),
    ]
    assert of_type(rows, FocusInterval) == [
        FocusInterval(None, "c1", t(30), t(90), s(60), running=True)
    ]
    conversations = {row.conversation_id: row for row in of_type(rows, ConversationRow)}
    assert conversations["c1"].still_open and conversations["c1"].last_closed is None


def test_unknown_times_give_unknown_durations_not_wrong_ones() -> None:
    """A removal without ts ends c1's interval at an unknown time; a clock going back, c2's."""
    rows = rows_of(
        timed(
            (0, added("c1")),
            (None, removed("c1")),
            (100, added("c2")),
            (50, removed("c2")),
        )
    )
    assert of_type(rows, OpenInterval) == [
        OpenInterval(None, "c1", t(0), None, None, running=False),
        OpenInterval(None, "c2", t(100), t(50), None, running=False),
    ]


def test_an_initial_desk_starts_its_intervals_at_an_unknown_time() -> None:
    start = replay(timed((0, added("c1")), (0, focused("c1")))).state
    rows = rows_of(timed((60, removed("c1"))), initial=start)
    assert of_type(rows, OpenInterval) == [OpenInterval(None, "c1", None, t(60), None, False)]
    assert of_type(rows, FocusInterval) == [FocusInterval(None, "c1", None, t(60), None, False)]


def test_anomalies_and_messages_name_their_desk_record_and_line() -> None:
    lines = [
        LogLine(1, {"data": added("c1"), "desk": "a", "ts": "2026-11-25T10:00:00Z"}),
        LogLine(3, "{not json"),
        LogLine(4, {"data": message("c9", "m1", "Visitor"), "desk": "b"}),
    ]
    rows = rows_of(lines)
    anomalies = of_type(rows, AnomalyRow)
    assert [(row.desk, row.record, row.line, row.kind) for row in anomalies] == [
        (None, 1, 3, "invalid-event"),
        ("b", 2, 4, "unknown-conversation"),
    ]
    assert of_type(rows, MessageRow) == [MessageRow("b", "c9", "m1", "Visitor", None, 2, 4)]


def _total(durations: list[timedelta | None]) -> timedelta | None:
    if any(duration is None for duration in durations):
        return None
    return sum((d for d in durations if d is not None), timedelta(0))


@given(timed_logs())
def test_rows_add_up_to_the_metrics(records: list[Raw]) -> None:
    """On any chaotic log, the rows hold exactly what the metrics sum and count."""
    metrics: dict[str | None, DeskMetrics] = {}
    rows = list(metric_rows(replay_steps(records), metrics=metrics))
    assert metrics == collect_metrics(replay_steps(records))
    opened: defaultdict[tuple[str | None, str], list[timedelta | None]] = defaultdict(list)
    focus: defaultdict[tuple[str | None, str], list[timedelta | None]] = defaultdict(list)
    status: defaultdict[tuple[str | None, str, str], list[timedelta | None]] = defaultdict(list)
    messages: defaultdict[tuple[str | None, str], Counter[str]] = defaultdict(Counter)
    for row in rows:
        if isinstance(row, OpenInterval):
            opened[row.desk, row.conversation_id].append(row.duration)
        elif isinstance(row, FocusInterval):
            focus[row.desk, row.conversation_id].append(row.duration)
        elif isinstance(row, AvailabilityInterval):
            status[row.desk, row.channel, row.status].append(row.duration)
        elif isinstance(row, MessageRow):
            messages[row.desk, row.conversation_id][row.participant] += 1
    conversations = of_type(rows, ConversationRow)
    assert {(row.desk, row.conversation_id) for row in conversations} == {
        (key, cid) for key, desk in metrics.items() for cid in desk.conversations
    }
    for row in conversations:
        measured = metrics[row.desk].conversations[row.conversation_id]
        key = (row.desk, row.conversation_id)
        assert _total(opened.get(key, [])) == measured.time_open == row.time_open
        assert _total(focus.get(key, [])) == measured.time_focused == row.time_focused
        assert messages[key] == Counter(measured.messages)
        assert row.still_open == measured.still_open
    for desk_key, desk in metrics.items():
        for channel, times in desk.availability_time.items():
            for name, duration in times.items():
                assert _total(status[desk_key, channel, name]) == duration
    replayed = [anomaly for step in replay_steps(records) for anomaly in step.anomalies]
    assert [(row.record, row.kind) for row in of_type(rows, AnomalyRow)] == [
        (anomaly.index, anomaly.kind) for anomaly in replayed
    ]


def test_no_rows_from_no_records() -> None:
    assert rows_of([]) == []
    assert collect_metrics(replay_steps([]), initial=DeskState()) == {}
