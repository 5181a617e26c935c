"""Memoised selectors (SPEC §9, §13): what they cache, for how long, and that they are never stale.

Every test counts recomputations exactly, the number worked out by hand from the calls it makes.
"""

from __future__ import annotations

import gc
import random
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from helpers import added, availability, focus_lost, focused, fold, message
from hypothesis import given
from pyrsistent import PMap, PVector

from deskstate import Conversation, DeskState, query, reduce
from deskstate.selectors import DEFAULT_MAXSIZE, Selector, selector
from deskstate.testing import streams

DESK = fold(added("a"), added("b"), message("a", "m1"), message("b", "m2"), message("b", "m3"))


def distinct_desks(count: int) -> list[DeskState]:
    """``count`` snapshots, pairwise distinct objects (and values: each has one more event)."""
    desks = [DeskState()]
    for index in range(count - 1):
        desks.append(reduce(desks[-1], added(f"c{index}")))
    return desks


def rows(conversations: PMap[str, Conversation], order: PVector[str]) -> tuple[Conversation, ...]:
    """The open conversations in desk order, from the two parts of the snapshot they depend on."""
    return tuple(conversations[cid] for cid in order)


def rows_selector(maxsize: int = DEFAULT_MAXSIZE) -> Selector[..., tuple[Conversation, ...]]:
    """``rows`` memoised on the identity of ``state.conversations`` and ``state.order``."""
    return selector(rows, maxsize=maxsize, inputs=(lambda s: s.conversations, lambda s: s.order))


# --- memoised by snapshot ------------------------------------------------------------------------


def test_the_same_snapshot_is_computed_once() -> None:
    """Asking three times about one snapshot runs the function once and returns the same object."""
    select = selector(query.open_conversations)
    first = select(DESK)
    assert select(DESK) is first
    assert select(DESK) is first
    assert select.recomputations() == 1
    assert first == query.open_conversations(DESK)


def test_an_equal_but_distinct_snapshot_is_computed_again() -> None:
    """Without inputs the key is the snapshot's identity: an equal copy misses, answered right."""
    twin = fold(added("a"), added("b"), message("a", "m1"), message("b", "m2"), message("b", "m3"))
    assert twin == DESK
    assert twin is not DESK
    select = selector(query.open_conversations)
    assert select(DESK) == select(twin) == query.open_conversations(DESK)
    assert select.recomputations() == 2


def test_a_newer_snapshot_is_never_answered_from_an_older_one() -> None:
    """A snapshot one event further gets its own answer, and the older one keeps its own."""
    select = selector(query.unread_count)
    later = reduce(DESK, message("a", "m4"))
    assert select(DESK) == 3
    assert select(later) == 4
    assert select(DESK) == 3
    assert select.recomputations() == 2


def test_each_argument_tuple_has_its_own_entry() -> None:
    """Ids a, b, a, b: two computations, not four (reselect #66: one entry is not enough)."""
    select = selector(query.conversation)
    answers = [select(DESK, cid) for cid in ("a", "b", "a", "b")]
    assert [found.id for found in answers if found is not None] == ["a", "b", "a", "b"]
    assert answers[0] is answers[2]
    assert answers[1] is answers[3]
    assert select.recomputations() == 2


def test_a_cache_of_one_entry_misses_on_alternating_arguments() -> None:
    """With ``maxsize=1`` ids a, b, a, b are four misses: the bound is the user's choice."""
    select = selector(query.conversation, maxsize=1)
    for cid in ("a", "b", "a", "b"):
        select(DESK, cid)
    assert select.recomputations() == 4


def test_keyword_arguments_are_part_of_the_key() -> None:
    """A keyword call is cached as such; the same value passed positionally is an entry of its own.

    Calls: (a, participant=Visitor) twice -> 1; (a, Visitor) positionally -> 2;
    (a, participant=Professional) -> 3; (a) -> 4.
    """
    select = selector(query.message_count)
    assert select(DESK, "a", participant="Visitor") == 1
    assert select(DESK, "a", participant="Visitor") == 1
    assert select(DESK, "a", "Visitor") == 1
    assert select(DESK, "a", participant="Professional") == 0
    assert select(DESK, "a") == 1
    assert select.recomputations() == 4


# --- memoised by inputs --------------------------------------------------------------------------


def test_a_snapshot_sharing_the_selected_parts_is_not_recomputed() -> None:
    """An event that leaves ``conversations`` and ``order`` alone reuses the cached rows.

    DESK -> 1 computation; an availability report (shares both parts) -> still 1, same object;
    a new message (a new ``conversations`` map) -> 2.
    """
    select = rows_selector()
    first = select(DESK)
    reported = reduce(DESK, availability(("CHAT", "AVAILABLE")))
    assert reported.conversations is DESK.conversations
    assert reported.order is DESK.order
    assert select(reported) is first
    assert select.recomputations() == 1
    messaged = reduce(reported, message("b", "m4"))
    assert messaged.conversations is not DESK.conversations
    assert select(messaged) == query.open_conversations(messaged)
    assert select(messaged) != first
    assert select.recomputations() == 2


def test_focus_on_a_read_conversation_shares_the_conversations() -> None:
    """Focusing a conversation with nothing unread changes only ``focused_id``: no recomputation.

    Computations: the desk (1); focus on c (shares both parts); focus lost again (shares) -> 1.
    """
    desk = fold(added("c"), added("d"))
    select = rows_selector()
    first = select(desk)
    moved = reduce(desk, focused("c"))
    assert select(moved) is first
    assert select(reduce(moved, focus_lost("c"))) is first
    assert select.recomputations() == 1


def test_inputs_receive_the_arguments_and_the_result_function_the_values() -> None:
    """Inputs are called as ``input(state, *args, **kwargs)``; the result as ``fn(*values)``."""
    seen: list[tuple[object, ...]] = []

    def profile(found: Conversation | None, field: str) -> object:
        seen.append((found, field))
        return None if found is None else found.visitor.get(field)

    select = selector(
        profile,
        inputs=(lambda s, cid, field: query.conversation(s, cid), lambda s, cid, field: field),
    )
    desk = fold(added("a"), message("a", "m1"))
    assert select(desk, "a", field="email") is None
    assert seen == [(query.conversation(desk, "a"), "email")]
    assert select.recomputations() == 1


def test_with_inputs_the_values_alone_are_the_key() -> None:
    """Arguments whose inputs give the very same values share one entry.

    The result function sees only the values. Unknown ids x and y both select ``None``: one
    computation; id a selects a conversation: a second one.
    """
    select = selector(lambda found: found, inputs=[lambda s, cid: s.conversations.get(cid)])
    assert select(DESK, "x") is None
    assert select(DESK, "y") is None
    assert select.recomputations() == 1
    assert select(DESK, "a") is DESK.conversations["a"]
    assert select.recomputations() == 2


def test_inputs_may_be_selectors() -> None:
    """A selector built on selectors: each counts its own runs.

    Inner ``by_snapshot`` runs once per snapshot (DESK, then the report: 2); the outer one runs
    once, because the inner one returns the same ``conversations`` object for both snapshots.
    """
    by_snapshot = selector(lambda s: s.conversations)
    count = selector(len, inputs=[by_snapshot])
    reported = reduce(DESK, availability(("CALL", "UNAVAILABLE")))
    assert count(DESK) == 2
    assert count(reported) == 2
    assert by_snapshot.recomputations() == 2
    assert count.recomputations() == 1


def test_an_input_that_builds_a_new_object_defeats_the_memoisation() -> None:
    """The reselect #441 pitfall, documented: a fresh tuple at each call is a fresh key."""
    select = selector(len, inputs=[lambda s: tuple(s.order)])
    select(DESK)
    select(DESK)
    assert select.recomputations() == 2


def test_an_inputs_selector_keeps_no_snapshot_alive() -> None:
    """The cache of an inputs selector holds the selected values, not their snapshot."""
    select = rows_selector()
    desk = fold(added("z"))
    watcher = weakref.ref(desk)
    select(desk)
    del desk
    gc.collect()
    assert watcher() is None
    assert select.recomputations() == 1


# --- the bounded cache ---------------------------------------------------------------------------


def test_the_least_recently_used_entry_is_evicted_first() -> None:
    """The entry used least recently is the one evicted.

    maxsize=2. Calls a, b, a (a is now the most recent), c (evicts b): 3 runs. Then a (still
    cached: 3) and b (evicted: 4), which evicts c: c runs again (5).
    """
    first, second, third = distinct_desks(3)
    select = selector(lambda s: s.version, maxsize=2)
    for desk in (first, second, first, third):
        select(desk)
    assert select.recomputations() == 3
    select(first)
    assert select.recomputations() == 3
    select(second)
    assert select.recomputations() == 4
    select(third)
    assert select.recomputations() == 5


def test_evicted_snapshots_are_released() -> None:
    """A selector keeps at most ``maxsize`` snapshots alive (reselect #635).

    After 10 snapshots with maxsize=3, only the last 3 are still alive, and ``cache_clear``
    releases those too.
    """
    select = selector(lambda s: s.version, maxsize=3)
    desks = distinct_desks(10)
    watchers = [weakref.ref(desk) for desk in desks]
    for desk in desks:
        select(desk)
    del desks, desk
    gc.collect()
    assert [watcher() is not None for watcher in watchers] == [False] * 7 + [True] * 3
    select.cache_clear()
    gc.collect()
    assert all(watcher() is None for watcher in watchers)


def test_cache_clear_forgets_and_reset_recomputations_counts_from_zero() -> None:
    """The two resets are independent.

    ``reset_recomputations`` keeps the cache (a hit adds nothing); ``cache_clear`` keeps the count
    (the next call adds one, and gives an equal but new result).
    """
    select = selector(query.open_conversations)
    select(DESK)
    select.reset_recomputations()
    assert select.recomputations() == 0
    first = select(DESK)
    assert select.recomputations() == 0
    select.cache_clear()
    assert select.recomputations() == 0
    again = select(DESK)
    assert select.recomputations() == 1
    assert again == first
    assert again is not first


def test_a_result_function_that_raises_caches_nothing() -> None:
    """A run that raises counts as a run but stores nothing: the next call runs again (2)."""
    runs: list[int] = []

    def flaky(state: DeskState) -> int:
        runs.append(state.version)
        if len(runs) == 1:
            raise RuntimeError("first call fails")
        return state.version

    select = selector(flaky)
    with pytest.raises(RuntimeError, match="first call fails"):
        select(DESK)
    assert select(DESK) == DESK.version
    assert select(DESK) == DESK.version
    assert select.recomputations() == 2


def test_a_selector_may_call_itself_while_computing() -> None:
    """The cache lock is not held while computing: a recursive selector does not deadlock.

    depth(s, 5) runs for 5, 4, 3, 2, 1, 0 (6 runs); depth(s, 7) adds only 7 and 6 (8 runs).
    """

    def depth(state: DeskState, n: int) -> int:
        return 0 if n == 0 else 1 + walk(state, n - 1)

    walk = selector(depth)
    assert walk(DESK, 5) == 5
    assert walk.recomputations() == 6
    assert walk(DESK, 7) == 7
    assert walk.recomputations() == 8


# --- guards --------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [[1], {"a"}, {"k": 1}, ("ok", [1])])
def test_unhashable_arguments_are_refused_by_name(bad: object) -> None:
    """An argument that cannot key the cache is a TypeError naming it, in both forms."""
    by_snapshot = selector(lambda s, x: x)
    by_inputs = selector(lambda x: 1, inputs=[lambda s, x: s.order])
    for select in (by_snapshot, by_inputs):
        with pytest.raises(TypeError, match=r"argument 1 after the snapshot .*must be hashable"):
            select(DESK, bad)


def test_an_unhashable_keyword_argument_is_named() -> None:
    """The message names the keyword argument."""
    select = selector(lambda s, ids=(): ids)
    with pytest.raises(TypeError, match=r"keyword argument 'ids' .* is a list.*must be hashable"):
        select(DESK, ids=["a"])
    assert select.recomputations() == 0


@pytest.mark.parametrize(
    ("maxsize", "error", "words"),
    [
        (0, ValueError, "at least 1"),
        (-5, ValueError, "at least 1"),
        (True, TypeError, "must be an int"),
        (1.5, TypeError, "must be an int"),
        ("8", TypeError, "must be an int"),
        (None, TypeError, "must be an int"),
    ],
)
def test_a_bad_maxsize_is_refused(maxsize: Any, error: type[Exception], words: str) -> None:
    """``maxsize`` is an int of at least 1, in every form of the decorator."""
    with pytest.raises(error, match=words):
        selector(query.is_empty, maxsize=maxsize)
    with pytest.raises(error, match=words):
        selector(maxsize=maxsize)


@pytest.mark.parametrize(
    ("inputs", "error", "words"),
    [
        (lambda s: s.order, TypeError, "sequence of functions"),
        ((), ValueError, "at least one function"),
        ([query.is_empty, "order"], TypeError, r"inputs\[1\] must be a function"),
        ("order", TypeError, "sequence of functions"),
    ],
)
def test_bad_inputs_are_refused(inputs: Any, error: type[Exception], words: str) -> None:
    """``inputs`` is a non-empty sequence of functions (a lone function is a common slip)."""
    with pytest.raises(error, match=words):
        selector(len, inputs=inputs)


def test_only_a_function_can_be_memoised() -> None:
    """``selector(3)`` says what it expected."""
    with pytest.raises(TypeError, match="memoises a function"):
        selector(3)  # type: ignore[call-overload]


# --- the forms of the decorator, and what a selector shows ---------------------------------------


@selector
def open_rows(state: DeskState) -> tuple[Conversation, ...]:
    """The rows of the conversation list."""
    return query.open_conversations(state)


@selector(maxsize=16)
def unread_of(state: DeskState, cid: str) -> int:
    """Unread messages of one conversation."""
    return query.unread_count(state, cid)


@selector(inputs=[lambda s: s.conversations], maxsize=4)
def open_count(conversations: PMap[str, Conversation]) -> int:
    """How many conversations are open."""
    return len(conversations)


def test_the_three_forms_of_the_decorator() -> None:
    """``@selector``, ``@selector(...)`` and ``selector(fn)`` all give an inspectable Selector."""
    plain = selector(query.focused)
    assert open_rows(DESK) == query.open_conversations(DESK)
    assert unread_of(DESK, "b") == 2
    assert open_count(DESK) == 2
    assert plain(DESK) is None
    for made in (open_rows, unread_of, open_count, plain):
        assert isinstance(made, Selector)
        assert made.recomputations() == 1
    assert (open_rows.maxsize, unread_of.maxsize, open_count.maxsize) == (256, 16, 4)
    assert plain.result_function is query.focused
    assert plain.inputs == ()
    assert len(open_count.inputs) == 1
    assert open_count.inputs[0](DESK) is DESK.conversations


def test_a_selector_keeps_the_name_and_docstring_of_its_function() -> None:
    """Name, docstring and repr say which function a selector memoises, and how."""
    assert open_rows.__name__ == "open_rows"
    assert open_rows.__doc__ == "The rows of the conversation list."
    assert repr(open_rows) == "<selector open_rows (by snapshot, maxsize=256)>"
    assert repr(open_count) == "<selector open_count (inputs=1, maxsize=4)>"


def test_a_selector_is_a_function_of_a_snapshot_for_watchers() -> None:
    """A selector without arguments fits where a ``Callable[[DeskState], T]`` is expected."""
    select: Callable[[DeskState], tuple[Conversation, ...]] = open_rows
    assert select(DESK) is open_rows(DESK)


# --- threads -------------------------------------------------------------------------------------


@pytest.fixture
def busy_switching() -> Iterator[None]:
    """Make the interpreter switch threads very often, to shake out races."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


def hammer(call: Callable[[random.Random], None], threads: int = 8) -> None:
    """Run ``call`` from ``threads`` threads started together; re-raise the first failure."""
    barrier = threading.Barrier(threads)
    failures: list[BaseException] = []

    def work(seed: int) -> None:
        rng = random.Random(seed)
        barrier.wait()
        try:
            for _ in range(1500):
                call(rng)
        except BaseException as error:  # noqa: BLE001 # reported by the main thread
            failures.append(error)

    workers = [threading.Thread(target=work, args=(seed,)) for seed in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if failures:
        raise failures[0]


@pytest.mark.usefixtures("busy_switching")
def test_threads_calling_at_once_always_get_the_right_answer() -> None:
    """Concurrent calls never corrupt the cache nor the count.

    8 threads over 6 snapshots x 3 ids (18 keys, all fitting the cache): every answer is the
    snapshot's own conversation object; the count equals the runs of the function exactly (at
    least 18, and a race may repeat a run: at most 18 per thread); afterwards every key is a hit.
    """
    desks = [reduce(desk, added("a")) for desk in distinct_desks(6)]
    ids = ("a", "c0", "nowhere")
    runs: list[object] = []
    runs_lock = threading.Lock()

    def find(state: DeskState, cid: str) -> Conversation | None:
        with runs_lock:
            runs.append((state, cid))
        return query.conversation(state, cid)

    select = selector(find)

    def call(rng: random.Random) -> None:
        desk, cid = rng.choice(desks), rng.choice(ids)
        assert select(desk, cid) is query.conversation(desk, cid)

    hammer(call)
    assert select.recomputations() == len(runs)
    assert 18 <= len(runs) <= 18 * 8
    for desk in desks:
        for cid in ids:
            assert select(desk, cid) is query.conversation(desk, cid)
    assert select.recomputations() == len(runs)


@pytest.mark.usefixtures("busy_switching")
def test_threads_evicting_at_once_keep_the_cache_bounded() -> None:
    """Concurrent evictions keep the cache bounded.

    8 threads over 12 snapshots with maxsize=4: answers stay right, the count stays exact, and
    once the threads are done no more than 4 snapshots are kept alive by the selector.
    """
    desks = distinct_desks(12)
    watchers = [weakref.ref(desk) for desk in desks]
    runs: list[int] = []
    runs_lock = threading.Lock()

    def version(state: DeskState) -> int:
        with runs_lock:
            runs.append(state.version)
        return state.version

    select = selector(version, maxsize=4)

    def call(rng: random.Random) -> None:
        desk = rng.choice(desks)
        assert select(desk) == desk.version

    hammer(call)
    assert select.recomputations() == len(runs)
    desks.clear()
    gc.collect()
    assert sum(watcher() is not None for watcher in watchers) <= 4


# --- property ------------------------------------------------------------------------------------


@given(streams())
def test_memoised_open_conversations_equals_the_query_and_recomputes_exactly(
    events: list[dict[str, Any]],
) -> None:
    """Rows memoised on ``conversations`` and ``order`` recompute exactly when those change.

    Along any valid session they equal ``query.open_conversations``. With maxsize=1 they recompute
    exactly when either part changed identity since the previous snapshot; with the default cache,
    exactly once per distinct pair of identities met (all snapshots are kept alive, so no id is
    reused).
    """
    desks = [DeskState()]
    for event in events:
        desks.append(reduce(desks[-1], event))
    last_only, every_pair = rows_selector(maxsize=1), rows_selector()
    expected = 0
    pairs: set[tuple[int, int]] = set()
    previous: DeskState | None = None
    for desk in desks:
        if (
            previous is None
            or desk.conversations is not previous.conversations
            or desk.order is not previous.order
        ):
            expected += 1
        pairs.add((id(desk.conversations), id(desk.order)))
        assert last_only(desk) == query.open_conversations(desk)
        assert every_pair(desk) == query.open_conversations(desk)
        assert last_only.recomputations() == expected
        assert every_pair.recomputations() == len(pairs)
        previous = desk
