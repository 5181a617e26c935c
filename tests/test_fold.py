"""The batch fold behind ``replay`` and ``replay_desks`` equals folding ``step`` record by record.

``replay`` and ``replay_desks`` fold into working copies and freeze once (``deskstate._fold``);
``replay_steps`` builds a snapshot per record with the reducer. Both must give equal desks, equal
anomalies in the same order and the same counts, on any records: valid and chaotic streams,
envelopes with every kind of ``ts``, ``desk`` and ``origin``, log lines, parsed events, malformed
records, from the empty desk or from any desk.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskstate import (
    DeskState,
    LogLine,
    ProtocolError,
    Replay,
    parse_event,
    replay,
    replay_desks,
    to_dict,
)
from deskstate.replay import replay_steps, replays_by_desk
from deskstate.testing import (
    chaotic_streams,
    check_invariants,
    invalid_records,
    raw_events,
    streams,
)

ALLOWED = "https://ha.iadvize.com"

TIMESTAMPS = st.one_of(
    st.none(),
    st.integers(1_700_000_000_000, 1_800_000_000_000),
    st.sampled_from(
        [
            "2026-11-25T10:00:00Z",
            "2026-11-25T09:00:00+01:00",
            "2026-11-25T10:00:00.250Z",
            "2026-11-25T10:00:00",  # no offset: invalid
            "yesterday",  # invalid
            True,  # invalid
        ]
    ),
)
DESKS = st.sampled_from([None, "a", "b", "", 7])
ORIGINS = st.sampled_from([None, ALLOWED, "https://evil.example", "", 3])
EXTRAS: st.SearchStrategy[dict[str, Any]] = st.sampled_from(
    [{}, {"seq": 4}, {"meta": {"tab": [1, 2]}}]
)


@st.composite
def records(draw: st.DrawFn) -> list[object]:
    """A log of any shape: each event bare, in an envelope, on a log line, parsed, or broken."""
    events = draw(
        st.one_of(
            chaotic_streams(max_events=30),
            streams(max_events=30),
            st.lists(raw_events(), max_size=20),
        )
    )
    out: list[object] = []
    for number, event in enumerate(events, start=1):
        shape = draw(st.sampled_from(["bare", "envelope", "envelope", "line", "parsed", "broken"]))
        if shape == "bare":
            out.append(event)
            continue
        if shape == "parsed":
            out.append(parse_event(event))
            continue
        if shape == "broken":
            out.append(draw(invalid_records()))
            continue
        envelope: dict[str, Any] = {"data": event}
        for member, values in (("ts", TIMESTAMPS), ("desk", DESKS), ("origin", ORIGINS)):
            value = draw(values)
            if value is not None or draw(st.booleans()):
                envelope[member] = value
        envelope.update(draw(EXTRAS))
        if shape == "line":
            if draw(st.integers(0, 9)) == 0:
                out.append(LogLine(number, None, "not JSON: line ends early"))
            else:
                out.append(LogLine(number, envelope))
        else:
            out.append(envelope)
    return out


def stepwise(items: Sequence[object], by_desk: bool, **options: Any) -> dict[str | None, Replay]:
    """What the reducer gives, one snapshot per record (the reference)."""
    start = options.get("initial") or DeskState()
    return replays_by_desk(replay_steps(items, by_desk=by_desk, **options), start)


def assert_same_desk(folded: DeskState, stepped: DeskState) -> None:
    """Equal, and equal in the members equality skips (the derived ones) too."""
    assert folded == stepped
    assert to_dict(folded) == to_dict(stepped)
    assert folded.unread_total == stepped.unread_total
    for mine, theirs in (
        (folded.conversations, stepped.conversations),
        (folded.closed, stepped.closed),
    ):
        for cid, conversation in mine.items():
            assert conversation.message_counts == theirs[cid].message_counts
            assert conversation.message_ids == theirs[cid].message_ids
            assert type(conversation.visitor) is type(theirs[cid].visitor)
    check_invariants(folded)


def assert_same_replays(
    folded: dict[str | None, Replay], stepped: dict[str | None, Replay]
) -> None:
    assert list(folded) == list(stepped)
    for key, outcome in folded.items():
        assert_same_desk(outcome.state, stepped[key].state)
        assert outcome.anomalies == stepped[key].anomalies
        assert outcome.count == stepped[key].count


@settings(max_examples=150)
@given(records())
def test_replay_folds_to_what_step_gives(items: list[object]) -> None:
    folded = replay(items)
    stepped = stepwise(items, by_desk=False).get(None, Replay(DeskState(), (), 0))
    assert_same_desk(folded.state, stepped.state)
    assert folded.anomalies == stepped.anomalies
    assert folded.count == stepped.count == len(items)


@settings(max_examples=100)
@given(records())
def test_replay_desks_folds_each_desk_to_what_step_gives(items: list[object]) -> None:
    assert_same_replays(replay_desks(items), stepwise(items, by_desk=True))


@settings(max_examples=100)
@given(records(), records())
def test_folding_from_any_desk_equals_stepping_from_it(
    before: list[object], items: list[object]
) -> None:
    """From a desk with open, closed, focused and unread conversations, built by the reducer."""
    initial = stepwise(before, by_desk=False).get(None, Replay(DeskState(), (), 0)).state
    folded = replay(items, initial=initial)
    stepped = stepwise(items, by_desk=False, initial=initial).get(None)
    if stepped is None:
        assert folded == Replay(initial, (), 0)
        return
    assert_same_desk(folded.state, stepped.state)
    assert folded.anomalies == stepped.anomalies
    assert_same_replays(
        replay_desks(items, initial=initial), stepwise(items, by_desk=True, initial=initial)
    )


@settings(max_examples=150)
@given(records(), st.sampled_from([None, frozenset(), frozenset({"https://evil.example"})]))
def test_origins_and_strictness_are_applied_alike(
    items: list[object], origins: frozenset[str] | None
) -> None:
    assert replay(items, allowed_origins=origins) == Replay(
        *_one(stepwise(items, by_desk=False, allowed_origins=origins))
    )
    try:
        folded: Replay | ProtocolError = replay(items, strict=True)
    except ProtocolError as error:
        folded = error
    try:
        stepped: object = stepwise(items, by_desk=False, strict=True)
    except ProtocolError as error:
        stepped = error
    if isinstance(folded, ProtocolError):
        assert isinstance(stepped, ProtocolError)
        assert folded.anomaly == stepped.anomaly
    else:
        assert not isinstance(stepped, ProtocolError)


def _one(replays: dict[str | None, Replay]) -> tuple[DeskState, tuple[Any, ...], int]:
    outcome = replays.get(None, Replay(DeskState(), (), 0))
    return outcome.state, outcome.anomalies, outcome.count


def test_nothing_applied_gives_back_the_initial_desk_itself() -> None:
    """A replay that applies nothing returns its initial snapshot, the very same object."""
    initial = replay(
        [{"event": "com.iadvize.desk.CONVERSATION_ADDED", "conversationId": "c1", "projectId": 1}]
    ).state
    assert replay([], initial=initial).state is initial
    assert replay([{"data": "no event"}], initial=initial).state is initial


def test_a_folded_snapshot_cannot_be_changed() -> None:
    state = replay(
        [
            {
                "event": "com.iadvize.desk.CONVERSATION_ADDED",
                "conversationId": "c1",
                "projectId": 1,
            },
            {
                "event": "com.iadvize.desk.CONVERSATION_VISITOR_UPDATED",
                "conversationId": "c1",
                "visitor": {"name": "Ada"},
            },
        ]
    ).state
    conversation = state.conversations["c1"]
    visitor: Any = conversation.visitor
    with pytest.raises((AttributeError, TypeError)):
        visitor["name"] = "Eve"
    with pytest.raises(AttributeError):
        conversation.unread = 3  # type: ignore[misc]
    assert conversation.visitor == {"name": "Ada"}
