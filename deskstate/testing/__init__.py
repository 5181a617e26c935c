"""Property-testing helpers: hypothesis strategies of desk events and an invariant checker.

Needs the ``testing`` extra (``pip install 'deskstate[testing]'``); this package is the one part of
deskstate that imports hypothesis.

- :func:`raw_events` and :func:`events` give single events, raw (as the desk posts them) or parsed;
- :func:`streams` gives protocol-valid desk sessions, drawn from a small model of the desk, and
  :func:`chaotic_streams` the same sessions with anomalies mixed in;
- :func:`invalid_records` gives malformed records, for fuzzing parsers;
- :func:`check_invariants` checks a snapshot against the invariants of the SPEC (§8);
- :class:`DeskMachine` is a state machine that plays a desk, for users' views to ride on.

Sessions shrink well: a failing session shrinks towards fewer events, fewer conversations and the
protocol-valid actions of the desk.
"""

from deskstate.testing.events import RawEvent, events, raw_events
from deskstate.testing.invariants import check_invariants
from deskstate.testing.machine import DeskMachine
from deskstate.testing.malformed import invalid_records
from deskstate.testing.sessions import chaotic_streams, streams

__all__ = [
    "DeskMachine",
    "RawEvent",
    "chaotic_streams",
    "check_invariants",
    "events",
    "invalid_records",
    "raw_events",
    "streams",
]
