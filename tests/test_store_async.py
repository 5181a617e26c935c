"""The Store's asyncio side: ``async for change in store.changes()``.

Each test runs its coroutines with ``asyncio.run`` inside an ordinary test function.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref
from typing import Any

import pytest
from helpers import added, clicked, envelope, focus_lost, focused, message, removed

from deskstate import ConversationOpened, Event, diff, parse_event
from deskstate.store import Change, ChangeStream, Store


def events_of(changes: list[Change]) -> list[Event]:
    """Every event the Changes carry, batches flattened, in order."""
    events: list[Event] = []
    for change in changes:
        if isinstance(change.event, tuple):
            events.extend(change.event)
        elif change.event is not None:
            events.append(change.event)
    return events


async def next_change(stream: ChangeStream) -> Change:
    """The next Change of ``stream``, as a coroutine (for asyncio.create_task)."""
    return await anext(stream)


def test_changes_receives_the_changes_dispatched_from_the_loop_in_order() -> None:
    """Changes made on the loop's own thread arrive one by one, the very Changes listeners get."""
    store = Store()
    direct: list[Change] = []
    store.subscribe(direct.append)

    async def main() -> list[Change]:
        received: list[Change] = []
        stream = store.changes()
        store.dispatch(added("c1"))
        store.dispatch(focused("c1"))
        store.dispatch(message("c1", "m1"))
        async for change in stream:
            received.append(change)
            if len(received) == 3:
                break
        return received

    received = asyncio.run(main())
    assert len(received) == 3
    assert all(got is sent for got, sent in zip(received, direct, strict=True))
    assert received[0].facts == (ConversationOpened("c1"),)


def test_a_waiting_consumer_is_woken_by_each_dispatch() -> None:
    """A consumer awaiting the next Change gets each one as a producer task dispatches it."""
    store = Store()

    async def main() -> list[int]:
        received: list[int] = []
        got_one = asyncio.Event()

        async def consume() -> None:
            async for change in store.changes():
                received.append(change.new.version)
                got_one.set()
                if change.new.version == 5:
                    return

        consumer = asyncio.create_task(consume())
        for number in range(5):
            await asyncio.sleep(0)  # let the consumer start waiting (a yield, not a timed wait)
            got_one.clear()
            store.dispatch(added(f"c{number}"))
            await got_one.wait()
        await consumer
        return received

    assert asyncio.run(main()) == [1, 2, 3, 4, 5]


def test_changes_receives_changes_dispatched_from_another_thread_in_order() -> None:
    """Changes dispatched by a thread reach the loop in dispatch order, none lost."""
    store = Store()
    total = 300

    def produce() -> None:
        for number in range(total):
            store.dispatch(added(f"c{number}"))

    async def main() -> list[Change]:
        received: list[Change] = []
        stream = store.changes()
        producer = threading.Thread(target=produce)
        producer.start()
        async for change in stream:
            received.append(change)
            if change.new.version == total:
                break
        producer.join()
        return received

    received = asyncio.run(main())
    assert [change.new.version for change in received] == list(range(1, total + 1))
    assert [change.event for change in received] == [
        parse_event(added(f"c{number}")) for number in range(total)
    ]


def test_a_lagging_consumer_gets_merged_changes_with_every_event_and_anomaly() -> None:
    """With maxsize=2, the Changes made beyond the second are merged into it, nothing lost.

    The merged Change has the events (batches flattened, moves in time adding none) and the
    anomalies in order, the old snapshot of the first, the new of the latest, and diff's facts.
    """
    store = Store(history=10)

    async def main() -> list[Change]:
        stream = store.changes(maxsize=2)
        store.dispatch(added("c1"))
        store.dispatch(focused("c1"))
        store.dispatch(focus_lost("c9"))
        store.back()
        store.dispatch_many([message("c1", "m1"), {"event": 42}, removed("c1")])
        store.dispatch({"data": "not an event"})
        store.dispatch(clicked("c2"))
        received: list[Change] = []
        async for change in stream:
            received.append(change)
            if change.new is store.state:
                break
        return received

    first, merged = asyncio.run(main())
    assert first.event == parse_event(added("c1"))
    assert merged.old is first.new
    assert merged.new is store.state
    assert merged.event == tuple(
        parse_event(record)
        for record in (
            focused("c1"),
            focus_lost("c9"),
            message("c1", "m1"),
            removed("c1"),
            clicked("c2"),
        )
    )
    assert [anomaly.kind for anomaly in merged.anomalies] == [
        "unknown-conversation",
        "invalid-event",
        "invalid-event",
        "unknown-conversation",
    ]
    assert merged.facts == diff(merged.old, merged.new)


def test_a_lagging_consumer_of_a_busy_thread_still_sees_everything() -> None:
    """A consumer (maxsize=4) lagging behind a thread that dispatches 2,000 records sees it all.

    The Changes it gets chain from the first snapshot to the latest, with every event and
    anomaly, in order.
    """
    store = Store()
    records: list[dict[str, Any]] = [added("c0")]
    records += [message("c0", f"m{number % 1500}") for number in range(1999)]  # 499 duplicates
    start = store.state

    def produce() -> None:
        for record in records:
            store.dispatch(record)

    async def main() -> list[Change]:
        received: list[Change] = []
        stream = store.changes(maxsize=4)
        producer = threading.Thread(target=produce)
        producer.start()
        async for change in stream:
            received.append(change)
            await asyncio.sleep(0)  # a consumer that yields to the loop: it lags behind
            if change.new.version == len(records):
                break
        producer.join()
        return received

    received = asyncio.run(main())
    assert events_of(received) == [parse_event(record) for record in records]
    assert sum(len(change.anomalies) for change in received) == 499
    previous = start
    for change in received:
        assert change.old is previous
        assert change.facts == diff(change.old, change.new)
        previous = change.new
    assert previous is store.state


def test_changes_gets_only_the_changes_made_after_it_was_called() -> None:
    """A stream made before iterating keeps what came after it, and nothing from before."""
    store = Store()
    store.dispatch(added("c1"))

    async def main() -> Change:
        stream = store.changes()
        store.dispatch(added("c2"))
        return await anext(stream)

    assert asyncio.run(main()).new.version == 2


def test_breaking_out_of_the_loop_unsubscribes() -> None:
    """Leaving ``async for`` drops the stream at once: the store lets go of it."""
    store = Store()
    store.subscribe(lambda change: None)

    async def main() -> weakref.ref[Any]:
        stream = store.changes()
        probe = weakref.ref(stream)
        assert store.listener_count == 2
        store.dispatch(added("c1"))
        async for _change in stream:
            break
        del stream
        return probe

    probe = asyncio.run(main())
    gc.collect()
    assert probe() is None
    assert store.listener_count == 1
    store.dispatch(added("c2"))  # nobody left to wake: nothing to go wrong


def test_aclose_unsubscribes_and_ends_the_iteration() -> None:
    """After aclose() the stream is unsubscribed and iterating it ends at once."""
    store = Store()

    async def main() -> list[Change]:
        stream = store.changes()
        store.dispatch(added("c1"))
        await stream.aclose()
        store.dispatch(added("c2"))
        return [change async for change in stream]

    assert asyncio.run(main()) == []
    assert store.listener_count == 0


def test_a_cancelled_wait_leaves_the_stream_usable() -> None:
    """Cancelling a consumer that waits does not lose the Changes that come after."""
    store = Store()

    async def main() -> int:
        stream = store.changes()
        waiting = asyncio.create_task(next_change(stream))
        await asyncio.sleep(0)  # let it start waiting (a yield, not a timed wait)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        store.dispatch(added("c1"))
        change = await anext(stream)
        return change.new.version

    assert asyncio.run(main()) == 1


def test_a_stream_accepts_changes_from_another_thread_after_its_loop_closed() -> None:
    """A stream left alive after its loop closed does not make dispatching fail."""
    errors: list[BaseException] = []
    store = Store(on_error=lambda exc, listener: errors.append(exc))
    kept: list[ChangeStream] = []

    async def main() -> None:
        stream = store.changes()
        kept.append(stream)
        waiting = asyncio.create_task(next_change(stream))
        await asyncio.sleep(0)  # let it start waiting (a yield, not a timed wait)
        waiting.cancel()

    asyncio.run(main())
    store.dispatch(envelope(added("c1")))
    assert errors == []
    assert store.state.version == 1
