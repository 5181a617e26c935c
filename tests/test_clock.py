"""Time travel by clock: `state_at` and `states_at` cut each desk where its clock first passed T."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from helpers import added, envelope, focused, message, removed
from hypothesis import given
from hypothesis import strategies as st

from deskstate import DeskState, LogLine, ProtocolError, replay_desks, state_at, states_at
from deskstate.clock import record_time
from deskstate.testing.events import raw_events

ORIGIN = "https://ha.iadvize.com"
NOON = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    """``minutes`` after noon."""
    return NOON + timedelta(minutes=minutes)


def stamped(event: dict[str, Any], minutes: float | None, desk: str = "d1") -> dict[str, Any]:
    """``event`` in an envelope of ``desk``, stamped ``minutes`` after noon (or without ts)."""
    if minutes is None:
        return envelope(event, desk=desk, origin=ORIGIN)
    return envelope(event, ts=at(minutes).isoformat(), desk=desk, origin=ORIGIN)


LOG = [
    stamped(added("c1"), 1),  # 0
    stamped(message("c1", "m1"), 2),  # 1
    stamped(added("c2"), 3),  # 2
    stamped(removed("c1"), 4),  # 3
]


def test_before_every_record_each_desk_is_empty_with_no_record_read() -> None:
    desks = state_at(LOG, at(0))
    assert list(desks) == ["d1"]
    assert desks["d1"].state == DeskState()
    assert desks["d1"].count == 0


def test_after_every_record_it_is_the_whole_replay() -> None:
    assert state_at(LOG, at(60)) == replay_desks(LOG)


def test_between_two_records_it_is_the_desk_after_the_earlier() -> None:
    desks = state_at(LOG, at(2.5))
    assert set(desks["d1"].state.conversations) == {"c1"}
    assert len(desks["d1"].state.conversations["c1"].messages) == 1
    assert desks["d1"].count == 2
    assert desks["d1"].state.clock == at(2)


def test_a_record_stamped_exactly_t_is_applied() -> None:
    desks = state_at(LOG, at(3))
    assert set(desks["d1"].state.conversations) == {"c1", "c2"}
    assert desks["d1"].count == 3


def test_records_without_ts_before_the_cut_are_applied_and_after_it_are_not() -> None:
    log = [
        stamped(added("c1"), None),  # no clock yet: applied at any time
        stamped(added("c2"), 5),
        stamped(added("c3"), None),  # after the cut at T = 1
    ]
    early = state_at(log, at(1))["d1"]
    assert set(early.state.conversations) == {"c1"}
    assert early.count == 1
    late = state_at(log, at(5))["d1"]
    assert set(late.state.conversations) == {"c1", "c2", "c3"}


def test_a_clock_going_back_does_not_bring_back_records_after_the_cut() -> None:
    log = [
        stamped(added("c1"), 1),
        stamped(added("c2"), 10),  # the clock passes T = 5 here: the cut
        stamped(added("c3"), 2),  # the clock went back: still after the cut
    ]
    desks = state_at(log, at(5))
    assert set(desks["d1"].state.conversations) == {"c1"}
    assert desks["d1"].count == 1


def test_interleaved_desks_are_cut_each_by_its_own_clock() -> None:
    log = [
        stamped(added("a1"), 1, desk="a"),
        stamped(added("b1"), 100, desk="b"),  # b's clock is far ahead: cut at once
        stamped(added("a2"), 3, desk="a"),
        stamped(added("b2"), 101, desk="b"),
        stamped(added("a3"), 9, desk="a"),  # a's cut
        stamped(added("b3"), 2, desk="b"),  # after b's cut, although before T
    ]
    desks = state_at(log, at(5))
    assert list(desks) == ["a", "b"]
    assert set(desks["a"].state.conversations) == {"a1", "a2"}
    assert desks["a"].count == 2
    assert desks["b"].state == DeskState()
    assert desks["b"].count == 0


def test_anomalies_are_those_of_the_records_before_the_cut() -> None:
    log = [
        stamped(focused("ghost"), 1),  # focus on an unknown conversation: an anomaly
        stamped(removed("nobody"), 9),  # after the cut at T = 5
    ]
    (anomaly,) = state_at(log, at(5))["d1"].anomalies
    assert anomaly.index == 0
    assert len(state_at(log, at(10))["d1"].anomalies) == 2


def test_strict_stops_only_at_an_anomaly_before_some_cut() -> None:
    log = [stamped(added("c1"), 1), stamped(removed("nobody"), 9)]
    assert set(state_at(log, at(5), strict=True)["d1"].state.conversations) == {"c1"}
    with pytest.raises(ProtocolError):
        state_at(log, at(10), strict=True)


def test_states_at_gives_each_time_in_the_order_asked_from_one_pass() -> None:
    records = iter(LOG)  # one pass only: an iterator cannot be read twice
    late, early = states_at(records, [at(3), at(1)])
    assert set(late["d1"].state.conversations) == {"c1", "c2"}
    assert set(early["d1"].state.conversations) == {"c1"}
    assert early["d1"].count == 1


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="must carry an offset"):
        state_at(LOG, datetime(2026, 11, 24, 12, 0))  # naive: refused
    with pytest.raises(TypeError, match="must be a datetime"):
        state_at(LOG, "2026-11-24T12:00:00Z")  # type: ignore[arg-type]


def test_record_time_reads_the_envelope_clock_of_any_record() -> None:
    assert record_time(LogLine(1, stamped(added("c1"), 1))) == at(1)
    assert record_time(stamped(added("c1"), None)) is None
    assert record_time(added("c1")) is None  # a bare event has no envelope
    assert record_time(envelope(added("c1"), ts="not a time")) is None
    assert record_time(envelope(added("c1"), ts=at(1).timestamp() * 1000)) == at(1)
    assert record_time(LogLine(1, error="not JSON")) is None


@st.composite
def stamped_logs(draw: st.DrawFn) -> tuple[list[dict[str, Any]], datetime]:
    """Records of two desks with a clock that never goes back, and a time to travel to."""
    count = draw(st.integers(0, 25))
    steps = draw(st.lists(st.integers(0, 3), min_size=count, max_size=count))
    records = []
    minutes = 0
    for gap in steps:
        minutes += gap
        desk = draw(st.sampled_from(["a", "b"]))
        records.append(stamped(draw(raw_events()), minutes, desk=desk))
    return records, at(draw(st.integers(-1, minutes + 1)))


@given(stamped_logs())
def test_with_a_clock_never_going_back_it_is_the_replay_of_the_records_up_to_t(
    case: tuple[list[dict[str, Any]], datetime],
) -> None:
    records, when = case
    times = [record_time(record) for record in records]
    expected = replay_desks(
        [record for record, ts in zip(records, times, strict=True) if ts is not None and ts <= when]
    )
    desks = state_at(records, when)
    assert {key: desks[key] for key in expected} == expected
    for key in desks.keys() - expected.keys():
        assert desks[key].state == DeskState()
        assert desks[key].count == 0
        assert desks[key].anomalies == ()
