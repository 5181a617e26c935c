"""The benchmark suite: every performance target of SPEC §12 measured in one run, in one table.

Run: ``python benchmarks/suite.py [--quick] [--runs N] [--events N] [--only 1,3,...]
[--big-messages N] [--read-records N]``. ``--quick`` is the CI smoke run (tiny sizes, well under a
minute): its figures mean nothing, it only keeps the suite from rotting. Benchmarks are not tests:
a target not met never makes the exit status non-zero; a benchmark that measures unequal work does
(the contenders of an item must reach the same desk).

The standard stream is ``deskstate.generate.generate(EVENTS, seed=0, max_open=8)`` (200,000
records unless ``--events``): envelopes of one desk, as ``deskstate generate --events EVENTS
--seed 0 --open 8`` writes them, which is how the files of items 2 and 5 are written.

1. In-memory reduction throughput. The input of all the folds is the same list of raw event dicts:
   the ``data`` of each record of the standard stream (envelopes unwrapped once, untimed), as
   ``bench_reduce.py`` feeds its folds. Contenders: ``bench_reduce.mutable_fold`` (an in-place
   mutable-dict fold of the same semantics, the practical floor of Python),
   ``redux_style.redux_fold`` (a pure reducer copying the dicts it changes, what a Python user
   writes without deskstate) and ``deskstate.replay(events)``, which parses (validates and
   freezes) each raw event and reduces it: the figure the target is about. For information, two
   rows that do not take the same input: ``deskstate.step`` over events parsed beforehand (the
   reducer alone), and ``deskstate.replay`` of the envelopes (timestamps and origins too). The
   three folds are checked once, untimed, to reach the same desk (open ids in order, focus,
   availability, and per open and closed conversation its messages, unread, clicks and visitor).
2. End-to-end replay of a JSON Lines file against parsing the same file alone: parse-only is
   ``for line in open(path, encoding="utf-8"): json.loads(line)``; replay is
   ``deskstate.replay(deskstate.read_log(path))``.
3. Per-event cost as the desk grows. Desks with N open conversations (10, 1,000 and 10,000), then
   a fixed mixed batch (seeded; the same kinds of event in the same order whatever N) of messages,
   focus moves (FOCUS_LOST then FOCUSED), state-box clicks and remove/add pairs (N stays
   constant), each naming a random open conversation, folded by deskstate (``replay(batch,
   initial=desk)``), the mutable fold (into a fresh copy of its desk, copied untimed) and the
   Redux-style reducer (for information). Then one conversation holding 1,000 or 1,000,000
   messages (``--big-messages``) and a batch of 1,000 more messages appended to it, by deskstate
   and the mutable fold. The desks are built by the folds themselves, untimed, with the garbage
   collector off (with it on, deskstate's build of 1,000,000 messages costs what the figure of
   that row says, a million times over). Each contender's final desk is checked equal to the
   mutable fold's.
4. Memory of time travel: tracemalloc's count of the memory still held after keeping every
   snapshot ``deskstate.scan`` yields over the standard stream (a list of them), minus the memory
   held after the same scan keeping only the last snapshot, divided by the number of records.
   One measurement: it is deterministic.
5. Peak memory of streaming a 2,000,000-record log (``--read-records``) with ``read_log``:
   ``bench_read_memory.measure``, the peak RSS of a fresh child process iterating over it (the
   whole process: interpreter and imports included). One measurement.
6. ``Store.dispatch`` latency: ``bench_store.time_store`` (10 subscribers, 20 watched
   ``deskstate.selector`` s) over the raw records of the standard stream, each dispatch timed on
   its own, against ``bench_store.time_reduce`` (a bare
   ``reduce(state, open_record(record).event)``). Median and p99 of all the samples of the timed
   runs.

Timing: ``time.perf_counter`` (wall clock). Each timed figure is the median of ``--runs`` runs
(3; 1 with ``--quick``) after one warm-up run of every contender; the runs of an item's contenders
are interleaved (contender A, B, C, then A, B, C again), so that a change in the machine's load
falls on all of them. Before each run the garbage collector collects everything
(``gc.collect()``); it stays on during the run, for every contender alike, and whatever a run
returns is freed after the clock stops.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import platform
import shlex
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from importlib.metadata import version
from pathlib import Path
from random import Random
from typing import Any, TypeVar

import bench_read_memory
import bench_store
from bench_reduce import mutable_fold
from pyrsistent import thaw
from redux_style import redux_fold

import deskstate
from deskstate import DeskState, parse_event, read_log, replay, scan, step
from deskstate.cli import main as deskstate_cli
from deskstate.generate import generate

P = "com.iadvize.desk."
Record = dict[str, Any]
Event = dict[str, Any]
Thunk = Callable[[], object]
#: A contender of a timed item: called untimed, it returns the work to time.
Prepare = Callable[[], Thunk]
K = TypeVar("K")

#: SPEC §12's targets.
REDUCTION_TARGET = 4  # deskstate at least 1/4 of the mutable fold's throughput
REPLAY_TARGET = 2  # file replay at least 1/2 of parse-only throughput
GROWTH_TARGET = 1.5  # growth of deskstate's per-event cost at most 1.5x the mutable fold's
MESSAGES_TARGET = 1.5  # 1,000,000 messages within 1.5x the cost with 1,000
HISTORY_TARGET = 512  # bytes per event of keeping every snapshot
READ_MEMORY_TARGET_MIB = 64  # peak memory of streaming a 2,000,000-record log


# --- configuration -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """The sizes of one run of the suite."""

    events: int
    runs: int
    only: frozenset[int]
    open_sizes: tuple[int, ...]
    open_batch: int
    messages: tuple[int, int]
    message_batch: int
    read_records: int


def configure(argv: Sequence[str] | None) -> Config:
    """Read the command line; ``--quick`` presets tiny sizes, which explicit options override."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run on tiny streams (CI)")
    parser.add_argument("--runs", type=int, help="timed runs per figure (3; --quick: 1)")
    parser.add_argument("--events", type=int, help="records of the standard stream (200,000)")
    parser.add_argument("--only", help="items to run, comma-separated (1 to 6; default all)")
    parser.add_argument(
        "--big-messages", type=int, help="messages of the big conversation of item 3 (1,000,000)"
    )
    parser.add_argument("--read-records", type=int, help="records of item 5's log (2,000,000)")
    args = parser.parse_args(argv)
    quick = bool(args.quick)
    try:
        only = frozenset(int(item) for item in args.only.split(",")) if args.only else None
    except ValueError:
        parser.error(f"--only takes item numbers separated by commas, got {args.only!r}")
    if only is not None and not only <= set(range(1, 7)):
        parser.error(f"--only takes items 1 to 6, got {args.only!r}")
    small = 100 if quick else 1_000
    config = Config(
        events=args.events or (2_000 if quick else 200_000),
        runs=args.runs or (1 if quick else 3),
        only=only or frozenset(range(1, 7)),
        open_sizes=(10, 100, 1_000) if quick else (10, 1_000, 10_000),
        open_batch=1_000 if quick else 20_000,
        messages=(small, args.big_messages or (10_000 if quick else 1_000_000)),
        message_batch=200 if quick else 1_000,
        read_records=args.read_records or (20_000 if quick else 2_000_000),
    )
    if config.events < 100 or config.runs < 1 or config.messages[1] < small:
        parser.error(f"--events must be at least 100, --runs 1, --big-messages {small}")
    return config


# --- timing --------------------------------------------------------------------------------------


def _time_once(prepare: Prepare) -> float:
    work = prepare()  # untimed: a fresh copy of a mutable desk, say
    gc.collect()
    start = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - start
    del result  # freed after the clock stopped, for every contender alike
    return elapsed


def medians(contenders: Mapping[K, Prepare], runs: int) -> dict[K, float]:
    """Seconds per run of each contender: median of ``runs`` interleaved runs after a warm-up."""
    for prepare in contenders.values():
        _time_once(prepare)
    samples: dict[K, list[float]] = {key: [] for key in contenders}
    for _ in range(runs):
        for key, prepare in contenders.items():
            samples[key].append(_time_once(prepare))
    return {key: statistics.median(times) for key, times in samples.items()}


def ready(fn: Callable[..., object], *args: object) -> Prepare:
    """A contender whose work needs no preparation: ``fn(*args)``."""
    work = partial(fn, *args)
    return lambda: work


def _progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the table -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of the table; ``met`` is ``None`` for a figure without a target."""

    item: int
    what: str
    figure: str
    ratio: str = ""
    target: str = ""
    met: bool | None = None


@dataclass
class Report:
    """The rows of the table, and notes printed under it."""

    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def fraction(slower: float, faster: float) -> str:
    """A throughput ratio as the SPEC writes it: ``1/3.2`` for 3.2 times slower."""
    return f"1/{slower / faster:.1f}" if slower >= faster else f"{faster / slower:.1f}"


def per_second(count: int, seconds: float, unit: str) -> str:
    return f"{count / seconds:,.0f} {unit}/s ({seconds / count * 1e6:,.2f} µs)"


def render(report: Report, header: Sequence[str]) -> str:
    """The table, with ``header`` lines above it and the notes under it."""
    heads = ("item", "what", "figure", "ratio", "target", "met?")
    cells = [
        (
            str(row.item),
            row.what,
            row.figure,
            row.ratio,
            row.target,
            "—" if row.met is None else ("yes" if row.met else "NO"),
        )
        for row in report.rows
    ]
    widths = [max(len(text) for text in column) for column in zip(heads, *cells, strict=False)]
    right = {2, 3}

    def line(texts: Sequence[str]) -> str:
        return "  ".join(
            text.rjust(width) if index in right else text.ljust(width)
            for index, (text, width) in enumerate(zip(texts, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    body = [line(heads), rule, *(line(texts) for texts in cells)]
    notes = [f"({number}) {note}" for number, note in enumerate(report.notes, start=1)]
    return "\n".join([*header, "", *body, "", *notes])


# --- comparing desks -----------------------------------------------------------------------------

Normal = tuple[object, ...]


def _conversation(
    messages: Iterable[tuple[str, str, int]], unread: int, clicks: int, visitor: object
) -> Normal:
    return (tuple(messages), unread, clicks, json.dumps(visitor, sort_keys=True))


def normal_deskstate(state: DeskState) -> Normal:
    """What the folds have in common, of a deskstate snapshot, in comparable form."""

    def one(conv: deskstate.Conversation) -> Normal:
        messages = ((m.id, m.participant, m.project_id) for m in conv.messages)
        return _conversation(messages, conv.unread, conv.state_box_clicks, thaw(conv.visitor))

    return (
        tuple(state.order),
        state.focused_id,
        sorted(state.availability.items()),
        tuple((cid, one(state.conversations[cid])) for cid in state.order),
        sorted((cid, one(conv)) for cid, conv in state.closed.items()),
    )


def normal_dicts(desk: Mapping[str, Any]) -> Normal:
    """The same for the desk of the mutable fold or of the Redux-style reducer (same shape)."""

    def one(conv: Mapping[str, Any]) -> Normal:
        return _conversation(conv["messages"], conv["unread"], conv["clicks"], conv["visitor"])

    return (
        tuple(desk["open"]),
        desk["focused"],
        sorted(desk["avail"].items()),
        tuple((cid, one(conv)) for cid, conv in desk["open"].items()),
        sorted((cid, one(conv)) for cid, conv in desk["closed"].items()),
    )


def same_desks(where: str, reference: Normal, **others: Normal) -> None:
    """Stop the suite when a contender did not reach the mutable fold's desk: unequal work."""
    for name, other in others.items():
        if other != reference:
            raise SystemExit(f"{where}: {name} does not reach the mutable fold's desk")


def clone(desk: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a mutable fold's desk that folding into leaves ``desk`` as it was."""

    def copy(conv: Mapping[str, Any]) -> dict[str, Any]:
        return {**conv, "messages": list(conv["messages"]), "ids": set(conv["ids"])}

    return {
        "open": {cid: copy(conv) for cid, conv in desk["open"].items()},
        "closed": {cid: copy(conv) for cid, conv in desk["closed"].items()},
        "focused": desk["focused"],
        "avail": dict(desk["avail"]),
    }


def without_gc(build: Callable[[], K]) -> K:
    """``build()`` with the garbage collector off (to build big desks fast, untimed)."""
    gc.disable()
    try:
        return build()
    finally:
        gc.enable()


# --- the contenders' work ------------------------------------------------------------------------


def deskstate_replay(records: Iterable[object], initial: DeskState | None = None) -> DeskState:
    """``deskstate.replay``: each record parsed, then reduced."""
    return replay(records, initial=initial).state


def step_fold(events: Iterable[deskstate.Event]) -> DeskState:
    """``deskstate.step`` over events parsed beforehand: the reducer alone."""
    state = DeskState()
    for event in events:
        state = step(state, event).state
    return state


def parse_only(path: Path) -> int:
    """Read a JSON Lines file and ``json.loads`` each line: the floor of reading a log."""
    count = 0
    loads = json.loads
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            loads(line)
            count += 1
    return count


def file_replay(path: Path) -> deskstate.Replay:
    return replay(read_log(path))


def write_standard_log(path: Path, records: int) -> None:
    """Write the standard stream of ``records`` records with ``deskstate generate``."""
    status = deskstate_cli(
        ["generate", "--events", str(records), "--seed", "0", "--open", "8", "--out", str(path)]
    )
    if status != 0:
        raise SystemExit(f"deskstate generate failed with status {status}")


# --- 1. in-memory reduction ----------------------------------------------------------------------


def item_reduction(config: Config, records: Sequence[Record], report: Report) -> None:
    """Item 1: the three folds (and two variants of deskstate's) over the standard stream."""
    events: list[Event] = [record["data"] for record in records]
    parsed = [parse_event(event) for event in events]
    replayed = replay(events)
    if replayed.anomalies:
        raise SystemExit(f"item 1: the stream raised anomalies: {replayed.anomalies[0]}")
    floor_desk = normal_dicts(mutable_fold(events))
    same_desks(
        "item 1",
        floor_desk,
        redux=normal_dicts(redux_fold(events)),
        deskstate=normal_deskstate(replayed.state),
        deskstate_step=normal_deskstate(step_fold(parsed)),
    )
    del replayed, floor_desk
    contenders = {
        "floor": ready(mutable_fold, events),
        "redux": ready(redux_fold, events),
        "deskstate": ready(deskstate_replay, events),
        "step": ready(step_fold, parsed),
        "envelopes": ready(deskstate_replay, records),
    }
    seconds = medians(contenders, config.runs)
    floor, count = seconds["floor"], len(events)
    ours = seconds["deskstate"]
    report.rows += [
        Row(1, "mutable-dict fold (the floor)", per_second(count, floor, "ev"), "1"),
        Row(
            1,
            "Redux-style dict-copying reducer",
            per_second(count, seconds["redux"], "ev"),
            fraction(seconds["redux"], floor),
        ),
        Row(
            1,
            "deskstate.replay(events)",
            per_second(count, ours, "ev"),
            fraction(ours, floor),
            f">= 1/{REDUCTION_TARGET} of floor",
            ours <= REDUCTION_TARGET * floor,
        ),
        Row(
            1,
            "  info: step() on pre-parsed events",
            per_second(count, seconds["step"], "ev"),
            fraction(seconds["step"], floor),
        ),
        Row(
            1,
            "  info: replay(envelopes), ts+origin",
            per_second(count, seconds["envelopes"], "ev"),
            fraction(seconds["envelopes"], floor),
        ),
    ]
    report.notes.append(
        f"Item 1: {count:,} raw event dicts, the `data` of the standard stream's records, for all"
        " three folds (deskstate parses each: validates and freezes it); the three reach the same"
        " desk. The info rows take other inputs: events parsed beforehand (the reducer alone),"
        " and the envelopes themselves."
    )


# --- 2. file replay ------------------------------------------------------------------------------


def item_file(config: Config, report: Report) -> None:
    """Item 2: ``replay(read_log(path))`` against reading and ``json.loads`` of each line."""
    with tempfile.TemporaryDirectory(prefix="deskstate-suite-") as folder:
        path = Path(folder) / "standard.jsonl"
        write_standard_log(path, config.events)
        size = path.stat().st_size
        replayed = file_replay(path)
        if replayed.count != config.events or replayed.anomalies:
            raise SystemExit(f"item 2: replayed {replayed.count} records, {replayed.anomalies[:1]}")
        if parse_only(path) != config.events:
            raise SystemExit("item 2: parse-only did not read every line")
        del replayed
        seconds = medians(
            {"parse": ready(parse_only, path), "replay": ready(file_replay, path)}, config.runs
        )
    parse, ours, count = seconds["parse"], seconds["replay"], config.events
    report.rows += [
        Row(2, "parse only: each line json.loads", per_second(count, parse, "rec"), "1"),
        Row(
            2,
            "deskstate.replay(read_log(path))",
            per_second(count, ours, "rec"),
            fraction(ours, parse),
            f">= 1/{REPLAY_TARGET} of parse",
            ours <= REPLAY_TARGET * parse,
        ),
    ]
    report.notes.append(
        f"Item 2: the standard stream as `deskstate generate` writes it ({count:,} lines,"
        f" {size / 2**20:.1f} MiB), read from the page cache (warm)."
    )


# --- 3. cost as the desk grows -------------------------------------------------------------------


def _added(cid: str) -> Event:
    return {"event": P + "CONVERSATION_ADDED", "conversationId": cid, "projectId": 7}


def _on(name: str, cid: str) -> Event:
    return {"event": P + name, "conversationId": cid}


def _message(cid: str, mid: str, who: str) -> Event:
    return {
        "event": P + "CONVERSATION_MESSAGE_ADDED",
        "conversationId": cid,
        "messageId": mid,
        "projectId": 7,
        "conversationParticipantType": who,
    }


PARTICIPANTS = ("Visitor", "Visitor", "Professional", "Expert")


def open_batch(size: int, length: int, seed: int = 1) -> tuple[list[Event], list[Event]]:
    """The events opening ``size`` conversations, and a mixed batch of ``length`` events after.

    The batch draws the same random numbers whatever ``size``, so that it has the same kinds of
    event in the same order: 60% messages, 20% focus moves (FOCUS_LOST of the focused one, then
    FOCUSED), 10% state-box clicks, 10% a conversation removed (FOCUS_LOST first if focused) and
    a new one added in its place, each naming a random open conversation.
    """
    open_ids = [f"conv-{index:07d}" for index in range(size)]
    opening = [_added(cid) for cid in open_ids]
    rng = Random(seed)
    draw = rng.random
    made, focused = size, None
    batch: list[Event] = []
    while len(batch) < length:
        roll, pick = draw(), int(draw() * size)
        cid = open_ids[pick]
        if roll < 0.6:
            batch.append(_message(cid, f"b{len(batch)}", PARTICIPANTS[int(draw() * 4)]))
        elif roll < 0.8:
            if focused is not None:
                batch.append(_on("CONVERSATION_FOCUS_LOST", focused))
            batch.append(_on("CONVERSATION_FOCUSED", cid))
            focused = cid
        elif roll < 0.9:
            batch.append(_on("CONVERSATION_STATE_BOX_CLICKED", cid))
        else:
            if focused == cid:
                batch.append(_on("CONVERSATION_FOCUS_LOST", cid))
                focused = None
            batch.append(_on("CONVERSATION_REMOVED", cid))
            open_ids[pick] = f"conv-{made:07d}"
            made += 1
            batch.append(_added(open_ids[pick]))
    return opening, batch[:length]


def message_events(cid: str, count: int, start: int = 0) -> Iterator[Event]:
    """``count`` messages to ``cid``, of the three participants in turn."""
    for index in range(start, start + count):
        yield _message(cid, f"msg-{index:08d}", PARTICIPANTS[1 + index % 3])


def big_conversation(held: int) -> Iterator[Event]:
    """The events of a conversation ``big`` of ``held`` messages, made as they are read."""
    return itertools.chain([_added("big")], message_events("big", held))


def into_copy(batch: Sequence[Event], desk: Mapping[str, Any]) -> Prepare:
    """The mutable fold of ``batch`` into a fresh copy of ``desk``, copied untimed each run."""
    return lambda: partial(mutable_fold, batch, clone(desk))


def _growth(per_event: Mapping[int, float], size: int) -> float:
    return per_event[size] / per_event[min(per_event)]


def item_growth(config: Config, report: Report) -> None:
    """Item 3: per-event cost at N open conversations, and with M messages in one."""
    contenders: dict[tuple[str, int], Prepare] = {}
    lengths: dict[int, int] = {}
    for size in config.open_sizes:
        opening, batch = open_batch(size, config.open_batch)
        lengths[size] = len(batch)
        ours = without_gc(partial(deskstate_replay, opening))
        floor = without_gc(partial(mutable_fold, opening))
        redux = without_gc(partial(redux_fold, opening))
        expected = normal_dicts(mutable_fold(batch, clone(floor)))
        same_desks(
            f"item 3, {size:,} open",
            expected,
            deskstate=normal_deskstate(deskstate_replay(batch, ours)),
            redux=normal_dicts(redux_fold(batch, redux)),
        )
        contenders["floor", size] = into_copy(batch, floor)
        contenders["deskstate", size] = ready(deskstate_replay, batch, ours)
        contenders["redux", size] = ready(redux_fold, batch, redux)
    _progress(
        f"item 3: {len(contenders)} contenders at {', '.join(map(str, config.open_sizes))} open"
    )
    seconds = medians(contenders, config.runs)
    per_event = {
        name: {size: seconds[name, size] / lengths[size] for size in config.open_sizes}
        for name in ("floor", "deskstate", "redux")
    }
    largest = max(config.open_sizes)
    allowed = GROWTH_TARGET * _growth(per_event["floor"], largest)
    labels = {
        "floor": "mutable fold",
        "deskstate": "deskstate",
        "redux": "  info: Redux-style",
    }
    for name, label in labels.items():
        for size in config.open_sizes:
            growth = _growth(per_event[name], size)
            target = met = None
            if name == "deskstate" and size == largest:
                target, met = f"<= {GROWTH_TARGET} x floor's = x{allowed:.2f}", growth <= allowed
            report.rows.append(
                Row(
                    3,
                    f"{label}, {size:,} open",
                    f"{per_event[name][size] * 1e6:,.2f} µs/ev",
                    f"x{growth:.2f}",
                    target or "",
                    met,
                )
            )
    report.notes.append(
        f"Item 3: a batch of {config.open_batch:,} events (60% messages, 20% focus moves, 10%"
        " clicks, 10% remove/add pairs) on desks of N open conversations; ratios to the smallest"
        " N of the same contender."
    )
    _messages(config, report)


def _messages(config: Config, report: Report) -> None:
    """Item 3, second half: appending messages to a conversation holding many already."""
    contenders: dict[tuple[str, int], Prepare] = {}
    builds: list[str] = []
    for held in config.messages:
        _progress(f"item 3: building a conversation of {held:,} messages")
        started = time.perf_counter()
        ours = without_gc(partial(deskstate_replay, big_conversation(held)))
        built = time.perf_counter() - started
        floor = without_gc(partial(mutable_fold, big_conversation(held)))
        builds.append(f"{held:,} in {built:.1f} s")
        batch = list(message_events("big", config.message_batch, start=held))
        same_desks(
            f"item 3, {held:,} messages",
            normal_dicts(mutable_fold(batch, clone(floor))),
            deskstate=normal_deskstate(deskstate_replay(batch, ours)),
        )
        contenders["floor", held] = into_copy(batch, floor)
        contenders["deskstate", held] = ready(deskstate_replay, batch, ours)
    seconds = medians(contenders, config.runs)
    small, big = config.messages
    for name, label in (("floor", "mutable fold"), ("deskstate", "deskstate")):
        for held in config.messages:
            growth = seconds[name, held] / seconds[name, small]
            last = name == "deskstate" and held == big
            report.rows.append(
                Row(
                    3,
                    f"{label}, msg to a conv of {held:,}",
                    f"{seconds[name, held] / config.message_batch * 1e6:,.2f} µs/ev",
                    f"x{growth:.2f}",
                    f"<= x{MESSAGES_TARGET}" if last else "",
                    growth <= MESSAGES_TARGET if last else None,
                )
            )
    report.notes.append(
        f"Item 3: {config.message_batch:,} messages appended to a conversation of {small:,} or"
        f" {big:,}. deskstate built the conversations (untimed, gc off) of "
        + " and ".join(builds)
        + "."
    )


# --- 4. time travel ------------------------------------------------------------------------------


def _held(work: Callable[[], object]) -> tuple[int, object]:
    """Bytes still allocated (tracemalloc) after ``work()``, whose result is kept, and it."""
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    kept = work()
    gc.collect()
    return tracemalloc.get_traced_memory()[0] - before, kept


def item_history(config: Config, records: Sequence[Record], report: Report) -> None:
    """Item 4: bytes per event of keeping every snapshot of a scan, beyond the last one alone."""
    for _ in scan(records[:1_000]):  # warm-up: whatever deskstate caches at first use
        pass
    tracemalloc.start()
    try:
        last, kept = _held(lambda: deque(scan(records), maxlen=1))
        del kept
        every, kept = _held(lambda: list(scan(records)))
        del kept
    finally:
        tracemalloc.stop()
    per_event = (every - last) / len(records)
    report.rows += [
        Row(
            4,
            "every snapshot of scan() kept",
            f"{per_event:,.0f} B/ev",
            "",
            f"<= {HISTORY_TARGET} B/ev",
            per_event <= HISTORY_TARGET,
        ),
        Row(4, "  info: the last snapshot alone", f"{last / 2**20:,.1f} MiB"),
        Row(4, "  info: every snapshot", f"{every / 2**20:,.1f} MiB"),
    ]
    report.notes.append(
        f"Item 4: tracemalloc, scan() over the {len(records):,} envelopes of the standard stream,"
        " memory still allocated with every snapshot in a list minus with the last one alone,"
        " per record; one measurement."
    )


# --- 5. streaming a log --------------------------------------------------------------------------


def item_read_memory(config: Config, report: Report) -> None:
    """Item 5: bench_read_memory's child process over the standard stream of 2,000,000 records."""
    with tempfile.TemporaryDirectory(prefix="deskstate-suite-") as folder:
        path = Path(folder) / "big.jsonl"
        _progress(f"item 5: writing {config.read_records:,} records")
        write_standard_log(path, config.read_records)
        size = path.stat().st_size
        _progress("item 5: reading them in a child process")
        result = bench_read_memory.measure(path)
    if result["count"] != config.read_records or result["errors"]:
        raise SystemExit(f"item 5: read {result['count']} records, {result['errors']} errors")
    peak = result["peak"] / 2**20
    report.rows += [
        Row(
            5,
            f"read_log, {config.read_records:,} records: peak RSS",
            f"{peak:,.1f} MiB",
            "",
            f"< {READ_MEMORY_TARGET_MIB} MiB",
            peak < READ_MEMORY_TARGET_MIB,
        ),
        Row(
            5,
            "  info: growth over Python + imports",
            f"{(result['peak'] - result['baseline']) / 2**20:,.1f} MiB",
        ),
        Row(5, "  info: tracemalloc peak", f"{result['traced'] / 2**20:,.1f} MiB"),
    ]
    report.notes.append(
        f"Item 5: a JSON Lines file of {size / 2**20:,.1f} MiB written by `deskstate generate`,"
        f" iterated by a fresh child process at {result['count'] / result['seconds']:,.0f}"
        " records/s; one measurement (peak RSS of the whole process)."
    )


# --- 6. Store latency ----------------------------------------------------------------------------


def item_store(config: Config, records: Sequence[Record], report: Report) -> None:
    """Item 6: bench_store's dispatch latency, 10 subscribers and 20 watched selectors."""
    how, make = bench_store._selector_maker()
    watched = bench_store.selectors(make)
    cases: dict[str, Callable[[], list[int]]] = {
        "store": lambda: bench_store.time_store(records, watched),
        "bare": lambda: bench_store.time_reduce(records, parse=True),
    }
    samples: dict[str, list[int]] = {name: [] for name in cases}
    for run in cases.values():  # warm-up
        gc.collect()
        run()
    for _ in range(config.runs):
        for name, run in cases.items():
            gc.collect()
            samples[name].extend(run())
    median = {name: statistics.median(values) / 1e3 for name, values in samples.items()}
    p99 = {name: bench_store.p99(values) / 1e3 for name, values in samples.items()}
    report.rows += [
        Row(
            6,
            "Store.dispatch(record): median",
            f"{median['store']:,.1f} µs",
            f"x{median['store'] / median['bare']:.2f} bare",
        ),
        Row(
            6,
            "Store.dispatch(record): p99",
            f"{p99['store']:,.1f} µs",
            f"x{p99['store'] / p99['bare']:.2f} bare",
        ),
        Row(
            6, "  info: bare reduce: median / p99", f"{median['bare']:,.1f} / {p99['bare']:,.1f} µs"
        ),
    ]
    report.notes.append(
        f"Item 6: the {len(records):,} raw records of the standard stream dispatched one by one"
        f" to a Store with 10 subscribers and 20 watched selectors ({how}); bare ="
        " reduce(state, open_record(record).event); all samples of the timed runs."
    )


# --- the run -------------------------------------------------------------------------------------


def header(config: Config, argv: Sequence[str]) -> list[str]:
    """Lines above the table: what ran, where, when."""
    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    versions = ", ".join(f"{name} {version(name)}" for name in ("deskstate", "attrs", "pyrsistent"))
    return [
        f"deskstate benchmark suite, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"command: python {shlex.join(['benchmarks/suite.py', *argv])}",
        f"machine: {cores} cores ({usable} usable), {platform.machine()}, {platform.system()}",
        f"Python {platform.python_version()} ({platform.python_implementation()}); {versions}",
        f"standard stream: generate({config.events:,}, seed=0, max_open=8); figures are medians"
        f" of {config.runs} run(s) after a warm-up, time.perf_counter, gc.collect() before each"
        " run and gc on during it",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the items asked for and print the table."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    config = configure(arguments)
    started = time.perf_counter()
    report = Report()
    records: list[Record] = list(generate(config.events, seed=0, max_open=8))
    items: dict[int, Callable[[], None]] = {
        1: lambda: item_reduction(config, records, report),
        2: lambda: item_file(config, report),
        3: lambda: item_growth(config, report),
        4: lambda: item_history(config, records, report),
        5: lambda: item_read_memory(config, report),
        6: lambda: item_store(config, records, report),
    }
    took: list[str] = []
    for number, run in items.items():
        if number in config.only:
            _progress(f"item {number}")
            began = time.perf_counter()
            run()
            took.append(f"item {number} {time.perf_counter() - began:,.0f} s")
    elapsed = time.perf_counter() - started
    report.notes.append(f"The whole run took {elapsed / 60:.1f} min ({', '.join(took)}).")
    print(render(report, header(config, arguments)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
