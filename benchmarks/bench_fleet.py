"""Speed-up of ``deskstate.fleet.replay_many`` on a local pool and a Dask cluster over one process.

Run: ``python benchmarks/bench_fleet.py [--desks D] [--events N] [--files F] [--jobs J]
[--repeat R]``. The log is ``deskstate.generate.generate(N, seed=0, desks=D)`` (a contact centre
of D operators, their records interleaved), written as F JSON Lines files split in record order (a
log rotated F times a day). Timed, each the median of R runs: ``replay_desks`` over the files one
after the other (the single-stream baseline), ``replay_many`` in one process, on a pool of J
processes (``jobs=J``), and on a ``distributed.LocalCluster`` of J single-threaded worker
processes started beforehand (its start-up is reported apart: a cluster outlives one replay).
Every way is checked, untimed, to give the same desks. The pool's time includes starting its
processes, as each ``replay_many(jobs=J)`` call does.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from deskstate import read_log, replay_desks
from deskstate.fleet import replay_many
from deskstate.generate import generate


def write_log(directory: Path, events: int, desks: int, files: int) -> list[Path]:
    """The generated log as ``files`` parts, in record order."""
    records = generate(events, seed=0, desks=desks)
    size = -(-events // files)
    encode = json.JSONEncoder(separators=(",", ":")).encode
    paths = []
    for number in range(files):
        path = directory / f"part-{number:02}.jsonl"
        with path.open("w", encoding="utf-8") as stream:
            stream.writelines(encode(record) + "\n" for record in itertools.islice(records, size))
        paths.append(path)
    return paths


def median_time(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--desks", type=int, default=1000)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    import distributed  # noqa: PLC0415 - the fleet extra

    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    print(f"{cores} cores ({usable} usable), Python {sys.version.split()[0]}")
    print(f"log: {args.events:,} records of {args.desks:,} desks in {args.files} files")
    with tempfile.TemporaryDirectory() as folder:
        paths = write_log(Path(folder), args.events, args.desks, args.files)
        start = time.perf_counter()
        cluster = distributed.LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=args.jobs, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
        print(f"LocalCluster of {args.jobs} workers started in {time.perf_counter() - start:.1f} s")
        with cluster:
            address = cluster.scheduler_address
            runs: dict[str, Callable[[], object]] = {
                "replay_desks, one stream": lambda: replay_desks(
                    itertools.chain.from_iterable(read_log(path) for path in paths)
                ),
                "replay_many, one process": lambda: replay_many(paths),
                f"replay_many, jobs={args.jobs}": lambda: replay_many(paths, jobs=args.jobs),
                f"replay_many, LocalCluster of {args.jobs}": lambda: replay_many(
                    paths, scheduler=address
                ),
            }
            reference = replay_many(paths)
            assert replay_many(paths, jobs=args.jobs) == reference
            assert replay_many(paths, scheduler=address) == reference
            assert len(reference) == min(args.desks, args.events)
            baseline = None
            for name, run in runs.items():
                seconds = median_time(run, args.repeat)
                if name == "replay_many, one process":
                    baseline = seconds
                speed_up = "" if baseline is None else f"  x{baseline / seconds:.2f}"
                rate = args.events / seconds
                print(f"{name:<36} {seconds:8.2f} s  {rate:>9,.0f} records/s{speed_up}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
