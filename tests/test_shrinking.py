"""The session strategies shrink well: a failing session shrinks to the few events that matter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import find, settings

from deskstate import query, replay
from deskstate.testing import chaotic_streams, streams

SEARCH = settings(max_examples=2000, derandomize=True, database=None)
Records = list[dict[str, Any]]


def closed_with_unread(records: Records) -> bool:
    """Fewest events: ADDED, a Visitor message, REMOVED."""
    state = replay(records).state
    return any(conversation.unread for conversation in query.closed_conversations(state))


def focused_with_expert_message(records: Records) -> bool:
    """Fewest events: ADDED, FOCUSED, an Expert message (or the message before the focus)."""
    state = replay(records).state
    return state.focused_id is not None and (
        query.message_count(state, state.focused_id, "Expert") > 0
    )


@pytest.mark.parametrize(
    ("condition", "fewest"),
    [(closed_with_unread, 3), (focused_with_expert_message, 3)],
)
@pytest.mark.parametrize("sessions", [streams, chaotic_streams])
def test_a_failing_session_shrinks_to_a_handful_of_events(
    sessions: Callable[..., Any], condition: Callable[[Records], bool], fewest: int
) -> None:
    """The smallest session found for a condition has at most one event more than it needs."""
    smallest = find(sessions(max_events=30), condition, settings=SEARCH)
    assert condition(smallest)
    assert len(smallest) <= fewest + 1, smallest
