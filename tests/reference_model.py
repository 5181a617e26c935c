"""A reference model of the desk, written from the SPEC's reduction table (§4), for model testing.

Deliberately simple and mutable: plain lists and dicts, one method per event type, each a direct
reading of a row of the table, with none of the reducer's structure sharing, derived fields or
identity concerns. Where the SPEC is silent it follows the library's documented decisions:

1. ``ADDED`` for an open conversation that was opened implicitly announces it: ``implicit`` becomes
   False and ``project_id`` is filled when unknown; for an announced open one nothing changes.
2. ``ADDED`` of a closed conversation reopens it at the end of the order with the event's
   ``project_id``, ``implicit`` False, ``removed_at`` None; its messages, visitor, unread and
   clicks kept.
3. ``FOCUSED`` of a closed conversation reopens it (``project_id`` and ``implicit`` kept), sets its
   unread to 0 and focuses it.
4. ``MESSAGE_ADDED`` fills ``project_id`` when unknown; an implicit open by a message takes its
   ``projectId``; a Visitor or Expert message to a closed conversation adds 1 to its unread; a
   repeated message id is ignored.
5. ``STATE_BOX_CLICKED`` on a closed conversation sets ``last_clicked_id`` too.
6. ``REMOVED`` keeps the unread count on the closed record.

``added_at`` is the timestamp of the event that last opened a conversation, ``removed_at`` that of
the event that last closed it (``None`` while open), ``clock`` the latest timestamp seen on a
catalogue event (an unknown event changes nothing but ``version``, SPEC §4).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from deskstate import (
    AvailabilityUpdated,
    ConversationAdded,
    ConversationFocused,
    ConversationFocusLost,
    ConversationMessageAdded,
    ConversationRemoved,
    ConversationStateBoxClicked,
    ConversationVisitorUpdated,
    Event,
    UnknownEvent,
)

# The known values, as SPEC §1 lists them.
CHANNELS = {"CHAT", "CALL", "VIDEO", "THIRD_PARTY"}
STATUSES = {"AVAILABLE", "UNAVAILABLE", "UNAVAILABLE_FORCED"}
PARTICIPANTS = {"Visitor", "Professional", "Expert"}
#: Messages from these wait to be read by the operator (SPEC §4).
WAITING = {"Visitor", "Expert"}

#: An anomaly the model expects: its kind and the conversation it names (or None).
Expected = tuple[str, str | None]


@dataclass
class ModelMessage:
    id: str
    participant: str
    project_id: int
    at: datetime | None


@dataclass
class ModelConversation:
    id: str
    project_id: int | None = None
    visitor: Mapping[str, object] = field(default_factory=dict)
    messages: list[ModelMessage] = field(default_factory=list)
    unread: int = 0
    clicks: int = 0
    implicit: bool = False
    added_at: datetime | None = None
    removed_at: datetime | None = None

    def has_message(self, message_id: str) -> bool:
        return any(message.id == message_id for message in self.messages)


class ReferenceDesk:
    """The desk as the SPEC describes it, mutated in place by :meth:`apply`."""

    def __init__(self) -> None:
        self.open: dict[str, ModelConversation] = {}
        self.order: list[str] = []
        self.closed: dict[str, ModelConversation] = {}
        self.focused_id: str | None = None
        self.availability: dict[str, str] = {}
        self.last_clicked_id: str | None = None
        self.version = 0
        self.clock: datetime | None = None

    # --- the questions deskstate.query answers ----------------------------------------------------

    def open_ids(self) -> list[str]:
        return list(self.order)

    def closed_ids(self) -> list[str]:
        return sorted(self.closed)

    def known_ids(self) -> list[str]:
        return [*self.order, *sorted(self.closed)]

    def conversation(self, cid: str) -> ModelConversation | None:
        found = self.open.get(cid)
        return found if found is not None else self.closed.get(cid)

    def unread(self, cid: str | None = None) -> int:
        if cid is None:
            return sum(conversation.unread for conversation in self.open.values())
        found = self.conversation(cid)
        return 0 if found is None else found.unread

    def message_count(self, cid: str, participant: str | None = None) -> int:
        found = self.conversation(cid)
        if found is None:
            return 0
        return sum(
            1
            for message in found.messages
            if participant is None or message.participant == participant
        )

    def visitor(self, cid: str) -> Mapping[str, object] | None:
        found = self.conversation(cid)
        return None if found is None else found.visitor

    # --- folding one event ----------------------------------------------------------------------

    def apply(self, event: Event) -> list[Expected]:
        """Fold ``event`` into the model; return the anomalies it should raise."""
        self.version += 1
        if isinstance(event, UnknownEvent):
            # "No change but version" (SPEC §4): its timestamp does not move the clock either.
            return [("unknown-event", None)]
        if event.ts is not None and (self.clock is None or event.ts > self.clock):
            self.clock = event.ts
        if isinstance(event, ConversationAdded):
            return self._added(event)
        if isinstance(event, ConversationFocused):
            return self._focused(event)
        if isinstance(event, ConversationFocusLost):
            return self._focus_lost(event)
        if isinstance(event, ConversationStateBoxClicked):
            return self._clicked(event)
        if isinstance(event, ConversationRemoved):
            return self._removed(event)
        if isinstance(event, ConversationVisitorUpdated):
            return self._visitor_updated(event)
        if isinstance(event, ConversationMessageAdded):
            return self._message_added(event)
        assert isinstance(event, AvailabilityUpdated), event
        return self._availability_updated(event)

    def _reopen(self, conversation: ModelConversation, ts: datetime | None) -> None:
        del self.closed[conversation.id]
        conversation.removed_at = None
        conversation.added_at = ts
        self.open[conversation.id] = conversation
        self.order.append(conversation.id)

    def _open_implicitly(self, cid: str, ts: datetime | None) -> ModelConversation:
        conversation = ModelConversation(cid, implicit=True, added_at=ts)
        self.open[cid] = conversation
        self.order.append(cid)
        return conversation

    def _added(self, event: ConversationAdded) -> list[Expected]:
        cid = event.conversation_id
        if cid in self.open:
            conversation = self.open[cid]
            if conversation.implicit:
                conversation.implicit = False
                if conversation.project_id is None:
                    conversation.project_id = event.project_id
        elif cid in self.closed:
            conversation = self.closed[cid]
            self._reopen(conversation, event.ts)
            conversation.project_id = event.project_id
            conversation.implicit = False
        else:
            self.open[cid] = ModelConversation(cid, event.project_id, added_at=event.ts)
            self.order.append(cid)
        return []

    def _focused(self, event: ConversationFocused) -> list[Expected]:
        cid = event.conversation_id
        anomalies: list[Expected] = []
        if cid in self.open:
            conversation = self.open[cid]
        elif cid in self.closed:
            conversation = self.closed[cid]
            self._reopen(conversation, event.ts)
            anomalies.append(("closed-conversation", cid))
        else:
            conversation = self._open_implicitly(cid, event.ts)
            anomalies.append(("unknown-conversation", cid))
        conversation.unread = 0
        self.focused_id = cid
        return anomalies

    def _focus_lost(self, event: ConversationFocusLost) -> list[Expected]:
        cid = event.conversation_id
        if cid not in self.open and cid not in self.closed:
            return [("unknown-conversation", cid)]
        if self.focused_id == cid:
            self.focused_id = None
        return []

    def _clicked(self, event: ConversationStateBoxClicked) -> list[Expected]:
        cid = event.conversation_id
        anomalies: list[Expected] = []
        if cid in self.open:
            conversation = self.open[cid]
        elif cid in self.closed:
            conversation = self.closed[cid]
            anomalies.append(("closed-conversation", cid))
        else:
            conversation = self._open_implicitly(cid, event.ts)
            anomalies.append(("unknown-conversation", cid))
        conversation.clicks += 1
        self.last_clicked_id = cid
        return anomalies

    def _removed(self, event: ConversationRemoved) -> list[Expected]:
        cid = event.conversation_id
        if cid in self.closed:
            return [("closed-conversation", cid)]
        if cid not in self.open:
            return [("unknown-conversation", cid)]
        conversation = self.open.pop(cid)
        self.order.remove(cid)
        conversation.removed_at = event.ts
        self.closed[cid] = conversation
        if self.focused_id == cid:
            self.focused_id = None
        return []

    def _visitor_updated(self, event: ConversationVisitorUpdated) -> list[Expected]:
        cid = event.conversation_id
        anomalies: list[Expected] = []
        if cid in self.open:
            conversation = self.open[cid]
        elif cid in self.closed:
            conversation = self.closed[cid]
            anomalies.append(("closed-conversation", cid))
        else:
            conversation = self._open_implicitly(cid, event.ts)
            anomalies.append(("unknown-conversation", cid))
        conversation.visitor = event.visitor
        return anomalies

    def _message_added(self, event: ConversationMessageAdded) -> list[Expected]:
        cid = event.conversation_id
        anomalies: list[Expected] = []
        if event.participant not in PARTICIPANTS:
            anomalies.append(("unknown-value", cid))
        if cid in self.open:
            conversation = self.open[cid]
        elif cid in self.closed:
            conversation = self.closed[cid]
            anomalies.append(("closed-conversation", cid))
        else:
            conversation = self._open_implicitly(cid, event.ts)
            anomalies.append(("unknown-conversation", cid))
        if conversation.has_message(event.message_id):
            anomalies.append(("duplicate-message", cid))
            return anomalies
        conversation.messages.append(
            ModelMessage(event.message_id, event.participant, event.project_id, event.ts)
        )
        if conversation.project_id is None:
            conversation.project_id = event.project_id
        if event.participant in WAITING and self.focused_id != cid:
            conversation.unread += 1
        return anomalies

    def _availability_updated(self, event: AvailabilityUpdated) -> list[Expected]:
        anomalies: list[Expected] = []
        reported: dict[str, str] = {}
        for channel, status in event.availabilities:
            if channel not in CHANNELS or status not in STATUSES:
                anomalies.append(("unknown-value", None))
            if channel in reported:
                anomalies.append(("duplicate-channel", None))
            reported[channel] = status
        self.availability = reported
        return anomalies
