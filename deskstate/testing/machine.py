"""``DeskMachine``: a hypothesis state machine that plays a desk, for users' views to ride on."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, cast

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from deskstate.anomaly import Anomaly
from deskstate.state import DeskState
from deskstate.store import Change, Store
from deskstate.testing.events import RawEvent
from deskstate.testing.invariants import check_invariants
from deskstate.testing.sessions import (
    _Action,
    _add,
    _availability,
    _click,
    _closed_conversation,
    _Desk,
    _duplicate_channel,
    _duplicate_message,
    _focus,
    _late_focus_lost,
    _lose_focus,
    _message,
    _readd,
    _refresh,
    _remove,
    _unknown_conversation,
    _unknown_event,
    _unknown_value,
    _update_visitor,
    _with_messages,
)

__all__ = ["DeskMachine"]


class DeskMachine(RuleBasedStateMachine):
    """A state machine that plays a desk: one rule per kind of event, invariants after every step.

    Each rule makes the desk do one thing (add a conversation, focus one, send a message, remove
    one with its FOCUS_LOST before or after...) and dispatches the events it sends, one by one,
    into :attr:`store` (a lenient :class:`~deskstate.Store`), then calls :meth:`on_event` for
    each. :func:`~deskstate.testing.check_invariants` runs after every step. With :attr:`chaotic`
    (the default) rules that send anomalous events join in: unknown or closed conversations,
    repeated message ids, late FOCUS_LOST, unknown events and values; with ``chaotic = False``
    every event sent is protocol-valid, and the machine asserts that none raises an anomaly.

    Subclass it to test a view of your own: subscribe the view to :attr:`store` in ``__init__``
    (as it would be in production) or feed it in :meth:`on_event`, and state what it must show
    with ``@invariant()`` methods; run it with ``MyMachine.TestCase`` (unittest/pytest)
    or :func:`hypothesis.stateful.run_state_machine_as_test`. An exception raised by a listener
    of :attr:`store` fails the run (see :meth:`on_listener_error`), where a production store
    would only log it.
    """

    #: Whether anomalous events are sent too.
    chaotic: ClassVar[bool] = True
    #: The most conversations open at once.
    max_open: ClassVar[int] = 8

    def __init__(self) -> None:
        super().__init__()
        #: The store the machine dispatches into; subscribe views under test to it.
        self.store = Store(on_error=self.on_listener_error)
        self._changes: list[Change] = []
        self.store.subscribe(self._changes.append)
        #: Every record sent so far, as the desk posted it.
        self.records: list[RawEvent] = []
        #: Every anomaly raised so far.
        self.anomalies: list[Anomaly] = []
        self._desk = _Desk(self.max_open)

    @property
    def state(self) -> DeskState:
        """The current snapshot of the desk: ``store.state``."""
        return self.store.state

    def on_listener_error(self, exc: BaseException, listener: Callable[..., object]) -> None:
        """Told of an exception raised by a listener of :attr:`store`: re-raise it, to fail.

        Override it to tolerate some (a store's default logs them and carries on).
        """
        raise exc

    def on_event(
        self, old: DeskState, new: DeskState, record: RawEvent, anomalies: tuple[Anomaly, ...]
    ) -> None:
        """Called after each event is reduced: override it to feed the view under test."""

    def _act(self, action: _Action, data: st.DataObject) -> None:
        sent = len(self._desk.records)
        # A rule's data.draw is the same kind of function as a composite strategy's draw.
        action(cast(st.DrawFn, data.draw), self._desk)
        for record in self._desk.records[sent:]:
            old = self.store.state
            new = self.store.dispatch(record)
            change = self._changes.pop()
            assert not self._changes, (
                "the store sent more than one Change for one dispatch "
                "(does a listener dispatch into the machine's store?)"
            )
            assert change.old is old, "the Change does not start from the snapshot before"
            assert change.new is new, "the Change does not end on the snapshot dispatch returned"
            anomalies = change.anomalies
            self.records.append(record)
            self.anomalies.extend(anomalies)
            if not self.chaotic:
                assert anomalies == (), f"a protocol-valid event raised {anomalies!r}"
            self.on_event(old, new, record, anomalies)

    @invariant()
    def the_desk_keeps_its_invariants(self) -> None:
        """SPEC §8, on the snapshot after every step."""
        check_invariants(self.state)

    # --- what a desk does ------------------------------------------------------------------------

    @precondition(lambda self: self._desk.room())
    @rule(data=st.data())
    def add_conversation(self, data: st.DataObject) -> None:
        """CONVERSATION_ADDED: a new conversation pops in."""
        self._act(_add, data)

    @precondition(lambda self: bool(self._desk.closed) and self._desk.room())
    @rule(data=st.data())
    def add_back_a_removed_conversation(self, data: st.DataObject) -> None:
        """CONVERSATION_ADDED of a conversation removed before (a transfer that came back)."""
        self._act(_readd, data)

    @precondition(lambda self: bool(self._desk.open))
    @rule(data=st.data())
    def refresh_a_conversation(self, data: st.DataObject) -> None:
        """CONVERSATION_ADDED of an open conversation: the desk was refreshed."""
        self._act(_refresh, data)

    @precondition(lambda self: bool(self._desk.open))
    @rule(data=st.data())
    def focus_a_conversation(self, data: st.DataObject) -> None:
        """CONVERSATION_FOCUSED, sometimes after the FOCUS_LOST of the previous one."""
        self._act(_focus, data)

    @precondition(lambda self: self._desk.focused is not None)
    @rule(data=st.data())
    def lose_the_focus(self, data: st.DataObject) -> None:
        """CONVERSATION_FOCUS_LOST of the focused conversation."""
        self._act(_lose_focus, data)

    @precondition(lambda self: bool(self._desk.open))
    @rule(data=st.data())
    def click_a_state_box(self, data: st.DataObject) -> None:
        """CONVERSATION_STATE_BOX_CLICKED."""
        self._act(_click, data)

    @precondition(lambda self: bool(self._desk.open))
    @rule(data=st.data())
    def remove_a_conversation(self, data: st.DataObject) -> None:
        """CONVERSATION_REMOVED, the focused one's FOCUS_LOST before, after or never."""
        self._act(_remove, data)

    @precondition(lambda self: bool(self._desk.open))
    @rule(data=st.data())
    def update_a_visitor(self, data: st.DataObject) -> None:
        """CONVERSATION_VISITOR_UPDATED with a new profile."""
        self._act(_update_visitor, data)

    @precondition(lambda self: bool(self._desk.open))
    @rule(data=st.data())
    def add_a_message(self, data: st.DataObject) -> None:
        """CONVERSATION_MESSAGE_ADDED from a visitor, the operator or an expert."""
        self._act(_message, data)

    @rule(data=st.data())
    def update_availability(self, data: st.DataObject) -> None:
        """AVAILABILITY_UPDATED with known channels and statuses."""
        self._act(_availability, data)

    # --- what a misbehaving desk does ------------------------------------------------------------

    @precondition(lambda self: self.chaotic)
    @rule(data=st.data())
    def name_an_unknown_conversation(self, data: st.DataObject) -> None:
        """An event about a conversation the desk never added."""
        self._act(_unknown_conversation, data)

    @precondition(lambda self: self.chaotic and bool(self._desk.closed))
    @rule(data=st.data())
    def name_a_removed_conversation(self, data: st.DataObject) -> None:
        """An event about a conversation already removed."""
        self._act(_closed_conversation, data)

    @precondition(lambda self: self.chaotic and bool(_with_messages(self._desk)))
    @rule(data=st.data())
    def repeat_a_message(self, data: st.DataObject) -> None:
        """A CONVERSATION_MESSAGE_ADDED with a message id already seen."""
        self._act(_duplicate_message, data)

    @precondition(
        lambda self: self.chaotic and self._desk.focused is not None and len(self._desk.open) >= 2
    )
    @rule(data=st.data())
    def lose_the_focus_late(self, data: st.DataObject) -> None:
        """A FOCUS_LOST that arrives after the FOCUSED of the next conversation."""
        self._act(_late_focus_lost, data)

    @precondition(lambda self: self.chaotic)
    @rule(data=st.data())
    def send_an_unknown_event(self, data: st.DataObject) -> None:
        """An event outside the catalogue."""
        self._act(_unknown_event, data)

    @precondition(lambda self: self.chaotic)
    @rule(data=st.data())
    def send_an_unknown_value(self, data: st.DataObject) -> None:
        """An unknown channel, status or participant type."""
        self._act(_unknown_value, data)

    @precondition(lambda self: self.chaotic)
    @rule(data=st.data())
    def list_a_channel_twice(self, data: st.DataObject) -> None:
        """An AVAILABILITY_UPDATED that lists a channel twice."""
        self._act(_duplicate_channel, data)
