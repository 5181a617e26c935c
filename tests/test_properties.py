"""Property tests of reduction, replay and snapshots, driven by the strategies of deskstate.testing.

Each property runs on protocol-valid sessions (``streams``), on sessions with anomalies mixed in
(``chaotic_streams``) and on lists of arbitrary parsed events (``events``). The reducer is checked
against an independent reference model written from the SPEC's table (``reference_model``).
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeAlias

import attrs
import pytest
from helpers import added, focus_lost, focused, fold, message, removed
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from pyrsistent import pmap, pset, pvector
from reference_model import CHANNELS, PARTICIPANTS, ReferenceDesk

from deskstate import (
    DeskState,
    Event,
    InvalidEvent,
    Message,
    UnknownEvent,
    from_dict,
    parse_event,
    query,
    replay,
    scan,
    step,
    to_dict,
)
from deskstate.testing import (
    chaotic_streams,
    check_invariants,
    events,
    invalid_records,
    raw_events,
    streams,
)

Record: TypeAlias = dict[str, Any] | Event

#: The sources of records every property runs on.
SOURCES: dict[str, st.SearchStrategy[Sequence[Record]]] = {
    "streams": streams(),
    "chaotic_streams": chaotic_streams(),
    "events": st.lists(events(), max_size=50),
}
#: Sources of raw records (JSON objects), whose mutation can be observed.
RAW_SOURCES: dict[str, st.SearchStrategy[Sequence[dict[str, Any]]]] = {
    "streams": streams(),
    "chaotic_streams": chaotic_streams(),
    "raw_events": st.lists(raw_events(), max_size=50),
}
CATALOGUE = {
    "com.iadvize.desk." + name
    for name in (
        "CONVERSATION_ADDED",
        "CONVERSATION_FOCUSED",
        "CONVERSATION_FOCUS_LOST",
        "CONVERSATION_STATE_BOX_CLICKED",
        "CONVERSATION_REMOVED",
        "CONVERSATION_VISITOR_UPDATED",
        "AVAILABILITY_UPDATED",
        "CONVERSATION_MESSAGE_ADDED",
    )
}
NEVER_SEEN = "\x00never-seen\x00"

by_source = pytest.mark.parametrize("source", list(SOURCES))
by_raw_source = pytest.mark.parametrize("source", list(RAW_SOURCES))


def draw_records(data: st.DataObject, source: str) -> Sequence[Record]:
    return data.draw(SOURCES[source], label=source)


def parsed(record: Record) -> Event:
    return parse_event(record) if isinstance(record, dict) else record


# --- invariants of every snapshot ----------------------------------------------------------------


@by_source
@given(data=st.data())
def test_invariants_hold_after_every_step(source: str, data: st.DataObject) -> None:
    """Every snapshot, from the empty desk to the last, satisfies the invariants of SPEC §8."""
    state = DeskState()
    check_invariants(state)
    for record in draw_records(data, source):
        state = step(state, record).state
        check_invariants(state)


@given(streams())
def test_protocol_valid_streams_raise_no_anomaly(records: list[dict[str, Any]]) -> None:
    """A session drawn from the model of the desk raises no anomaly, step by step or replayed."""
    state = DeskState()
    for index, record in enumerate(records):
        state, anomalies = step(state, record)
        assert anomalies == (), f"record {index} {record} raised {anomalies}"
    assert replay(records, strict=True).anomalies == ()


@pytest.mark.parametrize("sessions", [streams, chaotic_streams])
@given(max_events=st.integers(0, 30), max_open=st.integers(0, 4), data=st.data())
def test_sessions_keep_to_their_sizes(
    sessions: Callable[..., st.SearchStrategy[list[dict[str, Any]]]],
    max_events: int,
    max_open: int,
    data: st.DataObject,
) -> None:
    """Sessions have at most max_events events and never more than max_open open conversations."""
    records = data.draw(sessions(max_events=max_events, max_open=max_open))
    assert len(records) <= max_events
    for state in scan(records):
        assert len(state.conversations) <= max_open


@pytest.mark.parametrize("sessions", [streams, chaotic_streams])
@pytest.mark.parametrize("bad", [-1, True, 2.5, "8"])
def test_sessions_refuse_bad_sizes(
    sessions: Callable[..., st.SearchStrategy[list[dict[str, Any]]]], bad: object
) -> None:
    """A size that is not a non-negative integer is refused at once, naming the keyword."""
    with pytest.raises(ValueError, match="max_events"):
        sessions(max_events=bad)
    with pytest.raises(ValueError, match="max_open"):
        sessions(max_open=bad)


@by_source
@given(data=st.data())
def test_old_snapshots_never_change(source: str, data: st.DataObject) -> None:
    """A snapshot reads the same after newer snapshots have been made from it (invariant 6)."""
    state = DeskState()
    kept = [(state, to_dict(state))]
    for record in draw_records(data, source):
        state = step(state, record).state
        kept.append((state, to_dict(state)))
    for index, (snapshot, then) in enumerate(kept):
        assert to_dict(snapshot) == then, f"snapshot {index} changed"


@by_source
@given(data=st.data())
def test_snapshots_read_back_equal_with_equal_hash(source: str, data: st.DataObject) -> None:
    """Every snapshot survives to_dict, JSON text and from_dict: equal, and hashing alike."""
    for state in scan(draw_records(data, source)):
        back = from_dict(json.loads(json.dumps(to_dict(state))))
        assert back == state
        assert hash(back) == hash(state)


@by_source
@given(data=st.data())
def test_replaying_the_same_records_is_deterministic(source: str, data: st.DataObject) -> None:
    """Two replays of the same records give equal snapshots, hashing alike, and equal anomalies."""
    records = draw_records(data, source)
    first = replay(records)
    second = replay(copy.deepcopy(records))
    assert first.state == second.state
    assert hash(first.state) == hash(second.state)
    assert first.anomalies == second.anomalies
    assert first.count == second.count == len(records)
    assert list(scan(records)) == list(scan(copy.deepcopy(records)))


@by_raw_source
@given(data=st.data())
def test_reducing_never_mutates_the_event(source: str, data: st.DataObject) -> None:
    """Neither step nor replay changes the records it is given, bare or in envelopes."""
    records = data.draw(RAW_SOURCES[source], label=source)
    before = copy.deepcopy(records)
    state = DeskState()
    for record in records:
        state = step(state, record).state
    assert records == before
    envelopes = [{"data": record, "ts": 1_764_000_000_000 + i} for i, record in enumerate(records)]
    envelopes_before = copy.deepcopy(envelopes)
    replay(envelopes)
    assert envelopes == envelopes_before


@by_source
@given(data=st.data())
def test_version_counts_the_events(source: str, data: st.DataObject) -> None:
    """After n events the snapshot's version is n, whatever the events did (invariant 5)."""
    state = DeskState()
    assert state.version == 0
    for count, record in enumerate(draw_records(data, source), start=1):
        state = step(state, record).state
        assert state.version == count


# --- the reducer against the reference model -----------------------------------------------------


def assert_agrees(model: ReferenceDesk, state: DeskState, where: str) -> None:
    """Every question of deskstate.query gets the model's answer."""
    assert [c.id for c in query.open_conversations(state)] == model.open_ids(), where
    assert [c.id for c in query.closed_conversations(state)] == model.closed_ids(), where
    current = query.focused(state)
    assert (None if current is None else current.id) == model.focused_id, where
    expected_visitor = None if model.focused_id is None else model.open[model.focused_id].visitor
    assert query.focused_visitor(state) == expected_visitor, where
    assert query.is_empty(state) == (not model.open), where
    assert query.unread_count(state) == model.unread(), where
    assert dict(state.availability) == model.availability, where
    for channel in CHANNELS | set(model.availability):
        assert query.availability(state, channel) == model.availability.get(channel), where
        expected_accept = model.availability.get(channel) == "AVAILABLE"
        assert query.can_accept(state, channel) == expected_accept, where
    assert state.last_clicked_id == model.last_clicked_id, where
    assert state.version == model.version, where
    assert state.clock == model.clock, where
    for cid in [*model.known_ids(), NEVER_SEEN]:
        assert_conversation_agrees(model, state, cid, f"{where}, conversation {cid!r}")
    for cid in model.order:
        for field, value in list(model.open[cid].visitor.items())[:1]:
            expected_ids = [
                other
                for other in model.order
                if field in model.open[other].visitor and model.open[other].visitor[field] == value
            ]
            found = [c.id for c in query.find_by_visitor(state, field, value)]
            assert found == expected_ids, where


def assert_conversation_agrees(
    model: ReferenceDesk, state: DeskState, cid: str, where: str
) -> None:
    """The queries about one conversation get the model's answers."""
    expected = model.conversation(cid)
    assert query.is_open(state, cid) == (cid in model.open), where
    assert query.unread_count(state, cid) == model.unread(cid), where
    assert query.visitor(state, cid) == model.visitor(cid), where
    seen = set() if expected is None else {m.participant for m in expected.messages}
    for participant in [None, *sorted(PARTICIPANTS | seen)]:
        count = query.message_count(state, cid, participant)
        assert count == model.message_count(cid, participant), f"{where}, {participant}"
        ids = [m.id for m in query.messages(state, cid, participant)]
        expected_ids = [
            m.id
            for m in ([] if expected is None else expected.messages)
            if participant is None or m.participant == participant
        ]
        assert ids == expected_ids, f"{where}, {participant}"
    got = query.conversation(state, cid)
    if expected is None:
        assert got is None, where
        return
    assert got is not None, where
    assert [(m.id, m.participant, m.project_id, m.at) for m in got.messages] == [
        (m.id, m.participant, m.project_id, m.at) for m in expected.messages
    ], where
    assert (got.project_id, got.implicit, got.state_box_clicks) == (
        expected.project_id,
        expected.implicit,
        expected.clicks,
    ), where
    assert (got.added_at, got.removed_at) == (expected.added_at, expected.removed_at), where


@by_source
@given(data=st.data())
def test_reducer_agrees_with_the_reference_model(source: str, data: st.DataObject) -> None:
    """After every event the reducer and the reference model agree on every query and anomaly.

    Anomalies are compared as a multiset of (kind, conversation id).
    """
    model = ReferenceDesk()
    state = DeskState()
    for index, record in enumerate(draw_records(data, source)):
        state, anomalies = step(state, record)
        expected = model.apply(parsed(record))
        where = f"after record {index} {record!r}"
        got = Counter((anomaly.kind, anomaly.conversation_id) for anomaly in anomalies)
        assert got == Counter(expected), where
        assert_agrees(model, state, where)


# --- the strategies themselves -------------------------------------------------------------------


@given(invalid_records())
def test_invalid_records_raise_invalid_event(record: object) -> None:
    """Every malformed record makes parse_event raise InvalidEvent, never another exception."""
    with pytest.raises(InvalidEvent):
        parse_event(record)


@given(invalid_records())
def test_replay_reports_invalid_records_and_applies_nothing(record: object) -> None:
    """Replay reports a malformed record as one invalid-event anomaly and leaves the desk alone."""
    outcome = replay([record])
    assert [anomaly.kind for anomaly in outcome.anomalies] == ["invalid-event"]
    assert outcome.state == DeskState()
    assert outcome.count == 1


@given(raw_events())
def test_raw_events_parse_to_their_kind(record: dict[str, Any]) -> None:
    """Every raw event parses: a catalogue name to its class, any other name to UnknownEvent."""
    event = parse_event(record)
    if record["event"] in CATALOGUE:
        assert not isinstance(event, UnknownEvent)
        assert "com.iadvize.desk." + event.name == record["event"]
    else:
        assert isinstance(event, UnknownEvent)
        assert event.name == record["event"]


def anomaly_kinds(records: Sequence[Record]) -> set[str]:
    return {anomaly.kind for anomaly in replay(records).anomalies}


def has_late_focus_lost(records: Sequence[Record]) -> bool:
    """A FOCUS_LOST for the conversation that had the focus just before the last FOCUSED."""
    states = list(scan(records))
    for i in range(1, len(records)):
        before, now = parsed(records[i - 1]), parsed(records[i])
        if (
            before.name == "CONVERSATION_FOCUSED"
            and now.name == "CONVERSATION_FOCUS_LOST"
            and getattr(now, "conversation_id", None) == states[i - 1].focused_id
            and states[i + 1].focused_id == getattr(before, "conversation_id", None)
            and states[i - 1].focused_id != states[i + 1].focused_id
        ):
            return True
    return False


SEARCH = settings(max_examples=2000, database=None, derandomize=True, phases=[Phase.generate])


@pytest.mark.parametrize(
    "kind",
    [
        "unknown-conversation",
        "closed-conversation",
        "duplicate-message",
        "duplicate-channel",
        "unknown-value",
        "unknown-event",
    ],
)
def test_chaotic_streams_raise_every_kind_of_anomaly(kind: str) -> None:
    """chaotic_streams() produces sessions raising each anomaly kind a reducer can raise."""
    found = find(chaotic_streams(), lambda records: kind in anomaly_kinds(records), settings=SEARCH)
    assert kind in anomaly_kinds(found)


def test_chaotic_streams_send_late_focus_lost() -> None:
    """chaotic_streams() produces a FOCUS_LOST that arrives after the next FOCUSED."""
    found = find(chaotic_streams(), has_late_focus_lost, settings=SEARCH)
    assert has_late_focus_lost(found)


def test_streams_remove_focused_conversations_with_focus_lost_around() -> None:
    """streams() removes a focused conversation with its FOCUS_LOST before, and after, REMOVED."""
    for offset in (-1, 1):

        def around(records: list[dict[str, Any]], offset: int = offset) -> bool:
            return any(
                records[i]["event"].endswith("REMOVED")
                and 0 <= i + offset < len(records)
                and records[i + offset]["event"].endswith("FOCUS_LOST")
                and records[i + offset]["conversationId"] == records[i]["conversationId"]
                for i in range(len(records))
            )

        assert around(find(streams(), around, settings=SEARCH))


# --- check_invariants itself ---------------------------------------------------------------------


def base_desk() -> DeskState:
    """Open c1 (one unread Visitor message) and c2 (focused, read); c3 closed."""
    return fold(
        added("c1"),
        added("c2"),
        message("c1", "m1", "Visitor"),
        message("c2", "m1", "Visitor"),
        added("c3"),
        removed("c3"),
        focused("c2"),
    )


def with_open(state: DeskState, cid: str, **changes: Any) -> DeskState:
    return attrs.evolve(
        state,
        conversations=state.conversations.set(
            cid, attrs.evolve(state.conversations[cid], **changes)
        ),
    )


def with_closed(state: DeskState, cid: str, **changes: Any) -> DeskState:
    return attrs.evolve(
        state, closed=state.closed.set(cid, attrs.evolve(state.closed[cid], **changes))
    )


def repeated_message(state: DeskState) -> DeskState:
    c1 = state.conversations["c1"]
    return with_open(state, "c1", messages=c1.messages.append(c1.messages[0]))


BROKEN: dict[str, tuple[Callable[[DeskState], DeskState], str, str]] = {
    "focus on no conversation": (
        lambda s: attrs.evolve(s, focused_id="nope"),
        "invariant 1:",
        "'nope'",
    ),
    "focus on a closed conversation": (
        lambda s: attrs.evolve(s, focused_id="c3"),
        "invariant 1:",
        "'c3'",
    ),
    "order missing an open id": (
        lambda s: attrs.evolve(s, order=pvector(["c2"])),
        "invariant 2:",
        "'c1'",
    ),
    "order holding a closed id": (
        lambda s: attrs.evolve(s, order=pvector(["c1", "c2", "c3"])),
        "invariant 2:",
        "'c3'",
    ),
    "an id both open and closed": (
        lambda s: attrs.evolve(s, closed=s.closed.set("c1", s.conversations["c1"])),
        "invariant 3:",
        "'c1'",
    ),
    "focused conversation with unread 1": (
        lambda s: attrs.evolve(with_open(s, "c2", unread=1), unread_total=2),
        "invariant 4:",
        "'c2'",
    ),
    "unread above the Visitor and Expert messages": (
        lambda s: attrs.evolve(with_open(s, "c1", unread=2), unread_total=2),
        "invariant 4:",
        "'c1'",
    ),
    "negative unread on a closed conversation": (
        lambda s: with_closed(s, "c3", unread=-1),
        "invariant 4:",
        "'c3'",
    ),
    "a message id twice in a conversation": (repeated_message, "invariant 4:", "'m1'"),
    "message counts not those of the messages": (
        lambda s: with_open(s, "c1", message_counts=pmap({"Visitor": 2})),
        "invariant 4:",
        "'c1'",
    ),
    "message ids not those of the messages": (
        lambda s: with_open(s, "c1", message_ids=pset()),
        "invariant 4:",
        "'c1'",
    ),
    "unread total not the sum over open conversations": (
        lambda s: attrs.evolve(s, unread_total=5),
        "invariant 4:",
        "5",
    ),
    "negative version": (lambda s: attrs.evolve(s, version=-1), "invariant 5:", "-1"),
    "a visitor value JSON cannot carry": (
        lambda s: with_open(s, "c1", visitor=pmap({"seen": datetime(2026, 1, 1, tzinfo=UTC)})),
        "invariant 7:",
        "JSON",
    ),
    "a visitor value that JSON changes": (
        lambda s: with_open(s, "c1", visitor=pmap({"tags": ("vip", "fr")})),
        "invariant 7:",
        "JSON",
    ),
    "a clock that does not read back equal": (
        lambda s: attrs.evolve(s, clock=datetime(2026, 1, 1)),  # naive on purpose
        "invariant 7:",
        "from_dict",
    ),
    "a message time that does not read back equal": (
        lambda s: with_open(
            s,
            "c1",
            messages=pvector([Message("m1", "Visitor", 1234, datetime(2026, 1, 1))]),  # naive
        ),
        "invariant 7:",
        "from_dict",
    ),
}


def test_check_invariants_accepts_a_sound_desk() -> None:
    """The desk the broken cases start from passes, as do desks with late and early FOCUS_LOST."""
    for state in (
        base_desk(),
        fold(added("c1"), focused("c1"), focus_lost("c1"), removed("c1")),
        fold(added("c1"), added("c2"), focused("c1"), focused("c2"), focus_lost("c1")),
    ):
        check_invariants(state)
        assert from_dict(to_dict(state)) == state


@pytest.mark.parametrize("case", list(BROKEN))
def test_check_invariants_names_the_broken_invariant(case: str) -> None:
    """A hand-broken snapshot fails with 'invariant N:' (the right N), naming what is wrong."""
    breaker, prefix, named = BROKEN[case]
    state = base_desk()
    check_invariants(state)
    with pytest.raises(AssertionError) as raised:
        check_invariants(breaker(state))
    assert str(raised.value).startswith(prefix), str(raised.value)
    assert named in str(raised.value), str(raised.value)


def test_a_desk_order_holding_an_id_twice_cannot_be_made() -> None:
    """Invariant 2's "exactly once" holds by construction: such an order is refused at once."""
    with pytest.raises(ValueError, match="each id once, got c1 twice"):
        attrs.evolve(base_desk(), order=pvector(["c1", "c2", "c1"]))


def test_check_invariants_refuses_what_is_not_a_snapshot() -> None:
    """check_invariants is given a DeskState or says what it got instead."""
    with pytest.raises(TypeError, match="dict"):
        check_invariants({"version": 0})  # type: ignore[arg-type]
