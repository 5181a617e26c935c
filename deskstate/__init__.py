"""deskstate: fold the event stream of an iAdvize operator desk into immutable snapshots.

The core is pure: :func:`step` and :func:`reduce` fold one event into a :class:`DeskState`,
:func:`replay` and :func:`scan` fold many, :mod:`deskstate.query` answers questions about a
snapshot, and :func:`to_dict` / :func:`from_dict` give it a versioned JSON form.
"""

from deskstate.anomaly import ANOMALY_KINDS, Anomaly, AnomalyKind
from deskstate.errors import (
    DeskStateError,
    InvalidEvent,
    InvalidSnapshot,
    ProtocolError,
    UnreadableLog,
)
from deskstate.events import (
    AvailabilityUpdated,
    ChannelStatus,
    ConversationAdded,
    ConversationFocused,
    ConversationFocusLost,
    ConversationMessageAdded,
    ConversationRemoved,
    ConversationStateBoxClicked,
    ConversationVisitorUpdated,
    Event,
    UnknownEvent,
    parse_event,
)
from deskstate.logfile import read_log
from deskstate.records import DEFAULT_ORIGINS, LogLine
from deskstate.reducer import Step, reduce, step
from deskstate.replay import Replay, replay, replay_desks, scan
from deskstate.serialise import from_dict, to_dict
from deskstate.state import Conversation, DeskState, Message

__all__ = [
    "ANOMALY_KINDS",
    "DEFAULT_ORIGINS",
    "Anomaly",
    "AnomalyKind",
    "AvailabilityUpdated",
    "ChannelStatus",
    "Conversation",
    "ConversationAdded",
    "ConversationFocusLost",
    "ConversationFocused",
    "ConversationMessageAdded",
    "ConversationRemoved",
    "ConversationStateBoxClicked",
    "ConversationVisitorUpdated",
    "DeskState",
    "DeskStateError",
    "Event",
    "InvalidEvent",
    "InvalidSnapshot",
    "LogLine",
    "Message",
    "ProtocolError",
    "Replay",
    "Step",
    "UnknownEvent",
    "UnreadableLog",
    "from_dict",
    "parse_event",
    "read_log",
    "reduce",
    "replay",
    "replay_desks",
    "scan",
    "step",
    "to_dict",
]
