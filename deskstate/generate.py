"""Synthetic desk logs: a pure, seeded generator of realistic, protocol-valid records.

:func:`generate` draws every choice from one ``random.Random(seed)``, reads no clock and keeps no
global state: the same arguments always give the same records. It calls only ``random()`` and
``getrandbits()``, the raw outputs of the generator, so the log does not depend on how a Python
version implements ``choice`` or ``randrange``.

**The model.** A contact centre of ``desks`` operators (``agent-001``, ...), each a :class:`_Desk`
that knows exactly what a replay of its records has made of it: the conversations open on it in
desk order (never more than ``max_open``, counting those being transferred to it), the ones that
left it, the focused one, the unread messages of each, each visitor's profile and the operator's
availability. Each record goes to a desk drawn at random (so desks interleave); that desk either
plays the next step of something it started (a *follow-up*: the visitor profile sent after
``CONVERSATION_ADDED``, the ``CONVERSATION_FOCUS_LOST`` just before or after the next
``CONVERSATION_FOCUSED``, the focus elected after a removal, a transferred conversation arriving),
or draws one *action* by weight, among them: a visitor writes, the operator answers in the focused
conversation, an ibbü expert writes, the operator moves the focus (often to a conversation with
unread messages) or clicks a state box, a visitor authenticates (the anonymous profile, only a
``visitorId``, becomes a full one), a conversation arrives, is closed, snoozed and later re-added,
or is transferred to another desk (removed here, added there with the same id), the desk is
refreshed, the availability of a channel changes (all four channels are always reported). An action
that is not possible at that moment (an answer with no focused conversation, say) is drawn again.
Every record is an envelope (SPEC §2) with ``ts`` in epoch milliseconds, strictly increasing across
the log, and the origin the desk is served from.

**Chaos.** With ``chaos=P`` each record is, with probability ``P``, an anomalous record instead of a
normal one. Anomalous records cycle through the eight anomaly kinds in the order of
:data:`~deskstate.ANOMALY_KINDS`, and each raises exactly one anomaly, of its kind, when its desk is
replayed, without changing what the model expects of the desk (so no later normal record becomes
anomalous): ``CONVERSATION_FOCUS_LOST`` or ``CONVERSATION_REMOVED`` of an id never seen;
``CONVERSATION_REMOVED`` of a conversation already closed on that desk; a message id re-sent on an
open conversation; the full availability list with one channel listed twice with its current
status; an unknown channel, status or participant type (a message so added has a fresh id, which
nothing repeats); an unknown ``com.iadvize.desk.`` event; a known event with ``projectId: "1234"``
or a missing member; a harmless valid event sent from ``https://evil.example``. Two kinds need
something no chaos record can make: ``closed-conversation`` a conversation closed on some desk,
``duplicate-message`` a message in an open conversation. When the cycle reaches one of them before
any desk has what it needs, that kind is postponed (once) and made at the first chaos record where
it has become possible; the cycle goes on with the next kind meanwhile.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect
from collections import deque
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from random import Random
from typing import Final, TypeAlias

from deskstate.anomaly import ANOMALY_KINDS, AnomalyKind
from deskstate.events import EVENT_PREFIX

__all__ = ["DEFAULT_START", "FOREIGN_ORIGIN", "generate"]

#: When a generated log starts unless told otherwise: a Tuesday morning, 08:00 UTC.
DEFAULT_START: Final = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)

#: The page origin of ``foreign-origin`` chaos records: not one the desk is served from.
FOREIGN_ORIGIN: Final = "https://evil.example"

#: A record as :func:`generate` yields it, and the event inside it: plain JSON values only.
Record: TypeAlias = dict[str, object]
_Event: TypeAlias = dict[str, object]
_Followup: TypeAlias = Callable[[], _Event | None]

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND: Final = timedelta(milliseconds=1)

_ADDED: Final = EVENT_PREFIX + "CONVERSATION_ADDED"
_FOCUSED: Final = EVENT_PREFIX + "CONVERSATION_FOCUSED"
_FOCUS_LOST: Final = EVENT_PREFIX + "CONVERSATION_FOCUS_LOST"
_CLICKED: Final = EVENT_PREFIX + "CONVERSATION_STATE_BOX_CLICKED"
_REMOVED: Final = EVENT_PREFIX + "CONVERSATION_REMOVED"
_VISITOR_UPDATED: Final = EVENT_PREFIX + "CONVERSATION_VISITOR_UPDATED"
_AVAILABILITY_UPDATED: Final = EVENT_PREFIX + "AVAILABILITY_UPDATED"
_MESSAGE_ADDED: Final = EVENT_PREFIX + "CONVERSATION_MESSAGE_ADDED"

_ORIGINS: Final = ("https://ha.iadvize.com", "https://sd.iadvize.com")
_CHANNELS: Final = ("CHAT", "CALL", "VIDEO", "THIRD_PARTY")
#: Statuses weighted by how often an operator is in them (drawn by a uniform index).
_STATUS_DRAW: Final = ("AVAILABLE",) * 5 + ("UNAVAILABLE",) * 3 + ("UNAVAILABLE_FORCED",) * 2

# How the desk behaves: shares of things, drawn with ``rng.random() < share``.
_SD_DESK: Final = 0.25  # desks served from sd.iadvize.com rather than ha.iadvize.com
_EXPERT_CONVERSATION: Final = 0.4  # conversations an ibbü expert takes part in
_FOCUS_NEW_ARRIVAL: Final = 0.8  # a conversation arriving on a desk without focus gets it
_LOST_BEFORE: Final = 0.5  # FOCUS_LOST of the previous focus before the next FOCUSED (else after)
_CLICK_FOCUSES: Final = 0.7  # a state-box click also focuses that conversation
_EDIT_VISITOR: Final = 0.25  # an authenticated visitor's profile edited from the console
_MAX_SNOOZED: Final = 4  # snoozed conversations waiting per desk; beyond, a snooze is a close
_MAX_CLOSED: Final = 64  # closed ids remembered per desk (for closed-conversation chaos)

# --- built-in people -----------------------------------------------------------------------------

_FIRST_NAMES: Final = (
    "Camille", "Léa", "Hugo", "Chloé", "Lucas", "Manon", "Nathan", "Inès", "Jules", "Zoé",
    "Louis", "Emma", "Gabriel", "Sofía", "Mateo", "Olivia", "Noah", "Ana", "Yasmine", "Théo",
)  # fmt: skip
_LAST_NAMES: Final = (
    "Martin", "Bernard", "Dubois", "Durand", "Lefèvre", "Moreau", "Laurent", "García", "Müller",
    "Rossi", "Smith", "Janssens", "Nguyen", "Fontaine", "Benali", "Kowalski",
)  # fmt: skip
#: Cities with their country (ISO 3166 code) and telephone prefix.
_PLACES: Final = (
    ("Nantes", "FR", "+33"), ("Paris", "FR", "+33"), ("Lyon", "FR", "+33"),
    ("Bordeaux", "FR", "+33"), ("Lille", "FR", "+33"), ("Montréal", "CA", "+1"),
    ("Bruxelles", "BE", "+32"), ("Genève", "CH", "+41"), ("Madrid", "ES", "+34"),
    ("Barcelona", "ES", "+34"), ("London", "GB", "+44"), ("Berlin", "DE", "+49"),
    ("Milano", "IT", "+39"),
)  # fmt: skip
_PHONE_PREFIXES: Final = {country: prefix for _, country, prefix in _PLACES}
_MAIL_DOMAINS: Final = ("example.com", "example.org", "example.net")


def _ascii(name: str) -> str:
    """``name`` lower-cased and stripped of accents, for an email address."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


# --- chaos ingredients ---------------------------------------------------------------------------

_UNKNOWN_EVENTS: Final = (
    EVENT_PREFIX + "CONVERSATION_TRANSFERRED",
    EVENT_PREFIX + "CONVERSATION_TAGGED",
    EVENT_PREFIX + "VISITOR_TYPING",
    EVENT_PREFIX + "OPERATOR_STATUS_CHANGED",
)
_UNKNOWN_CHANNELS: Final = ("SMS", "EMAIL", "WHATSAPP")
_UNKNOWN_STATUSES: Final = ("BUSY", "AWAY", "available")
_UNKNOWN_PARTICIPANTS: Final = ("Bot", "Operator", "visitor")


# --- the model -----------------------------------------------------------------------------------


class _Conversation:
    """One conversation as the model follows it, wherever it is (open, closed, in transit)."""

    __slots__ = (
        "desk",
        "expert",
        "id",
        "last_message",
        "last_participant",
        "project",
        "unread",
        "visitor",
    )

    def __init__(self, cid: str, project: int, visitor_id: str, expert: bool) -> None:
        self.id = cid
        self.project = project
        self.visitor: dict[str, str] = {"visitorId": visitor_id}  # anonymous until authenticated
        self.expert = expert
        self.desk: _Desk | None = None  # the desk it is open on, if any
        self.unread = 0
        # The last message the desk it is open on has of it: what a duplicate re-sends.
        self.last_message: str | None = None
        self.last_participant = "Visitor"


class _Desk:
    """One operator's desk, exactly as a replay of its records so far leaves it."""

    __slots__ = (
        "availability",
        "closed",
        "focus",
        "followups",
        "index",
        "key",
        "max_open",
        "open",
        "origin",
        "projects",
        "reserved",
        "snoozed",
    )

    def __init__(self, index: int, origin: str, projects: tuple[int, ...], max_open: int) -> None:
        self.index = index  # in the world's list of desks
        self.key = f"agent-{index + 1:03d}"
        self.origin = origin
        self.projects = projects
        self.max_open = max_open
        self.open: list[_Conversation] = []  # in desk order
        self.closed: dict[str, None] = {}  # ids closed here, oldest first (the latest few)
        self.snoozed: list[_Conversation] = []  # closed here, to be re-added here later
        self.reserved = 0  # conversations being transferred to this desk, not arrived yet
        self.focus: _Conversation | None = None
        self.availability: dict[str, str] = {}
        self.followups: deque[_Followup] = deque()  # what the desk does next, before any action

    def has_room(self) -> bool:
        """Whether one more conversation may come, counting those on their way."""
        return len(self.open) + self.reserved < self.max_open


class _World:
    """Every desk of the log, the random source, and where the chaos cycle stands."""

    __slots__ = ("cycle", "desks", "postponed", "rng")

    def __init__(self, rng: Random, desks: list[_Desk]) -> None:
        self.rng = rng
        self.desks = desks
        self.cycle = 0  # index in ANOMALY_KINDS of the next chaos kind
        self.postponed: list[AnomalyKind] = []  # kinds not possible when their turn came

    def uuid(self) -> str:
        """A fresh random id shaped like a version-4 UUID."""
        bits = self.rng.getrandbits(128)
        text = f"{bits:032x}"
        variant = "89ab"[bits & 3]
        return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-{variant}{text[17:20]}-{text[20:]}"

    def pick(self, items: tuple[str, ...]) -> str:
        """One of ``items``, uniformly."""
        return items[int(self.rng.random() * len(items))]


def _new_desk(rng: Random, index: int, max_open: int) -> _Desk:
    origin = _ORIGINS[1] if rng.random() < _SD_DESK else _ORIGINS[0]
    base = 1000 + int(rng.random() * 9000)
    projects = tuple(base + int(rng.random() * 90000) for _ in range(2 + int(rng.random() * 3)))
    desk = _Desk(index, origin, projects, max_open)
    desk.availability = {
        "CHAT": "AVAILABLE",
        "CALL": "AVAILABLE" if rng.random() < 0.5 else "UNAVAILABLE",
        "VIDEO": "UNAVAILABLE",
        "THIRD_PARTY": "UNAVAILABLE_FORCED" if rng.random() < 0.3 else "UNAVAILABLE",
    }
    desk.followups.append(partial(_report_availability, desk))  # the desk connects
    return desk


# --- events, and their effect on the model -------------------------------------------------------


def _focused(desk: _Desk, conversation: _Conversation) -> _Event:
    desk.focus = conversation
    conversation.unread = 0
    return {"event": _FOCUSED, "conversationId": conversation.id}


def _focus_lost(desk: _Desk, conversation: _Conversation) -> _Event:
    """FOCUS_LOST of a conversation once focused here: clears the focus only if it still has it."""
    if desk.focus is conversation:
        desk.focus = None
    return {"event": _FOCUS_LOST, "conversationId": conversation.id}


def _message(conversation: _Conversation, participant: str, mid: str) -> _Event:
    conversation.last_message = mid
    conversation.last_participant = participant
    return {
        "event": _MESSAGE_ADDED,
        "conversationId": conversation.id,
        "messageId": mid,
        "projectId": conversation.project,
        "conversationParticipantType": participant,
    }


def _availabilities(desk: _Desk) -> list[dict[str, str]]:
    return [{"channel": channel, "status": desk.availability[channel]} for channel in _CHANNELS]


def _report_availability(desk: _Desk) -> _Event:
    return {"event": _AVAILABILITY_UPDATED, "availabilities": _availabilities(desk)}


def _arrive(world: _World, desk: _Desk, conversation: _Conversation) -> _Event:
    """CONVERSATION_ADDED of a new, re-added or transferred conversation; its visitor follows."""
    desk.open.append(conversation)
    conversation.desk = desk
    desk.closed.pop(conversation.id, None)
    desk.followups.append(partial(_send_visitor, desk, conversation))
    if desk.focus is None and world.rng.random() < _FOCUS_NEW_ARRIVAL:
        desk.followups.append(partial(_elect_focus, world, desk))  # the only one: it gets focus
    return {"event": _ADDED, "conversationId": conversation.id, "projectId": conversation.project}


def _leave(desk: _Desk, conversation: _Conversation, then: Callable[[], None] | None) -> _Event:
    """CONVERSATION_REMOVED of an open conversation; ``then`` says where it goes next."""
    desk.open.remove(conversation)
    conversation.desk = None
    if desk.focus is conversation:
        desk.focus = None
    desk.closed[conversation.id] = None
    if len(desk.closed) > _MAX_CLOSED:
        del desk.closed[next(iter(desk.closed))]
    if then is not None:
        then()
    return {"event": _REMOVED, "conversationId": conversation.id}


# --- follow-ups: the next steps of something a desk started, checked when they come --------------


def _send_visitor(desk: _Desk, conversation: _Conversation) -> _Event | None:
    if conversation.desk is not desk:
        return None
    visitor = dict(conversation.visitor)
    return {"event": _VISITOR_UPDATED, "conversationId": conversation.id, "visitor": visitor}


def _elect_focus(world: _World, desk: _Desk) -> _Event | None:
    """The desk elects a conversation to receive the focus (after a removal, or the only one)."""
    if desk.focus is not None or not desk.open:
        return None
    return _focused(desk, _focus_candidate(world, desk))


def _focus_if_open(desk: _Desk, conversation: _Conversation) -> _Event | None:
    if conversation.desk is not desk:
        return None
    return _focused(desk, conversation)


def _leave_if_open(
    desk: _Desk, conversation: _Conversation, then: Callable[[], None] | None
) -> _Event | None:
    if conversation.desk is not desk:
        return None
    return _leave(desk, conversation, then)


def _receive(world: _World, desk: _Desk, conversation: _Conversation) -> _Event:
    """A conversation transferred from another desk arrives (its room was reserved)."""
    desk.reserved -= 1
    conversation.last_message = None  # this desk has none of its messages (or older ones)
    conversation.unread = 0
    return _arrive(world, desk, conversation)


def _hand_over(world: _World, desk: _Desk, conversation: _Conversation) -> None:
    desk.followups.append(partial(_receive, world, desk, conversation))


# --- actions: one thing a desk does, or None when it cannot now ----------------------------------

_Action: TypeAlias = Callable[[_World, _Desk], _Event | None]


def _any_open(world: _World, desk: _Desk) -> _Conversation:
    return desk.open[int(world.rng.random() * len(desk.open))]


def _focus_candidate(world: _World, desk: _Desk) -> _Conversation:
    """An open conversation other than the focused one if there is one, often one with unread."""
    choice = _any_open(world, desk)
    for _ in range(3):
        if choice.unread and choice is not desk.focus:
            break
        choice = _any_open(world, desk)
    return choice


def _focus_on(world: _World, desk: _Desk, target: _Conversation) -> _Event | None:
    """Move the focus to ``target``; the previous one's FOCUS_LOST comes just before or after."""
    previous = desk.focus
    if previous is target or target.desk is not desk:
        return None
    if previous is None:
        return _focused(desk, target)
    if world.rng.random() < _LOST_BEFORE:
        desk.followups.append(partial(_focus_if_open, desk, target))
        return _focus_lost(desk, previous)
    desk.followups.append(partial(_focus_lost, desk, previous))  # late: after the next FOCUSED
    return _focused(desk, target)


def _visitor_writes(world: _World, desk: _Desk) -> _Event | None:
    if not desk.open:
        return None
    conversation = _any_open(world, desk)
    if conversation is not desk.focus:
        conversation.unread += 1
    return _message(conversation, "Visitor", world.uuid())


def _operator_answers(world: _World, desk: _Desk) -> _Event | None:
    if desk.focus is None:
        return None
    return _message(desk.focus, "Professional", world.uuid())


def _expert_writes(world: _World, desk: _Desk) -> _Event | None:
    if not desk.open:
        return None
    conversation = _any_open(world, desk)
    if not conversation.expert:
        return None
    if conversation is not desk.focus:
        conversation.unread += 1
    return _message(conversation, "Expert", world.uuid())


def _move_focus(world: _World, desk: _Desk) -> _Event | None:
    if not desk.open:
        return None
    return _focus_on(world, desk, _focus_candidate(world, desk))


def _click_state_box(world: _World, desk: _Desk) -> _Event | None:
    if not desk.open:
        return None
    conversation = _any_open(world, desk)
    if conversation is not desk.focus and world.rng.random() < _CLICK_FOCUSES:
        desk.followups.append(partial(_focus_on, world, desk, conversation))
    return {"event": _CLICKED, "conversationId": conversation.id}


def _update_visitor(world: _World, desk: _Desk) -> _Event | None:
    """A visitor authenticates (full profile), or the operator edits an authenticated one."""
    if not desk.open:
        return None
    conversation = _any_open(world, desk)
    visitor = conversation.visitor
    rng = world.rng
    if "email" not in visitor:
        first = world.pick(_FIRST_NAMES)
        last = world.pick(_LAST_NAMES)
        city, country, prefix = _PLACES[int(rng.random() * len(_PLACES))]
        visitor["externalUserId"] = f"crm-{int(rng.random() * 1_000_000):06d}"
        visitor["firstName"] = first
        visitor["lastName"] = last
        visitor["email"] = f"{_ascii(first)}.{_ascii(last)}@{world.pick(_MAIL_DOMAINS)}"
        visitor["phoneNumber"] = f"{prefix}6{int(rng.random() * 100_000_000):08d}"
        visitor["city"] = city
        visitor["country"] = country
    elif rng.random() < _EDIT_VISITOR:
        prefix = _PHONE_PREFIXES[visitor["country"]]
        visitor["phoneNumber"] = f"{prefix}7{int(rng.random() * 100_000_000):08d}"  # a new mobile
    else:
        return None
    return _send_visitor(desk, conversation)


def _open_conversation(world: _World, desk: _Desk) -> _Event | None:
    if not desk.has_room():
        return None
    rng = world.rng
    conversation = _Conversation(
        world.uuid(),
        desk.projects[int(rng.random() * len(desk.projects))],
        world.uuid(),
        rng.random() < _EXPERT_CONVERSATION,
    )
    return _arrive(world, desk, conversation)


def _remove(
    world: _World, desk: _Desk, conversation: _Conversation, then: Callable[[], None] | None
) -> _Event:
    """CONVERSATION_REMOVED of ``conversation``, or the FOCUS_LOST that comes just before it.

    When it had the focus, its FOCUS_LOST comes before or after the removal, and the desk elects
    another conversation for the focus (sometimes before that late FOCUS_LOST).
    """
    if desk.focus is conversation:
        roll = world.rng.random()
        elect = partial(_elect_focus, world, desk)
        lose = partial(_focus_lost, desk, conversation)
        if roll < 1 / 3:
            desk.followups.extend((partial(_leave_if_open, desk, conversation, then), elect))
            return _focus_lost(desk, conversation)
        desk.followups.extend((lose, elect) if roll < 2 / 3 else (elect, lose))
    return _leave(desk, conversation, then)


def _close_conversation(world: _World, desk: _Desk) -> _Event | None:
    if not desk.open:
        return None
    return _remove(world, desk, _any_open(world, desk), None)


def _snooze_conversation(world: _World, desk: _Desk) -> _Event | None:
    if not desk.open or len(desk.snoozed) >= _MAX_SNOOZED:
        return None
    conversation = _any_open(world, desk)
    return _remove(world, desk, conversation, partial(desk.snoozed.append, conversation))


def _transfer_conversation(world: _World, desk: _Desk) -> _Event | None:
    """Hand a conversation over to another desk with room: removed here, added there."""
    if not desk.open or len(world.desks) == 1:
        return None
    desks = world.desks
    first = int(world.rng.random() * len(desks))
    for offset in range(len(desks)):
        target = desks[(first + offset) % len(desks)]
        if target is not desk and target.has_room():
            break
    else:
        return None
    target.reserved += 1
    conversation = _any_open(world, desk)
    return _remove(world, desk, conversation, partial(_hand_over, world, target, conversation))


def _wake_snoozed(world: _World, desk: _Desk) -> _Event | None:
    """A snoozed conversation comes back: CONVERSATION_ADDED of a closed one reopens it."""
    if not desk.snoozed or not desk.has_room():
        return None
    return _arrive(world, desk, desk.snoozed.pop(0))


def _refresh_desk(world: _World, desk: _Desk) -> _Event | None:
    """The desk page is refreshed: CONVERSATION_ADDED of a conversation already open."""
    if not desk.open:
        return None
    conversation = _any_open(world, desk)
    return {"event": _ADDED, "conversationId": conversation.id, "projectId": conversation.project}


def _change_availability(world: _World, desk: _Desk) -> _Event | None:
    channel = world.pick(_CHANNELS)
    status = world.pick(_STATUS_DRAW)
    if status == desk.availability[channel]:
        return None
    desk.availability[channel] = status
    return _report_availability(desk)


#: Every action and its weight: what share of a desk's actions it is, when it is possible.
_ACTIONS: Final[tuple[tuple[_Action, float], ...]] = (
    (_visitor_writes, 17.5),
    (_operator_answers, 15.0),
    (_expert_writes, 3.0),
    (_move_focus, 3.0),
    (_click_state_box, 2.5),
    (_update_visitor, 2.5),
    (_open_conversation, 3.0),
    (_close_conversation, 2.4),
    (_snooze_conversation, 0.4),
    (_transfer_conversation, 0.6),
    (_wake_snoozed, 0.6),
    (_refresh_desk, 0.2),
    (_change_availability, 0.8),
)
_ACTION_FUNCTIONS: Final = tuple(action for action, _ in _ACTIONS)
_CUMULATIVE: Final = tuple(
    sum(weight for _, weight in _ACTIONS[: i + 1]) for i in range(len(_ACTIONS))
)
_TOTAL_WEIGHT: Final = _CUMULATIVE[-1]


def _next_event(world: _World, desk: _Desk) -> _Event:
    """The desk's next normal event: a pending follow-up, else an action drawn by weight."""
    followups = desk.followups
    while followups:
        event = followups.popleft()()
        if event is not None:
            return event
    draw = world.rng.random
    while True:
        index = bisect(_CUMULATIVE, draw() * _TOTAL_WEIGHT)
        event = _ACTION_FUNCTIONS[index](world, desk)
        if event is not None:
            return event


# --- chaos: one maker per anomaly kind, None when not possible on that desk ----------------------


def _unknown_conversation(world: _World, desk: _Desk) -> _Event | None:
    name = _FOCUS_LOST if world.rng.random() < 0.5 else _REMOVED
    return {"event": name, "conversationId": world.uuid()}


def _closed_conversation(world: _World, desk: _Desk) -> _Event | None:
    if not desk.closed:
        return None
    ids = tuple(desk.closed)
    return {"event": _REMOVED, "conversationId": world.pick(ids)}


def _duplicate_message(world: _World, desk: _Desk) -> _Event | None:
    said = [c for c in desk.open if c.last_message is not None]
    if not said:
        return None
    conversation = said[int(world.rng.random() * len(said))]
    return {
        "event": _MESSAGE_ADDED,
        "conversationId": conversation.id,
        "messageId": conversation.last_message,
        "projectId": conversation.project,
        "conversationParticipantType": conversation.last_participant,
    }


def _duplicate_channel(world: _World, desk: _Desk) -> _Event | None:
    entries = _availabilities(desk)
    rng = world.rng
    repeated = dict(entries[int(rng.random() * len(entries))])
    entries.insert(int(rng.random() * (len(entries) + 1)), repeated)
    return {"event": _AVAILABILITY_UPDATED, "availabilities": entries}


def _unknown_value(world: _World, desk: _Desk) -> _Event | None:
    rng = world.rng
    roll = rng.random()
    if desk.open and roll < 1 / 3:
        conversation = _any_open(world, desk)
        return {  # a new message id: later messages cannot repeat it, so the model need not keep it
            "event": _MESSAGE_ADDED,
            "conversationId": conversation.id,
            "messageId": world.uuid(),
            "projectId": conversation.project,
            "conversationParticipantType": world.pick(_UNKNOWN_PARTICIPANTS),
        }
    entries = _availabilities(desk)
    if roll < 2 / 3:
        odd = {"channel": world.pick(_UNKNOWN_CHANNELS), "status": world.pick(_STATUS_DRAW)}
        entries.insert(int(rng.random() * (len(entries) + 1)), odd)
    else:
        entries[int(rng.random() * len(entries))]["status"] = world.pick(_UNKNOWN_STATUSES)
    return {"event": _AVAILABILITY_UPDATED, "availabilities": entries}


def _unknown_event(world: _World, desk: _Desk) -> _Event | None:
    cid = _any_open(world, desk).id if desk.open else world.uuid()
    return {"event": world.pick(_UNKNOWN_EVENTS), "conversationId": cid}


def _invalid_event(world: _World, desk: _Desk) -> _Event | None:
    rng = world.rng
    roll = rng.random()
    if roll < 1 / 3:
        project = desk.projects[int(rng.random() * len(desk.projects))]
        return {"event": _ADDED, "conversationId": world.uuid(), "projectId": str(project)}
    if roll < 2 / 3 or not desk.open:
        return {"event": _FOCUSED}  # conversationId is missing
    conversation = _any_open(world, desk)
    return {  # messageId is missing
        "event": _MESSAGE_ADDED,
        "conversationId": conversation.id,
        "projectId": conversation.project,
        "conversationParticipantType": "Visitor",
    }


def _foreign_origin(world: _World, desk: _Desk) -> _Event | None:
    """A valid event that changes nothing the model relies on, even if every origin is trusted."""
    if desk.open and world.rng.random() < 0.5:
        return {"event": _CLICKED, "conversationId": _any_open(world, desk).id}
    return _report_availability(desk)


_CHAOS_MAKERS: Final[dict[AnomalyKind, _Action]] = {
    "unknown-conversation": _unknown_conversation,
    "closed-conversation": _closed_conversation,
    "duplicate-message": _duplicate_message,
    "duplicate-channel": _duplicate_channel,
    "unknown-value": _unknown_value,
    "unknown-event": _unknown_event,
    "invalid-event": _invalid_event,
    "foreign-origin": _foreign_origin,
}


def _make(world: _World, desk: _Desk, kind: AnomalyKind) -> tuple[_Event, _Desk] | None:
    """A chaos record of ``kind``, on ``desk`` or else on the first desk after it that allows it."""
    maker = _CHAOS_MAKERS[kind]
    desks = world.desks
    for offset in range(len(desks)):
        candidate = desks[(desk.index + offset) % len(desks)]
        event = maker(world, candidate)
        if event is not None:
            return event, candidate
    return None


def _chaos(world: _World, desk: _Desk) -> tuple[_Event, _Desk, AnomalyKind]:
    """The next chaos record: a postponed kind that has become possible, else the cycle's next."""
    for kind in world.postponed:
        made = _make(world, desk, kind)
        if made is not None:
            world.postponed.remove(kind)
            return made[0], made[1], kind
    while True:
        kind = ANOMALY_KINDS[world.cycle]
        world.cycle = (world.cycle + 1) % len(ANOMALY_KINDS)
        if kind in world.postponed:
            continue
        made = _make(world, desk, kind)
        if made is not None:
            return made[0], made[1], kind
        world.postponed.append(kind)


# --- the public face -----------------------------------------------------------------------------


def _check_count(name: str, value: object, least: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"generate() needs {name} to be an integer, got {value!r}")
    if value < least:
        raise ValueError(f"generate() needs {name} to be at least {least}, got {value!r}")
    return value


def _check_chaos(value: object) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"generate() needs chaos to be a number from 0 to 1, got {value!r}")
    if not 0 <= value <= 1:  # NaN fails this too
        raise ValueError(f"generate() needs chaos to be a number from 0 to 1, got {value!r}")
    return float(value)


def _check_start(value: object) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"generate() needs start to be a datetime, got {value!r}")
    if value.utcoffset() is None:
        raise ValueError(
            f"generate() needs start to be an aware datetime (with a timezone), got {value!r}"
        )
    return value


def generate(
    events: int,
    *,
    seed: int = 0,
    max_open: int = 8,
    desks: int = 1,
    chaos: float = 0.0,
    start: datetime = DEFAULT_START,
) -> Iterator[Record]:
    """Yield ``events`` records of a realistic synthetic desk log, the same for the same arguments.

    Each record is an envelope of plain JSON values (``json.dumps`` takes it as is):
    ``{"data": EVENT, "ts": EPOCH_MS, "desk": "agent-001", "origin": "https://ha.iadvize.com"}``,
    ``ts`` strictly increasing from ``start``, the records of ``desks`` operators interleaved, none
    of them ever with more than ``max_open`` conversations open. With ``chaos=0`` the log replays
    per desk (:func:`~deskstate.replay_desks`) without a single anomaly, even strictly; with
    ``chaos=P`` each record is, with probability ``P``, an anomalous record that raises exactly
    one anomaly of the next kind in turn (see the module documentation) and leaves the records
    after it valid. Arguments are checked at the call: ``TypeError`` for a value of the wrong
    type, ``ValueError`` for one out of range, each naming the argument.
    """
    count = _check_count("events", events, 0)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"generate() needs seed to be an integer, got {seed!r}")
    limit = _check_count("max_open", max_open, 1)
    width = _check_count("desks", desks, 1)
    share = _check_chaos(chaos)
    begin = _check_start(start)
    rng = Random(seed)
    world = _World(rng, [_new_desk(rng, index, limit) for index in range(width)])
    return _records(world, count, share, (begin - _EPOCH) // _MILLISECOND)


def _records(world: _World, count: int, chaos: float, clock: int) -> Iterator[Record]:
    draw = world.rng.random
    desks = world.desks
    spread = len(desks)
    for _ in range(count):
        desk = desks[int(draw() * spread)]
        origin = desk.origin
        if chaos and draw() < chaos:
            event, desk, kind = _chaos(world, desk)
            origin = FOREIGN_ORIGIN if kind == "foreign-origin" else desk.origin
            gap = 300 + int(draw() * 3000)
        elif desk.followups:
            event = _next_event(world, desk)
            gap = 20 + int(draw() * 400)  # the next step of something just done: quick
        else:
            event = _next_event(world, desk)
            roll = draw()
            gap = 300 + int(roll * roll * roll * 40_000)  # a few hundred ms to tens of seconds
        clock += max(1, gap // spread)  # many desks: the log as a whole moves faster
        yield {"data": event, "ts": clock, "desk": desk.key, "origin": origin}
