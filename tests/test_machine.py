"""DeskMachine: a state machine playing a desk, and the base class of users' own view tests."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from hypothesis import Phase, settings
from hypothesis.stateful import invariant, run_state_machine_as_test

from deskstate import Anomaly, DeskState, diff, query
from deskstate.store import Change, Store
from deskstate.testing import DeskMachine

# Reproducible and short: these tests run the machine, they do not hunt for rare bugs.
QUICK = settings(max_examples=40, stateful_step_count=25, derandomize=True, database=None)


def test_the_desk_machine_keeps_every_invariant() -> None:
    """The chaotic machine runs, checking SPEC §8 after every step, without finding a failure."""
    run_state_machine_as_test(DeskMachine, settings=QUICK)


class CalmDesk(DeskMachine):
    chaotic = False
    max_open = 3

    @invariant()
    def at_most_max_open_conversations(self) -> None:
        assert len(self.state.order) <= self.max_open


def test_a_calm_machine_sends_only_protocol_valid_events() -> None:
    """With chaotic = False no event raises an anomaly (the machine asserts it); max_open holds."""
    run_state_machine_as_test(CalmDesk, settings=QUICK)


class RecordingDesk(DeskMachine):
    """Counts what on_event sees, to check the hook against the machine's own bookkeeping."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[dict[str, Any]] = []
        self.last: DeskState = self.state

    def on_event(
        self, old: DeskState, new: DeskState, record: dict[str, Any], anomalies: tuple[Anomaly, ...]
    ) -> None:
        assert old is self.last  # events arrive in order, each from the snapshot before it
        assert new.version == old.version + 1
        self.last = new
        self.seen.append(record)

    @invariant()
    def the_hook_saw_every_record(self) -> None:
        assert self.seen == self.records
        assert self.last is self.state
        assert self.state.version == len(self.records)


def test_on_event_is_called_once_per_event_in_order() -> None:
    """on_event gets each record once, in order, with the snapshots before and after it."""
    run_state_machine_as_test(RecordingDesk, settings=QUICK)


class CrmPanel:
    """A toy CRM panel beside the desk: it shows the focused conversation's visitor."""

    def __init__(self, *, forgets_profile_updates: bool = False) -> None:
        self.shown: Any = None
        self.forgets_profile_updates = forgets_profile_updates

    def update(self, state: DeskState, event_name: str) -> None:
        if self.forgets_profile_updates and event_name.endswith("VISITOR_UPDATED"):
            return  # the bug: a visitor who authenticates stays anonymous in the panel
        self.shown = query.focused_visitor(state)


class CrmPanelMachine(DeskMachine):
    forgetful: ClassVar[bool] = False

    def __init__(self) -> None:
        super().__init__()
        self.panel = CrmPanel(forgets_profile_updates=self.forgetful)

    def on_event(
        self, old: DeskState, new: DeskState, record: dict[str, Any], anomalies: tuple[Anomaly, ...]
    ) -> None:
        self.panel.update(new, str(record.get("event", "")))

    @invariant()
    def the_panel_shows_the_focused_visitor(self) -> None:
        assert self.panel.shown == query.focused_visitor(self.state)


def test_a_correct_view_passes() -> None:
    """A panel that follows every event always shows the focused visitor."""
    run_state_machine_as_test(CrmPanelMachine, settings=QUICK)


class ForgetfulPanelMachine(CrmPanelMachine):
    forgetful = True


def test_a_buggy_view_is_caught() -> None:
    """A panel that ignores visitor updates is caught: the machine finds a failing run."""
    # Finding it is the point here: no shrinking, which would only make the run slower.
    hunt = settings(QUICK, max_examples=300, phases=[Phase.generate])
    with pytest.raises(AssertionError):
        run_state_machine_as_test(ForgetfulPanelMachine, settings=hunt)


class SubscribedPanel:
    """A view fed by the store, as an embedded UI is: it keeps the focused visitor and a log."""

    def __init__(self, store: Store) -> None:
        self.shown: Any = query.focused_visitor(store.state)
        self.changes: list[Change] = []
        store.subscribe(self.on_change)

    def on_change(self, change: Change) -> None:
        self.changes.append(change)
        if any(fact.kind in {"focus-moved", "visitor-changed"} for fact in change.facts):
            self.shown = query.focused_visitor(change.new)


class StorePanelMachine(DeskMachine):
    def __init__(self) -> None:
        super().__init__()
        self.panel = SubscribedPanel(self.store)

    @invariant()
    def the_machine_drives_its_store(self) -> None:
        assert isinstance(self.store, Store)
        assert self.state is self.store.state
        assert len(self.panel.changes) == len(self.records) == self.state.version

    @invariant()
    def the_panel_follows_the_facts(self) -> None:
        assert self.panel.shown == query.focused_visitor(self.state)
        if self.panel.changes:
            last = self.panel.changes[-1]
            assert last.new is self.state
            assert last.facts == diff(last.old, last.new)


def test_a_view_subscribed_to_the_machine_store_sees_every_change() -> None:
    """A view subscribed to machine.store gets one Change per record and stays right.

    machine.store is the Store the rules dispatch into, and machine.state its snapshot; the view
    updates only on the facts that concern it.
    """
    run_state_machine_as_test(StorePanelMachine, settings=QUICK)


class BrokenViewMachine(DeskMachine):
    def __init__(self) -> None:
        super().__init__()
        self.store.subscribe(self.render)

    def render(self, change: Change) -> None:
        if change.new.focused_id is not None:
            raise LookupError("the view lost its row")


def test_an_exception_in_a_listener_of_the_machine_store_fails_the_run() -> None:
    """Where a production store would only log a listener's error, the machine re-raises it."""
    hunt = settings(QUICK, max_examples=100, phases=[Phase.generate])
    with pytest.raises(LookupError, match="lost its row"):
        run_state_machine_as_test(BrokenViewMachine, settings=hunt)


TestDeskMachineAsTestCase = DeskMachine.TestCase
TestDeskMachineAsTestCase.settings = QUICK
