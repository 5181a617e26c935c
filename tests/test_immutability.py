"""Snapshots are immutable for real: nothing reachable from one can be changed by a caller."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, cast

import attrs
import pytest
from helpers import added, availability, focused, fold, message, removed, visitor_updated
from pyrsistent import PMap, PSet, PVector

from deskstate import (
    ConversationVisitorUpdated,
    DeskState,
    parse_event,
    reduce,
    replay,
    scan,
    to_dict,
)
from deskstate.state import DeskOrder, HashMap, HashSet, Lineage, Vector

IMMUTABLE_LEAVES = (str, int, float, bool, type(None), datetime)


def reachable(value: object) -> Iterator[object]:
    """Every object reachable from ``value`` through attrs fields and persistent collections."""
    yield value
    if attrs.has(type(value)):
        for field in attrs.fields(cast(Any, type(value))):
            yield from reachable(getattr(value, field.name))
    elif isinstance(value, PMap | HashMap):
        for key, item in value.items():
            yield from reachable(key)
            yield from reachable(item)
    elif isinstance(value, PVector | PSet | tuple | Vector | DeskOrder | HashSet):
        for item in value:
            yield from reachable(item)
    elif isinstance(value, Lineage):  # a weak reference to the parent snapshot, itself frozen
        yield from reachable(value.touched)


def busy_desk() -> DeskState:
    return fold(
        availability(("CHAT", "AVAILABLE")),
        added("c1"),
        visitor_updated("c1", name="Léa", address={"city": "Nantes", "lines": ["1 rue X"]}),
        message("c1", "m1"),
        added("c2"),
        focused("c2"),
        removed("c1"),
    )


def test_everything_reachable_from_a_snapshot_is_immutable() -> None:
    """Everything under a snapshot is a frozen attrs instance, a persistent collection or a leaf."""
    seen = 0
    for value in reachable(busy_desk()):
        seen += 1
        if attrs.has(type(value)):
            assert type(value).__setattr__ is not object.__setattr__, type(value)
            assert "__dict__" not in dir(value), type(value)  # slotted: no attributes to add
        else:
            persistent = (PMap, PVector, PSet, Vector, DeskOrder, HashMap, HashSet, Lineage)
            assert isinstance(value, (*persistent, *IMMUTABLE_LEAVES)), type(value)
    assert seen > 30


@pytest.mark.parametrize(
    "attempt",
    [
        lambda s: setattr(s, "focused_id", "c1"),
        lambda s: setattr(s, "version", 99),
        lambda s: setattr(s.conversations["c2"], "unread", 5),
        lambda s: setattr(s.closed["c1"].messages[0], "id", "x"),
        lambda s: s.conversations.__setitem__("c9", None),
        lambda s: s.order.__setitem__(0, "c9"),
        lambda s: s.closed["c1"].visitor["address"].__setitem__("city", "Paris"),
        lambda s: s.closed["c1"].visitor["address"]["lines"].__setitem__(0, "x"),
        lambda s: setattr(s.lineage, "touched", "c9"),
        lambda s: delattr(s.lineage, "touched"),
        lambda s: setattr(s.order, "_empty", 0),
        lambda s: setattr(s.order, "_slots", ()),
        lambda s: s.closed["c1"].messages.__setitem__(0, None),
        lambda s: setattr(s.closed["c1"].messages, "_tail", ()),
        lambda s: setattr(s.closed["c1"].messages, "_count", 0),
        lambda s: delattr(s.closed["c1"].messages, "_root"),
        lambda s: setattr(s.closed["c1"].message_ids, "_root", (0,)),
        lambda s: setattr(s.conversations, "_count", 0),
        lambda s: delattr(s.closed, "_root"),
        lambda s: setattr(s.closed["c1"].message_counts, "_root", (0,)),
    ],
)
def test_a_caller_cannot_change_a_snapshot(attempt: object) -> None:
    """Setting a field or an item anywhere in a snapshot raises, and the snapshot is unchanged."""
    state = busy_desk()
    before = to_dict(state)
    with pytest.raises((attrs.exceptions.FrozenInstanceError, TypeError, AttributeError)):
        attempt(state)  # type: ignore[operator]
    assert to_dict(state) == before


def test_updating_methods_of_the_collections_return_new_ones() -> None:
    """The set, append, add and remove of the collections give new ones; the snapshot stays."""
    state = busy_desk()
    before = to_dict(state)
    visitor: Any = state.closed["c1"].visitor
    lines = visitor["address"]["lines"]
    assert lines.append("x") is not lines
    assert state.conversations.remove("c2") is not state.conversations
    assert state.order.append("c9") is not state.order
    assert state.order.remove("c2") is not state.order
    messages = state.closed["c1"].messages
    assert messages.append(messages[0]) is not messages
    assert messages.set(0, messages[0]) is not messages
    assert state.closed["c1"].message_ids.add("m9") is not state.closed["c1"].message_ids
    assert to_dict(state) == before


def test_old_snapshots_never_change_when_newer_ones_are_made() -> None:
    """Each snapshot of a scan still has the form it had when it was made."""
    records = [
        added("c1"),
        message("c1", "m1"),
        focused("c1"),
        added("c2"),
        message("c2", "m2"),
        visitor_updated("c2", name="Hugo"),
        removed("c1"),
        added("c1"),
        focused("c2"),
    ]
    kept = [(state, copy.deepcopy(to_dict(state))) for state in scan(records)]
    for state, form in kept:
        assert to_dict(state) == form


def test_reducing_never_mutates_the_event_or_keeps_a_reference_to_it() -> None:
    """The raw event is unchanged by reduction, and changing it afterwards changes no snapshot."""
    event = visitor_updated("c1", name="Léa", tags=["a"], address={"city": "Nantes"})
    pristine = copy.deepcopy(event)
    state = reduce(DeskState(), event)
    assert event == pristine
    event["visitor"]["tags"].append("b")
    event["visitor"]["address"]["city"] = "Paris"
    visitor: Any = state.conversations["c1"].visitor
    assert visitor["tags"] == ["a"]
    assert visitor["address"]["city"] == "Nantes"


def test_parsed_events_are_frozen_and_keep_no_reference_to_their_input() -> None:
    """A parsed event cannot be changed, and changing its input afterwards changes nothing."""
    raw = visitor_updated("c1", tags=["a"])
    event = parse_event(raw, ts=datetime(2026, 1, 1, tzinfo=UTC))
    assert isinstance(event, ConversationVisitorUpdated)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.conversation_id = "c2"  # type: ignore[misc]
    raw["visitor"]["tags"].append("b")
    tags: Any = event.visitor["tags"]
    assert tags == ["a"]


def test_replay_does_not_mutate_its_records() -> None:
    """Replay leaves the records it is given as they were."""
    records = [added("c1"), {"data": message("c1", "m1"), "ts": 1_700_000_000_000}]
    pristine = copy.deepcopy(records)
    replay(records)
    assert records == pristine
