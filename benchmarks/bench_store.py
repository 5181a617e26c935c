"""Dispatch latency of a Store feeding a UI, against a bare ``deskstate.reduce`` of the same events.

Run: ``python benchmarks/bench_store.py [--events N] [--repeat R]``. The stream is
``deskstate.generate.generate(N, seed=0)`` (envelopes of one desk, up to 8 conversations open).
The Store has 10 subscribers and 20 selectors watched (``store.watch``), as a UI beside the desk
would: the selectors are ``deskstate.selector`` ones when that module is there, else small
memoising functions of this file. Each dispatch (and each bare reduce) is timed on its own with
``time.perf_counter_ns``; the report gives the median and p99 latency per event of each, side by
side in one run (the runs interleaved, after a warm-up), and their ratio.

Two inputs: events parsed beforehand (``parsed``: what the Store adds to the reducer, and nothing
else), and the raw envelopes (``raw``: the Store opens each one as replay does; the bare side runs
``reduce(state, open_record(record).event)``). The Stores, to show where the time goes: no
listener; the 10 subscribers alone; with the 20 watches; the same watches over minimal one-entry
memos of this file (what the watch machinery costs, apart from the selectors'); and with one
subscriber that reads ``change.facts`` (computed only when read), as a UI applying facts
incrementally would.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from deskstate import DeskState, query, reduce
from deskstate.generate import generate
from deskstate.records import open_record
from deskstate.store import Change, Store

Select = Callable[[DeskState], object]


def _memoised(fn: Select) -> Select:
    """A one-entry memo by snapshot identity: the fallback when deskstate.selectors is missing."""
    last: list[Any] = [None, None]

    def select(state: DeskState) -> object:
        if last[0] is not state:
            last[0], last[1] = state, fn(state)
        return last[1]

    return select


def _selector_maker() -> tuple[str, Callable[[Select], Select]]:
    try:
        from deskstate.selectors import selector  # noqa: PLC0415 - written in parallel; optional
    except ImportError:
        return "memoising functions of this benchmark", _memoised
    return "deskstate.selectors.selector", selector


def _slot(index: int) -> Select:
    def conversation_in_slot(state: DeskState) -> object:
        order = state.order
        return state.conversations[order[index]] if index < len(order) else None

    return conversation_in_slot


def _availability(channel: str) -> Select:
    return lambda state: query.availability(state, channel)


def selectors(make: Callable[[Select], Select]) -> list[Select]:
    """Twenty selectors a desk UI might watch: rows, badges, the focused card, availability."""
    functions: list[Select] = [
        query.focused,
        query.focused_visitor,
        query.unread_count,
        query.is_empty,
        lambda state: len(state.order),
        lambda state: len(state.closed),
        lambda state: state.last_clicked_id,
        lambda state: state.clock,
        *(_availability(channel) for channel in ("CHAT", "CALL", "VIDEO", "THIRD_PARTY")),
        *(_slot(index) for index in range(8)),
    ]
    assert len(functions) == 20
    return [make(fn) for fn in functions]


def store_for(watched: Sequence[Select], *, subscribers: int, read_facts: bool) -> Store:
    """A Store with ``subscribers`` listeners (one reading facts if asked) and ``watched``."""
    store = Store()
    seen = [0]

    def count(change: Change) -> None:
        seen[0] += 1

    def apply_facts(change: Change) -> None:
        seen[0] += len(change.facts)

    for number in range(subscribers):
        store.subscribe(apply_facts if read_facts and number == 0 else count)
    for select in watched:
        store.watch(select, lambda new, old: None)
    return store


def time_store(
    records: Sequence[object],
    watched: Sequence[Select] = (),
    *,
    subscribers: int = 10,
    read_facts: bool = False,
) -> list[int]:
    store = store_for(watched, subscribers=subscribers, read_facts=read_facts)
    dispatch = store.dispatch
    clock = time.perf_counter_ns
    samples = []
    for record in records:
        start = clock()
        dispatch(record)
        samples.append(clock() - start)
    return samples


def time_reduce(records: Sequence[object], parse: bool) -> list[int]:
    state = DeskState()
    clock = time.perf_counter_ns
    samples = []
    if parse:
        for record in records:
            start = clock()
            state = reduce(state, open_record(record).event)
            samples.append(clock() - start)
    else:
        for record in records:
            start = clock()
            state = reduce(state, record)  # type: ignore[arg-type] # parsed events here
            samples.append(clock() - start)
    return samples


def p99(samples: Sequence[int]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=20_000, help="records in the stream")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each (interleaved)")
    options = parser.parse_args(argv)
    if options.events < 100 or options.repeat < 1:
        parser.error("--events must be at least 100 and --repeat at least 1")
    raw = list(generate(options.events, seed=0))
    parsed = [open_record(record).event for record in raw]
    how, make = _selector_maker()
    watched = selectors(make)
    plain = selectors(_memoised)
    cases: dict[str, Callable[[], list[int]]] = {
        "parsed / bare reduce": lambda: time_reduce(parsed, parse=False),
        "parsed / Store, no listener": lambda: time_store(parsed, subscribers=0),
        "parsed / Store, 10 subscribers": lambda: time_store(parsed),
        "parsed / Store, 10 subs + 20 watches": lambda: time_store(parsed, watched),
        "parsed / ... with one-entry memos": lambda: time_store(parsed, plain),
        "parsed / ... + one reads facts": lambda: time_store(parsed, watched, read_facts=True),
        "raw / bare reduce": lambda: time_reduce(raw, parse=True),
        "raw / Store, 10 subs + 20 watches": lambda: time_store(raw, watched),
        "raw / ... + one reads facts": lambda: time_store(raw, watched, read_facts=True),
    }
    samples: dict[str, list[int]] = {name: [] for name in cases}
    for run in cases.values():  # warm-up
        run()
    for _ in range(options.repeat):
        for name, run in cases.items():
            samples[name].extend(run())
    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    print(
        f"deskstate Store dispatch latency: {options.events:,} records (generate seed=0), "
        f"{options.repeat} run(s) each; 10 subscribers, 20 selectors watched ({how})"
    )
    print(f"Python {sys.version.split()[0]}, {cores} cores ({usable} usable by this process)")
    print(f"{'':36} {'median':>9} {'p99':>9} {'mean':>9}  x bare (median / p99 / mean)")
    for name, values in samples.items():
        base = samples[name.split(" / ")[0] + " / bare reduce"]
        ratios = (
            statistics.median(values) / statistics.median(base),
            p99(values) / p99(base),
            statistics.fmean(values) / statistics.fmean(base),
        )
        print(
            f"{name:36} {statistics.median(values) / 1000:7.2f}us {p99(values) / 1000:7.2f}us "
            f"{statistics.fmean(values) / 1000:7.2f}us  "
            + " / ".join(f"{ratio:.2f}" for ratio in ratios)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
