"""What changed between two snapshots: :func:`diff` and the plain, frozen facts it returns.

``diff(old, new)`` compares any two snapshots and never raises for them. It is meant for snapshots
of one lineage (``new`` reached from ``old`` by reducing events: the desk before and after a
dispatch, or after N and after M records of a log); then applying its facts in order to what the
queries say of ``old`` gives what they say of ``new``. For any other pair (``new`` older than
``old``, or snapshots of two different histories) the same rules give an answer that describes
``new`` as seen from ``old``, with the kinds of fact there are.

What is a fact:

- **Lifecycle.** ``conversation-opened``: open in ``new``, in neither map of ``old``.
  ``conversation-reopened``: open in ``new``, closed in ``old``. ``conversation-closed``: open in
  ``old``, not open in ``new`` (closed, or absent altogether, which only happens when ``new`` is
  not reached from ``old``). A conversation in neither map of ``old`` and closed in ``new`` (it
  came and went between the two) is ``conversation-opened`` then ``conversation-closed``. A
  conversation closed in both, or closed and then reopened between two snapshots where it is open
  in both, has no lifecycle fact: ``diff`` compares snapshots, not the histories between them. A
  closed record missing from ``new`` gives no fact.
- **Content**, for every conversation ``new`` has, open or closed (closed records still change:
  messages are appended to them, their visitor replaced, their clicks counted), compared with its
  record in ``old``, or with an empty conversation when ``old`` has none (so a conversation opened
  with a visitor, messages, clicks or unread gets those facts after its ``conversation-opened``):
  ``visitor-changed`` when the profile differs (old and new profile, ``{}`` when unknown);
  ``message-appended`` for each message of ``new`` that ``old`` does not have, in arrival order
  (the messages past the old vector's length when the new vector continues the old one, as along a
  lineage; otherwise those whose id the old record lacks); ``state-box-clicked`` when the click
  count differs (``clicks`` is new minus old, negative only when ``new`` is not reached from
  ``old``; ``total`` is the new count); ``unread-changed`` when ``unread`` differs.
- **Desk.** ``focus-moved`` when ``focused_id`` differs (``old_id``/``new_id``, either ``None``);
  ``availability-changed`` for each channel whose status differs (``None`` when not reported).
- **Not facts**: ``version``, ``clock``, ``order`` alone (a reopened conversation's move to the end
  is told by its ``conversation-reopened``), ``last_clicked_id`` (told by ``state-box-clicked``),
  and a conversation's ``project_id``, ``implicit``, ``added_at`` and ``removed_at``. Messages
  missing from ``new`` (only when ``new`` is not reached from ``old``) have no kind of fact.

Hence ``diff(s, s) == ()``, ``diff(a, b) == ()`` whenever ``a == b``, and a conversation that did
not change appears in no fact.

Order of the facts (deterministic, whatever the hash seed):

1. conversation facts, one conversation after another: those open in ``new`` in ``new``'s desk
   order, then the others (closed in ``new``, or gone from it) sorted by id;
2. within a conversation: ``conversation-opened`` or ``conversation-reopened``, then
   ``visitor-changed``, ``message-appended`` (in message order), ``state-box-clicked``,
   ``unread-changed``, and ``conversation-closed`` last (a story read top to bottom);
3. then ``focus-moved`` (after the conversation it moves to has been opened);
4. then ``availability-changed``, by channel name.

Cost: identity first. Equal members that are the very same object (``old is new``, the two maps of
conversations, each conversation, its visitor, its messages, the availability map) are skipped at
once. Along one history the snapshots' lineage names the conversations each event touched; without
it, the conversations that changed are found by walking the two maps' tries side by side and
skipping every node they share (:meth:`~deskstate.state.HashMap.changed_keys`, O(changes * log n));
then only those conversations are looked at.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import Final, Literal, TypeAlias, TypeVar

import attrs
from pyrsistent import PMap

from deskstate._json import MAX_RECORD_DEPTH, Frozen, freeze, thaw
from deskstate.state import Conversation, DeskState, Message

__all__ = [
    "FACT_KINDS",
    "AvailabilityChanged",
    "ConversationClosed",
    "ConversationOpened",
    "ConversationReopened",
    "Fact",
    "FactKind",
    "FocusMoved",
    "MessageAppended",
    "StateBoxClicked",
    "UnreadChanged",
    "VisitorChanged",
    "diff",
    "diff_touched",
]

FactKind = Literal[
    "conversation-opened",
    "conversation-reopened",
    "conversation-closed",
    "focus-moved",
    "visitor-changed",
    "message-appended",
    "unread-changed",
    "availability-changed",
    "state-box-clicked",
]

#: Every kind of fact, in the order the SPEC lists them.
FACT_KINDS: Final[tuple[FactKind, ...]] = (
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


def _name(text: str) -> str:
    """``text`` as it is when it reads plainly in a sentence, else quoted (spaces, controls...)."""
    if text and text.isprintable() and not any(char.isspace() for char in text):
        return text
    return repr(text)


def _profile(value: Mapping[str, object]) -> PMap[str, Frozen]:
    """A visitor profile as a fact keeps it: immutable all the way down."""
    if isinstance(value, PMap):
        return value
    frozen = freeze(value, "visitor", 1, MAX_RECORD_DEPTH)
    if not isinstance(frozen, PMap):
        raise TypeError(f"a visitor profile must be a mapping, got {type(value).__name__}")
    return frozen


def _plain(value: object) -> object:
    return thaw(value) if isinstance(value, PMap) else value


@attrs.frozen
class _Fact:
    """What every fact can do: give its JSON-safe form."""

    def to_dict(self) -> dict[str, object]:
        """Return this fact as plain JSON data, ``kind`` first, then ``conversation_id``."""
        return {field.name: _plain(getattr(self, field.name)) for field in attrs.fields(type(self))}


@attrs.frozen
class ConversationOpened(_Fact):
    """A conversation is open in the new snapshot and was unknown to the old one."""

    kind: Literal["conversation-opened"] = attrs.field(default="conversation-opened", init=False)
    conversation_id: str

    def describe(self) -> str:
        """One sentence for a person."""
        return f"conversation {_name(self.conversation_id)} opened"


@attrs.frozen
class ConversationReopened(_Fact):
    """A conversation closed in the old snapshot is open in the new one."""

    kind: Literal["conversation-reopened"] = attrs.field(
        default="conversation-reopened", init=False
    )
    conversation_id: str

    def describe(self) -> str:
        """One sentence for a person."""
        return f"conversation {_name(self.conversation_id)} reopened"


@attrs.frozen
class ConversationClosed(_Fact):
    """A conversation open in the old snapshot is not open in the new one."""

    kind: Literal["conversation-closed"] = attrs.field(default="conversation-closed", init=False)
    conversation_id: str

    def describe(self) -> str:
        """One sentence for a person."""
        return f"conversation {_name(self.conversation_id)} closed"


@attrs.frozen
class FocusMoved(_Fact):
    """The focus moved from ``old_id`` to ``new_id`` (either ``None``: no focus)."""

    kind: Literal["focus-moved"] = attrs.field(default="focus-moved", init=False)
    conversation_id: None = attrs.field(default=None, init=False)
    old_id: str | None
    new_id: str | None

    def describe(self) -> str:
        """One sentence for a person."""
        if self.old_id is None:
            return f"focus moved to {_name(self.new_id)}" if self.new_id is not None else "no focus"
        if self.new_id is None:
            return f"focus left {_name(self.old_id)}"
        return f"focus moved from {_name(self.old_id)} to {_name(self.new_id)}"


@attrs.frozen
class VisitorChanged(_Fact):
    """The visitor profile of a conversation changed from ``old`` to ``new`` (``{}``: unknown)."""

    kind: Literal["visitor-changed"] = attrs.field(default="visitor-changed", init=False)
    conversation_id: str
    old: PMap[str, Frozen] = attrs.field(converter=_profile)
    new: PMap[str, Frozen] = attrs.field(converter=_profile)

    def fields(self) -> tuple[str, ...]:
        """The profile fields added, removed or changed, sorted."""
        old, new = self.old, self.new
        missing = object()
        names = set(old) | set(new)
        return tuple(
            sorted(name for name in names if old.get(name, missing) != new.get(name, missing))
        )

    def describe(self) -> str:
        """One sentence for a person, naming the fields that changed."""
        changed = ", ".join(_name(name) for name in self.fields())
        return f"visitor of {_name(self.conversation_id)} changed: {changed or 'same fields'}"


@attrs.frozen
class MessageAppended(_Fact):
    """Message ``message_id``, sent by a ``participant``, was appended to a conversation."""

    kind: Literal["message-appended"] = attrs.field(default="message-appended", init=False)
    conversation_id: str
    message_id: str
    participant: str

    def describe(self) -> str:
        """One sentence for a person."""
        return (
            f"message {_name(self.message_id)} from {_name(self.participant)} appended to "
            f"{_name(self.conversation_id)}"
        )


@attrs.frozen
class UnreadChanged(_Fact):
    """The unread count of a conversation went from ``old`` to ``new``."""

    kind: Literal["unread-changed"] = attrs.field(default="unread-changed", init=False)
    conversation_id: str
    old: int
    new: int

    def describe(self) -> str:
        """One sentence for a person."""
        return f"unread of {_name(self.conversation_id)} went from {self.old} to {self.new}"


@attrs.frozen
class AvailabilityChanged(_Fact):
    """The status of ``channel`` went from ``old`` to ``new`` (``None``: not reported)."""

    kind: Literal["availability-changed"] = attrs.field(default="availability-changed", init=False)
    conversation_id: None = attrs.field(default=None, init=False)
    channel: str
    old: str | None
    new: str | None

    def describe(self) -> str:
        """One sentence for a person."""
        channel = _name(self.channel)
        if self.new is None:
            return f"{channel} availability no longer reported (was {_name(str(self.old))})"
        if self.old is None:
            return f"{channel} availability reported as {_name(self.new)}"
        return f"{channel} availability went from {_name(self.old)} to {_name(self.new)}"


@attrs.frozen
class StateBoxClicked(_Fact):
    """The state box of a conversation was clicked ``clicks`` more times, ``total`` in all."""

    kind: Literal["state-box-clicked"] = attrs.field(default="state-box-clicked", init=False)
    conversation_id: str
    clicks: int
    total: int

    def describe(self) -> str:
        """One sentence for a person."""
        cid = _name(self.conversation_id)
        if self.clicks < 0:
            return f"state box clicks of {cid} went down by {-self.clicks} (to {self.total})"
        times = "once" if self.clicks == 1 else f"{self.clicks} times"
        return f"state box of {cid} clicked {times} ({self.total} in all)"


#: One fact of a :func:`diff`.
Fact: TypeAlias = (
    ConversationOpened
    | ConversationReopened
    | ConversationClosed
    | FocusMoved
    | VisitorChanged
    | MessageAppended
    | UnreadChanged
    | AvailabilityChanged
    | StateBoxClicked
)


# --- finding what changed ------------------------------------------------------------------------

_K = TypeVar("_K")
_V = TypeVar("_V")


def _appended(before: Conversation, after: Conversation) -> Iterator[Message]:
    """The messages of ``after`` that ``before`` does not have, in arrival order."""
    old, new = before.messages, after.messages
    if old is new:
        return iter(())
    known = len(old)
    if len(new) >= known and (known == 0 or new[known - 1] is old[known - 1]):
        # The new vector continues the old one (the same message object at its end), as along a
        # lineage, where messages are only ever appended: what follows it is new.
        return (new[index] for index in range(known, len(new)))
    ids = {message.id for message in old}
    return (message for message in new if message.id not in ids)


def _conversation_facts(
    cid: str,
    before: Conversation | None,
    was_open: bool,
    after: Conversation | None,
    is_open: bool,
    facts: list[Fact],
) -> None:
    """Append the facts of conversation ``cid`` (``None``: not in that snapshot) to ``facts``."""
    appeared = before is None and after is not None  # open in new, or came and went before it
    if appeared:
        facts.append(ConversationOpened(cid))
    elif is_open and not was_open:
        facts.append(ConversationReopened(cid))
    if after is not None and after is not before:
        base = before if before is not None else Conversation(cid)
        if base.visitor is not after.visitor and base.visitor != after.visitor:
            facts.append(VisitorChanged(cid, base.visitor, after.visitor))
        facts.extend(
            MessageAppended(cid, message.id, message.participant)
            for message in _appended(base, after)
        )
        if base.state_box_clicks != after.state_box_clicks:
            facts.append(
                StateBoxClicked(
                    cid, after.state_box_clicks - base.state_box_clicks, after.state_box_clicks
                )
            )
        if base.unread != after.unread:
            facts.append(UnreadChanged(cid, base.unread, after.unread))
    if not is_open and (was_open or appeared):
        facts.append(ConversationClosed(cid))


def _availability_facts(old: PMap[str, str], new: PMap[str, str]) -> Iterator[Fact]:
    for channel in sorted(set(old) | set(new)):
        before, after = old.get(channel), new.get(channel)
        if before != after:
            yield AvailabilityChanged(channel, before, after)


# --- the public face -----------------------------------------------------------------------------


def diff(old: DeskState, new: DeskState) -> tuple[Fact, ...]:
    """What changed from snapshot ``old`` to snapshot ``new``, as a tuple of plain facts.

    Empty when nothing that a fact tells changed (always when ``old == new``). The rules, the
    order of the facts and the cost are in this module's docstring.
    """
    for name, value in (("old", old), ("new", new)):
        if not isinstance(value, DeskState):
            raise TypeError(
                f"diff() needs two DeskState snapshots, got {type(value).__name__} as {name}"
            )
    if old is new:
        return ()
    candidates = _touched_since(old, new)
    if candidates is None:
        candidates = set(old.conversations.changed_keys(new.conversations))
        candidates.update(old.closed.changed_keys(new.closed))
    return diff_touched(old, new, candidates)


#: Walking back fewer snapshots than this is always worth it, whatever the size of the desk.
_SHORT_WALK: Final = 64


def _touched_since(old: DeskState, new: DeskState) -> set[str] | None:
    """The conversations the events from ``old`` to ``new`` named, when ``new`` comes from ``old``.

    Follows each snapshot's :class:`~deskstate.state.Lineage` back from ``new``: O(events in
    between). ``None`` when the way back is broken (a parent no longer alive, another history) or
    longer than the desk is large, where a sweep of the maps costs less.
    """
    touched: set[str] = set()
    budget = max(_SHORT_WALK, len(new.conversations) + len(new.closed))
    state = new
    while state is not old:
        lineage = state.lineage
        if lineage is None or state.version <= old.version or budget == 0:
            return None
        parent = lineage.parent()
        if parent is None:
            return None
        if lineage.touched is not None:
            touched.add(lineage.touched)
        state = parent
        budget -= 1
    return touched


def diff_touched(old: DeskState, new: DeskState, candidates: Collection[str]) -> tuple[Fact, ...]:
    """The facts of ``diff(old, new)``, given the ids of all the conversations that changed.

    :func:`diff` finds ``candidates`` by identity, in a sweep over both maps; a caller that knows
    them (the events reduced from ``old`` to ``new`` name every conversation they change) can skip
    that sweep, and the cost is then O(len(candidates)), whatever the size of the desk. A candidate
    that did not change gives no fact, so a superset is fine; one missing gives wrong facts.
    """
    old_open, new_open = old.conversations, new.conversations
    old_closed, new_closed = old.closed, new.closed
    facts: list[Fact] = []
    if candidates:
        still_open = [cid for cid in candidates if cid in new_open]
        if len(still_open) > 1:
            rank = new.order.rank

            def desk_order(cid: str) -> tuple[bool, int, str]:
                where = rank(cid)
                return (where is None, where or 0, cid)

            still_open.sort(key=desk_order)
        others = sorted(cid for cid in candidates if cid not in new_open)
        for cid in (*still_open, *others):
            before = old_open.get(cid)
            was_open = before is not None
            if before is None:
                before = old_closed.get(cid)
            after = new_open.get(cid)
            is_open = after is not None
            if after is None:
                after = new_closed.get(cid)
            _conversation_facts(cid, before, was_open, after, is_open, facts)
    if old.focused_id != new.focused_id:
        facts.append(FocusMoved(old.focused_id, new.focused_id))
    if old.availability is not new.availability:
        facts.extend(_availability_facts(old.availability, new.availability))
    return tuple(facts)
