"""Tests for log records (SPEC §2) and their replay (SPEC §6): envelopes, origins, scan, desks."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from helpers import added, clicked, envelope, focused, message, removed
from pyrsistent import pvector

from deskstate import (
    DEFAULT_ORIGINS,
    ConversationAdded,
    ConversationFocused,
    DeskState,
    InvalidEvent,
    LogLine,
    ProtocolError,
    Replay,
    replay,
    replay_desks,
    scan,
)
from deskstate.records import OpenedRecord, open_record
from deskstate.replay import apply_record

HA = "https://ha.iadvize.com"
SD = "https://sd.iadvize.com"

TS = "2026-11-24T09:30:00.125Z"
AT = datetime(2026, 11, 24, 9, 30, 0, 125000, tzinfo=UTC)
TS_2 = "2026-11-24T10:31:02.250+01:00"
AT_2 = datetime(2026, 11, 24, 9, 31, 2, 250000, tzinfo=UTC)
TS_3 = 1795512720500  # epoch milliseconds: 2026-11-24T09:32:00.500Z
AT_3 = datetime(2026, 11, 24, 9, 32, 0, 500000, tzinfo=UTC)

#: The envelope of SPEC §2, verbatim.
SPEC_ENVELOPE: dict[str, Any] = {
    "data": {"event": "com.iadvize.desk.CONVERSATION_FOCUSED", "conversationId": "c1"},
    "ts": "2026-11-24T09:30:00.125Z",
    "desk": "agent-42",
    "origin": "https://ha.iadvize.com",
}


def nested_dicts(levels: int) -> dict[str, Any]:
    """An object nested ``levels`` deep (itself level 1), built without recursion."""
    inner: dict[str, Any] = {"leaf": 1}
    for _ in range(levels - 1):
        inner = {"k": inner}
    return inner


def kinds_and_indices(outcome: Replay) -> list[tuple[str, int | None]]:
    """The (kind, index) of each anomaly of a replay, in order."""
    return [(anomaly.kind, anomaly.index) for anomaly in outcome.anomalies]


# --- open_record ----------------------------------------------------------------------------------


def test_open_record_reads_a_bare_event() -> None:
    """A bare event opens to its parsed event, with no desk and no origin."""
    assert open_record(focused("c1")) == OpenedRecord(ConversationFocused("c1"), None, None)


def test_open_record_passes_a_parsed_event_through() -> None:
    """An already parsed event is its own record: the very same object comes back."""
    event = ConversationAdded("c1", 7)
    assert open_record(event).event is event


def test_open_record_reads_the_spec_envelope() -> None:
    """The SPEC's envelope opens to its event stamped with ``ts``, its desk and its origin."""
    opened = open_record(SPEC_ENVELOPE)
    assert opened == OpenedRecord(ConversationFocused("c1", ts=AT), "agent-42", HA)
    assert opened.desk == "agent-42"
    assert opened.origin == HA


@pytest.mark.parametrize(("ts", "expected"), [(TS, AT), (TS_2, AT_2), (TS_3, AT_3)])
def test_open_record_reads_every_form_of_ts(ts: object, expected: datetime) -> None:
    """An envelope's ts may be ISO-8601 with Z, with an offset, or epoch milliseconds."""
    opened = open_record(envelope(added("c1"), ts=ts))
    assert opened.event.ts == expected


def test_an_envelope_with_only_data_has_no_ts_desk_or_origin() -> None:
    """Every envelope member but ``data`` is optional."""
    assert open_record(envelope(added("c1"))) == OpenedRecord(
        ConversationAdded("c1", 1234), None, None
    )


#: Malformed envelope members: (member, value).
MALFORMED_MEMBERS: list[tuple[str, object]] = [
    ("ts", "yesterday"),
    ("ts", "2026-11-24T09:30:00"),
    ("ts", True),
    ("ts", [2026, 11, 24]),
    ("ts", {"ms": 1}),
    ("ts", float("nan")),
    ("desk", ""),
    ("desk", 42),
    ("desk", ["agent-42"]),
    ("desk", True),
    ("origin", ""),
    ("origin", 1),
    ("origin", [HA]),
    ("origin", {"host": "ha.iadvize.com"}),
]

#: Envelopes whose ``data`` is not an event object.
MALFORMED_DATA: list[object] = ["x", [], None, 5, [focused("c1")], True]


@pytest.mark.parametrize(("member", "value"), MALFORMED_MEMBERS, ids=repr)
def test_open_record_refuses_a_malformed_envelope_member_naming_it(
    member: str, value: object
) -> None:
    """A ts that is not a timestamp, or a desk/origin that is not a non-empty string, is invalid."""
    record = envelope(added("c1"), **{member: value})
    with pytest.raises(InvalidEvent, match=member):
        open_record(record)


@pytest.mark.parametrize("data", MALFORMED_DATA, ids=repr)
def test_open_record_refuses_data_that_is_not_an_object(data: object) -> None:
    """An envelope's ``data`` must be an event object."""
    with pytest.raises(InvalidEvent):
        open_record({"data": data, "ts": TS, "desk": "agent-42"})


def test_open_record_refuses_an_envelope_around_an_invalid_event() -> None:
    """An envelope around an event of the wrong type is invalid, with the event's own message."""
    bad = added("c1")
    bad["projectId"] = "1234"
    with pytest.raises(InvalidEvent, match="projectId must be an integer, got '1234'"):
        open_record(envelope(bad, ts=TS, desk="agent-42"))


# --- envelopes through replay ---------------------------------------------------------------------


def test_envelope_ts_shows_in_clock_added_at_and_message_at() -> None:
    """An envelope's ts stamps the event: the clock, the conversation's added_at, a message's at."""
    outcome = replay(
        [
            envelope(added("c1"), ts=TS),
            envelope(message("c1", "m1"), ts=TS_2),
        ]
    )
    assert outcome.anomalies == ()
    conversation = outcome.state.conversations["c1"]
    assert conversation.added_at == AT
    assert conversation.messages[0].at == AT_2
    assert outcome.state.clock == AT_2


def test_envelope_ts_shows_in_removed_at() -> None:
    """The ts of a CONVERSATION_REMOVED envelope is the closed conversation's removed_at."""
    outcome = replay([envelope(added("c1"), ts=TS), envelope(removed("c1"), ts=TS_3)])
    assert outcome.state.closed["c1"].removed_at == AT_3
    assert outcome.state.clock == AT_3


def test_bare_events_leave_the_clock_unset() -> None:
    """Events without an envelope carry no timestamp: the clock and added_at stay None."""
    outcome = replay([added("c1"), message("c1", "m1")])
    assert outcome.state.clock is None
    assert outcome.state.conversations["c1"].added_at is None
    assert outcome.state.conversations["c1"].messages[0].at is None


@pytest.mark.parametrize(("member", "value"), MALFORMED_MEMBERS, ids=repr)
def test_a_malformed_envelope_member_is_reported_with_its_record_index(
    member: str, value: object
) -> None:
    """A malformed ts, desk or origin is not applied: invalid-event, with the record's index."""
    outcome = replay(
        [added("c1"), envelope(added("c2"), **{member: value}), envelope(added("c3"), ts=TS)]
    )
    assert kinds_and_indices(outcome) == [("invalid-event", 1)]
    assert list(outcome.state.order) == ["c1", "c3"]
    assert outcome.count == 3


@pytest.mark.parametrize("data", MALFORMED_DATA, ids=repr)
def test_envelope_data_that_is_not_an_object_is_reported_with_its_record_index(
    data: object,
) -> None:
    """An envelope whose data is not an object is reported as invalid-event at its index."""
    outcome = replay([added("c1"), added("c2"), {"data": data, "ts": TS}])
    assert kinds_and_indices(outcome) == [("invalid-event", 2)]
    assert list(outcome.state.order) == ["c1", "c2"]


def test_an_envelope_may_be_nested_64_levels_in_all() -> None:
    """Depth counts from the envelope: envelope 1, data 2, its members' values from 3 to 64."""
    event = focused("c1")
    event["extra"] = nested_dicts(62)
    record = envelope(event, meta=nested_dicts(63))
    outcome = replay([added("c1"), record])
    assert outcome.anomalies == ()
    assert outcome.state.focused_id == "c1"


@pytest.mark.parametrize("levels", [63, 99_999], ids=["65-levels", "100000-levels"])
@pytest.mark.parametrize("where", ["data", "envelope"])
def test_an_envelope_nested_deeper_than_64_levels_is_reported(levels: int, where: str) -> None:
    """Too deep in data or in an ignored envelope member: invalid-event, never RecursionError."""
    event = focused("c1")
    if where == "data":
        event["extra"] = nested_dicts(levels)
        record = envelope(event)
    else:
        record = envelope(event, meta=nested_dicts(levels + 1))
    outcome = replay([added("c1"), record])
    assert kinds_and_indices(outcome) == [("invalid-event", 1)]
    assert outcome.state.focused_id is None


# --- the origin allow-list ------------------------------------------------------------------------


def test_default_origins_are_exactly_the_two_desk_origins() -> None:
    """The default allow-list is exactly the two origins the iAdvize desk is served from."""
    assert set(DEFAULT_ORIGINS) == {HA, SD}


@pytest.mark.parametrize("origin", [HA, SD])
def test_records_from_a_desk_origin_are_applied_by_default(origin: str) -> None:
    """A record from https://ha.iadvize.com or https://sd.iadvize.com is applied."""
    outcome = replay([envelope(added("c1"), origin=origin)])
    assert outcome.anomalies == ()
    assert list(outcome.state.order) == ["c1"]


FOREIGN_ORIGINS = [
    "https://ha.iadvize.com/",
    "http://ha.iadvize.com",
    "https://ha.iadvize.com:443",
    "https://HA.iadvize.com",
    "https://ha.iadvize.com.evil.example",
    "https://evil.example",
    "https://iadvize.com",
    "https://ha.iadvize.com ",
    " https://ha.iadvize.com",
    "ha.iadvize.com",
    "null",
    "https://sd.iadvize.com/app",
]


@pytest.mark.parametrize("origin", FOREIGN_ORIGINS)
def test_records_from_any_other_origin_are_not_applied(origin: str) -> None:
    """Origins are compared exactly: a slash, another scheme, an explicit :443... is foreign."""
    outcome = replay(
        [
            envelope(added("c1"), origin=HA, ts=TS),
            envelope(added("c2"), origin=origin, ts=TS_2),
        ]
    )
    assert kinds_and_indices(outcome) == [("foreign-origin", 1)]
    assert list(outcome.state.order) == ["c1"]
    assert outcome.state.clock == AT
    assert outcome.state.version == 1
    assert outcome.count == 2


def test_a_foreign_origin_anomaly_names_the_conversation() -> None:
    """The foreign-origin anomaly names the conversation the refused event was about."""
    outcome = replay([envelope(added("c9"), origin="https://evil.example")])
    (anomaly,) = outcome.anomalies
    assert anomaly.kind == "foreign-origin"
    assert anomaly.conversation_id == "c9"
    assert anomaly.index == 0


def test_records_without_origin_are_trusted() -> None:
    """A record without origin (bare, or an envelope without one) is applied."""
    outcome = replay([added("c1"), envelope(added("c2")), envelope(added("c3"), desk="agent-1")])
    assert outcome.anomalies == ()
    assert list(outcome.state.order) == ["c1", "c2", "c3"]


@pytest.mark.parametrize(
    "make",
    [list, tuple, frozenset, set, lambda origins: (origin for origin in origins)],
    ids=["list", "tuple", "frozenset", "set", "generator"],
)
def test_an_explicit_allow_list_replaces_the_default(
    make: Callable[[list[str]], Iterable[str]],
) -> None:
    """An explicit allowed_origins is the whole list: the default origins are then refused."""
    mine = "https://crm.example.com"
    outcome = replay(
        [
            envelope(added("c1"), origin=mine),
            envelope(added("c2"), origin=HA),
            envelope(added("c3"), origin=SD),
            envelope(added("c4")),
        ],
        allowed_origins=make([mine]),
    )
    assert kinds_and_indices(outcome) == [("foreign-origin", 1), ("foreign-origin", 2)]
    assert list(outcome.state.order) == ["c1", "c4"]


def test_an_empty_allow_list_refuses_every_origin_but_trusts_records_without_one() -> None:
    """allowed_origins=[] refuses every record that names an origin."""
    outcome = replay(
        [envelope(added("c1"), origin=HA), added("c2")],
        allowed_origins=[],
    )
    assert kinds_and_indices(outcome) == [("foreign-origin", 0)]
    assert list(outcome.state.order) == ["c2"]


def test_allowed_origins_none_trusts_every_origin() -> None:
    """allowed_origins=None applies records whatever their origin."""
    outcome = replay(
        [
            envelope(added("c1"), origin="https://evil.example"),
            envelope(added("c2"), origin="null"),
            envelope(added("c3"), origin=HA),
        ],
        allowed_origins=None,
    )
    assert outcome.anomalies == ()
    assert list(outcome.state.order) == ["c1", "c2", "c3"]


def _replay_all(records: list[object], origins: Any) -> object:
    return replay(records, allowed_origins=origins)


def _replay_desks_all(records: list[object], origins: Any) -> object:
    return replay_desks(records, allowed_origins=origins)


def _scan_all(records: list[object], origins: Any) -> object:
    return list(scan(records, allowed_origins=origins))


@pytest.mark.parametrize(
    "run", [_replay_all, _replay_desks_all, _scan_all], ids=["replay", "replay_desks", "scan"]
)
@pytest.mark.parametrize("records", [[], [added("c1")]], ids=["empty", "one"])
def test_a_single_string_as_allowed_origins_is_a_type_error(
    run: Callable[[list[object], Any], object], records: list[object]
) -> None:
    """allowed_origins="https://..." is a mistake (a string is a collection of characters)."""
    with pytest.raises(TypeError, match="allowed_origins"):
        run(records, HA)


# --- replay ---------------------------------------------------------------------------------------


def test_replay_of_nothing_is_the_empty_desk() -> None:
    """Replaying no records gives the empty desk, no anomalies, a count of 0."""
    outcome = replay([])
    assert outcome == Replay(DeskState(), (), 0)


def test_count_counts_applied_and_reported_records() -> None:
    """Replay.count is every record read: applied ones, and ones reported instead of applied."""
    outcome = replay(
        [
            added("c1"),
            "not an event",
            envelope(added("c2"), origin="https://evil.example"),
            focused("c1"),
            focused("ghost"),
        ]
    )
    assert outcome.count == 5
    assert kinds_and_indices(outcome) == [
        ("invalid-event", 1),
        ("foreign-origin", 2),
        ("unknown-conversation", 4),
    ]


def test_replay_reads_records_from_any_iterable_once() -> None:
    """Records may come from a generator (a log read lazily): each is read exactly once."""

    def records() -> Iterator[object]:
        yield added("c1")
        yield clicked("c1")

    outcome = replay(records())
    assert outcome.count == 2
    assert outcome.state.conversations["c1"].state_box_clicks == 1


#: Records that cannot be applied, whatever the desk.
BAD_RECORDS: list[object] = [
    None,
    5,
    "text",
    [],
    {},
    {"event": 5},
    {"event": "com.iadvize.desk.CONVERSATION_ADDED", "conversationId": "c2", "projectId": "1234"},
    {"data": added("c2"), "ts": "yesterday"},
    {"data": added("c2"), "ts": 10**30},
    {"data": added("c2"), "ts": 10**400},
    {"data": added("c2"), "ts": "9999-12-31T23:59:59-01:00"},
    {"data": added("c2"), "ts": "0001-01-01T00:00:00+01:00"},
    {"data": added("c2"), "desk": ""},
    {"event": "com.iadvize.desk.FUTURE", "x": {1, 2}},
    LogLine(line=3, error="line 3 is not JSON"),
]
BAD_IDS = [
    "None",
    "int",
    "str",
    "list",
    "empty-object",
    "event-int",
    "project-string",
    "ts-garbage",
    "ts-huge",
    "ts-too-huge-for-float",
    "ts-iso-past-year-9999-in-utc",
    "ts-iso-before-year-1-in-utc",
    "desk-empty",
    "unknown-with-set",
    "logline-error",
]


@pytest.mark.parametrize("bad", BAD_RECORDS, ids=BAD_IDS)
def test_lenient_replay_never_stops(bad: object) -> None:
    """A record that cannot be applied is reported as invalid-event and replay goes on."""
    outcome = replay([added("c1"), bad, focused("c1")])
    assert kinds_and_indices(outcome) == [("invalid-event", 1)]
    assert outcome.state.focused_id == "c1"
    assert list(outcome.state.order) == ["c1"]
    assert outcome.count == 3


def test_lenient_replay_goes_on_after_a_record_nested_100000_levels() -> None:
    """A record nested 100000 levels deep is reported, not a RecursionError, and replay goes on."""
    deep = {**removed("c1"), "extra": nested_dicts(100_000)}
    outcome = replay([added("c1"), deep, focused("c1")])
    assert kinds_and_indices(outcome) == [("invalid-event", 1)]
    assert outcome.state.focused_id == "c1"


@pytest.mark.parametrize("bad", BAD_RECORDS, ids=BAD_IDS)
def test_strict_replay_stops_at_an_invalid_record_with_its_index(bad: object) -> None:
    """Strict replay raises ProtocolError whose anomaly carries the record index."""
    with pytest.raises(ProtocolError) as excinfo:
        replay([added("c1"), focused("c1"), bad, removed("c1")], strict=True)
    assert excinfo.value.anomaly.kind == "invalid-event"
    assert excinfo.value.anomaly.index == 2
    assert "record 2" in str(excinfo.value)


def test_strict_replay_stops_at_a_foreign_origin() -> None:
    """A foreign record stops a strict replay: ProtocolError, foreign-origin, with its index."""
    records = [added("c1"), envelope(added("c2"), origin="https://evil.example")]
    with pytest.raises(ProtocolError) as excinfo:
        replay(records, strict=True)
    assert excinfo.value.anomaly.kind == "foreign-origin"
    assert excinfo.value.anomaly.index == 1


def test_strict_replay_stops_at_a_reduction_anomaly_with_its_index() -> None:
    """An event that parses but raises an anomaly stops a strict replay, with its index."""
    with pytest.raises(ProtocolError) as excinfo:
        replay([added("c1"), focused("c1"), focused("ghost")], strict=True)
    assert excinfo.value.anomaly.kind == "unknown-conversation"
    assert excinfo.value.anomaly.index == 2
    assert excinfo.value.anomaly.conversation_id == "ghost"


def test_strict_replay_of_good_records_equals_lenient_replay() -> None:
    """Strict replay of records without anomalies gives the same Replay as lenient replay."""
    records = [envelope(added("c1"), ts=TS, origin=HA), focused("c1"), message("c1", "m1")]
    assert replay(records, strict=True) == replay(records)


def test_log_lines_with_an_error_are_reported_with_their_line() -> None:
    """A LogLine with an error is reported as invalid-event with its line and record index."""
    outcome = replay(
        [
            LogLine(line=1, value=added("c1")),
            LogLine(line=7, error="Expecting value: line 1 column 1 (char 0)"),
        ]
    )
    (anomaly,) = outcome.anomalies
    assert anomaly.kind == "invalid-event"
    assert anomaly.line == 7
    assert anomaly.index == 1
    assert "Expecting value" in anomaly.message
    assert list(outcome.state.order) == ["c1"]
    assert outcome.count == 2


def test_log_lines_with_a_value_are_applied_and_their_anomalies_carry_the_line() -> None:
    """A LogLine's value is the record; anomalies it raises carry both its index and its line."""
    outcome = replay(
        [
            LogLine(line=2, value=envelope(added("c1"), ts=TS)),
            LogLine(line=5, value=focused("ghost")),
            LogLine(line=6, value="not an event"),
        ]
    )
    assert [(a.kind, a.index, a.line) for a in outcome.anomalies] == [
        ("unknown-conversation", 1, 5),
        ("invalid-event", 2, 6),
    ]
    assert outcome.state.conversations["c1"].added_at == AT


def test_strict_replay_of_a_log_line_names_the_line() -> None:
    """ProtocolError from a LogLine carries the line as well as the record index."""
    with pytest.raises(ProtocolError) as excinfo:
        replay([added("c1"), LogLine(line=7, error="not JSON")], strict=True)
    assert excinfo.value.anomaly.line == 7
    assert excinfo.value.anomaly.index == 1
    assert "line 7" in str(excinfo.value)


# --- scan -----------------------------------------------------------------------------------------

SCANNED: list[object] = [
    added("c1"),
    envelope(added("c2"), ts=TS),
    "not an event",
    focused("c2"),
    envelope(removed("c2"), origin="https://evil.example"),
    removed("c1"),
]


def test_scan_yields_the_initial_desk_then_one_snapshot_per_record() -> None:
    """Scanning yields len(records) + 1 snapshots, the first being the empty desk."""
    snapshots = list(scan(SCANNED))
    assert len(snapshots) == len(SCANNED) + 1
    assert snapshots[0] == DeskState()


def test_scan_item_n_is_the_desk_after_n_records() -> None:
    """Item n of scan is the desk after the first n records, as replaying them gives it."""
    snapshots = list(scan(SCANNED))
    for n, snapshot in enumerate(snapshots):
        assert snapshot == replay(SCANNED[:n]).state, n


def test_scan_snapshots_show_each_step() -> None:
    """The snapshots of scan are the desk as each record left it."""
    snapshots = list(scan(SCANNED))
    assert snapshots[1].order == pvector(["c1"])
    assert snapshots[2].order == pvector(["c1", "c2"])
    assert snapshots[2].clock == AT
    assert snapshots[4].focused_id == "c2"
    assert snapshots[6].order == pvector(["c2"])
    assert set(snapshots[6].closed) == {"c1"}


@pytest.mark.parametrize("reported", [2, 4], ids=["invalid", "foreign"])
def test_scan_yields_the_same_desk_for_a_reported_record(reported: int) -> None:
    """A record reported rather than applied yields the desk unchanged: the very same object."""
    snapshots = list(scan(SCANNED))
    assert snapshots[reported + 1] is snapshots[reported]


def test_scan_starts_from_initial() -> None:
    """With ``initial``, scan's first snapshot is that desk and the records fold onto it."""
    start = replay([added("c0")]).state
    snapshots = list(scan([added("c1")], initial=start))
    assert snapshots[0] is start
    assert list(snapshots[1].order) == ["c0", "c1"]


def test_scan_is_lazy_so_islice_gives_the_desk_after_n_events() -> None:
    """Scanning reads records only as asked: islice gives the desk after N of an endless log."""
    endless = (added(f"c{i}") for i in itertools.count())
    after_three = next(itertools.islice(scan(endless), 3, None))
    assert list(after_three.order) == ["c0", "c1", "c2"]


def test_strict_scan_stops_at_the_first_anomaly() -> None:
    """Strict scan yields the snapshots before the bad record, then raises ProtocolError."""
    snapshots = scan([added("c1"), "bad", added("c2")], strict=True)
    assert next(snapshots) == DeskState()
    assert list(next(snapshots).order) == ["c1"]
    with pytest.raises(ProtocolError) as excinfo:
        next(snapshots)
    assert excinfo.value.anomaly.index == 1


# --- replay_desks ---------------------------------------------------------------------------------

INTERLEAVED: list[object] = [
    envelope(added("a1"), desk="agent-1", ts=TS),
    envelope(added("b1"), desk="agent-2"),
    added("n1"),
    envelope(focused("a1"), desk="agent-1", origin=HA),
    envelope({"event": 5}, desk="agent-2"),
    envelope(message("b1", "m1"), desk="agent-2", ts=TS_2),
    envelope(removed("n1")),
    envelope(added("a2"), desk="agent-1", origin="https://evil.example"),
]


def _records_of(desk: str | None) -> list[object]:
    return [
        record for record in INTERLEAVED if isinstance(record, dict) and record.get("desk") == desk
    ]


def test_replay_desks_gives_one_replay_per_desk_and_none_for_records_without_one() -> None:
    """Each desk named by an envelope has its Replay; records without a desk are under None."""
    desks = replay_desks(INTERLEAVED)
    assert set(desks) == {"agent-1", "agent-2", None}
    assert all(isinstance(outcome, Replay) for outcome in desks.values())


@pytest.mark.parametrize("desk", ["agent-1", "agent-2", None])
def test_each_desk_replays_as_its_records_alone(desk: str | None) -> None:
    """Each desk's state and count equal those of replaying that desk's records alone."""
    alone = replay(_records_of(desk))
    outcome = replay_desks(INTERLEAVED)[desk]
    assert outcome.state == alone.state
    assert outcome.count == alone.count


def test_replay_desks_keeps_the_desks_apart() -> None:
    """Nothing of one desk shows in another; anomalies keep their index in the whole log."""
    desks = replay_desks(INTERLEAVED)
    assert list(desks["agent-1"].state.order) == ["a1"]
    assert desks["agent-1"].state.focused_id == "a1"
    assert desks["agent-1"].state.clock == AT
    assert list(desks["agent-2"].state.order) == ["b1"]
    assert desks["agent-2"].state.conversations["b1"].messages[0].at == AT_2
    assert list(desks[None].state.order) == []
    assert set(desks[None].state.closed) == {"n1"}
    assert kinds_and_indices(desks["agent-1"]) == [("foreign-origin", 7)]
    assert kinds_and_indices(desks["agent-2"]) == [("invalid-event", 4)]
    assert desks[None].anomalies == ()
    assert [desks[key].count for key in ("agent-1", "agent-2", None)] == [3, 3, 2]


def test_apply_record_applies_one_record_as_replay_does() -> None:
    """apply_record applies an envelope's event, with no record index on its anomalies."""
    state = apply_record(DeskState(), envelope(added("c1"), ts=1_000)).state
    event, after, anomalies = apply_record(state, envelope(focused("c2")))
    assert event is not None and event.conversation_id == "c2"  # type: ignore[union-attr]
    assert after.focused_id == "c2"
    assert [(a.kind, a.index, a.line) for a in anomalies] == [("unknown-conversation", None, None)]


def test_apply_record_reports_what_it_cannot_apply() -> None:
    """An unreadable or foreign record leaves the very same snapshot, with the reason."""
    state = DeskState()
    bad = apply_record(state, LogLine(7, error="line is not JSON"))
    assert bad.event is None and bad.state is state
    assert [(a.kind, a.line) for a in bad.anomalies] == [("invalid-event", 7)]
    foreign = apply_record(state, envelope(added("c1"), origin="https://evil.example"))
    assert foreign.state is state and foreign.anomalies[0].kind == "foreign-origin"
    trusted = apply_record(
        state, envelope(added("c1"), origin="https://evil.example"), allowed_origins=None
    )
    assert trusted.anomalies == () and "c1" in trusted.state.conversations
