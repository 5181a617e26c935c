"""Checking a snapshot against the invariants of SPEC §8."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Final, NoReturn

from deskstate.serialise import from_dict, to_dict
from deskstate.state import Conversation, DeskState

__all__ = ["check_invariants"]

#: Participant types whose messages wait to be read (SPEC §4), counted by invariant 4.
_WAITING: Final = frozenset({"Visitor", "Expert"})


def _broken(number: int, message: str) -> NoReturn:
    raise AssertionError(f"invariant {number}: {message}")


def _ids(ids: Iterable[str]) -> str:
    return ", ".join(repr(cid) for cid in sorted(ids))


def _check_conversation(where: str, key: str, conversation: Conversation) -> None:
    """Invariant 4 (and the derived fields) for one conversation, open or closed."""
    messages = list(conversation.messages)
    ids = Counter(message.id for message in messages)
    repeated = [mid for mid, count in ids.items() if count > 1]
    if repeated:
        _broken(4, f"{where} conversation {key!r} has message ids {_ids(repeated)} more than once")
    waiting = sum(1 for message in messages if message.participant in _WAITING)
    if not 0 <= conversation.unread <= waiting:
        _broken(
            4,
            f"{where} conversation {key!r} has unread {conversation.unread}, not between 0 and "
            f"its {waiting} Visitor and Expert messages",
        )
    counts = Counter(message.participant for message in messages)
    stored = {participant: n for participant, n in conversation.message_counts.items() if n != 0}
    if stored != dict(counts):
        _broken(
            4,
            f"{where} conversation {key!r} has message_counts {stored} but its messages count "
            f"{dict(counts)}",
        )
    if set(conversation.message_ids) != set(ids):
        _broken(
            4,
            f"{where} conversation {key!r} has message_ids {_ids(conversation.message_ids)} but "
            f"its messages have ids {_ids(ids)}",
        )


def _check_round_trip(state: DeskState) -> None:
    """Invariant 7: ``to_dict`` gives plain JSON and ``from_dict`` reads back an equal snapshot."""
    try:
        data = to_dict(state)
        text = json.dumps(data, allow_nan=False)
    except (TypeError, ValueError) as error:
        _broken(7, f"to_dict(state) is not plain JSON: {error}")
    if json.loads(text) != data:
        _broken(7, "to_dict(state) changes through json.dumps and json.loads (not plain JSON)")
    try:
        back = from_dict(data)
    except (TypeError, ValueError) as error:
        _broken(7, f"from_dict(to_dict(state)) refuses its own output: {error}")
    if back != state:
        _broken(7, "from_dict(to_dict(state)) != state")
    if hash(back) != hash(state):
        _broken(7, "from_dict(to_dict(state)) == state but their hashes differ")


def _check_placement(state: DeskState) -> None:
    """Invariants 1 to 3: where the focus is, what ``order`` holds, open and closed apart."""
    conversations = state.conversations
    open_ids = set(conversations)
    if state.focused_id is not None and state.focused_id not in open_ids:
        _broken(1, f"focused_id {state.focused_id!r} is not an open conversation")
    order = Counter(state.order)
    repeated = [cid for cid, count in order.items() if count > 1]
    if repeated:
        _broken(2, f"order holds {_ids(repeated)} more than once")
    if set(order) - open_ids:
        _broken(2, f"order holds {_ids(set(order) - open_ids)}, which are not open")
    if open_ids - set(order):
        _broken(2, f"open {_ids(open_ids - set(order))} missing from order")
    for key, conversation in conversations.items():
        if conversation.id != key:
            _broken(2, f"open conversation {key!r} has id {conversation.id!r}")
    both = open_ids & set(state.closed)
    if both:
        _broken(3, f"{_ids(both)} both open and closed")
    for key, conversation in state.closed.items():
        if conversation.id != key:
            _broken(3, f"closed conversation {key!r} has id {conversation.id!r}")


def check_invariants(state: DeskState) -> None:
    """Check every invariant of SPEC §8 that one snapshot can show, or raise AssertionError.

    The message starts with ``invariant N:``, N as numbered in the SPEC, and names the offending
    conversations: 1 the focus is on an open conversation or nowhere; 2 ``order`` holds each open id
    once and nothing else; 3 no id is both open and closed; 4 message ids are unique within a
    conversation, ``unread`` is at most its Visitor and Expert messages, the focused one has none
    unread, and the derived fields (per-participant counts, message ids, the unread total) agree
    with what they are derived from; 5 ``version`` is not negative; 7 ``to_dict`` gives plain JSON
    and ``from_dict`` reads it back to an equal snapshot with an equal hash. (Invariants 6 and 8
    compare snapshots with each other: they are for the test, not for one snapshot.)
    """
    if not isinstance(state, DeskState):
        raise TypeError(f"check_invariants() needs a DeskState, got {type(state).__name__}")
    _check_placement(state)
    conversations = state.conversations
    for key, conversation in conversations.items():
        _check_conversation("open", key, conversation)
    for key, conversation in state.closed.items():
        _check_conversation("closed", key, conversation)
    if state.focused_id is not None and conversations[state.focused_id].unread != 0:
        unread = conversations[state.focused_id].unread
        _broken(4, f"focused conversation {state.focused_id!r} has unread {unread}, not 0")
    total = sum(conversation.unread for conversation in conversations.values())
    if state.unread_total != total:
        _broken(
            4,
            f"unread_total is {state.unread_total} but the open conversations "
            f"{_ids(conversations)} have {total} unread",
        )
    if not isinstance(state.version, int) or isinstance(state.version, bool) or state.version < 0:
        _broken(5, f"version must be an integer of at least 0, got {state.version!r}")
    _check_round_trip(state)
