"""What changed between two snapshots: ``diff`` and its facts (SPEC §9, §13 "Facts from diff").

Expected facts are written by hand from the SPEC and the rules in the module docstring of
``deskstate.facts``, never produced by the code under test. The property tests drive ``diff`` with
the sessions of ``deskstate.testing`` and compare it with what the queries say of each snapshot.
"""

from __future__ import annotations

import gc
import json
import typing
import weakref
from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise
from typing import Any, NoReturn

import attrs
import pytest
from helpers import (
    PREFIX,
    added,
    availability,
    clicked,
    focus_lost,
    focused,
    fold,
    message,
    removed,
    visitor_updated,
)
from hypothesis import given
from hypothesis import strategies as st
from pyrsistent import PMap, pmap, pvector

from deskstate import (
    Conversation,
    DeskState,
    from_dict,
    query,
    reduce,
    scan,
    step,
    to_dict,
)
from deskstate.facts import (
    FACT_KINDS,
    AvailabilityChanged,
    ConversationClosed,
    ConversationOpened,
    ConversationReopened,
    Fact,
    FactKind,
    FocusMoved,
    MessageAppended,
    StateBoxClicked,
    UnreadChanged,
    VisitorChanged,
    diff,
    diff_touched,
)
from deskstate.state import HashMap
from deskstate.testing import chaotic_streams, streams

Raw = dict[str, Any]

# --- the desks the cells start from --------------------------------------------------------------

# c1: visitor v1, one unread Visitor message m1, clicked once; c2: clicked once and focused.
OPEN_EVENTS: tuple[Raw, ...] = (
    availability(("CHAT", "AVAILABLE"), ("CALL", "UNAVAILABLE")),
    added("c1", 1234),
    added("c2", 5678),
    visitor_updated("c1", visitorId="v1"),
    message("c1", "m1", "Visitor"),
    clicked("c1"),
    clicked("c2"),
    focused("c2"),
)
# The same desk after c1 left it (its unread message, visitor and click kept on the closed record).
CLOSED_EVENTS: tuple[Raw, ...] = (*OPEN_EVENTS, removed("c1"))


def build(events: Iterable[Raw]) -> DeskState:
    """Reduce ``events`` from the empty desk, checking that none of them raises an anomaly."""
    state = DeskState()
    for event in events:
        state, anomalies = step(state, event)
        assert anomalies == (), f"setup event {event!r} raised {anomalies!r}"
    return state


def test_the_starting_desks_are_what_the_cells_assume() -> None:
    """The open desk has c1 (v1, m1 unread, 1 click) and c2 (focused); the closed one c1 closed."""
    open_desk = build(OPEN_EVENTS)
    assert list(open_desk.order) == ["c1", "c2"]
    assert open_desk.focused_id == "c2"
    c1 = open_desk.conversations["c1"]
    assert (dict(c1.visitor), [m.id for m in c1.messages], c1.unread, c1.state_box_clicks) == (
        {"visitorId": "v1"},
        ["m1"],
        1,
        1,
    )
    closed_desk = build(CLOSED_EVENTS)
    assert list(closed_desk.order) == ["c2"]
    assert closed_desk.closed["c1"].unread == 1


def transition(events: Sequence[Raw], event: Raw) -> tuple[Fact, ...]:
    """The facts of one more ``event`` reduced into the desk built from ``events``."""
    before = build(events)
    return diff(before, reduce(before, event))


V1 = {"visitorId": "v1"}

# --- SPEC §4, column "open conversation" ---------------------------------------------------------

OPEN_CELLS = [
    pytest.param(added("c1", 9999), (), id="ADDED-refresh-nothing"),
    pytest.param(
        focused("c1"),
        (UnreadChanged("c1", 1, 0), FocusMoved("c2", "c1")),
        id="FOCUSED-reads-then-moves-focus",
    ),
    pytest.param(focused("c2"), (), id="FOCUSED-already-focused-nothing"),
    pytest.param(focus_lost("c2"), (FocusMoved("c2", None),), id="FOCUS_LOST-of-the-focused"),
    pytest.param(focus_lost("c1"), (), id="FOCUS_LOST-of-another-nothing"),
    pytest.param(clicked("c1"), (StateBoxClicked("c1", 1, 2),), id="STATE_BOX_CLICKED"),
    pytest.param(removed("c1"), (ConversationClosed("c1"),), id="REMOVED-closes"),
    pytest.param(
        removed("c2"),
        (ConversationClosed("c2"), FocusMoved("c2", None)),
        id="REMOVED-of-the-focused-closes-then-clears-focus",
    ),
    pytest.param(
        visitor_updated("c1", visitorId="v1", firstName="Ada"),
        (VisitorChanged("c1", V1, {"visitorId": "v1", "firstName": "Ada"}),),
        id="VISITOR_UPDATED-replaces",
    ),
    pytest.param(visitor_updated("c1", visitorId="v1"), (), id="VISITOR_UPDATED-same-nothing"),
    pytest.param(
        message("c1", "m2", "Visitor"),
        (MessageAppended("c1", "m2", "Visitor"), UnreadChanged("c1", 1, 2)),
        id="MESSAGE_ADDED-unfocused-waits",
    ),
    pytest.param(
        message("c1", "m2", "Professional"),
        (MessageAppended("c1", "m2", "Professional"),),
        id="MESSAGE_ADDED-professional-does-not-wait",
    ),
    pytest.param(
        message("c2", "m2", "Expert"),
        (MessageAppended("c2", "m2", "Expert"),),
        id="MESSAGE_ADDED-to-the-focused-is-read",
    ),
    pytest.param(message("c1", "m1", "Visitor"), (), id="MESSAGE_ADDED-duplicate-nothing"),
]


@pytest.mark.parametrize(("event", "expected"), OPEN_CELLS)
def test_an_event_on_an_open_conversation_gives_the_facts_of_its_cell(
    event: Raw, expected: tuple[Fact, ...]
) -> None:
    """Each event on an open conversation (column "open" of §4) gives exactly these facts."""
    assert transition(OPEN_EVENTS, event) == expected


# --- SPEC §4, column "closed conversation" -------------------------------------------------------

CLOSED_CELLS = [
    pytest.param(
        added("c1", 4321), (ConversationReopened("c1"),), id="ADDED-reopens-keeping-unread"
    ),
    pytest.param(
        focused("c1"),
        (ConversationReopened("c1"), UnreadChanged("c1", 1, 0), FocusMoved("c2", "c1")),
        id="FOCUSED-reopens-reads-and-focuses",
    ),
    pytest.param(focus_lost("c1"), (), id="FOCUS_LOST-nothing"),
    pytest.param(
        clicked("c1"), (StateBoxClicked("c1", 1, 2),), id="STATE_BOX_CLICKED-on-the-record"
    ),
    pytest.param(removed("c1"), (), id="REMOVED-nothing"),
    pytest.param(
        visitor_updated("c1", visitorId="v2"),
        (VisitorChanged("c1", V1, {"visitorId": "v2"}),),
        id="VISITOR_UPDATED-on-the-record",
    ),
    pytest.param(
        message("c1", "m2", "Visitor"),
        (MessageAppended("c1", "m2", "Visitor"), UnreadChanged("c1", 1, 2)),
        id="MESSAGE_ADDED-to-the-record",
    ),
    pytest.param(message("c1", "m1", "Expert"), (), id="MESSAGE_ADDED-duplicate-nothing"),
]


@pytest.mark.parametrize(("event", "expected"), CLOSED_CELLS)
def test_an_event_on_a_closed_conversation_gives_the_facts_of_its_cell(
    event: Raw, expected: tuple[Fact, ...]
) -> None:
    """Each event on a closed conversation (column "closed" of §4) gives exactly these facts."""
    before = build(CLOSED_EVENTS)
    assert diff(before, step(before, event).state) == expected


# --- SPEC §4, column "unknown conversation" ------------------------------------------------------

UNKNOWN_CELLS = [
    pytest.param(added("c9", 7777), (ConversationOpened("c9"),), id="ADDED-opens"),
    pytest.param(
        focused("c9"),
        (ConversationOpened("c9"), FocusMoved("c2", "c9")),
        id="FOCUSED-opens-then-focus-moves",
    ),
    pytest.param(focus_lost("c9"), (), id="FOCUS_LOST-nothing"),
    pytest.param(
        clicked("c9"),
        (ConversationOpened("c9"), StateBoxClicked("c9", 1, 1)),
        id="STATE_BOX_CLICKED-opens-and-counts",
    ),
    pytest.param(removed("c9"), (), id="REMOVED-nothing"),
    pytest.param(
        visitor_updated("c9", visitorId="v9"),
        (ConversationOpened("c9"), VisitorChanged("c9", {}, {"visitorId": "v9"})),
        id="VISITOR_UPDATED-opens-with-the-visitor",
    ),
    pytest.param(
        message("c9", "m9", "Visitor"),
        (
            ConversationOpened("c9"),
            MessageAppended("c9", "m9", "Visitor"),
            UnreadChanged("c9", 0, 1),
        ),
        id="MESSAGE_ADDED-opens-appends-and-waits",
    ),
]


@pytest.mark.parametrize(("event", "expected"), UNKNOWN_CELLS)
def test_an_event_on_an_unknown_conversation_gives_the_facts_of_its_cell(
    event: Raw, expected: tuple[Fact, ...]
) -> None:
    """Each event naming an unknown conversation (column "unknown" of §4) gives these facts."""
    before = build(OPEN_EVENTS)
    assert diff(before, step(before, event).state) == expected


# --- the rest of §4 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        pytest.param(availability(("CALL", "UNAVAILABLE"), ("CHAT", "AVAILABLE")), (), id="same"),
        pytest.param(
            availability(("VIDEO", "AVAILABLE"), ("CHAT", "UNAVAILABLE")),
            (
                AvailabilityChanged("CALL", "UNAVAILABLE", None),
                AvailabilityChanged("CHAT", "AVAILABLE", "UNAVAILABLE"),
                AvailabilityChanged("VIDEO", None, "AVAILABLE"),
            ),
            id="changed-dropped-and-new-channels-by-name",
        ),
        pytest.param(
            availability(("CHAT", "BUSY"), ("CALL", "UNAVAILABLE")),
            (AvailabilityChanged("CHAT", "AVAILABLE", "BUSY"),),
            id="unknown-status-as-given",
        ),
        pytest.param(
            availability(),
            (
                AvailabilityChanged("CALL", "UNAVAILABLE", None),
                AvailabilityChanged("CHAT", "AVAILABLE", None),
            ),
            id="empty-list",
        ),
    ],
)
def test_availability_updated_gives_one_fact_per_channel_that_changed(
    event: Raw, expected: tuple[Fact, ...]
) -> None:
    """AVAILABILITY_UPDATED gives availability-changed for each channel whose status changed."""
    assert transition(OPEN_EVENTS, event) == expected


def test_an_unknown_event_gives_no_fact() -> None:
    """An event outside the catalogue changes only version: no fact."""
    assert transition(OPEN_EVENTS, {"event": PREFIX + "CONVERSATION_ARCHIVED"}) == ()


def test_announcing_an_implicit_conversation_gives_no_fact() -> None:
    """ADDED of an implicitly opened conversation changes implicit and project: not facts."""
    before = fold(focused("c9"))
    after = reduce(before, added("c9", 1234))
    assert after != before
    assert diff(before, after) == ()


# --- nothing changed -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "events", [(), OPEN_EVENTS, CLOSED_EVENTS], ids=["empty", "open", "closed"]
)
def test_a_snapshot_diffed_with_itself_gives_nothing(events: tuple[Raw, ...]) -> None:
    """diff(s, s) is empty."""
    state = build(events)
    assert diff(state, state) == ()


@pytest.mark.parametrize(
    "events", [(), OPEN_EVENTS, CLOSED_EVENTS], ids=["empty", "open", "closed"]
)
def test_equal_snapshots_that_are_not_the_same_object_give_nothing(events: tuple[Raw, ...]) -> None:
    """Snapshots equal but built apart (replayed twice, or read back) give no fact either way."""
    state = build(events)
    for twin in (build(events), from_dict(json.loads(json.dumps(to_dict(state))))):
        assert twin == state
        assert twin is not state
        assert diff(state, twin) == ()
        assert diff(twin, state) == ()


def test_version_clock_and_order_alone_are_not_facts() -> None:
    """A conversation closed and reopened in between (it moved in the order) gives no fact."""
    before = fold(added("a"), added("b"))
    after = fold(removed("a"), added("a"), start=before)
    assert list(after.order) == ["b", "a"]
    assert after.version == before.version + 2
    assert diff(before, after) == ()


def test_a_conversation_untouched_by_an_event_appears_in_no_fact() -> None:
    """Only the conversation an event names appears in the facts, never its neighbours."""
    before = build([*OPEN_EVENTS, added("c3"), message("c3", "x", "Expert")])
    for event in (message("c2", "m5", "Visitor"), clicked("c2"), visitor_updated("c2", a=1)):
        facts = diff(before, reduce(before, event))
        assert facts
        assert {fact.conversation_id for fact in facts} == {"c2"}


class Explosive:
    """A value that refuses to be compared: diff must never need to look at it."""

    def __eq__(self, other: object) -> bool:
        raise AssertionError("diff compared a value it should have skipped by identity")

    __hash__ = object.__hash__


def test_diff_skips_what_did_not_change_by_identity() -> None:
    """Sub-structures that are the same object are never compared by value (nor their items)."""
    visitor: PMap[str, Any] = pmap({"x": Explosive()})
    state = DeskState(
        conversations=pmap({"c1": Conversation("c1", visitor=visitor), "c2": Conversation("c2")}),
        order=pvector(["c1", "c2"]),
        availability=pmap({"CHAT": "AVAILABLE"}),
    )
    after = reduce(state, message("c2", "m1", "Visitor"))
    assert after.conversations["c1"].visitor is visitor
    assert diff(state, after) == (
        MessageAppended("c2", "m1", "Visitor"),
        UnreadChanged("c2", 0, 1),
    )


# --- many steps at once --------------------------------------------------------------------------

SESSION: tuple[Raw, ...] = (
    availability(("CHAT", "AVAILABLE")),  # 1
    added("a"),  # 2
    added("b"),  # 3: the desk after 3 records
    message("a", "m1", "Visitor"),
    focused("a"),
    message("a", "m2", "Professional"),
    visitor_updated("b", firstName="Grace"),
    message("b", "m3", "Visitor"),
    removed("a"),
    added("c"),
    clicked("c"),
    clicked("c"),
    message("z", "m9", "Expert"),  # opens z implicitly
    removed("c"),
    availability(("CHAT", "UNAVAILABLE"), ("CALL", "AVAILABLE")),
    focused("b"),  # 16: the desk after 16 records
)


def after(records: Sequence[Raw], count: int) -> DeskState:
    """The desk after the first ``count`` records, as ``deskstate diff --from/--to`` sees it."""
    for index, state in enumerate(scan(records)):
        if index == count:
            return state
    raise AssertionError(f"fewer than {count} records")


def test_a_diff_over_many_steps_tells_the_whole_change_in_order() -> None:
    """After 3 vs 16 records: open ones in desk order, gone ones by id, focus, availability."""
    assert diff(after(SESSION, 3), after(SESSION, 16)) == (
        # b, open in both: its visitor and message; its unread went 0 -> 1 -> 0, so no fact.
        VisitorChanged("b", {}, {"firstName": "Grace"}),
        MessageAppended("b", "m3", "Visitor"),
        # z, opened implicitly by an Expert message it has not read.
        ConversationOpened("z"),
        MessageAppended("z", "m9", "Expert"),
        UnreadChanged("z", 0, 1),
        # a, closed: its messages first, the closing last.
        MessageAppended("a", "m1", "Visitor"),
        MessageAppended("a", "m2", "Professional"),
        ConversationClosed("a"),
        # c came and went in between.
        ConversationOpened("c"),
        StateBoxClicked("c", 2, 2),
        ConversationClosed("c"),
        FocusMoved(None, "b"),
        AvailabilityChanged("CALL", None, "AVAILABLE"),
        AvailabilityChanged("CHAT", "AVAILABLE", "UNAVAILABLE"),
    )


def test_a_diff_backwards_describes_the_older_desk_with_the_kinds_there_are() -> None:
    """After 16 vs after 3: reopened, visitor back to unknown, closed, no fact for lost messages."""
    assert diff(after(SESSION, 16), after(SESSION, 3)) == (
        ConversationReopened("a"),  # its messages are gone: no kind of fact says so
        VisitorChanged("b", {"firstName": "Grace"}, {}),
        # c: closed in the later desk, unknown in the earlier: a record vanishing is no fact.
        ConversationClosed("z"),  # open, then absent
        FocusMoved("b", None),
        AvailabilityChanged("CALL", "AVAILABLE", None),
        AvailabilityChanged("CHAT", "UNAVAILABLE", "AVAILABLE"),
    )


def test_a_conversation_that_came_and_went_tells_its_story_in_order() -> None:
    """Within a conversation: opened, visitor, messages in order, clicks, unread, closed."""
    before = build(OPEN_EVENTS)
    later = fold(
        message("c9", "m1", "Visitor"),
        clicked("c9"),
        visitor_updated("c9", visitorId="v9"),
        message("c9", "m2", "Expert"),
        clicked("c9"),
        removed("c9"),
        start=before,
    )
    assert diff(before, later) == (
        ConversationOpened("c9"),
        VisitorChanged("c9", {}, {"visitorId": "v9"}),
        MessageAppended("c9", "m1", "Visitor"),
        MessageAppended("c9", "m2", "Expert"),
        StateBoxClicked("c9", 2, 2),
        UnreadChanged("c9", 0, 2),
        ConversationClosed("c9"),
    )


def test_facts_follow_desk_order_then_ids_then_focus_then_availability() -> None:
    """Open conversations in new desk order (not by id), then closed by id, then desk facts."""
    before = fold(added("z"), added("a"), added("m"), added("k"), removed("k"))
    later = fold(
        availability(("VIDEO", "AVAILABLE"), ("CHAT", "AVAILABLE")),
        message("a", "x1", "Professional"),
        removed("m"),
        clicked("k"),
        message("z", "x2", "Visitor"),
        focused("a"),
        start=before,
    )
    assert diff(before, later) == (
        MessageAppended("z", "x2", "Visitor"),
        UnreadChanged("z", 0, 1),
        MessageAppended("a", "x1", "Professional"),
        StateBoxClicked("k", 1, 1),
        ConversationClosed("m"),
        FocusMoved(None, "a"),
        AvailabilityChanged("CHAT", None, "AVAILABLE"),
        AvailabilityChanged("VIDEO", None, "AVAILABLE"),
    )


# --- snapshots of different histories ------------------------------------------------------------


def test_messages_of_unrelated_snapshots_are_compared_by_id() -> None:
    """Two histories of one conversation: the messages whose id the old one lacks, in new order."""
    old = fold(
        added("c1"), message("c1", "m1", "Professional"), message("c1", "m2", "Professional")
    )
    new = fold(
        added("c1"),
        message("c1", "m3", "Professional"),
        message("c1", "m1", "Professional"),
        message("c1", "m4", "Professional"),
    )
    assert diff(old, new) == (
        MessageAppended("c1", "m3", "Professional"),
        MessageAppended("c1", "m4", "Professional"),
    )


def test_a_click_count_that_went_down_is_told_as_negative_clicks() -> None:
    """Diffing backwards, fewer clicks give state-box-clicked with negative clicks, new total."""
    old = fold(added("c1"), clicked("c1"), clicked("c1"), clicked("c1"))
    new = fold(added("c1"), clicked("c1"))
    assert diff(old, new) == (StateBoxClicked("c1", -2, 1),)


def test_a_desk_built_by_hand_breaking_invariants_still_gets_an_answer() -> None:
    """Ids open and closed at once, or missing from order: open wins, unordered ones go last."""
    odd = DeskState(
        conversations=pmap({"b": Conversation("b", unread=1), "a": Conversation("a")}),
        order=pvector(["a"]),
        closed=pmap({"a": Conversation("a", state_box_clicks=4)}),
        focused_id="zz",
    )
    assert diff(DeskState(), odd) == (
        ConversationOpened("a"),
        ConversationOpened("b"),
        UnreadChanged("b", 0, 1),
        FocusMoved(None, "zz"),
    )


def test_diff_refuses_what_is_not_a_snapshot() -> None:
    """Diffing anything but two DeskState objects is a TypeError naming the argument."""
    with pytest.raises(TypeError, match="got dict as new"):
        diff(DeskState(), to_dict(DeskState()))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="got NoneType as old"):
        diff(None, DeskState())  # type: ignore[arg-type]


# --- the facts themselves ------------------------------------------------------------------------

ONE_OF_EACH: list[Fact] = [
    ConversationOpened("c1"),
    ConversationReopened("c1"),
    ConversationClosed("c1"),
    FocusMoved("c1", "c2"),
    VisitorChanged("c1", {"visitorId": "v1"}, {"visitorId": "v1", "tags": ["vip"], "x": {"y": 1}}),
    MessageAppended("c1", "m1", "Visitor"),
    UnreadChanged("c1", 1, 0),
    AvailabilityChanged("CHAT", "AVAILABLE", None),
    StateBoxClicked("c1", 1, 3),
]


def test_there_is_one_fact_class_per_kind_and_the_kinds_are_the_specs() -> None:
    """FACT_KINDS lists the nine kinds of the SPEC, as FactKind does, each with its own class."""
    assert FACT_KINDS == (
        "conversation-opened",
        "conversation-reopened",
        "conversation-closed",
        "focus-moved",
        "visitor-changed",
        "message-appended",
        "unread-changed",
        "availability-changed",
        "state-box-clicked",
    )
    assert typing.get_args(FactKind) == FACT_KINDS
    assert sorted(fact.kind for fact in ONE_OF_EACH) == sorted(FACT_KINDS)
    assert set(typing.get_args(Fact)) == {type(fact) for fact in ONE_OF_EACH}


@pytest.mark.parametrize("fact", ONE_OF_EACH, ids=lambda fact: fact.kind)
def test_kind_is_not_a_constructor_argument(fact: Fact) -> None:
    """A caller cannot give a fact the wrong kind: kind is fixed by the class."""
    fields = {field.name: field for field in attrs.fields(type(fact))}
    assert not fields["kind"].init
    with pytest.raises(TypeError):
        type(fact)(kind="focus-moved")  # type: ignore[call-arg]


@pytest.mark.parametrize("fact", ONE_OF_EACH, ids=lambda fact: fact.kind)
def test_facts_are_frozen(fact: Fact) -> None:
    """Assigning to any member of a fact raises; facts hash (they can go in sets)."""
    for field in attrs.fields(type(fact)):
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(fact, field.name, None)
    assert hash(fact) == hash(attrs.evolve(fact))


def test_visitor_profiles_in_facts_are_immutable_whatever_the_caller_gave() -> None:
    """VisitorChanged deep-freezes plain dicts it is given: mutating them later changes nothing."""
    given_profile: dict[str, Any] = {"tags": ["vip"]}
    fact = VisitorChanged("c1", {}, given_profile)
    given_profile["tags"].append("late")
    assert isinstance(fact.new, PMap)
    assert fact.new == pmap({"tags": pvector(["vip"])})
    assert fact == VisitorChanged("c1", pmap(), pmap({"tags": pvector(["vip"])}))


@pytest.mark.parametrize(
    ("fact", "expected"),
    [
        (ConversationOpened("c1"), {"kind": "conversation-opened", "conversation_id": "c1"}),
        (ConversationReopened("c1"), {"kind": "conversation-reopened", "conversation_id": "c1"}),
        (ConversationClosed("c1"), {"kind": "conversation-closed", "conversation_id": "c1"}),
        (
            FocusMoved("c1", None),
            {"kind": "focus-moved", "conversation_id": None, "old_id": "c1", "new_id": None},
        ),
        (
            VisitorChanged("c1", {}, {"tags": ["vip"], "x": {"y": None}}),
            {
                "kind": "visitor-changed",
                "conversation_id": "c1",
                "old": {},
                "new": {"tags": ["vip"], "x": {"y": None}},
            },
        ),
        (
            MessageAppended("c1", "m1", "Expert"),
            {
                "kind": "message-appended",
                "conversation_id": "c1",
                "message_id": "m1",
                "participant": "Expert",
            },
        ),
        (
            UnreadChanged("c1", 0, 2),
            {"kind": "unread-changed", "conversation_id": "c1", "old": 0, "new": 2},
        ),
        (
            AvailabilityChanged("CALL", None, "AVAILABLE"),
            {
                "kind": "availability-changed",
                "conversation_id": None,
                "channel": "CALL",
                "old": None,
                "new": "AVAILABLE",
            },
        ),
        (
            StateBoxClicked("c1", 2, 5),
            {"kind": "state-box-clicked", "conversation_id": "c1", "clicks": 2, "total": 5},
        ),
    ],
    ids=lambda value: getattr(value, "kind", ""),
)
def test_to_dict_is_plain_json_with_kind_first(fact: Fact, expected: dict[str, object]) -> None:
    """to_dict gives plain JSON data: kind first, conversation_id next, then the kind's members."""
    form = fact.to_dict()
    assert form == expected
    assert list(form)[:2] == ["kind", "conversation_id"]
    assert list(form) == list(expected)
    assert json.loads(json.dumps(form)) == form


@pytest.mark.parametrize(
    ("fact", "sentence"),
    [
        (ConversationOpened("c1"), "conversation c1 opened"),
        (ConversationReopened("c1"), "conversation c1 reopened"),
        (ConversationClosed("c1"), "conversation c1 closed"),
        (FocusMoved("c1", "c2"), "focus moved from c1 to c2"),
        (FocusMoved(None, "c2"), "focus moved to c2"),
        (FocusMoved("c1", None), "focus left c1"),
        (
            VisitorChanged("c1", {"email": "a@b", "city": "Nantes"}, {"city": "Paris", "age": 3}),
            "visitor of c1 changed: age, city, email",
        ),
        (MessageAppended("c1", "m1", "Visitor"), "message m1 from Visitor appended to c1"),
        (UnreadChanged("c1", 3, 0), "unread of c1 went from 3 to 0"),
        (
            AvailabilityChanged("CHAT", "AVAILABLE", "UNAVAILABLE"),
            "CHAT availability went from AVAILABLE to UNAVAILABLE",
        ),
        (AvailabilityChanged("CALL", None, "AVAILABLE"), "CALL availability reported as AVAILABLE"),
        (
            AvailabilityChanged("VIDEO", "AVAILABLE", None),
            "VIDEO availability no longer reported (was AVAILABLE)",
        ),
        (StateBoxClicked("c1", 1, 1), "state box of c1 clicked once (1 in all)"),
        (StateBoxClicked("c1", 3, 4), "state box of c1 clicked 3 times (4 in all)"),
        (StateBoxClicked("c1", -2, 1), "state box clicks of c1 went down by 2 (to 1)"),
        (ConversationOpened("a b"), "conversation 'a b' opened"),
        (MessageAppended("c\n1", "", "Visitor"), "message '' from Visitor appended to 'c\\n1'"),
    ],
    ids=lambda value: value if isinstance(value, str) else value.kind,
)
def test_describe_says_the_fact_in_one_sentence(fact: Fact, sentence: str) -> None:
    """describe() is one line for a person; ids that would not read plainly are quoted."""
    assert fact.describe() == sentence


# --- properties over generated sessions ----------------------------------------------------------

SESSIONS = {"streams": streams(), "chaotic_streams": chaotic_streams()}
by_source = pytest.mark.parametrize("source", list(SESSIONS))


def session(data: st.DataObject, source: str) -> tuple[list[Raw], list[DeskState]]:
    """A drawn session and every snapshot of it, from the empty desk to the last."""
    records = data.draw(SESSIONS[source], label=source)
    return records, list(scan(records))


def snapshots(data: st.DataObject, source: str) -> list[DeskState]:
    """Every snapshot of a drawn session, from the empty desk to the last."""
    return session(data, source)[1]


def named(record: Raw) -> set[str]:
    """The conversation a record names, if any (a superset of what it changed)."""
    cid = record.get("conversationId")
    return {cid} if isinstance(cid, str) else set()


#: The order of a conversation's facts (module docstring of deskstate.facts).
RANK: dict[str, int] = {
    "conversation-opened": 0,
    "conversation-reopened": 0,
    "visitor-changed": 1,
    "message-appended": 2,
    "state-box-clicked": 3,
    "unread-changed": 4,
    "conversation-closed": 5,
}


def where(state: DeskState, cid: str) -> str | None:
    """``"open"``, ``"closed"`` or ``None``, as the queries say."""
    if query.is_open(state, cid):
        return "open"
    return "closed" if query.conversation(state, cid) is not None else None


def known_ids(state: DeskState) -> set[str]:
    return {c.id for c in (*query.open_conversations(state), *query.closed_conversations(state))}


def clicks(state: DeskState, cid: str) -> int:
    found = query.conversation(state, cid)
    return 0 if found is None else found.state_box_clicks


def profile(state: DeskState, cid: str) -> Mapping[str, object]:
    return query.visitor(state, cid) or pmap()


LIFECYCLE_KINDS = {"conversation-opened", "conversation-reopened", "conversation-closed"}
#: The lifecycle facts of a conversation by where it is (open, closed, None) in old and new.
LIFECYCLE: dict[tuple[str | None, str | None], list[str]] = {
    (None, "open"): ["conversation-opened"],
    ("closed", "open"): ["conversation-reopened"],
    ("open", "closed"): ["conversation-closed"],
    ("open", None): ["conversation-closed"],
    (None, "closed"): ["conversation-opened", "conversation-closed"],
}


def check_facts(old: DeskState, new: DeskState, facts: tuple[Fact, ...]) -> None:
    """The facts are exactly what the queries say changed from ``old`` to ``new``, in order."""
    assert type(facts) is tuple
    # Each conversation's facts, against the queries of both snapshots.
    by_id: dict[str, list[Fact]] = {}
    for fact in facts:
        if fact.conversation_id is not None:
            by_id.setdefault(fact.conversation_id, []).append(fact)
    for cid in known_ids(old) | known_ids(new):
        mine = by_id.pop(cid, [])
        kinds = [fact.kind for fact in mine]
        lifecycle = [kind for kind in kinds if kind in LIFECYCLE_KINDS]
        assert lifecycle == LIFECYCLE.get((where(old, cid), where(new, cid)), []), cid
        assert kinds == sorted(kinds, key=RANK.__getitem__), cid
        if where(new, cid) is None:
            assert kinds in ([], ["conversation-closed"]), cid
            continue
        visitors = [(f.old, f.new) for f in mine if isinstance(f, VisitorChanged)]
        old_visitor, new_visitor = profile(old, cid), profile(new, cid)
        assert visitors == ([] if old_visitor == new_visitor else [(old_visitor, new_visitor)])
        unread = [(f.old, f.new) for f in mine if isinstance(f, UnreadChanged)]
        old_unread, new_unread = query.unread_count(old, cid), query.unread_count(new, cid)
        assert unread == ([] if old_unread == new_unread else [(old_unread, new_unread)])
        counted = [(f.clicks, f.total) for f in mine if isinstance(f, StateBoxClicked)]
        before, now = clicks(old, cid), clicks(new, cid)
        assert counted == ([] if before == now else [(now - before, now)])
        had = {m.id for m in query.messages(old, cid)}
        appended = [(f.message_id, f.participant) for f in mine if isinstance(f, MessageAppended)]
        assert appended == [
            (m.id, m.participant) for m in query.messages(new, cid) if m.id not in had
        ]
    assert by_id == {}, "facts about conversations neither snapshot has"
    # Conversations one after another: open ones in new desk order, then the others by id.
    runs = [cid for cid in (fact.conversation_id for fact in facts) if cid is not None]
    sequence = [cid for i, cid in enumerate(runs) if i == 0 or runs[i - 1] != cid]
    named = set(sequence)
    assert sequence == [cid for cid in new.order if cid in named] + sorted(named - set(new.order))
    # Then the desk: focus, then availability by channel.
    desk = [fact for fact in facts if fact.conversation_id is None]
    assert list(facts[len(facts) - len(desk) :]) == desk
    focus = [(f.old_id, f.new_id) for f in desk if isinstance(f, FocusMoved)]
    moved = old.focused_id != new.focused_id
    assert focus == ([(old.focused_id, new.focused_id)] if moved else [])
    assert not focus or isinstance(desk[0], FocusMoved)
    channels = sorted(set(old.availability) | set(new.availability))
    assert [(f.channel, f.old, f.new) for f in desk if isinstance(f, AvailabilityChanged)] == [
        (ch, query.availability(old, ch), query.availability(new, ch))
        for ch in channels
        if query.availability(old, ch) != query.availability(new, ch)
    ]
    for fact in facts:
        assert json.loads(json.dumps(fact.to_dict())) == fact.to_dict()


View = dict[str, Any]


def view(state: DeskState) -> View:
    """What the queries say of ``state`` that facts describe."""
    return {
        "focus": state.focused_id,
        "availability": dict(state.availability),
        "conversations": {
            cid: {
                "open": query.is_open(state, cid),
                "visitor": profile(state, cid),
                "messages": [(m.id, m.participant) for m in query.messages(state, cid)],
                "unread": query.unread_count(state, cid),
                "clicks": clicks(state, cid),
            }
            for cid in known_ids(state)
        },
    }


def apply(facts: Iterable[Fact], seen: View) -> View:
    """``seen`` updated by ``facts`` in order, as a UI following them would do."""
    desk = {**seen, "availability": dict(seen["availability"])}
    conversations = {cid: dict(record) for cid, record in seen["conversations"].items()}
    desk["conversations"] = conversations
    for fact in facts:
        if isinstance(fact, FocusMoved):
            assert desk["focus"] == fact.old_id
            desk["focus"] = fact.new_id
        elif isinstance(fact, AvailabilityChanged):
            assert desk["availability"].get(fact.channel) == fact.old
            if fact.new is None:
                del desk["availability"][fact.channel]
            else:
                desk["availability"][fact.channel] = fact.new
        elif isinstance(fact, ConversationOpened):
            assert fact.conversation_id not in conversations
            conversations[fact.conversation_id] = {
                "open": True,
                "visitor": pmap(),
                "messages": [],
                "unread": 0,
                "clicks": 0,
            }
        else:
            record = conversations[fact.conversation_id]
            if isinstance(fact, ConversationReopened | ConversationClosed):
                assert record["open"] is isinstance(fact, ConversationClosed)
                record["open"] = isinstance(fact, ConversationReopened)
            elif isinstance(fact, VisitorChanged):
                assert record["visitor"] == fact.old
                record["visitor"] = fact.new
            elif isinstance(fact, MessageAppended):
                record["messages"] = [*record["messages"], (fact.message_id, fact.participant)]
            elif isinstance(fact, UnreadChanged):
                assert record["unread"] == fact.old
                record["unread"] = fact.new
            else:
                record["clicks"] += fact.clicks
                assert record["clicks"] == fact.total
    return desk


def copied(state: DeskState) -> DeskState:
    """An equal snapshot that shares nothing with ``state`` (its maps laid out afresh)."""
    return from_dict(to_dict(state))


@by_source
@given(data=st.data())
def test_diffs_along_a_session_tell_exactly_what_changed(source: str, data: st.DataObject) -> None:
    """Facts between snapshots of a session, consecutive or any two, are what the queries say.

    Either way round, each fact matches the queries of both snapshots and the facts do not depend
    on shared structure. Forwards, they replay the later desk from the earlier one and are empty
    exactly when nothing they describe changed. Between consecutive snapshots, looking only at the
    conversation the event names gives the same facts. Per conversation, the messages appended step
    by step are, in order, its final messages and those of diff(first, last).
    """
    records, states = session(data, source)
    views = [view(state) for state in states]
    stepwise: dict[str | None, list[str]] = {}
    for record, (old, new), (seen, now) in zip(
        records, pairwise(states), pairwise(views), strict=True
    ):
        facts = diff(old, new)
        check_facts(old, new, facts)
        assert diff_touched(old, new, named(record)) == facts
        assert apply(facts, seen) == now
        assert (facts == ()) == (seen == now)
        for fact in facts:
            if isinstance(fact, MessageAppended):
                stepwise.setdefault(fact.conversation_id, []).append(fact.message_id)
    whole: dict[str | None, list[str]] = {}
    for fact in diff(states[0], states[-1]):
        if isinstance(fact, MessageAppended):
            whole.setdefault(fact.conversation_id, []).append(fact.message_id)
    last = states[-1]
    final = {cid: [m.id for m in query.messages(last, cid)] for cid in known_ids(last)}
    assert stepwise == whole == {cid: ids for cid, ids in final.items() if ids}
    indices = st.integers(0, len(states) - 1)
    i, j = data.draw(indices, label="i"), data.draw(indices, label="j")
    for a, b in ((i, j), (j, i)):
        facts = diff(states[a], states[b])
        check_facts(states[a], states[b], facts)
        assert diff(copied(states[a]), copied(states[b])) == facts
        if a <= b:
            assert apply(facts, views[a]) == views[b]
            assert (facts == ()) == (views[a] == views[b])
        elif views[a] == views[b]:
            assert facts == ()
    assert diff(states[j], copied(states[j])) == ()


@given(data=st.data())
def test_a_diff_between_snapshots_of_different_sessions_is_what_the_queries_say(
    data: st.DataObject,
) -> None:
    """Snapshots of two unrelated sessions (sharing ids): diff never raises, facts match queries."""
    # Short sessions are enough to meet the same ids in different states.
    old = data.draw(st.sampled_from(list(scan(data.draw(chaotic_streams(max_events=20))))))
    new = data.draw(st.sampled_from(list(scan(data.draw(streams(max_events=20))))))
    for a, b in ((old, new), (new, old)):
        facts = diff(a, b)
        check_facts(a, b, facts)
        if view(a) == view(b):
            assert facts == ()


# --- following a snapshot's lineage -----------------------------------------------------------


def _no_sweep(*_: object) -> NoReturn:
    raise AssertionError("diff swept the maps where the lineage named what changed")


def test_diff_along_a_lineage_looks_only_at_the_conversations_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Snapshots reduced one from another (all alive): diff follows their lineage, never sweeps."""
    desk = fold(*(added(f"c{i}") for i in range(500)))
    middle = reduce(desk, message("c7", "m1"))
    later = reduce(middle, focused("c9"))
    monkeypatch.setattr(HashMap, "changed_keys", _no_sweep)
    assert diff(desk, later) == (
        MessageAppended("c7", "m1", "Visitor"),
        UnreadChanged("c7", 0, 1),
        FocusMoved(None, "c9"),
    )


def test_diff_sweeps_when_the_lineage_is_broken() -> None:
    """A snapshot read back with from_dict has no lineage: diff still finds what changed."""
    desk = fold(*(added(f"c{i}") for i in range(50)))
    later = fold(message("c7", "m1"), start=desk)
    assert diff(from_dict(to_dict(desk)), later) == diff(desk, later)
    assert diff(from_dict(to_dict(desk)), later) == (
        MessageAppended("c7", "m1", "Visitor"),
        UnreadChanged("c7", 0, 1),
    )


def test_the_sweep_finds_exactly_the_conversations_that_changed() -> None:
    """Without a lineage, the two maps' shared nodes are skipped and every change is found."""
    desk = fold(*(added(f"c{i}") for i in range(2_000)))
    later = fold(message("c7", "m1"), removed("c900"), added("c2000"), start=desk)
    assert sorted(desk.conversations.changed_keys(later.conversations)) == ["c2000", "c7", "c900"]
    assert desk.closed.changed_keys(later.closed) == ["c900"]
    assert desk.conversations.changed_keys(desk.conversations) == []


def test_a_snapshot_does_not_keep_its_history_alive() -> None:
    """The lineage is a weak reference: the snapshots in between are freed once dropped."""
    first = fold(added("c1"))
    middle = fold(message("c1", "m1"), start=first)
    last = fold(message("c1", "m2"), start=middle)
    assert last.lineage is not None and last.lineage.parent() is middle
    probe = weakref.ref(middle)
    del middle
    gc.collect()
    assert probe() is None
    assert last.lineage.parent() is None
    assert diff(first, last) == (  # the way back is broken: swept, same facts
        MessageAppended("c1", "m1", "Visitor"),
        MessageAppended("c1", "m2", "Visitor"),
        UnreadChanged("c1", 0, 2),
    )


@given(chaotic_streams(), st.data())
def test_diff_along_a_lineage_equals_diff_by_sweeping(
    records: list[Raw], data: st.DataObject
) -> None:
    """For any two snapshots of one replay, following the lineage gives the facts a sweep gives."""
    snapshots = list(scan(records))
    first = data.draw(st.integers(0, len(snapshots) - 1))
    second = data.draw(st.integers(first, len(snapshots) - 1))
    old, new = snapshots[first], snapshots[second]
    assert diff(old, new) == diff(from_dict(to_dict(old)), new)
