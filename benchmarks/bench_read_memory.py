"""Memory of reading a log: peak RSS and tracemalloc peak while iterating ``read_log`` over it.

Run: ``python benchmarks/bench_read_memory.py [--records N] [--format jsonl|array|both]``.

Writes a realistic log of N envelope records (default 2,000,000) into a temporary directory, as
JSON Lines and/or as a JSON array (on one line, as ``JSON.stringify`` writes it), then reads each
in a fresh child process: the child notes its peak RSS once deskstate is imported, iterates
``read_log`` to the end (timed), notes its peak RSS again, then iterates once more under
tracemalloc for the peak of Python allocations. SPEC §12 asks for reading a 2,000,000-record log
to stay under 64 MiB of peak memory (the whole process, interpreter and imports included).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from deskstate import read_log

P = "com.iadvize.desk."
ORIGIN = "https://ha.iadvize.com"
TARGET_MIB = 64
FORMATS = ("jsonl", "array")
Record = dict[str, Any]


def _added(i: int) -> Record:
    return {"event": P + "CONVERSATION_ADDED", "conversationId": f"conv-{i:08d}", "projectId": 7}


def _visitor(i: int) -> Record:
    return {
        "event": P + "CONVERSATION_VISITOR_UPDATED",
        "conversationId": f"conv-{i:08d}",
        "visitor": {
            "visitorId": f"v-{i}",
            "firstName": "Camille",
            "lastName": "Le Goff",
            "email": f"camille.{i}@example.fr",
            "city": "Nantes",
            "country": "FR",
            "customData": [{"key": "cart", "value": 129.9}, {"key": "tier", "value": "gold"}],
        },
    }


def _focused(i: int) -> Record:
    return {"event": P + "CONVERSATION_FOCUSED", "conversationId": f"conv-{i:08d}"}


def _message(participant: str) -> Callable[[int], Record]:
    def build(i: int) -> Record:
        return {
            "event": P + "CONVERSATION_MESSAGE_ADDED",
            "conversationId": f"conv-{i:08d}",
            "messageId": f"msg-{i:09d}-{participant[0]}",
            "projectId": 7,
            "conversationParticipantType": participant,
        }

    return build


def _clicked(i: int) -> Record:
    return {"event": P + "CONVERSATION_STATE_BOX_CLICKED", "conversationId": f"conv-{i:08d}"}


def _availability(i: int) -> Record:
    status = ("AVAILABLE", "UNAVAILABLE")[i % 2]
    return {
        "event": P + "AVAILABILITY_UPDATED",
        "availabilities": [
            {"channel": channel, "status": status} for channel in ("CHAT", "CALL", "VIDEO")
        ],
    }


def _focus_lost(i: int) -> Record:
    return {"event": P + "CONVERSATION_FOCUS_LOST", "conversationId": f"conv-{i:08d}"}


def _removed(i: int) -> Record:
    return {"event": P + "CONVERSATION_REMOVED", "conversationId": f"conv-{i:08d}"}


# A desk session's rhythm: a conversation arrives, is focused, talks, and leaves.
CYCLE: tuple[Callable[[int], Record], ...] = (
    _added,
    _visitor,
    _focused,
    _message("Visitor"),
    _message("Professional"),
    _message("Visitor"),
    _message("Expert"),
    _clicked,
    _message("Professional"),
    _availability,
    _focus_lost,
    _removed,
)


def records(count: int) -> Iterator[Record]:
    """``count`` envelope records, built one at a time: the log is never held whole."""
    start_ms = 1_764_000_000_000
    for i, build in zip(range(count), itertools.cycle(CYCLE), strict=False):
        yield {
            "data": build(i // len(CYCLE)),
            "ts": start_ms + 250 * i,
            "desk": f"agent-{i % 7}",
            "origin": ORIGIN,
        }


def write_log(path: Path, count: int, layout: str) -> None:
    """Write ``count`` records as JSON Lines, or as a one-line JSON array, streaming them."""
    with path.open("w", encoding="utf-8") as out:
        if layout == "jsonl":
            out.writelines(json.dumps(record) + "\n" for record in records(count))
            return
        out.write("[")
        for i, record in enumerate(records(count)):
            out.write("," if i else "")
            out.write(json.dumps(record))
        out.write("]\n")


def peak_rss_bytes() -> int:
    """The peak RSS of this process, in bytes.

    On Linux, ``VmHWM`` of ``/proc/self/status``: the high-water mark of this process's own
    memory since it was exec'd. ``ru_maxrss`` is no good there for a child: Linux carries the
    parent's peak over the fork and exec into it, so a child of a big process (the benchmark
    suite, holding a stream in memory) would report the parent's peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024  # in kB
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB


def child(path: str, out: IO[str]) -> None:
    """Read ``path`` to the end with read_log and print what it cost, as one JSON object.

    Runs in a fresh interpreter: its peak RSS so far is the baseline (Python and the imports).
    """
    baseline = peak_rss_bytes()
    started = time.perf_counter()
    count = errors = 0
    for line in read_log(path):
        count += 1
        errors += line.error is not None
    seconds = time.perf_counter() - started
    peak = peak_rss_bytes()
    tracemalloc.start()
    for _ in read_log(path):
        pass
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    result = {
        "count": count,
        "errors": errors,
        "seconds": seconds,
        "baseline": baseline,
        "peak": peak,
        "traced": traced_peak,
    }
    print(json.dumps(result), file=out)


def run_child(script: str, path: Path) -> dict[str, Any]:
    """Run ``script --child path`` in a fresh interpreter and return the JSON object it prints."""
    completed = subprocess.run(
        [sys.executable, script, "--child", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


def measure(path: Path) -> dict[str, Any]:
    """Run :func:`child` on ``path`` in a fresh interpreter and return its figures."""
    return run_child(__file__, path)


def mib(size: float) -> str:
    return f"{size / 2**20:.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=2_000_000, help="records in the log")
    parser.add_argument("--format", choices=(*FORMATS, "both"), default="both")
    parser.add_argument("--child", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        child(args.child, sys.stdout)
        return 0
    layouts = FORMATS if args.format == "both" else (args.format,)
    print(f"cores: {os.cpu_count()}  python: {sys.version.split()[0]}")
    header = (
        f"{'format':<6} {'records':>10} {'file MiB':>9} {'base RSS':>9} {'peak RSS':>9} "
        f"{'growth':>7} {'traced':>7} {'rec/s':>9}  under {TARGET_MIB} MiB"
    )
    print(header)
    failed = False
    with tempfile.TemporaryDirectory(prefix="deskstate-bench-") as folder:
        for layout in layouts:
            path = Path(folder) / f"desk.{'jsonl' if layout == 'jsonl' else 'json'}"
            write_log(path, args.records, layout)
            size = path.stat().st_size
            result = measure(path)
            path.unlink()
            under = result["peak"] < TARGET_MIB * 2**20
            wrong = result["count"] != args.records or result["errors"] != 0
            failed = failed or not under or wrong
            rate = result["count"] / result["seconds"] if result["seconds"] else 0.0
            note = f"  ({result['errors']} errors, {args.records} expected)" if wrong else ""
            print(
                f"{layout:<6} {result['count']:>10,} {mib(size):>9} "
                f"{mib(result['baseline']):>9} {mib(result['peak']):>9} "
                f"{mib(result['peak'] - result['baseline']):>7} {mib(result['traced']):>7} "
                f"{rate:>9,.0f}  {'yes' if under else 'NO'}{note}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
