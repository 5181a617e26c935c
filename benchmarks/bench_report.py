"""Records per second of the desk metrics (``deskstate report``), and their memory, over one log.

Run: ``python benchmarks/bench_report.py [--records N] [--desks D] [--repeat R] [--jobs J]``.

The log is ``deskstate.generate.generate(N, seed=0, desks=D)`` written as JSON Lines (default
1,000,000 records of 50 desks: a contact centre's day of 50 operators, their records
interleaved). Timed, each the median of R runs after a warm-up on a log of N/100 records:

(a) ``replay_desks(read_log(path))``: the replay alone, the baseline;
(b) ``desk_metrics(read_log(path))``: the library's metrics (the replay and the fold);
(c) ``deskstate report LOG --json > /dev/null``: the command end to end, in a subprocess (start-up
    of the interpreter and imports included);
(d) ``metrics_many([path], jobs=J)``: on a local Dask pool of J processes, started by each call
    (``--jobs 0`` leaves it out).

Every way is checked, untimed, to give the same metrics. Then the memory of (b): a fresh
interpreter runs ``desk_metrics(read_log(path))`` over the first N/10 records and over all N, and
reports its peak RSS (``VmHWM``) over its baseline (Python and the imports), with the number of
conversations and messages measured: whether memory grows with the log's length.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench_fleet import median_time
from bench_read_memory import mib, peak_rss_bytes, run_child

from deskstate import read_log, replay_desks
from deskstate.generate import generate
from deskstate.metrics import desk_metrics


def write_log(path: Path, records: int, desks: int) -> Path:
    """The generated log as JSON Lines, written as it is generated."""
    encode = json.JSONEncoder(separators=(",", ":")).encode
    with path.open("w", encoding="utf-8") as stream:
        stream.writelines(
            encode(record) + "\n" for record in generate(records, seed=0, desks=desks)
        )
    return path


def head(source: Path, target: Path, lines: int) -> Path:
    """The first ``lines`` lines of ``source``, as ``target``."""
    with source.open(encoding="utf-8") as stream, target.open("w", encoding="utf-8") as out:
        out.writelines(itertools.islice(stream, lines))
    return target


def command(path: Path) -> None:
    """``deskstate report LOG --json``, its output thrown away."""
    script = Path(sys.executable).with_name("deskstate")
    subprocess.run([str(script), "report", str(path), "--json"], check=True, capture_output=True)


def child(path: str) -> None:
    """Measure ``path`` with desk_metrics in this fresh interpreter; print what it cost as JSON."""
    baseline = peak_rss_bytes()
    metrics = desk_metrics(read_log(path))
    peak = peak_rss_bytes()
    conversations = [c for desk in metrics.values() for c in desk.conversations.values()]
    result = {
        "baseline": baseline,
        "peak": peak,
        "conversations": len(conversations),
        "messages": sum(sum(c.messages.values()) for c in conversations),
    }
    print(json.dumps(result))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--desks", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2, help="processes of (d); 0: no (d)")
    parser.add_argument("--child", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        child(args.child)
        return 0

    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, load {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="deskstate-bench-") as folder:
        path = write_log(Path(folder) / "desks.jsonl", args.records, args.desks)
        size = path.stat().st_size
        print(f"log: {args.records:,} records of {args.desks} desks, {mib(size)} MiB of JSON Lines")
        runs: dict[str, Callable[[Path], object]] = {
            "(a) read_log + replay_desks": lambda log: replay_desks(read_log(log)),
            "(b) desk_metrics(read_log)": lambda log: desk_metrics(read_log(log)),
            "(c) deskstate report --json": command,
        }
        if args.jobs:
            from deskstate.fleet import metrics_many  # noqa: PLC0415 - the fleet extra

            runs[f"(d) metrics_many(jobs={args.jobs})"] = lambda log: metrics_many(
                [log], jobs=args.jobs
            )
            assert metrics_many([path], jobs=args.jobs) == desk_metrics(read_log(path))
        reference = desk_metrics(read_log(path))
        printed = subprocess.run(
            [str(Path(sys.executable).with_name("deskstate")), "report", str(path), "--json"],
            check=True,
            capture_output=True,
            text=True,
        )
        desks = {str(key): metrics.to_dict() for key, metrics in reference.items()}
        assert json.loads(printed.stdout)["desks"] == desks

        small = head(path, Path(folder) / "warm-up.jsonl", max(1, args.records // 100))
        for run in runs.values():  # warm-up
            run(small)
        print(f"{'way':<34} {'seconds':>8} {'records/s':>10} {'ratio to (a)':>12}")
        baseline = None
        for name, run in runs.items():
            seconds = median_time(functools.partial(run, path), args.repeat)
            baseline = seconds if baseline is None else baseline
            rate = args.records / seconds
            print(f"{name:<34} {seconds:8.2f} {rate:>10,.0f} {seconds / baseline:>12.2f}")

        print("memory of (b): peak RSS of a fresh interpreter (VmHWM) over its baseline")
        print(
            f"{'records':>10} {'base MiB':>9} {'peak MiB':>9} {'growth':>7} "
            f"{'conversations':>13} {'messages':>9} {'KiB/conv':>8}"
        )
        tenth = head(path, Path(folder) / "tenth.jsonl", max(1, args.records // 10))
        for log, records in ((tenth, max(1, args.records // 10)), (path, args.records)):
            found = run_child(__file__, log)
            growth = found["peak"] - found["baseline"]
            per = growth / 1024 / max(1, found["conversations"])
            print(
                f"{records:>10,} {mib(found['baseline']):>9} {mib(found['peak']):>9} "
                f"{mib(growth):>7} {found['conversations']:>13,} {found['messages']:>9,} "
                f"{per:>8.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
