"""The reducer's fast builders make the very snapshots attrs' constructors make."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from pyrsistent import pmap

from deskstate.state import (
    Conversation,
    DeskOrder,
    DeskState,
    HashMap,
    HashSet,
    Lineage,
    Message,
    Vector,
    build_conversation,
    build_desk,
    build_message,
)


def test_the_builders_take_every_field_in_order() -> None:
    """A field added to a class must be added to its builder too, or this fails."""
    builders = (
        (DeskState, build_desk),
        (Conversation, build_conversation),
        (Message, build_message),
    )
    for cls, builder in builders:
        fields = [field.name for field in attrs.fields(cls)]
        assert list(inspect.signature(builder).parameters) == fields


def test_built_snapshots_equal_constructed_ones() -> None:
    """Equal, equally hashed, every field the same, and as frozen as the constructor's."""
    at = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    message = Message("m1", "Visitor", 7, at)
    built_message = build_message("m1", "Visitor", 7, at)
    assert built_message == message and hash(built_message) == hash(message)
    assert attrs.asdict(built_message) == attrs.asdict(message)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built_message.at = None  # type: ignore[misc]
    values: dict[str, Any] = {
        "id": "c1",
        "project_id": 7,
        "visitor": pmap({"name": "Léa"}),
        "messages": Vector([message]),
        "unread": 1,
        "state_box_clicks": 2,
        "implicit": True,
        "added_at": at,
        "removed_at": None,
        "message_counts": pmap({"Visitor": 1}),
        "message_ids": HashSet(["m1"]),
    }
    built = build_conversation(**values)
    made = Conversation(**values)
    assert built == made and hash(built) == hash(made) and attrs.asdict(built) == attrs.asdict(made)

    parent = DeskState()
    desk: dict[str, Any] = {
        "conversations": HashMap({"c1": built}),
        "order": DeskOrder(["c1"]),
        "focused_id": None,
        "availability": pmap({"CHAT": "AVAILABLE"}),
        "closed": HashMap(),
        "last_clicked_id": "c1",
        "version": 4,
        "clock": at,
        "unread_total": 1,
        "lineage": Lineage(parent, "c1"),
    }
    built_desk, made_desk = build_desk(**desk), DeskState(**desk)
    assert built_desk == made_desk and hash(built_desk) == hash(made_desk)
    assert all(getattr(built_desk, name) is value for name, value in desk.items())
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.unread = 9  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built_desk.version = 9  # type: ignore[misc]
