"""deskstate: fold the event stream of an iAdvize operator desk into immutable snapshots.

The core is pure: :func:`step` and :func:`reduce` fold one event into a :class:`DeskState`,
:func:`replay` and :func:`scan` fold many, :mod:`deskstate.query` answers questions about a
snapshot, :func:`diff` says what changed between two, and :func:`to_dict` / :func:`from_dict` give
it a versioned JSON form. At the edge, :class:`Store` holds the current desk for a UI, with
listeners, memoised :func:`selector` s and time travel.
"""

from deskstate.anomaly import ANOMALY_KINDS, Anomaly, AnomalyKind
from deskstate.clock import state_at, states_at
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
)
from deskstate.logfile import read_log
from deskstate.records import DEFAULT_ORIGINS, LogLine
from deskstate.reducer import Step, reduce, step
from deskstate.replay import Replay, ReplayStep, replay, replay_desks, replay_steps, scan
from deskstate.selectors import Selector, selector
from deskstate.serialise import from_dict, to_dict
from deskstate.state import Conversation, DeskState, Message
from deskstate.store import Change, Store

__all__ = [
    "ANOMALY_KINDS",
    "DEFAULT_ORIGINS",
    "FACT_KINDS",
    "Anomaly",
    "AnomalyKind",
    "AvailabilityChanged",
    "AvailabilityUpdated",
    "Change",
    "ChannelStatus",
    "Conversation",
    "ConversationAdded",
    "ConversationClosed",
    "ConversationFocusLost",
    "ConversationFocused",
    "ConversationMessageAdded",
    "ConversationOpened",
    "ConversationRemoved",
    "ConversationReopened",
    "ConversationStateBoxClicked",
    "ConversationVisitorUpdated",
    "DeskState",
    "DeskStateError",
    "Event",
    "Fact",
    "FactKind",
    "FocusMoved",
    "InvalidEvent",
    "InvalidSnapshot",
    "LogLine",
    "Message",
    "MessageAppended",
    "ProtocolError",
    "Replay",
    "ReplayStep",
    "Selector",
    "StateBoxClicked",
    "Step",
    "Store",
    "UnknownEvent",
    "UnreadChanged",
    "UnreadableLog",
    "VisitorChanged",
    "diff",
    "from_dict",
    "parse_event",
    "read_log",
    "reduce",
    "replay",
    "replay_desks",
    "replay_steps",
    "scan",
    "selector",
    "state_at",
    "states_at",
    "step",
    "to_dict",
]
