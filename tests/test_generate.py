"""Tests of the synthetic log generator: valid, realistic, deterministic, and chaotic on demand.

Expected anomalies are worked out by :func:`expected_anomalies`, a small model of the desk written
from the SPEC's reduction table that reads only the records' content: it is independent of both the
generator and the reducer, and each chaos record is recognised by what it says. Normal records never
repeat a message id anywhere in the log, so a repeated one is a chaos record meant as a duplicate:
the model expects ``duplicate-message`` for it, which its desk's replay must agree with.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskstate import ANOMALY_KINDS, Anomaly, replay, replay_desks, scan
from deskstate.generate import DEFAULT_START, FOREIGN_ORIGIN, generate

PREFIX = "com.iadvize.desk."
ALLOWED = frozenset({"https://ha.iadvize.com", "https://sd.iadvize.com"})
CHANNELS = frozenset({"CHAT", "CALL", "VIDEO", "THIRD_PARTY"})
STATUSES = frozenset({"AVAILABLE", "UNAVAILABLE", "UNAVAILABLE_FORCED"})
PARTICIPANTS = frozenset({"Visitor", "Professional", "Expert"})
#: The catalogue of SPEC §1: each event's required members.
REQUIRED = {
    "CONVERSATION_ADDED": ("conversationId", "projectId"),
    "CONVERSATION_FOCUSED": ("conversationId",),
    "CONVERSATION_FOCUS_LOST": ("conversationId",),
    "CONVERSATION_STATE_BOX_CLICKED": ("conversationId",),
    "CONVERSATION_REMOVED": ("conversationId",),
    "CONVERSATION_VISITOR_UPDATED": ("conversationId", "visitor"),
    "AVAILABILITY_UPDATED": ("availabilities",),
    "CONVERSATION_MESSAGE_ADDED": (
        "conversationId",
        "messageId",
        "projectId",
        "conversationParticipantType",
    ),
}
PROFILE = {
    "visitorId",
    "externalUserId",
    "firstName",
    "lastName",
    "email",
    "phoneNumber",
    "city",
    "country",
}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

Record = dict[str, Any]


def make(events: int, **options: Any) -> list[Record]:
    """The records of ``generate(events, **options)``, typed for the tests' reading."""
    return list(generate(events, **options))


def name(record: Record) -> str:
    return str(record["data"].get("event", "")).removeprefix(PREFIX)


def by_desk(records: Iterable[Record]) -> dict[str, list[Record]]:
    desks: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        desks[record["desk"]].append(record)
    return desks


def anomalies_by_record(records: Sequence[Record]) -> dict[int, list[str]]:
    """The kinds of anomaly each record raised in a lenient per-desk replay, by record index."""
    found: dict[int, list[str]] = defaultdict(list)
    for result in replay_desks(records).values():
        for anomaly in result.anomalies:
            assert anomaly.index is not None
            found[anomaly.index].append(anomaly.kind)
    return found


class Desk:
    """What the SPEC's table says of one desk, as far as anomalies go: open and closed ids."""

    def __init__(self) -> None:
        self.open: set[str] = set()
        self.closed: set[str] = set()

    def where(self, cid: str) -> str:
        if cid in self.open:
            return "open"
        return "closed" if cid in self.closed else "unknown"


def _invalid(event: Record) -> bool:
    members = REQUIRED[event["event"].removeprefix(PREFIX)]
    if any(member not in event for member in members):
        return True
    project = event.get("projectId", 0)
    return not isinstance(project, int) or isinstance(project, bool)


def _availability_kind(entries: list[dict[str, str]]) -> str | None:
    channels = [entry["channel"] for entry in entries]
    if len(set(channels)) < len(channels):
        return "duplicate-channel"
    if any(e["channel"] not in CHANNELS or e["status"] not in STATUSES for e in entries):
        return "unknown-value"
    return None


def expected_anomaly(desk: Desk, sent: set[str], record: Record) -> str | None:
    """The one anomaly ``record`` should raise on ``desk`` (or None), following its effect.

    ``sent`` holds every message id sent so far, on any desk.
    """
    event = record["data"]
    if record["origin"] not in ALLOWED:
        return "foreign-origin"
    kind = name(record)
    if not event["event"].startswith(PREFIX) or kind not in REQUIRED:
        return "unknown-event"
    if _invalid(event):
        return "invalid-event"
    if kind == "AVAILABILITY_UPDATED":
        return _availability_kind(event["availabilities"])
    cid = event["conversationId"]
    where = desk.where(cid)
    if kind == "CONVERSATION_ADDED":
        desk.open.add(cid)
        desk.closed.discard(cid)
        return None
    if kind == "CONVERSATION_REMOVED":
        if where == "open":
            desk.open.remove(cid)
            desk.closed.add(cid)
            return None
        return f"{where}-conversation"
    if kind == "CONVERSATION_FOCUS_LOST":
        return "unknown-conversation" if where == "unknown" else None
    if where != "open":  # the generator never sends these to a conversation not open
        return f"{where}-conversation"
    if kind == "CONVERSATION_MESSAGE_ADDED":
        if event["messageId"] in sent:
            return "duplicate-message"
        sent.add(event["messageId"])
        if event["conversationParticipantType"] not in PARTICIPANTS:
            return "unknown-value"
    return None


def expected_anomalies(records: Sequence[Record]) -> dict[int, list[str]]:
    """The anomalies each record should raise, worked out from the records alone."""
    desks: dict[str, Desk] = defaultdict(Desk)
    sent: set[str] = set()
    expected: dict[int, list[str]] = {}
    for index, record in enumerate(records):
        kind = expected_anomaly(desks[record["desk"]], sent, record)
        if kind is not None:
            expected[index] = [kind]
    return expected


def most_open(records: Sequence[Record]) -> int:
    """The most conversations open at once on any one desk of ``records``."""
    return max(
        (len(state.order) for desk in by_desk(records).values() for state in scan(desk)),
        default=0,
    )


# --- protocol validity ---------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    events=st.integers(0, 150),
    seed=st.integers(0, 2**64),
    max_open=st.integers(1, 5),
    desks=st.integers(1, 4),
)
def test_a_calm_log_replays_strictly_per_desk_within_max_open(
    events: int, seed: int, max_open: int, desks: int
) -> None:
    """A log without chaos replays strictly, per desk, whatever the arguments.

    And no desk ever has more than max_open conversations open.
    """
    records = make(events, seed=seed, max_open=max_open, desks=desks)
    assert len(records) == events
    replay_desks(records, strict=True)
    assert most_open(records) <= max_open


@pytest.mark.parametrize(("seed", "max_open", "desks"), [(0, 8, 1), (1, 3, 5), (2, 1, 3)])
def test_long_logs_replay_strictly(seed: int, max_open: int, desks: int) -> None:
    """Longer logs (a few thousand records) stay valid and within max_open, which they reach."""
    records = make(3000, seed=seed, max_open=max_open, desks=desks)
    results = replay_desks(records, strict=True)
    assert sorted(map(str, results)) == [f"agent-{n:03d}" for n in range(1, desks + 1)]
    assert most_open(records) == max_open


def test_yields_exactly_the_number_of_records_asked() -> None:
    """generate(N) yields N records, none for N = 0."""
    assert make(0) == []
    assert len(make(1)) == 1
    assert len(make(777, desks=3, chaos=0.3)) == 777


# --- determinism and shape -----------------------------------------------------------------------


def test_same_arguments_give_the_same_records() -> None:
    """The generator is pure: equal arguments, equal records, whatever ran in between."""
    first = make(500, seed=7, desks=3, chaos=0.1)
    make(100, seed=8)
    assert make(500, seed=7, desks=3, chaos=0.1) == first


def test_different_seeds_give_different_records() -> None:
    """Another seed gives another log (ids, timing and choices differ)."""
    assert make(50, seed=1) != make(50, seed=2)


def test_a_prefix_is_the_log_of_fewer_events() -> None:
    """Asking for fewer events gives the beginning of the same log."""
    assert make(40, seed=3, desks=2) == make(100, seed=3, desks=2)[:40]


def test_records_are_plain_json_envelopes_with_increasing_int_timestamps() -> None:
    """Each record is an envelope of plain JSON values, with int timestamps strictly increasing.

    It survives a JSON round trip unchanged (no tuples, sets, datetimes...); ``ts`` counts
    milliseconds from the start; ``desk`` is an agent key.
    """
    records = make(2000, seed=4, desks=3, chaos=0.05)
    for record in records:
        assert json.loads(json.dumps(record)) == record  # no tuples, sets, datetimes...
        assert list(record) == ["data", "ts", "desk", "origin"]
        assert type(record["ts"]) is int
        assert re.fullmatch(r"agent-\d{3}", record["desk"])
        assert isinstance(record["data"], dict)
    stamps = [record["ts"] for record in records]
    assert all(a < b for a, b in pairwise(stamps))
    start = int(datetime(2026, 11, 24, 8, tzinfo=UTC).timestamp() * 1000)
    assert start < stamps[0] < start + 60_000


def test_records_are_independent_objects() -> None:
    """Mutating one record (or its visitor, or its availability list) changes no other."""
    records = make(3000, seed=5)
    for record in records:
        data = record["data"]
        for value in data.values():
            if isinstance(value, dict | list):
                value.clear()
    again = make(3000, seed=5)
    assert any(record["data"].get("visitor") for record in again)
    assert any(record["data"].get("availabilities") for record in again)


def test_timestamps_increase_strictly_however_many_desks() -> None:
    """However many desks share the log, no two records have the same ts (gaps of 1 ms at least)."""
    stamps = [record["ts"] for record in make(3000, seed=16, desks=200, chaos=0.1)]
    assert all(a < b for a, b in pairwise(stamps))


def test_start_sets_the_first_timestamps() -> None:
    """The start argument moves the whole log; any timezone will do (ts is epoch milliseconds)."""
    paris = timezone(timedelta(hours=1))
    start = datetime(2027, 1, 4, 10, 30, tzinfo=paris)
    records = make(20, start=start)
    epoch_ms = int(datetime(2027, 1, 4, 9, 30, tzinfo=UTC).timestamp() * 1000)
    assert epoch_ms < records[0]["ts"] < epoch_ms + 60_000
    assert datetime(2026, 11, 24, 8, tzinfo=UTC) == DEFAULT_START


def test_gaps_range_from_milliseconds_to_tens_of_seconds() -> None:
    """On one desk, records come a few hundred ms to tens of seconds apart.

    Quicker for the steps that follow each other at once, like a visitor profile after its
    conversation arrives.
    """
    stamps = [record["ts"] for record in make(5000, seed=6)]
    gaps = [b - a for a, b in pairwise(stamps)]
    assert min(gaps) >= 1
    assert 10_000 < max(gaps) <= 40_300
    assert 1_000 < sorted(gaps)[len(gaps) // 2] < 10_000


# --- realism -------------------------------------------------------------------------------------


def test_every_event_of_the_catalogue_appears() -> None:
    """A long enough log has every event of SPEC §1, and messages from all three participants."""
    records = make(5000, seed=0, desks=2)
    assert {name(record) for record in records} == set(REQUIRED)
    participants = Counter(
        record["data"]["conversationParticipantType"]
        for record in records
        if name(record) == "CONVERSATION_MESSAGE_ADDED"
    )
    assert set(participants) == PARTICIPANTS


def test_the_mix_is_dominated_by_messages() -> None:
    """Messages are the bulk of a desk's traffic (about 60%), focus changes next (about 15%).

    Visitors write a little more than the operator answers, experts only now and then.
    """
    records = make(20_000, seed=1)
    kinds = Counter(name(record) for record in records)
    share = {kind: count / len(records) for kind, count in kinds.items()}
    assert 0.50 < share["CONVERSATION_MESSAGE_ADDED"] < 0.70
    assert 0.10 < share["CONVERSATION_FOCUSED"] + share["CONVERSATION_FOCUS_LOST"] < 0.25
    for kind in set(REQUIRED) - {"CONVERSATION_MESSAGE_ADDED"}:
        assert share[kind] < 0.10, kind
    participants = Counter(
        record["data"]["conversationParticipantType"]
        for record in records
        if name(record) == "CONVERSATION_MESSAGE_ADDED"
    )
    assert participants["Visitor"] > participants["Professional"] > 5 * participants["Expert"] > 0


def test_ids_look_like_uuids_and_messages_are_unique() -> None:
    """Conversation and message ids are UUID-shaped, and no message id is ever sent twice."""
    records = make(3000, seed=2, desks=2)
    mids = [r["data"]["messageId"] for r in records if name(r) == "CONVERSATION_MESSAGE_ADDED"]
    cids = {r["data"]["conversationId"] for r in records if "conversationId" in r["data"]}
    assert len(set(mids)) == len(mids)
    assert all(UUID.fullmatch(identifier) for identifier in [*mids, *cids])


def test_each_desk_has_a_few_projects() -> None:
    """Conversations of a desk belong to a few projects (integers), stable per conversation."""
    records = make(3000, seed=3, desks=2)
    for desk_records in by_desk(records).values():
        projects: dict[str, set[int]] = defaultdict(set)
        for record in desk_records:
            if name(record) == "CONVERSATION_ADDED":
                projects[record["data"]["conversationId"]].add(record["data"]["projectId"])
        distinct = set().union(*projects.values())
        assert all(len(ids) == 1 for ids in projects.values())
        assert 2 <= len(distinct) <= 8  # its own few, plus transferred ones


def test_visitors_first_appear_anonymous_then_authenticate() -> None:
    """A visitor first appears anonymous, and later often authenticates.

    The first profile of a conversation has only a visitorId; a later one for the same visitor has
    every field (names, email, phone, city, country).
    """
    records = make(3000, seed=4)
    profiles: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        if name(record) == "CONVERSATION_VISITOR_UPDATED":
            profiles[record["data"]["conversationId"]].append(record["data"]["visitor"])
    authenticated = 0
    for seen in profiles.values():
        assert set(seen[0]) == {"visitorId"}
        full = [profile for profile in seen if "email" in profile]
        if full:
            authenticated += 1
            assert set(full[0]) == PROFILE
            assert full[0]["visitorId"] == seen[0]["visitorId"]
            assert re.fullmatch(r"[a-z]+\.[a-z]+@example\.(com|org|net)", full[0]["email"])
    assert 0.2 * len(profiles) < authenticated < len(profiles)


def test_the_operator_answers_in_the_focused_conversation() -> None:
    """Professional messages go to the focused conversation, which the desk mostly has."""
    records = make(3000, seed=5)
    states = scan(records)
    next(states)
    professional = 0
    for record, state in zip(records, states, strict=True):
        if record["data"].get("conversationParticipantType") == "Professional":
            professional += 1
            assert state.focused_id == record["data"]["conversationId"]
    assert professional > 500


def test_focus_goes_often_to_conversations_with_unread_messages() -> None:
    """When the operator moves the focus, the conversation it goes to often has unread messages."""
    records = make(5000, seed=6)
    states = list(scan(records))
    focused = [
        states[index].conversations[record["data"]["conversationId"]].unread
        for index, record in enumerate(records)
        if name(record) == "CONVERSATION_FOCUSED"
        and record["data"]["conversationId"] in states[index].conversations
    ]
    assert sum(1 for unread in focused if unread > 0) > len(focused) / 2


def test_focus_lost_comes_before_or_late_after_the_next_focus() -> None:
    """The previous focus's FOCUS_LOST comes sometimes before the next FOCUSED, sometimes after.

    A late one (after) raises no anomaly and leaves the newer focus in place (SPEC §4).
    """
    records = make(3000, seed=7)
    states = list(scan(records, strict=True))
    late = before = 0
    for index, record in enumerate(records):
        if name(record) != "CONVERSATION_FOCUS_LOST":
            continue
        cid = record["data"]["conversationId"]
        previous, after = states[index], states[index + 1]
        if previous.focused_id == cid:
            before += 1
            assert after.focused_id is None
        elif previous.focused_id is not None:
            late += 1
            assert after.focused_id == previous.focused_id
    assert late > 50
    assert before > 50


def test_conversations_are_closed_snoozed_and_readded() -> None:
    """Conversations leave the desk; some come back on the same desk (a snooze).

    CONVERSATION_ADDED of a closed conversation reopens it without an anomaly, messages kept.
    """
    records = make(5000, seed=8)
    removed: set[str] = set()
    readded = []
    for record in records:
        cid = record["data"].get("conversationId")
        if name(record) == "CONVERSATION_REMOVED":
            removed.add(cid)
        elif name(record) == "CONVERSATION_ADDED" and cid in removed:
            removed.discard(cid)
            readded.append(cid)
    assert len(readded) >= 5
    final = replay(records, strict=True).state
    reopened = [final.conversations.get(cid) or final.closed[cid] for cid in readded]
    assert any(conversation.messages for conversation in reopened)


def test_conversations_are_transferred_between_desks() -> None:
    """With several desks, conversations are transferred: removed from one, added to another.

    The same id comes back on the other desk and goes on there; a single desk never transfers.
    """
    records = make(5000, seed=9, desks=3)
    last_removed: dict[str, str] = {}  # conversation id -> desk it last left
    transferred: list[tuple[int, str, str]] = []
    for index, record in enumerate(records):
        cid = record["data"].get("conversationId")
        if name(record) == "CONVERSATION_REMOVED":
            last_removed[cid] = record["desk"]
        elif name(record) == "CONVERSATION_ADDED" and cid in last_removed:
            left = last_removed.pop(cid)
            if left != record["desk"]:
                transferred.append((index, cid, record["desk"]))
    assert len(transferred) >= 10
    continued = sum(
        any(
            r["desk"] == desk and r["data"].get("conversationId") == cid
            for r in records[index + 1 :]
            if name(r) == "CONVERSATION_MESSAGE_ADDED"
        )
        for index, cid, desk in transferred
    )
    assert continued > len(transferred) / 2
    assert {record["desk"] for record in make(5000, seed=9)} == {"agent-001"}


def test_availability_reports_all_four_channels_and_changes() -> None:
    """AVAILABILITY_UPDATED lists each of the four channels once, with known statuses.

    The desk reports it when it connects (its first record), then from time to time, changed.
    """
    records = make(5000, seed=10, desks=2)
    for desk_records in by_desk(records).values():
        assert name(desk_records[0]) == "AVAILABILITY_UPDATED"
        reports = [
            tuple((e["channel"], e["status"]) for e in r["data"]["availabilities"])
            for r in desk_records
            if name(r) == "AVAILABILITY_UPDATED"
        ]
        for report in reports:
            assert sorted(channel for channel, _ in report) == sorted(CHANNELS)
            assert {status for _, status in report} <= STATUSES
        assert all(a != b for a, b in pairwise(reports))
        assert len(reports) >= 10


def test_desks_are_served_from_the_desk_origins() -> None:
    """Without chaos every record comes from one of the two desk origins, both in use."""
    records = make(2000, seed=0, desks=12)
    assert {record["origin"] for record in records} == ALLOWED


# --- chaos ---------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    events=st.integers(0, 150),
    seed=st.integers(0, 2**64),
    max_open=st.integers(1, 5),
    desks=st.integers(1, 4),
    chaos=st.sampled_from([0.0, 0.05, 0.3, 0.7, 1.0]) | st.floats(0, 1),
)
def test_each_chaos_record_raises_exactly_its_anomaly(
    events: int, seed: int, max_open: int, desks: int, chaos: float
) -> None:
    """In a per-desk replay, each chaos record raises exactly one anomaly, of its kind.

    The kind is the one its content calls for; every other record raises none, whatever the
    arguments; chaos never opens a conversation.
    """
    records = make(events, seed=seed, max_open=max_open, desks=desks, chaos=chaos)
    assert anomalies_by_record(records) == expected_anomalies(records)
    assert most_open(records) <= max_open


@pytest.mark.parametrize(
    ("seed", "max_open", "desks", "chaos"), [(0, 2, 2, 0.3), (1, 3, 4, 0.1), (2, 1, 3, 0.5)]
)
def test_chaos_stays_exact_in_long_logs_with_transfers(
    seed: int, max_open: int, desks: int, chaos: float
) -> None:
    """Over thousands of records, with conversations moving between desks, chaos stays exact.

    Each chaos record raises exactly its anomaly (a re-sent message id is a duplicate on the desk
    it is sent to, even for a conversation that came from another desk), and nothing else does.
    """
    records = make(4000, seed=seed, max_open=max_open, desks=desks, chaos=chaos)
    expected = expected_anomalies(records)
    assert anomalies_by_record(records) == expected
    assert {kind for kinds in expected.values() for kind in kinds} == set(ANOMALY_KINDS)


def test_chaos_cycles_through_every_anomaly_kind() -> None:
    """Chaos records take the eight anomaly kinds in turn: each appears, as often as the others.

    Give or take a kind postponed until it was possible; the replay finds as many of each.
    """
    records = make(20_000, seed=11, desks=3, chaos=0.05)
    expected = expected_anomalies(records)
    kinds = Counter(kind for found in expected.values() for kind in found)
    assert set(kinds) == set(ANOMALY_KINDS)
    assert max(kinds.values()) - min(kinds.values()) <= 2
    first_eight = [expected[index][0] for index in sorted(expected)[:8]]
    assert sorted(first_eight) == sorted(ANOMALY_KINDS)
    found = Counter(kind for kinds in anomalies_by_record(records).values() for kind in kinds)
    assert found == kinds


@pytest.mark.parametrize("chaos", [0.02, 0.1, 0.5])
def test_the_share_of_chaos_records_is_close_to_p(chaos: float) -> None:
    """About a share P of the records are anomalous (within five standard deviations)."""
    events = 10_000
    records = make(events, seed=12, desks=2, chaos=chaos)
    made = len(expected_anomalies(records))
    spread = 5 * (events * chaos * (1 - chaos)) ** 0.5
    assert abs(made - events * chaos) < spread


def test_full_chaos_makes_every_record_anomalous() -> None:
    """With chaos=1 every record is anomalous, of the six kinds that need nothing.

    The kinds that need a closed conversation or a message (which only normal records make)
    cannot be made.
    """
    records = make(80, seed=13, desks=2, chaos=1.0)
    expected = expected_anomalies(records)
    assert sorted(expected) == list(range(80))
    assert anomalies_by_record(records) == expected
    kinds = Counter(kind for found in expected.values() for kind in found)
    assert set(kinds) == set(ANOMALY_KINDS) - {"closed-conversation", "duplicate-message"}


def test_foreign_origin_records_are_harmless_valid_events() -> None:
    """A foreign-origin chaos record is a valid, harmless event sent from FOREIGN_ORIGIN.

    Even a replay trusting every origin applies it without any anomaly, then or later.
    """
    records = make(2000, seed=14, chaos=0.2)
    foreign = [index for index, record in enumerate(records) if record["origin"] == FOREIGN_ORIGIN]
    assert len(foreign) > 20
    assert FOREIGN_ORIGIN not in ALLOWED
    expected = expected_anomalies(records)
    assert all(expected.pop(index) == ["foreign-origin"] for index in foreign)
    trusted: dict[int, list[str]] = defaultdict(list)
    for result in replay_desks(records, allowed_origins=None).values():
        for anomaly in result.anomalies:
            assert anomaly.index is not None
            trusted[anomaly.index].append(anomaly.kind)
    assert trusted == expected


def _located_elsewhere(anomaly: Anomaly) -> tuple[str, str, str | None, int | None]:
    return (anomaly.kind, anomaly.message, anomaly.conversation_id, anomaly.line)


def test_a_multi_desk_replay_equals_replaying_each_desk_alone() -> None:
    """Replaying the interleaved log by desk equals replaying each desk's records alone.

    Same state, same count, same anomalies but for their index in the whole log.
    """
    records = make(3000, seed=15, desks=4, chaos=0.1)
    together = replay_desks(records)
    alone = {desk: replay(desk_records) for desk, desk_records in by_desk(records).items()}
    assert set(together) == set(alone)
    for desk, result in alone.items():
        assert together[desk].state == result.state
        assert together[desk].count == result.count
        assert [_located_elsewhere(a) for a in together[desk].anomalies] == [
            _located_elsewhere(a) for a in result.anomalies
        ]
        assert result.anomalies


# --- arguments -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"events": -1}, ValueError, r"events to be at least 0, got -1"),
        ({"max_open": 0}, ValueError, r"max_open to be at least 1, got 0"),
        ({"desks": 0}, ValueError, r"desks to be at least 1, got 0"),
        ({"chaos": 1.5}, ValueError, r"chaos to be a number from 0 to 1, got 1\.5"),
        ({"chaos": -0.1}, ValueError, r"chaos to be a number from 0 to 1, got -0\.1"),
        ({"chaos": float("nan")}, ValueError, r"chaos to be a number from 0 to 1, got nan"),
        ({"events": 2.5}, TypeError, r"events to be an integer, got 2\.5"),
        ({"events": True}, TypeError, r"events to be an integer, got True"),
        ({"seed": "7"}, TypeError, r"seed to be an integer, got '7'"),
        ({"desks": "3"}, TypeError, r"desks to be an integer, got '3'"),
        ({"chaos": "0.1"}, TypeError, r"chaos to be a number from 0 to 1, got '0\.1'"),
        ({"start": "2026-11-24"}, TypeError, r"start to be a datetime, got '2026-11-24'"),
        ({"start": datetime(2026, 11, 24)}, ValueError, r"start to be an aware datetime"),
    ],
)
def test_bad_arguments_are_refused_at_the_call(
    arguments: dict[str, Any], error: type[Exception], message: str
) -> None:
    """Each bad argument is refused when generate() is called, before any record is asked for.

    The message names the argument, what was expected and what came in.
    """
    options = {"events": 10, **arguments}
    with pytest.raises(error, match=r"^generate\(\) needs " + message):
        generate(**options)
