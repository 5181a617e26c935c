"""The Store: one desk held for a UI, fed record by record, telling its listeners what changed.

A :class:`Store` keeps the snapshot of one desk. :meth:`Store.dispatch` applies one record (an
event, a raw event, an envelope or a log line) as :func:`~deskstate.replay.apply_record` does and
returns the new snapshot; :meth:`Store.dispatch_many` applies a batch and notifies once. Listeners
(:meth:`Store.subscribe`) receive a :class:`Change`: the snapshots before and after, the event(s),
their anomalies and the facts of :func:`~deskstate.diff` between the two snapshots.

**Lenient and strict.** Lenient (the default) applies every record as replay does: a record that
does not parse or comes from a foreign origin is not applied, and listeners still get a Change
that carries its anomaly and ``event`` ``None`` (``old is new``, no facts, unless it ends a trip
in time). Strict refuses a record with any anomaly:
nothing is applied, nobody is notified and :class:`~deskstate.ProtocolError` carries the anomaly;
a strict ``dispatch_many`` is all or nothing.

**Threads and re-entrance.** Reductions are serialised by a lock, and Changes are delivered one at
a time, in the order of the reductions, each to every listener (in the order they subscribed)
before the next. Whichever thread finds no delivery under way delivers the queued Changes, so a
listener runs on a thread that dispatched, not always the one that made its Change. A dispatch
made while a Change is being delivered (from a listener, or from another thread) is reduced at
once and returns its snapshot; its Change is queued and delivered after the ones before it by the
thread that is delivering: never nested, and a dispatching thread never waits for listeners that
another thread runs (a listener may hand work to a UI thread that itself dispatches, without a
deadlock). The delivering thread's call returns once the queue is empty. A listener that raises
does not stop the store nor the other listeners: the exception goes to ``on_error``. A listener
gets exactly the Changes made after it subscribed; once unsubscribed it is not called again
(unless another thread is calling it at that very moment).

**Time travel.** With ``history=N`` the store keeps its last N snapshots; :meth:`Store.back` and
:meth:`Store.forward` show older ones (listeners get a Change whose ``event`` is ``None``), and a
dispatch while travelling applies to the latest snapshot and shows it again.

**asyncio.** ``async for change in store.changes()`` receives the Changes on an event loop,
whatever thread dispatched them; when the consumer lags, Changes are merged rather than dropped.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import weakref
from collections import deque
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Mapping
from itertools import count
from typing import TYPE_CHECKING, Final, TypeAlias, TypeVar

import attrs

from deskstate.anomaly import Anomaly
from deskstate.errors import ProtocolError
from deskstate.events import EVENT_CLASSES, Event
from deskstate.facts import Fact, diff, diff_touched
from deskstate.records import DEFAULT_ORIGINS
from deskstate.reducer import step
from deskstate.replay import apply_record, origin_set
from deskstate.state import DeskState

if TYPE_CHECKING:  # asyncio is imported by the first `changes()` stream, not by `import deskstate`
    import asyncio

__all__ = ["Change", "ChangeStream", "ErrorHook", "Listener", "Store"]

_logger: Final = logging.getLogger("deskstate.store")

T = TypeVar("T")


@attrs.frozen
class Change:
    """What one dispatch (or one move in time) did to the snapshot a store shows.

    ``old`` and ``new`` are the snapshots shown before and after; ``event`` the event of a
    :meth:`~Store.dispatch` (``None`` when its record was not applied), the tuple of events
    applied by a :meth:`~Store.dispatch_many`, or ``None`` for time travel; ``anomalies`` all
    those raised, in record order; ``facts`` what :func:`~deskstate.diff` says of ``old`` and
    ``new``.

    ``facts`` is computed when first read (most listeners never read it, and the store then does
    not pay for it), in O(what changed) for a Change a store made, then kept. Made by hand,
    ``Change(old, new, event, anomalies)`` computes it from ``old`` and ``new``;
    ``Change(..., facts=...)`` takes it as given. Equality ignores it: it follows from the rest.
    """

    old: DeskState
    new: DeskState
    event: Event | tuple[Event, ...] | None = None
    anomalies: tuple[Anomaly, ...] = ()
    _facts: tuple[Fact, ...] | None = attrs.field(default=None, alias="facts", eq=False, repr=False)
    # Not arguments (so attrs.evolve never carries them to a Change they would be wrong for): the
    # ids of every conversation that changed, when known (facts then come from diff_touched),
    # and the facts once computed.
    _touched: Collection[str] | None = attrs.field(default=None, init=False, eq=False, repr=False)
    _computed: tuple[Fact, ...] | None = attrs.field(default=None, init=False, eq=False, repr=False)

    @property
    def facts(self) -> tuple[Fact, ...]:
        """What changed from ``old`` to ``new``: the facts of ``diff(old, new)``."""
        facts = self._facts
        if facts is None:
            facts = self._computed
            if facts is None:
                touched = self._touched
                if touched is None:
                    facts = diff(self.old, self.new)
                else:
                    facts = diff_touched(self.old, self.new, touched)
                object.__setattr__(self, "_computed", facts)  # a cache: frozen to everyone else
        return facts


def _change(
    old: DeskState,
    new: DeskState,
    event: Event | tuple[Event, ...] | None,
    anomalies: tuple[Anomaly, ...],
    touched: Collection[str] | None,
) -> Change:
    """A Change whose facts, when read, come from ``diff_touched(old, new, touched)``."""
    change = Change(old, new, event, anomalies)
    if touched is not None:
        object.__setattr__(change, "_touched", touched)
    return change


#: A function that receives every :class:`Change` of a store.
Listener: TypeAlias = Callable[[Change], object]
#: ``on_error(exc, listener)``: told of an exception raised by a listener (or a watch callback).
ErrorHook: TypeAlias = Callable[[BaseException, Callable[..., object]], None]

_EVENT_TYPES: Final = frozenset(EVENT_CLASSES)
_NO_ANOMALIES: Final[tuple[Anomaly, ...]] = ()


def _log_error(exc: BaseException, listener: Callable[..., object]) -> None:
    """The default ``on_error``: log the exception, with its traceback, and carry on."""
    _logger.error(
        "a listener of a deskstate Store raised (the store and the other listeners carry on): %r",
        listener,
        exc_info=exc,
    )


def _check_count(name: str, value: object, minimum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


def _check_callable(what: str, value: object) -> None:
    if not callable(value):
        raise TypeError(f"{what} must be callable, got {value!r} ({type(value).__name__})")


@attrs.define(eq=False)
class _Subscription:
    """One listener and what the store needs to call it: since when, and whether still wanted."""

    listener: Listener
    since: int  # the number of Changes made before it subscribed: it gets the ones after
    reported: Callable[..., object]  # what on_error is told raised (the watch callback for watch)
    active: bool = True


class Store:
    """One desk held for a UI: dispatch records into it, read its snapshot, be told what changed.

    ``initial`` is the snapshot to start from (the empty desk by default). ``strict`` refuses
    records with anomalies (:class:`~deskstate.ProtocolError`). ``history`` is how many of the
    latest snapshots to keep for time travel (0: none). ``on_error(exc, listener)`` is told of
    every exception a listener raises (default: logged on the ``deskstate.store`` logger); an
    ``on_error`` that raises makes listener errors fatal: its exception propagates from the call
    that was delivering (a dispatch or a move in time), the listeners after the failing one miss
    that Change, the store stays usable and the Changes still queued go out at the next delivery.
    ``allowed_origins`` are the page origins whose envelopes are applied, as in
    :func:`~deskstate.replay` (``None`` trusts every origin).
    """

    def __init__(
        self,
        initial: DeskState | None = None,
        *,
        strict: bool = False,
        history: int = 0,
        on_error: ErrorHook | None = None,
        allowed_origins: Iterable[str] | None = DEFAULT_ORIGINS,
    ) -> None:
        if initial is not None and not isinstance(initial, DeskState):
            raise TypeError(
                f"Store() needs a DeskState as its initial snapshot (or None for the empty desk), "
                f"got {type(initial).__name__}"
            )
        if on_error is not None:
            _check_callable("on_error", on_error)
        self._strict: Final = bool(strict)
        self._origins: Final = origin_set(allowed_origins)
        self._on_error: Final[ErrorHook] = on_error if on_error is not None else _log_error
        start = initial if initial is not None else DeskState()
        self._lock = threading.RLock()
        self._latest = start
        self._shown = start
        self._history: deque[DeskState] = deque(
            (start,), maxlen=_check_count("history", history, 0)
        )
        self._back = 0  # how many snapshots back from the latest the shown one is
        self._made = 0  # Changes made so far
        self._reducing = False  # inside a reduction (dispatch_many reading its records)
        self._pending: deque[tuple[int, Change]] = deque()
        self._delivering = False
        self._subscriptions: dict[int, _Subscription] = {}
        self._snapshot: tuple[_Subscription, ...] | None = ()
        self._tokens = count()

    # --- reading ----------------------------------------------------------------------------------

    @property
    def state(self) -> DeskState:
        """The snapshot the store shows: the latest one, unless travelling in time."""
        return self._shown

    @property
    def latest(self) -> DeskState:
        """The newest snapshot, whatever is shown: the one the next dispatch applies to."""
        return self._latest

    @property
    def history(self) -> tuple[DeskState, ...]:
        """The kept snapshots (at most ``history`` of them), oldest first, the latest last.

        A new tuple at each access; its snapshots are the very ones the store showed.
        """
        with self._lock:
            return tuple(self._history)

    @property
    def position(self) -> int:
        """The index in :attr:`history` of the snapshot shown (``len(history) - 1`` when live).

        With ``history=0`` nothing is kept and this is -1.
        """
        with self._lock:
            return len(self._history) - 1 - self._back

    @property
    def live(self) -> bool:
        """True when the latest snapshot is shown (not travelling in time)."""
        return self._back == 0

    @property
    def listener_count(self) -> int:
        """How many listeners are subscribed now (watches and change streams included)."""
        return len(self._subscriptions)

    @property
    def strict(self) -> bool:
        """Whether records with anomalies are refused."""
        return self._strict

    # --- dispatching ------------------------------------------------------------------------------

    def _apply(
        self, state: DeskState, record: object
    ) -> tuple[Event | None, DeskState, tuple[Anomaly, ...]]:
        if type(record) in _EVENT_TYPES:
            event: Event = record  # type: ignore[assignment] # its type is one of the events
            after, anomalies = step(state, event)
            return event, after, anomalies
        return apply_record(state, record, allowed_origins=self._origins)

    def _enter(self, what: str) -> None:
        if self._reducing:
            raise RuntimeError(
                f"{what} was called while this store is reading the records of a dispatch_many "
                "(from the iterable itself): dispatch them from outside the batch"
            )

    def _show_latest(self, latest: DeskState) -> DeskState:
        """Make ``latest`` the newest and shown snapshot; return the one shown before."""
        shown = self._shown
        if latest is not self._latest:
            self._history.append(latest)
        self._latest = latest
        self._shown = latest
        self._back = 0
        return shown

    def dispatch(self, record: object) -> DeskState:
        """Apply one record and return the new (latest, shown) snapshot; notify the listeners.

        ``record`` is a parsed event, a raw event mapping, an envelope or a
        :class:`~deskstate.LogLine`. Lenient, a record that does not parse or comes from a
        foreign origin is not applied and its anomaly reaches the listeners; strict, a record
        with any anomaly is not applied and :class:`~deskstate.ProtocolError` is raised.
        """
        with self._lock:
            self._enter("dispatch()")
            before = self._latest
            event, after, anomalies = self._apply(before, record)
            if anomalies and self._strict:
                raise ProtocolError(anomalies[0])
            shown = self._show_latest(after)
            touched: tuple[str, ...] | None = None  # unknown when coming back from a trip in time
            if shown is before:
                cid = getattr(event, "conversation_id", None)
                touched = () if cid is None else (cid,)
            self._queue(_change(shown, after, event, anomalies, touched))
        self._deliver()
        return after

    def dispatch_many(self, records: Iterable[object]) -> DeskState:
        """Apply a batch of records and return the new snapshot; notify the listeners once.

        The one :class:`Change` carries the tuple of events applied and every anomaly, each with
        its ``index`` in the batch. An empty batch changes nothing and notifies nobody. A batch
        is atomic: when reading ``records`` raises, or (strict) a record has an anomaly, nothing
        is applied and the exception propagates (:class:`~deskstate.ProtocolError` carrying the
        first anomaly, with its index).
        """
        if isinstance(records, (str, bytes, Mapping, *EVENT_CLASSES)):
            raise TypeError(
                "dispatch_many() takes an iterable of records, got one "
                f"{type(records).__name__}: use dispatch() for a single record"
            )
        with self._lock:
            self._enter("dispatch_many()")
            self._reducing = True
            try:
                before = self._latest
                state = before
                events: list[Event] = []
                anomalies: list[Anomaly] = []
                touched: set[str] = set()
                read = 0
                for index, record in enumerate(records):
                    read += 1
                    event, state, found = self._apply(state, record)
                    if found:
                        found = tuple(anomaly.located(index, anomaly.line) for anomaly in found)
                        if self._strict:
                            raise ProtocolError(found[0])
                        anomalies.extend(found)
                    if event is not None:
                        events.append(event)
                        cid = getattr(event, "conversation_id", None)
                        if cid is not None:
                            touched.add(cid)
            finally:
                self._reducing = False
            if not read:
                return self._latest
            shown = self._show_latest(state)
            self._queue(
                _change(
                    shown,
                    state,
                    tuple(events),
                    tuple(anomalies),
                    touched if shown is before else None,
                )
            )
        self._deliver()
        return state

    # --- time travel ------------------------------------------------------------------------------

    def _travel(self, back: int) -> DeskState:
        with self._lock:
            self._enter("time travel")
            back = max(0, min(back, len(self._history) - 1))
            if back == self._back:
                return self._shown
            shown = self._shown
            target = self._history[-1 - back]
            self._back = back
            self._shown = target
            self._queue(Change(shown, target, None, _NO_ANOMALIES))
        self._deliver()
        return target

    def back(self, steps: int = 1) -> DeskState:
        """Show the snapshot ``steps`` older in :attr:`history` (at most the oldest); return it."""
        steps = _check_count("steps", steps, 0)
        with self._lock:
            return self._travel(self._back + steps)

    def forward(self, steps: int = 1) -> DeskState:
        """Show the snapshot ``steps`` newer in :attr:`history` (at most the latest); return it."""
        steps = _check_count("steps", steps, 0)
        with self._lock:
            return self._travel(self._back - steps)

    def go_live(self) -> DeskState:
        """Show the latest snapshot again; return it."""
        return self._travel(0)

    # --- listeners --------------------------------------------------------------------------------

    def _subscribe(
        self, listener: Listener, reported: Callable[..., object], since: int | None = None
    ) -> Callable[[], None]:
        with self._lock:
            token = next(self._tokens)
            subscription = _Subscription(listener, self._made if since is None else since, reported)
            self._subscriptions[token] = subscription
            self._snapshot = None

        def unsubscribe() -> None:
            with self._lock:
                subscription.active = False
                if self._subscriptions.pop(token, None) is not None:
                    self._snapshot = None

        return unsubscribe

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(change)`` after every later Change; return the function that stops it.

        Listeners are called in the order they subscribed. Unsubscribing twice is harmless.
        """
        _check_callable("a listener", listener)
        return self._subscribe(listener, listener)

    def watch(
        self, select: Callable[[DeskState], T], callback: Callable[[T, T], object]
    ) -> Callable[[], None]:
        """Call ``callback(new_value, old_value)`` whenever ``select(snapshot)`` changes.

        ``select`` is any function of a snapshot (a :func:`deskstate.selector` makes it cheap);
        it is called now on the shown snapshot, then on the new snapshot of every Change, and
        the value counts as changed when it is neither the same object nor equal to the last.
        Returns the function that stops watching.
        """
        _check_callable("select", select)
        _check_callable("callback", callback)
        with self._lock:
            shown, since = self._shown, self._made
        last = [select(shown)]

        def on_change(change: Change) -> None:
            value = select(change.new)
            old = last[0]
            if value is old or value == old:
                return
            last[0] = value
            callback(value, old)

        return self._subscribe(on_change, callback, since)

    def _queue(self, change: Change) -> None:
        """Queue ``change`` for delivery (the lock is held)."""
        self._made += 1
        self._pending.append((self._made, change))

    def _subscribers(self) -> tuple[_Subscription, ...]:
        snapshot = self._snapshot
        if snapshot is None:
            snapshot = self._snapshot = tuple(self._subscriptions.values())
        return snapshot

    def _deliver(self) -> None:
        """Deliver the queued Changes, unless a thread is already at it (it will deliver them)."""
        lock = self._lock
        with lock:
            if self._delivering:
                return
            self._delivering = True
        try:
            while True:
                with lock:
                    if not self._pending:
                        self._delivering = False
                        return
                    made, change = self._pending.popleft()
                    subscribers = self._subscribers()
                for subscription in subscribers:
                    if subscription.active and subscription.since < made:
                        try:
                            subscription.listener(change)
                        except Exception as exc:  # noqa: BLE001 - every listener error goes to on_error
                            self._on_error(exc, subscription.reported)
        except BaseException:
            with lock:
                self._delivering = False
            raise

    # --- asyncio ----------------------------------------------------------------------------------

    def changes(self, *, maxsize: int = 1024) -> ChangeStream:
        """An async iterator of the Changes made from now on: ``async for change in ...``.

        Changes may be dispatched from any thread; they are handed to the event loop that
        iterates. When the consumer lags ``maxsize`` Changes behind, the newest queued Change is
        merged with the incoming one (events and anomalies kept, facts recomputed with
        :func:`~deskstate.diff`), so nothing is lost and the last Change ends on the latest
        snapshot. Breaking out of the loop (or ``await stream.aclose()``) unsubscribes.
        """
        inbox = _Inbox(_check_count("maxsize", maxsize, 1))
        unsubscribe = self._subscribe(inbox.put, inbox.put)
        return ChangeStream(inbox, unsubscribe)


@attrs.define(eq=False)
class _Merged:
    """Changes merged into one while the consumer of a change stream lags."""

    old: DeskState
    new: DeskState
    events: list[Event]
    anomalies: list[Anomaly]

    @classmethod
    def of(cls, change: Change) -> _Merged:
        merged = cls(change.old, change.old, [], [])
        merged.add(change)
        return merged

    def add(self, change: Change) -> None:
        self.new = change.new
        if isinstance(change.event, tuple):
            self.events.extend(change.event)
        elif change.event is not None:
            self.events.append(change.event)
        self.anomalies.extend(change.anomalies)

    def change(self) -> Change:
        return Change(self.old, self.new, tuple(self.events), tuple(self.anomalies))


class _Inbox:
    """The Changes waiting for a change stream's consumer, and how to wake it."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self.lock = threading.Lock()
        self.pending: deque[Change | _Merged] = deque()
        # The loop, future and thread of the consumer awaiting, if it is.
        self.waiter: tuple[asyncio.AbstractEventLoop, asyncio.Future[None], int] | None = None
        self.closed = False

    def put(self, change: Change) -> None:
        """The store's listener: queue ``change`` (merging when full) and wake the consumer."""
        with self.lock:
            if self.closed:
                return
            pending = self.pending
            if len(pending) < self.maxsize:
                pending.append(change)
            else:
                tail = pending[-1]
                if isinstance(tail, Change):
                    tail = pending[-1] = _Merged.of(tail)
                tail.add(change)
            waiter, self.waiter = self.waiter, None
        if waiter is not None:
            loop, future, thread = waiter
            if threading.get_ident() == thread:
                _wake(future)
            else:
                with contextlib.suppress(RuntimeError):  # a closed loop: nobody awaits any more
                    loop.call_soon_threadsafe(_wake, future)


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class ChangeStream(AsyncIterator[Change]):
    """What :meth:`Store.changes` returns: an async iterator of Changes.

    It unsubscribes from its store when it is dropped (breaking out of ``async for``) or closed
    (:meth:`aclose`). One consumer at a time should iterate it.
    """

    def __init__(self, inbox: _Inbox, unsubscribe: Callable[[], None]) -> None:
        self._inbox = inbox
        # The store's listener holds the inbox, never this object, so dropping the iterator
        # (breaking out of ``async for``) collects it, and this unsubscribes at once.
        self._finalizer = weakref.finalize(self, _close, inbox, unsubscribe)

    def __aiter__(self) -> ChangeStream:
        return self

    async def __anext__(self) -> Change:
        inbox = self._inbox
        while True:
            with inbox.lock:
                if inbox.closed:
                    raise StopAsyncIteration
                if inbox.pending:
                    item = inbox.pending.popleft()
                    return item if isinstance(item, Change) else item.change()
                import asyncio  # noqa: PLC0415 - see the TYPE_CHECKING import

                loop = asyncio.get_running_loop()
                future = loop.create_future()
                inbox.waiter = (loop, future, threading.get_ident())
            await future

    async def aclose(self) -> None:
        """Stop receiving Changes: unsubscribe, and end the iteration."""
        self._finalizer()


def _close(inbox: _Inbox, unsubscribe: Callable[[], None]) -> None:
    """Close a change stream: its inbox takes no more Changes and a waiting consumer wakes up.

    This may run from the garbage collector, on any thread and at any allocation, even inside
    ``inbox.put`` with the inbox's lock held: so it takes no lock of the inbox (setting one flag
    is atomic), and only the store's lock, which is re-entrant, to unsubscribe.
    """
    inbox.closed = True
    unsubscribe()
    waiter = inbox.waiter
    if waiter is not None:  # waking twice is harmless: _wake checks
        loop, future, _ = waiter
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody awaits any more
            loop.call_soon_threadsafe(_wake, future)
