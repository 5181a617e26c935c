"""The Store: dispatch, lenient and strict, listeners, watch, threads and time travel.

The asyncio side (``store.changes()``) is in ``test_store_async.py``.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Iterator
from itertools import pairwise
from typing import Any

import attrs
import pytest
from helpers import (
    added,
    clicked,
    envelope,
    focus_lost,
    focused,
    fold,
    message,
    removed,
    visitor_updated,
)
from hypothesis import given
from hypothesis import strategies as st

from deskstate import (
    ConversationOpened,
    DeskState,
    FocusMoved,
    LogLine,
    ProtocolError,
    diff,
    parse_event,
    replay,
)
from deskstate.store import Change, Store
from deskstate.testing import chaotic_streams

P = "com.iadvize.desk."


def recorder(store: Store) -> list[Change]:
    """Subscribe a list to ``store`` and return it: it collects every Change."""
    changes: list[Change] = []
    store.subscribe(changes.append)
    return changes


# --- dispatching ---------------------------------------------------------------------------------


def test_a_new_store_shows_the_empty_desk_or_the_snapshot_it_starts_from() -> None:
    """Store() shows DeskState(); Store(initial) shows that very snapshot, live."""
    assert Store().state == DeskState()
    start = fold(added("c1"))
    store = Store(start)
    assert store.state is start
    assert store.latest is start
    assert store.live


def test_dispatch_returns_the_new_snapshot_and_the_store_shows_it() -> None:
    """Dispatch reduces one event and returns the snapshot that state and latest then give."""
    store = Store()
    first = store.dispatch(added("c1"))
    assert store.state is first
    assert store.latest is first
    assert first == fold(added("c1"))
    second = store.dispatch(focused("c1"))
    assert store.state is second
    assert second.focused_id == "c1"
    assert second.version == 2


def test_dispatch_takes_parsed_events_raw_events_envelopes_and_log_lines() -> None:
    """Each form of record is applied as replay applies it."""
    store = Store()
    store.dispatch(parse_event(added("c1")))
    store.dispatch(added("c2"))
    store.dispatch(
        envelope(added("c3"), ts="2026-11-24T09:30:00Z", origin="https://ha.iadvize.com")
    )
    store.dispatch(LogLine(4, added("c4")))
    assert list(store.state.order) == ["c1", "c2", "c3", "c4"]
    assert store.state.conversations["c3"].added_at is not None
    assert store.state.version == 4


def test_each_dispatch_gives_one_change_with_the_event_and_its_facts() -> None:
    """The Change of a dispatch holds both snapshots, the parsed event, no anomaly, the facts."""
    store = Store()
    changes = recorder(store)
    before = store.state
    after = store.dispatch(added("c1"))
    [change] = changes
    assert change.old is before
    assert change.new is after
    assert change.event == parse_event(added("c1"))
    assert change.anomalies == ()
    assert change.facts == (ConversationOpened("c1"),)


def test_the_store_refuses_bad_arguments_with_a_message_saying_what_it_got() -> None:
    """Wrong types and values are refused at the call, naming the argument."""
    with pytest.raises(TypeError, match="DeskState"):
        Store({"conversations": {}})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="history must be at least 0, got -1"):
        Store(history=-1)
    with pytest.raises(TypeError, match="history must be an integer"):
        Store(history=True)
    with pytest.raises(TypeError, match="on_error must be callable"):
        Store(on_error="log")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"allowed_origins=\['https://x.example'\]"):
        Store(allowed_origins="https://x.example")
    store = Store()
    with pytest.raises(TypeError, match="a listener must be callable"):
        store.subscribe(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="use dispatch"):
        store.dispatch_many(added("c1"))
    with pytest.raises(TypeError, match="use dispatch"):
        store.dispatch_many(parse_event(added("c1")))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="steps must be at least 0"):
        store.back(-1)
    with pytest.raises(TypeError, match="maxsize must be an integer"):
        store.changes(maxsize=None)  # type: ignore[arg-type]


# --- lenient and strict --------------------------------------------------------------------------


def test_lenient_applies_an_anomalous_event_and_tells_its_anomalies() -> None:
    """A FOCUSED of an unknown conversation opens it and focuses it; the Change has the anomaly."""
    store = Store()
    changes = recorder(store)
    state = store.dispatch(focused("c9"))
    assert state.focused_id == "c9"
    assert state.conversations["c9"].implicit
    [change] = changes
    assert [(a.kind, a.conversation_id, a.index) for a in change.anomalies] == [
        ("unknown-conversation", "c9", None)
    ]
    assert change.facts == (ConversationOpened("c9"), FocusMoved(None, "c9"))


def test_lenient_reports_an_invalid_record_without_applying_it() -> None:
    """A record that does not parse changes nothing, not even version, and its Change says why."""
    store = Store()
    before = store.dispatch(added("c1"))
    changes = recorder(store)
    after = store.dispatch(added("c2", project="1234"))  # type: ignore[arg-type]
    assert after is before
    [change] = changes
    assert change.old is before
    assert change.new is before
    assert change.event is None
    assert change.facts == ()
    [anomaly] = change.anomalies
    assert anomaly.kind == "invalid-event"
    assert anomaly.message == "projectId must be an integer, got '1234'"


def test_lenient_reports_a_record_from_a_foreign_origin_without_applying_it() -> None:
    """An envelope from an origin not allowed is not applied; one without origin is trusted."""
    store = Store()
    changes = recorder(store)
    store.dispatch(envelope(added("c1"), origin="https://evil.example"))
    store.dispatch(envelope(added("c2")))
    assert list(store.state.order) == ["c2"]
    assert [a.kind for a in changes[0].anomalies] == ["foreign-origin"]
    assert changes[0].new is changes[0].old
    assert changes[1].anomalies == ()


def test_allowed_origins_replace_the_default_or_trust_every_origin() -> None:
    """An explicit list replaces the iAdvize origins; None trusts every origin."""
    own = Store(allowed_origins=["https://desk.example"])
    own.dispatch(envelope(added("c1"), origin="https://desk.example"))
    own.dispatch(envelope(added("c2"), origin="https://ha.iadvize.com"))
    assert list(own.state.order) == ["c1"]
    trusting = Store(allowed_origins=None)
    trusting.dispatch(envelope(added("c1"), origin="https://evil.example"))
    assert list(trusting.state.order) == ["c1"]


def test_strict_refuses_an_anomalous_event_and_notifies_nobody() -> None:
    """Strict: an event with an anomaly is not applied and ProtocolError carries the anomaly."""
    store = Store(strict=True)
    before = store.dispatch(added("c1"))
    changes = recorder(store)
    with pytest.raises(ProtocolError) as caught:
        store.dispatch(message("c1", "m1", participant="Robot"))
    assert caught.value.anomaly.kind == "unknown-value"
    assert caught.value.anomaly.conversation_id == "c1"
    assert store.state is before
    assert changes == []
    assert store.dispatch(focused("c1")).focused_id == "c1"  # and the store goes on


def test_strict_refuses_invalid_records_and_foreign_origins() -> None:
    """Strict: a record that does not parse or comes from a foreign origin raises ProtocolError."""
    store = Store(strict=True)
    with pytest.raises(ProtocolError) as invalid:
        store.dispatch({"event": P + "CONVERSATION_FOCUSED"})
    assert invalid.value.anomaly.kind == "invalid-event"
    assert "conversationId" in invalid.value.anomaly.message
    with pytest.raises(ProtocolError) as foreign:
        store.dispatch(envelope(added("c1"), origin="https://evil.example"))
    assert foreign.value.anomaly.kind == "foreign-origin"
    assert store.state == DeskState()


def test_strict_dispatch_many_is_all_or_nothing() -> None:
    """An anomalous record in a strict batch: nothing applied, no Change, its index in the error."""
    store = Store(strict=True)
    before = store.dispatch(added("c1"))
    changes = recorder(store)
    batch = [added("c2"), focused("c2"), message("c2", "m1"), removed("c7")]
    with pytest.raises(ProtocolError) as caught:
        store.dispatch_many(batch)
    assert (caught.value.anomaly.kind, caught.value.anomaly.index) == ("unknown-conversation", 3)
    assert store.state is before
    assert changes == []
    after = store.dispatch_many(batch[:3])
    assert after.focused_id == "c2"
    assert after.version == 4
    assert len(changes) == 1


def test_a_batch_whose_records_fail_to_read_applies_nothing() -> None:
    """When iterating the records raises, the error propagates and nothing is applied."""

    def records() -> Iterator[dict[str, Any]]:
        yield added("c1")
        raise OSError("disk gone")

    store = Store()
    changes = recorder(store)
    with pytest.raises(OSError, match="disk gone"):
        store.dispatch_many(records())
    assert store.state == DeskState()
    assert changes == []


# --- dispatch_many -------------------------------------------------------------------------------


def test_dispatch_many_gives_one_change_with_every_event_and_every_anomaly() -> None:
    """One Change: the events applied, in order, and every anomaly, each with its batch index."""
    store = Store()
    start = store.dispatch(added("c1"))
    changes = recorder(store)
    batch = [
        focused("c1"),
        added("c2", project="x"),  # type: ignore[arg-type]
        message("c1", "m1"),
        focus_lost("c5"),
        envelope(clicked("c1"), origin="https://evil.example"),
        message("c1", "m1"),
    ]
    after = store.dispatch_many(batch)
    assert after.version == start.version + 4
    [change] = changes
    assert change.old is start
    assert change.new is after
    applied = (focused("c1"), message("c1", "m1"), focus_lost("c5"), message("c1", "m1"))
    assert change.event == tuple(parse_event(record) for record in applied)
    assert [(a.kind, a.index) for a in change.anomalies] == [
        ("invalid-event", 1),
        ("unknown-conversation", 3),
        ("foreign-origin", 4),
        ("duplicate-message", 5),
    ]
    assert change.facts == diff(start, after)


def test_an_empty_batch_changes_nothing_and_notifies_nobody() -> None:
    """dispatch_many([]) returns the latest snapshot and makes no Change."""
    store = Store()
    before = store.dispatch(added("c1"))
    changes = recorder(store)
    assert store.dispatch_many([]) is before
    assert changes == []


def test_the_records_of_a_batch_may_not_dispatch_into_the_store() -> None:
    """A record iterator that dispatches into the store it feeds is refused, and nothing applied."""
    store = Store()

    def records() -> Iterator[dict[str, Any]]:
        yield added("c1")
        store.dispatch(added("c2"))
        yield added("c3")

    with pytest.raises(RuntimeError, match="dispatch_many"):
        store.dispatch_many(records())
    assert store.state == DeskState()
    assert store.dispatch(added("c4")).version == 1  # usable afterwards


# --- facts ---------------------------------------------------------------------------------------


@given(stream=chaotic_streams(max_events=40), cuts=st.lists(st.integers(0, 40), max_size=8))
def test_the_facts_of_every_change_are_those_of_diff(stream: list[Any], cuts: list[int]) -> None:
    """Every Change's facts are diff(old, new), dispatching one by one or in random batches.

    The Changes also form a chain (each starts where the previous ended) and the store ends where
    replay does.
    """
    expected = replay(stream).state
    start = DeskState()
    one_by_one = Store(start)
    changes = recorder(one_by_one)
    for record in stream:
        one_by_one.dispatch(record)
    assert len(changes) == len(stream)
    batched = Store(start)
    batches = recorder(batched)
    bounds = [0, *sorted(cut for cut in cuts if cut <= len(stream)), len(stream)]
    sizes = [end - begin for begin, end in pairwise(bounds)]
    for begin, end in pairwise(bounds):
        batched.dispatch_many(stream[begin:end])
    assert len(batches) == sum(1 for size in sizes if size)  # an empty batch makes no Change
    for store, made in ((one_by_one, changes), (batched, batches)):
        previous = start
        for change in made:
            assert change.old is previous
            assert change.facts == diff(change.old, change.new)
            previous = change.new
        assert previous is store.state
        assert store.state == expected


def test_a_change_made_by_hand_computes_its_facts_from_its_snapshots() -> None:
    """Change(old, new) has diff's facts; facts= is taken as given; evolve recomputes them."""
    old, new = DeskState(), fold(added("c1"))
    change = Change(old, new)
    assert change.facts == (ConversationOpened("c1"),)
    assert Change(old, new, None, (), facts=()).facts == ()
    assert attrs.evolve(change, new=old).facts == ()
    assert change == Change(old, new, None, ())


# --- listeners -----------------------------------------------------------------------------------


def test_listeners_are_called_in_the_order_they_subscribed() -> None:
    """Three listeners are told of each Change in subscription order."""
    store = Store()
    calls: list[str] = []

    def listener(name: str) -> Callable[[Change], None]:
        return lambda change: calls.append(name)

    for name in ("a", "b", "c"):
        store.subscribe(listener(name))
    store.dispatch(added("c1"))
    store.dispatch(added("c2"))
    assert calls == ["a", "b", "c", "a", "b", "c"]


def test_unsubscribing_stops_the_calls_and_doing_it_twice_is_harmless() -> None:
    """After unsubscribe() the listener is not called; a second unsubscribe() does nothing."""
    store = Store()
    changes: list[Change] = []
    unsubscribe = store.subscribe(changes.append)
    store.dispatch(added("c1"))
    unsubscribe()
    unsubscribe()
    store.dispatch(added("c2"))
    assert len(changes) == 1


def test_a_function_subscribed_twice_is_called_twice_until_each_is_undone() -> None:
    """Each subscription is its own; undoing one leaves the other."""
    store = Store()
    changes: list[Change] = []
    first = store.subscribe(changes.append)
    store.subscribe(changes.append)
    store.dispatch(added("c1"))
    first()
    store.dispatch(added("c2"))
    assert [change.new.version for change in changes] == [1, 1, 2]


def test_listener_count_follows_subscriptions_and_watches() -> None:
    """listener_count counts the subscriptions and watches in place now."""
    store = Store()
    assert store.listener_count == 0
    unsubscribe = store.subscribe(lambda change: None)
    unwatch = store.watch(lambda state: state.version, lambda new, old: None)
    assert store.listener_count == 2
    unsubscribe()
    unwatch()
    unwatch()
    assert store.listener_count == 0


def test_a_listener_subscribed_during_a_notification_gets_the_next_changes() -> None:
    """Subscribing from a listener takes effect from the next Change, not the current one."""
    store = Store()
    late: list[int] = []

    def subscriber(change: Change) -> None:
        if change.new.version == 1:
            store.subscribe(lambda change: late.append(change.new.version))

    store.subscribe(subscriber)
    store.dispatch(added("c1"))
    assert late == []
    store.dispatch(added("c2"))
    assert late == [2]


def test_a_listener_unsubscribed_during_a_notification_is_not_called_again() -> None:
    """A listener removed by an earlier one is not called, even for the Change being delivered."""
    store = Store()
    calls: list[str] = []
    unsubscribe_b: Callable[[], None] = lambda: None  # noqa: E731 - replaced below

    def a(change: Change) -> None:
        calls.append("a")
        unsubscribe_b()

    store.subscribe(a)
    unsubscribe_b = store.subscribe(lambda change: calls.append("b"))
    store.subscribe(lambda change: calls.append("c"))
    store.dispatch(added("c1"))
    store.dispatch(added("c2"))
    assert calls == ["a", "c", "a", "c"]


def test_a_listener_may_unsubscribe_itself() -> None:
    """A one-shot listener that unsubscribes itself sees one Change; the others go on."""
    store = Store()
    once: list[int] = []
    others: list[int] = []

    def one_shot(change: Change) -> None:
        once.append(change.new.version)
        stop()

    stop = store.subscribe(one_shot)
    store.subscribe(lambda change: others.append(change.new.version))
    store.dispatch(added("c1"))
    store.dispatch(added("c2"))
    assert once == [1]
    assert others == [1, 2]


def test_a_raising_listener_goes_to_on_error_and_the_others_still_run() -> None:
    """The exception and the listener go to on_error; later listeners and dispatches go on."""
    errors: list[tuple[BaseException, Callable[..., object]]] = []
    store = Store(on_error=lambda exc, listener: errors.append((exc, listener)))
    seen: list[int] = []

    def broken(change: Change) -> None:
        raise ValueError(f"cannot render version {change.new.version}")

    store.subscribe(broken)
    store.subscribe(lambda change: seen.append(change.new.version))
    store.dispatch(added("c1"))
    store.dispatch(added("c2"))
    assert seen == [1, 2]
    assert [(str(exc), listener) for exc, listener in errors] == [
        ("cannot render version 1", broken),
        ("cannot render version 2", broken),
    ]


def test_by_default_a_listener_error_is_logged_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Without on_error, the exception is logged at ERROR on the deskstate.store logger."""
    store = Store()

    def broken(change: Change) -> None:
        raise KeyError("row")

    store.subscribe(broken)
    with caplog.at_level(logging.ERROR, logger="deskstate.store"):
        state = store.dispatch(added("c1"))
    assert state.version == 1
    [entry] = caplog.records
    assert entry.name == "deskstate.store"
    assert entry.levelno == logging.ERROR
    assert "broken" in entry.getMessage()
    assert entry.exc_info is not None
    assert isinstance(entry.exc_info[1], KeyError)


def test_an_on_error_that_raises_propagates_and_the_store_stays_usable() -> None:
    """An on_error that re-raises makes listener errors fatal; the store still works after it."""

    def fatal(exc: BaseException, listener: Callable[..., object]) -> None:
        raise exc

    store = Store(on_error=fatal)
    broken = [True]
    seen: list[int] = []

    def flaky(change: Change) -> None:
        if broken[0]:
            raise RuntimeError("boom")
        seen.append(change.new.version)

    store.subscribe(flaky)
    with pytest.raises(RuntimeError, match="boom"):
        store.dispatch(added("c1"))
    assert store.state.version == 1  # the dispatch itself was applied
    broken[0] = False
    store.dispatch(added("c2"))
    assert seen == [2]


def test_a_dispatch_from_a_listener_is_queued_not_nested() -> None:
    """A dispatch from a listener is queued: every listener sees change 1 before change 2.

    The listener's dispatch still returns its new snapshot at once.
    """
    store = Store()
    calls: list[tuple[str, int]] = []
    returned: list[int] = []

    def first(change: Change) -> None:
        calls.append(("first", change.new.version))
        if change.new.version == 1:
            returned.append(store.dispatch(added("c2")).version)
            calls.append(("first returns", change.new.version))

    store.subscribe(first)
    store.subscribe(lambda change: calls.append(("second", change.new.version)))
    store.dispatch(added("c1"))
    assert returned == [2]
    assert calls == [
        ("first", 1),
        ("first returns", 1),
        ("second", 1),
        ("first", 2),
        ("second", 2),
    ]
    assert store.state.version == 2


def test_dispatches_queued_by_listeners_keep_dispatch_order() -> None:
    """Listeners that each dispatch once give Changes in the order of the dispatches."""
    store = Store()
    versions: list[int] = []

    def cascade(change: Change) -> None:
        versions.append(change.new.version)
        if change.new.version < 5:
            store.dispatch(added(f"c{change.new.version + 1}"))

    store.subscribe(cascade)
    store.subscribe(lambda change: versions.append(-change.new.version))
    store.dispatch(added("c1"))
    assert versions == [1, -1, 2, -2, 3, -3, 4, -4, 5, -5]
    assert list(store.state.order) == ["c1", "c2", "c3", "c4", "c5"]


# --- threads -------------------------------------------------------------------------------------


@pytest.fixture
def eager_switching() -> Iterator[None]:
    """Make the interpreter switch threads very often, so that races show within a short test."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


@pytest.mark.usefixtures("eager_switching")
def test_dispatch_from_eight_threads_loses_nothing_and_notifies_one_change_at_a_time() -> None:
    """8 threads x 500 dispatches released together: version 4,000 and no Change lost.

    Every Change is delivered once, in version order, each starting where the previous ended,
    and never two notifications at once.
    """
    threads, each = 8, 500
    store = Store()
    for worker in range(threads):
        store.dispatch(added(f"c{worker}"))
    start = store.state.version
    seen: list[Change] = []
    busy = [False]
    overlaps: list[int] = []

    def listener(change: Change) -> None:
        if busy[0]:
            overlaps.append(change.new.version)
        busy[0] = True
        seen.append(change)
        for _ in range(1000):  # a little work, long enough for the interpreter to switch threads
            pass
        busy[0] = False

    store.subscribe(listener)
    second: list[int] = []
    store.subscribe(lambda change: second.append(change.new.version))
    barrier = threading.Barrier(threads)
    failures: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            barrier.wait()
            for number in range(each):
                store.dispatch(message(f"c{worker}", f"m{worker}-{number}"))
        except Exception as exc:  # noqa: BLE001 - reported below  # pragma: no cover
            failures.append(exc)

    workers = [threading.Thread(target=work, args=(worker,)) for worker in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert failures == []
    assert store.state.version == start + threads * each
    assert overlaps == []
    assert [change.new.version for change in seen] == list(range(start + 1, start + 4001))
    assert second == [change.new.version for change in seen]
    previous = seen[0].old
    for change in seen:
        assert change.old is previous
        previous = change.new
    assert previous is store.state
    for worker in range(threads):
        messages = store.state.conversations[f"c{worker}"].messages
        assert [m.id for m in messages] == [f"m{worker}-{number}" for number in range(each)]


@pytest.mark.usefixtures("eager_switching")
def test_threads_and_a_re_entrant_listener_keep_one_order_for_everyone() -> None:
    """With threads dispatching and a listener dispatching too, all listeners see one chain."""
    store = Store()
    store.dispatch(added("c0"))
    first: list[int] = []
    second: list[int] = []
    echoes = [0]

    def echo(change: Change) -> None:
        first.append(change.new.version)
        if change.new.version % 10 == 0:
            echoes[0] += 1
            store.dispatch(clicked("c0"))

    store.subscribe(echo)
    store.subscribe(lambda change: second.append(change.new.version))
    barrier = threading.Barrier(4)

    def work() -> None:
        barrier.wait()
        for _ in range(250):
            store.dispatch(focused("c0"))

    workers = [threading.Thread(target=work) for _ in range(4)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    total = 1 + 1000 + echoes[0]
    assert store.state.version == total
    assert first == list(range(2, total + 1))
    assert second == first


@pytest.mark.usefixtures("eager_switching")
def test_subscribing_from_other_threads_while_dispatching_gets_a_tail_of_the_changes() -> None:
    """A listener subscribed mid-stream from another thread sees a contiguous tail, in order."""
    store = Store()
    store.dispatch(added("c0"))
    started = threading.Event()
    tails: list[list[int]] = [[] for _ in range(4)]

    def dispatcher() -> None:
        for number in range(2000):
            store.dispatch(message("c0", f"m{number}"))
            if number == 100:
                started.set()

    def subscriber(tail: list[int]) -> None:
        started.wait()
        store.subscribe(lambda change: tail.append(change.new.version))

    workers = [threading.Thread(target=dispatcher)]
    workers += [threading.Thread(target=subscriber, args=(tail,)) for tail in tails]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    for tail in tails:
        if tail:  # empty when it subscribed after the last dispatch
            assert tail == list(range(tail[0], 2002))


# --- watch ---------------------------------------------------------------------------------------


def test_watch_calls_back_only_when_the_selected_value_changes() -> None:
    """callback(new, old) runs when the focused id changes, and not for other events."""
    store = Store()
    calls: list[tuple[object, object]] = []
    store.watch(lambda state: state.focused_id, lambda new, old: calls.append((new, old)))
    store.dispatch(added("c1"))
    store.dispatch(added("c2"))
    store.dispatch(focused("c1"))
    store.dispatch(message("c1", "m1"))
    store.dispatch(focused("c2"))
    store.dispatch(focus_lost("c2"))
    assert calls == [("c1", None), ("c2", "c1"), (None, "c2")]


def test_watch_compares_by_identity_then_by_equality() -> None:
    """A selector returning a new but equal value each time does not call back."""
    store = Store()
    calls: list[tuple[object, object]] = []
    store.watch(lambda state: tuple(state.order), lambda new, old: calls.append((new, old)))
    store.dispatch(added("c1"))
    store.dispatch(focused("c1"))
    store.dispatch(visitor_updated("c1", firstName="Léa"))
    store.dispatch(added("c2"))
    assert calls == [(("c1",), ()), (("c1", "c2"), ("c1",))]


def test_unwatch_stops_the_callbacks() -> None:
    """The function watch returns stops it."""
    store = Store()
    calls: list[object] = []
    unwatch = store.watch(lambda state: state.version, lambda new, old: calls.append(new))
    store.dispatch(added("c1"))
    unwatch()
    store.dispatch(added("c2"))
    assert calls == [1]


def test_a_raising_watch_callback_goes_to_on_error_and_keeps_the_new_value() -> None:
    """on_error gets the callback; the next change is compared with the value that raised."""
    errors: list[Callable[..., object]] = []
    store = Store(on_error=lambda exc, listener: errors.append(listener))
    calls: list[tuple[object, object]] = []

    def callback(new: object, old: object) -> None:
        calls.append((new, old))
        raise ValueError("broken view")

    store.watch(lambda state: len(state.order), callback)
    store.dispatch(added("c1"))
    store.dispatch(focused("c1"))
    store.dispatch(added("c2"))
    assert calls == [(1, 0), (2, 1)]
    assert errors == [callback, callback]


def test_watch_follows_time_travel_too() -> None:
    """Moving back in history calls back with the value of the snapshot shown."""
    store = Store(history=5)
    calls: list[tuple[object, object]] = []
    store.dispatch(added("c1"))
    store.dispatch(focused("c1"))
    store.watch(lambda state: state.focused_id, lambda new, old: calls.append((new, old)))
    store.back()
    store.go_live()
    assert calls == [(None, "c1"), ("c1", None)]


# --- history and time travel ---------------------------------------------------------------------


def test_history_0_keeps_nothing_and_travel_goes_nowhere() -> None:
    """With history=0 the tuple is empty, position -1, and back() shows the latest still."""
    store = Store()
    changes = recorder(store)
    latest = store.dispatch(added("c1"))
    assert store.history == ()
    assert store.position == -1
    assert store.back() is latest
    assert store.live
    assert len(changes) == 1


def test_history_1_keeps_only_the_latest_snapshot() -> None:
    """history=1 keeps one snapshot, the latest: nowhere to go back to."""
    store = Store(history=1)
    assert store.history == (DeskState(),)
    latest = store.dispatch(added("c1"))
    assert store.history == (latest,)
    assert store.history[0] is latest
    assert store.back() is latest
    assert store.position == 0


def test_history_n_keeps_the_last_n_snapshots_oldest_first_dropping_the_oldest() -> None:
    """The kept snapshots are the very ones dispatch returned, oldest first, at most N."""
    start = DeskState()
    store = Store(start, history=3)
    assert store.history == (start,)
    made = [store.dispatch(added(f"c{number}")) for number in range(5)]
    kept = store.history
    assert len(kept) == 3
    assert all(a is b for a, b in zip(kept, made[2:], strict=True))
    assert store.position == 2


def test_history_counts_one_snapshot_per_batch_and_none_for_a_record_not_applied() -> None:
    """dispatch_many adds one snapshot; an invalid record (lenient) adds none."""
    store = Store(history=10)
    batch = store.dispatch_many([added("c1"), added("c2"), focused("c1")])
    store.dispatch({"event": P + "CONVERSATION_FOCUSED"})
    assert store.history == (DeskState(), batch)


def test_back_and_forward_clamp_at_the_ends_and_notify_with_no_event() -> None:
    """Back and forward move within history, stopping at the oldest and the latest.

    Each move's Change has event None, no anomaly and diff's facts.
    """
    store = Store(history=4)
    snapshots = [store.state]
    snapshots += [store.dispatch(record) for record in (added("c1"), focused("c1"), added("c2"))]
    changes = recorder(store)
    assert store.back() is snapshots[2]
    assert (store.position, store.live, store.state) == (2, False, snapshots[2])
    assert store.latest is snapshots[3]
    assert store.back(10) is snapshots[0]
    assert store.position == 0
    assert store.forward() is snapshots[1]
    assert store.forward(10) is snapshots[3]
    assert store.live
    assert [(change.old, change.new) for change in changes] == [
        (snapshots[3], snapshots[2]),
        (snapshots[2], snapshots[0]),
        (snapshots[0], snapshots[1]),
        (snapshots[1], snapshots[3]),
    ]
    for change in changes:
        assert change.event is None
        assert change.anomalies == ()
        assert change.facts == diff(change.old, change.new)
    assert changes[1].facts == diff(snapshots[2], snapshots[0])  # going back: the desk unwinds


def test_a_move_that_goes_nowhere_notifies_nobody() -> None:
    """Going back at the oldest, forward or live at the latest, or back(0): no Change."""
    store = Store(history=3)
    store.dispatch(added("c1"))
    changes = recorder(store)
    store.forward()
    store.go_live()
    store.back(0)
    store.back(5)
    store.back()
    assert len(changes) == 1


def test_dispatch_while_travelling_applies_to_the_latest_and_goes_live() -> None:
    """A dispatch while travelling applies to the latest snapshot, never a past one, and goes live.

    Its Change goes from the snapshot shown to the new latest, with diff's facts between them.
    """
    store = Store(history=5)
    store.dispatch(added("c1"))
    store.dispatch(focused("c1"))
    shown = store.back(2)
    changes = recorder(store)
    after = store.dispatch(added("c2"))
    assert after == fold(added("c1"), focused("c1"), added("c2"))
    assert store.live
    assert store.state is after
    [change] = changes
    assert change.old is shown
    assert change.new is after
    assert change.event == parse_event(added("c2"))
    assert change.facts == diff(shown, after)
    assert store.history[-1] is after


def test_an_invalid_record_while_travelling_goes_live_and_a_strict_refusal_does_not() -> None:
    """Lenient: a record not applied still brings the latest back; strict: nothing moves."""
    lenient = Store(history=3)
    latest = lenient.dispatch(added("c1"))
    lenient.back()
    lenient.dispatch({"event": P + "CONVERSATION_FOCUSED"})
    assert lenient.live
    assert lenient.state is latest
    strict = Store(history=3, strict=True)
    strict.dispatch(added("c1"))
    shown = strict.back()
    with pytest.raises(ProtocolError):
        strict.dispatch(focused("c9"))
    assert strict.state is shown
    assert not strict.live
