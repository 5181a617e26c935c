"""Speed and memory of ``deskstate export``: records per second and tracemalloc peak, N and 10N.

Run: ``python benchmarks/bench_export.py [--records N] [--desks D] [--format parquet|csv|both]
[--batch-rows B]``. Writes ``deskstate.generate.generate(N, seed=0, desks=D)`` and the same for
10N as JSON Lines in a temporary directory, then for each log and format: the export as the
command runs it (``read_log``, ``replay_steps``, ``metric_rows``, ``export_tables``), timed, then
run again under tracemalloc for its peak of Python allocations. For comparison, the peak of
``collect_metrics`` alone over the same log: the metrics keep a small record per conversation, so
their memory grows with the conversations of the log; what export adds on top is its batches (at
most B rows per table, six tables), whatever the length of the log. A small export, untimed,
warms up first (pyarrow's import); pyarrow's buffers are outside Python's allocator, unseen by
tracemalloc.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from bench_report import write_log

from deskstate import read_log
from deskstate.export import BATCH_ROWS, FORMATS, Format, export_tables
from deskstate.generate import generate
from deskstate.metrics import collect_metrics, metric_rows
from deskstate.replay import replay_steps


def peak(run: Callable[[], object]) -> int:
    """The tracemalloc peak, in bytes, of ``run``."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--desks", type=int, default=10)
    parser.add_argument("--format", choices=[*FORMATS, "both"], default="both")
    parser.add_argument("--batch-rows", type=int, default=BATCH_ROWS)
    args = parser.parse_args(argv)
    formats: list[Format] = list(FORMATS) if args.format == "both" else [args.format]
    mib = 1024 * 1024
    print(f"Python {sys.version.split()[0]}, {args.desks} desks, batches of {args.batch_rows:,}")
    print(
        f"{'records':>10} {'format':>8} {'records/s':>10} {'export peak':>12} {'metrics peak':>13}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for fmt in formats:  # warm up: pyarrow's import and first conversions are not timed
            rows = metric_rows(replay_steps(generate(200, seed=1)))
            export_tables(rows, Path(folder, f"warm-{fmt}"), format=fmt)
        for size in (args.records, 10 * args.records):
            log = write_log(Path(folder, f"log-{size}.jsonl"), size, args.desks)

            def measure(log: Path = log) -> None:
                collect_metrics(replay_steps(read_log(log)))

            baseline = peak(measure)
            for fmt in formats:
                out = Path(folder, f"out-{size}-{fmt}")

                def run(log: Path = log, out: Path = out, fmt: Format = fmt) -> None:
                    rows = metric_rows(replay_steps(read_log(log)))
                    export_tables(rows, out, format=fmt, overwrite=True, batch_rows=args.batch_rows)

                start = time.perf_counter()
                run()
                rate = size / (time.perf_counter() - start)
                exported = peak(run)
                print(
                    f"{size:>10,} {fmt:>8} {rate:>10,.0f} {exported / mib:>10.1f} MiB"
                    f" {baseline / mib:>9.1f} MiB"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
