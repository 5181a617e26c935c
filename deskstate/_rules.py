"""What the reducer and the batch fold share: who leaves messages unread, and the anomalies' words.

:mod:`deskstate.reducer` applies SPEC §4 one snapshot at a time, and :mod:`deskstate._fold`
applies it to working copies frozen once; both raise their anomalies through these builders, so
that the two say exactly the same thing.
"""

from __future__ import annotations

from typing import Final

from deskstate.anomaly import Anomaly
from deskstate.events import KNOWN_CHANNELS, KNOWN_PARTICIPANTS, KNOWN_STATUSES

#: Participant types whose messages wait to be read by the operator.
UNREAD_PARTICIPANTS: Final = frozenset({"Visitor", "Expert"})


def unknown_conversation(event_name: str, conversation_id: str, outcome: str) -> Anomaly:
    """An event named a conversation the desk never added; ``outcome`` says what was done."""
    return Anomaly(
        "unknown-conversation",
        f"{event_name} names conversation {conversation_id!r}, which the desk never added: "
        f"{outcome} (was its CONVERSATION_ADDED lost?)",
        conversation_id,
    )


def closed_conversation(event_name: str, conversation_id: str, outcome: str) -> Anomaly:
    """An event named a conversation that had left the desk; ``outcome`` says what was done."""
    return Anomaly(
        "closed-conversation",
        f"{event_name} names conversation {conversation_id!r}, which had left the desk: {outcome}",
        conversation_id,
    )


def duplicate_message(conversation_id: str, message_id: str) -> Anomaly:
    """A message id already in the conversation came again."""
    return Anomaly(
        "duplicate-message",
        f"message {message_id!r} is already in conversation {conversation_id!r}: "
        "ignored the repeat",
        conversation_id,
    )


def unknown_participant(conversation_id: str, participant: str) -> Anomaly:
    """A message came from a participant type outside the catalogue."""
    return Anomaly(
        "unknown-value",
        f"conversationParticipantType {participant!r} is not one of "
        f"{', '.join(sorted(KNOWN_PARTICIPANTS))}: applied as given",
        conversation_id,
    )


def availability_statuses(
    entries: tuple[tuple[str, str], ...] | list[tuple[str, str]],
) -> tuple[dict[str, str], list[Anomaly]]:
    """The statuses of an ``AVAILABILITY_UPDATED``'s entries, and the anomalies they raise.

    A channel listed twice takes its last entry's status.
    """
    anomalies: list[Anomaly] = []
    statuses: dict[str, str] = {}
    for channel, status in entries:
        unknown = [
            f"{what} {value!r}"
            for what, value, known in (
                ("channel", channel, KNOWN_CHANNELS),
                ("status", status, KNOWN_STATUSES),
            )
            if value not in known
        ]
        if unknown:
            anomalies.append(
                Anomaly(
                    "unknown-value",
                    f"AVAILABILITY_UPDATED has unknown {' and '.join(unknown)}: applied as given",
                )
            )
        if channel in statuses:
            anomalies.append(
                Anomaly(
                    "duplicate-channel",
                    f"AVAILABILITY_UPDATED lists channel {channel!r} more than once: "
                    "the last entry wins",
                )
            )
        statuses[channel] = status
    return statuses, anomalies


def unknown_event(name: str | None) -> Anomaly:
    """A record's event is not in the catalogue."""
    return Anomaly(
        "unknown-event",
        f"event {name!r} is not in the desk event catalogue: kept, with no effect",
    )
