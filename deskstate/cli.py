"""The ``deskstate`` command line: replay, check, count, diff, generate and watch desk logs.

Exit status: 0 done, 1 anomalies found where the command checks for them (``check``, or a
``--strict`` replay that stopped), 2 bad usage or unreadable input. Anomalies go to standard error
as ``FILE:LINE: KIND: MESSAGE``. Human output is drawn with rich; ``--json`` output is plain JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import itertools
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from importlib import resources
from typing import IO, TYPE_CHECKING, Final, NamedTuple, NoReturn, TypeVar

from deskstate.anomaly import ANOMALY_KINDS, Anomaly
from deskstate.errors import ProtocolError, UnreadableLog
from deskstate.facts import diff
from deskstate.generate import generate
from deskstate.logfile import read_log
from deskstate.metrics import collect_metrics
from deskstate.record.protocol import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_RECORD_BYTES,
    check_origin,
)
from deskstate.records import DEFAULT_ORIGINS
from deskstate.replay import Replay, ReplayStep, replay_desks, replay_steps
from deskstate.serialise import to_dict
from deskstate.state import DeskState
from deskstate.stats import DeskStats, collect_stats, total_stats

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["main"]

_T = TypeVar("_T")

EXIT_OK: Final = 0
EXIT_ANOMALIES: Final = 1
EXIT_USAGE: Final = 2

_EXAMPLE: Final = "example.jsonl"
#: Logs smaller than this read in a blink: no progress bar for them.
_PROGRESS_MIN_BYTES: Final = 1024 * 1024
#: How many lines of each anomaly kind ``check`` names.
_FIRST_LINES: Final = 5
#: Snapshots ``watch`` keeps for time travel, and records it dispatches at once, by default.
_WATCH_HISTORY: Final = 1000
_WATCH_BATCH: Final = 256
#: A ``record --token``: long enough not to be guessed, and safe to print inside a JS string.
_TOKEN: Final = re.compile(r"[A-Za-z0-9_-]{16,}")


class _UsageError(Exception):
    """Bad usage or unreadable input, reported on standard error with exit status 2."""


def _fail(message: str) -> NoReturn:
    raise _UsageError(message)


# --- arguments ------------------------------------------------------------------------------------


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _positive(text: str) -> int:
    value = _count(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be 1 or more, got 0")
    return value


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number from 0 to 1, got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a number from 0 to 1, got {value}")
    return value


def _log_options(*, many: bool = False) -> argparse.ArgumentParser:
    """The options of every command that reads a log (``many``: of those that read several)."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "log",
        nargs="*" if many else "?",
        metavar="LOG",
        help="JSON Lines or JSON array, plain or gzip, '-' for stdin "
        + ("(several: oldest first; a path or URL each) " if many else "")
        + "(default: the bundled example session)",
    )
    options.add_argument("--example", action="store_true", help="read the bundled example session")
    options.add_argument(
        "--allow-origin",
        action="append",
        metavar="ORIGIN",
        help="accept records from this page origin (repeatable; replaces the default "
        f"{', '.join(sorted(DEFAULT_ORIGINS))})",
    )
    return options


def _fleet_options(command: argparse.ArgumentParser) -> None:
    """``--jobs`` and ``--scheduler``: replay each desk apart, in parallel (deskstate[fleet])."""
    where = command.add_mutually_exclusive_group()
    where.add_argument(
        "--jobs",
        type=_positive,
        metavar="N",
        help="replay the desks on N local processes (deskstate[fleet])",
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="replay the desks on the Dask cluster at ADDRESS, e.g. tcp://host:8786 "
        "(deskstate[fleet]; the workers must be able to read each LOG)",
    )
    command.add_argument(
        "--any-order",
        action="store_true",
        help="with several LOGs, replay even a desk whose time goes back from one LOG to the next",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deskstate",
        description="Replay iAdvize desk event logs into snapshots of the desk.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    log = _log_options()
    logs = _log_options(many=True)

    replay = commands.add_parser(
        "replay",
        parents=[logs],
        help="print the desk after a log (or after its first N records)",
        description="Replay a desk log and print the desk it leads to.",
    )
    replay.add_argument("--at", type=_count, metavar="N", help="stop after the first N records")
    replay.add_argument("--json", action="store_true", help="print the snapshot as JSON")
    replay.add_argument(
        "--strict", action="store_true", help="stop at the first anomaly (exit status 1)"
    )
    replay.add_argument("--desk", metavar="KEY", help="show only this desk of the log")
    _fleet_options(replay)
    replay.set_defaults(run=_replay)

    check = commands.add_parser(
        "check",
        parents=[log],
        help="validate a log: anomalies per kind, with where they occur (exit 1 when any)",
        description="Replay a log and report every anomaly; exit status 1 when there is any.",
    )
    check.add_argument("--json", action="store_true", help="print the summary as JSON")
    check.set_defaults(run=_check)

    stats = commands.add_parser(
        "stats",
        parents=[logs],
        help="events per type, conversations, most open at once, messages, per desk",
        description="Count what a log holds, per desk and in all.",
    )
    stats.add_argument("--json", action="store_true", help="print the statistics as JSON")
    stats.add_argument("--desk", metavar="KEY", help="count only this desk of the log")
    _fleet_options(stats)
    stats.set_defaults(run=_stats)

    report = commands.add_parser(
        "report",
        parents=[log],
        help="desk metrics: time open and focused, first response, availability, per desk",
        description="Measure each desk of a log: how long conversations stayed open and "
        "focused, how fast they were answered, most open at once, time per availability status, "
        "time with unread messages. '?' is a time that is unknown (a record without ts, or a "
        "clock going back).",
    )
    report.add_argument("--json", action="store_true", help="print the metrics as JSON")
    report.add_argument("--desk", metavar="KEY", help="only this desk of the log")
    report.set_defaults(run=_metrics_report)

    changes = commands.add_parser(
        "diff",
        parents=[log],
        help="what changed between the desk after N records and after M",
        description="Print what changed on each desk between the desk after the first N "
        "records of the log and the desk after the first M.",
    )
    changes.add_argument("--from", dest="start", type=_count, required=True, metavar="N")
    changes.add_argument("--to", dest="end", type=_count, required=True, metavar="M")
    changes.add_argument("--json", action="store_true", help="print the facts as JSON")
    changes.add_argument("--desk", metavar="KEY", help="only this desk of the log")
    changes.set_defaults(run=_diff)

    make = commands.add_parser(
        "generate",
        help="write a realistic synthetic desk log (JSON Lines)",
        description="Write a realistic, protocol-valid synthetic desk log, the same for the "
        "same options. With --chaos, a share P of the records is made anomalous, cycling "
        "through every anomaly kind.",
    )
    make.add_argument("--events", type=_count, required=True, metavar="N", help="records to write")
    make.add_argument("--seed", type=_count, default=0, metavar="S", help="random seed (default 0)")
    make.add_argument(
        "--open", type=_positive, default=8, metavar="K", help="most conversations open per desk"
    )
    make.add_argument("--desks", type=_positive, default=1, metavar="D", help="desks interleaved")
    make.add_argument(
        "--chaos", type=_share, default=0.0, metavar="P", help="share of anomalous records"
    )
    make.add_argument(
        "--out", metavar="FILE", help="write here (gzip when it ends in .gz) instead of stdout"
    )
    make.set_defaults(run=_generate)

    watch = commands.add_parser(
        "watch",
        parents=[log],
        help="a live terminal view of a desk, following a log as it grows (deskstate[tui])",
        description="Show a desk live in the terminal: its open conversations, the focused "
        "visitor, availability and an event log, fed through a Store. Keys: space pauses and "
        "resumes, left and right step through history, end goes live again, q quits.",
    )
    watch.add_argument(
        "--follow", action="store_true", help="keep reading as the log grows, like tail -F"
    )
    watch.add_argument(
        "--desk", metavar="KEY", help="show this desk of the log (default: the first in it)"
    )
    watch.add_argument(
        "--history",
        type=_count,
        default=_WATCH_HISTORY,
        metavar="N",
        help=f"snapshots kept for time travel (default {_WATCH_HISTORY}; 0 keeps none)",
    )
    watch.add_argument(
        "--batch",
        type=_positive,
        default=_WATCH_BATCH,
        metavar="N",
        help=f"records dispatched at once, at most: each dispatch is one step of history "
        f"(default {_WATCH_BATCH}; 1 steps record by record)",
    )
    watch.set_defaults(run=_watch)
    _add_record(commands)
    return parser


def _origin(text: str) -> str:
    try:
        return check_origin(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _port(text: str) -> int:
    value = _count(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"must be a port from 0 to 65535, got {value}")
    return value


def _add_record(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    record = commands.add_parser(
        "record",
        help="receive a live desk's events from a browser into a log (deskstate[record])",
        description="Serve the recorder snippet and append the desk events it sends from a "
        "browser to LOG (JSON Lines, one fsync per batch). Every record is checked as replay "
        "checks it; only records from the desk origins are kept, only pages from --page-origin "
        "get CORS answers, and every request must carry the token printed at start.",
    )
    record.add_argument("--out", required=True, metavar="LOG", help="the log to append to")
    record.add_argument(
        "--page-origin",
        action="append",
        required=True,
        type=_origin,
        metavar="ORIGIN",
        help="origin of the page that includes the snippet, beside the desk (repeatable)",
    )
    record.add_argument(
        "--allow-origin",
        action="append",
        type=_origin,
        metavar="ORIGIN",
        help="keep records from this desk origin (repeatable; replaces the default "
        f"{', '.join(sorted(DEFAULT_ORIGINS))})",
    )
    record.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    record.add_argument(
        "--port", type=_port, default=8765, help="port to listen on (default 8765; 0: any free one)"
    )
    record.add_argument(
        "--token",
        help="the secret the snippet carries (default: a new one each run; give the last one "
        "to restart without changing the page)",
    )
    record.add_argument(
        "--max-body",
        type=_positive,
        default=DEFAULT_MAX_BODY_BYTES,
        metavar="BYTES",
        help=f"largest request body (default {DEFAULT_MAX_BODY_BYTES})",
    )
    record.add_argument(
        "--max-record",
        type=_positive,
        default=DEFAULT_MAX_RECORD_BYTES,
        metavar="BYTES",
        help=f"largest record, as a log line (default {DEFAULT_MAX_RECORD_BYTES})",
    )
    record.set_defaults(run=_record)


# --- reading a log --------------------------------------------------------------------------------


class _Log(NamedTuple):
    """A log being read: the name its reports give, and its records."""

    source: str
    records: Iterable[object]


@contextlib.contextmanager
def _progress_bar(path: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on standard error for a long log, when it is a terminal; else nothing."""
    try:
        total = os.path.getsize(path)
    except OSError:
        total = 0  # not a regular file we can measure: reading will say what is wrong
    if path == "-" or total < _PROGRESS_MIN_BYTES or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console  # noqa: PLC0415 - only a terminal pays for rich here
    from rich.progress import (  # noqa: PLC0415
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn("reading"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(path, total=total)
        progress.refresh()
        yield lambda done: progress.update(task, completed=done)


@contextlib.contextmanager
def _reading(args: argparse.Namespace) -> Iterator[_Log]:
    """Open the log the arguments name (the bundled example by default), with a progress bar."""
    if args.log is not None and args.example:
        _fail("give a LOG or --example, not both")
    if args.log is None:
        example = resources.files("deskstate").joinpath("data", _EXAMPLE)
        with example.open("rb") as stream:
            yield _Log(f"<example {_EXAMPLE}>", read_log(stream))
        return
    with _progress_bar(args.log) as progress:
        yield _Log(args.log, read_log(args.log, progress=progress))


def _origins(args: argparse.Namespace) -> frozenset[str]:
    return DEFAULT_ORIGINS if args.allow_origin is None else frozenset(args.allow_origin)


def _where(source: str, anomaly: Anomaly) -> str:
    source = anomaly.source or source  # the file it came from, when a replay read several
    if anomaly.line is not None:
        return f"{source}:{anomaly.line}"
    if anomaly.index is not None:
        return f"{source}: record {anomaly.index}"
    return source


def _report(source: str, anomalies: Iterable[Anomaly]) -> None:
    for anomaly in anomalies:
        print(f"{_where(source, anomaly)}: {anomaly.kind}: {anomaly.message}", file=sys.stderr)


def _desk_keys(desks: Iterable[str | None]) -> str:
    return ", ".join(sorted(repr(key) for key in desks if key is not None)) or "none"


def _only_desk(found: dict[str | None, _T], desk: str | None) -> dict[str | None, _T]:
    """``found`` narrowed to ``desk`` when one is asked for (exit 2 when the log lacks it)."""
    if desk is None:
        return found
    if desk not in found:
        _fail(f"no desk {desk!r} in this log (desks: {_desk_keys(found)})")
    return {desk: found[desk]}


def _print_json(value: object) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def _console() -> Console:
    from rich.console import Console  # noqa: PLC0415 - keeps `--json` free of rich

    class PipedConsole(Console):
        def on_broken_pipe(self) -> None:
            # rich exits with status 1 here, which means "anomalies" to us: let main() end quietly.
            self.quiet = True
            raise BrokenPipeError

    # Piped output goes to files and tools, not to a narrow window: give the tables room.
    return PipedConsole(width=None if sys.stdout.isatty() else 120)


# --- the commands ---------------------------------------------------------------------------------


def _replay(args: argparse.Namespace) -> int:
    if _with_fleet(args):
        return _replay_many(args)
    args.log = args.log[0] if args.log else None  # one log, read as the other commands do
    with _reading(args) as log:
        records = log.records
        if args.at is not None:
            records = itertools.islice(records, args.at)
        try:
            desks = replay_desks(records, strict=args.strict, allowed_origins=_origins(args))
        except ProtocolError as stop:
            stopped: Anomaly | None = stop.anomaly
        else:
            stopped = None
    if stopped is not None:
        _report(log.source, [stopped])
        print(f"{log.source}: stopped at the first anomaly (--strict)", file=sys.stderr)
        return EXIT_ANOMALIES
    return _show_replays(args, log.source, desks)


def _show_replays(args: argparse.Namespace, source: str, desks: dict[str | None, Replay]) -> int:
    """Report the anomalies of the desks asked for, then print them (``--json``: one desk)."""
    chosen = _only_desk(desks, args.desk) if desks else {None: Replay(DeskState(), (), 0)}
    if args.json and len(chosen) > 1:
        _fail(
            f"this log interleaves {len(chosen)} desks ({_desk_keys(chosen)}): "
            "choose one with --desk"
        )
    for replay in chosen.values():
        _report(source, replay.anomalies)
    if args.json:
        (replay,) = chosen.values()
        _print_json(to_dict(replay.state))
        return EXIT_OK
    from deskstate.render import render_desk  # noqa: PLC0415 - keeps `--json` free of rich

    console = _console()
    for key, replay in chosen.items():
        console.print(render_desk(replay.state, None if key is None else f"Desk {key}"))
        if replay.anomalies:
            console.print(
                f"[yellow]{len(replay.anomalies)} anomalies reported on standard error[/]"
            )
        console.print()
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    with _reading(args) as log:
        anomalies: list[Anomaly] = []
        records = 0
        for step in replay_steps(log.records, allowed_origins=_origins(args)):
            records += 1
            anomalies.extend(step.anomalies)
    _report(log.source, anomalies)
    summary = _summarise(anomalies)
    if args.json:
        _print_json({"log": log.source, "records": records, "anomalies": summary})
    else:
        from deskstate.render import render_check  # noqa: PLC0415

        _console().print(render_check(log.source, records, summary))
    return EXIT_ANOMALIES if anomalies else EXIT_OK


def _summarise(anomalies: Iterable[Anomaly]) -> dict[str, dict[str, object]]:
    """Per anomaly kind, in the SPEC's order: how many, and the first lines (or records) named."""
    counts: dict[str, int] = {}
    first: dict[str, list[int | None]] = {}
    for anomaly in anomalies:
        counts[anomaly.kind] = counts.get(anomaly.kind, 0) + 1
        where = first.setdefault(anomaly.kind, [])
        if len(where) < _FIRST_LINES:
            where.append(anomaly.line if anomaly.line is not None else anomaly.index)
    return {
        kind: {"count": counts[kind], "first_lines": first[kind]}
        for kind in ANOMALY_KINDS
        if kind in counts
    }


def _stats(args: argparse.Namespace) -> int:
    if _with_fleet(args):
        return _stats_many(args)
    args.log = args.log[0] if args.log else None  # one log, read as the other commands do
    with _reading(args) as log:
        per_desk = collect_stats(replay_steps(log.records, allowed_origins=_origins(args)))
    return _show_stats(args, {"log": log.source}, per_desk)


def _show_stats(
    args: argparse.Namespace, header: dict[str, object], per_desk: dict[str | None, DeskStats]
) -> int:
    """Print the statistics of the desks asked for, and their total (``--json``: after header)."""
    per_desk = _only_desk(per_desk, args.desk)
    total = total_stats(per_desk)
    if args.json:
        _print_json(
            {
                **header,
                "desks": {str(key): stats.to_dict() for key, stats in per_desk.items()},
                "total": total.to_dict(),
            }
        )
    else:
        from deskstate.render import render_stats  # noqa: PLC0415

        _console().print(render_stats(per_desk, total))
    return EXIT_OK


def _metrics_report(args: argparse.Namespace) -> int:
    """Measure each desk (``deskstate.metrics``), report its anomalies, print the metrics."""
    anomalies: list[Anomaly] = []

    def noting(steps: Iterable[ReplayStep]) -> Iterator[ReplayStep]:
        for step in steps:
            if args.desk is None or step.desk == args.desk:
                anomalies.extend(step.anomalies)
            yield step

    with _reading(args) as log:
        steps = replay_steps(log.records, allowed_origins=_origins(args))
        per_desk = _only_desk(collect_metrics(noting(steps)), args.desk)
    _report(log.source, anomalies)
    if args.json:
        _print_json(
            {
                "log": log.source,
                "desks": {str(key): metrics.to_dict() for key, metrics in per_desk.items()},
            }
        )
        return EXIT_OK
    from deskstate.report import render_report  # noqa: PLC0415 - keeps `--json` free of rich

    console = _console()
    console.print(render_report(per_desk))
    if anomalies:
        console.print(f"[yellow]{len(anomalies)} anomalies reported on standard error[/]")
    return EXIT_OK


def _with_fleet(args: argparse.Namespace) -> bool:
    """Whether to use deskstate.fleet: several logs, a URL, ``--jobs`` or ``--scheduler``."""
    several = len(args.log) > 1 or any("://" in log for log in args.log)
    return several or args.jobs is not None or args.scheduler is not None


@contextlib.contextmanager
def _fleet_sources(args: argparse.Namespace) -> Iterator[list[str]]:
    """The logs the arguments name (the bundled example, as a file, by default)."""
    if args.log and args.example:
        _fail("give LOGs or --example, not both")
    if args.log:
        yield args.log
        return
    with resources.as_file(resources.files("deskstate").joinpath("data", _EXAMPLE)) as path:
        yield [str(path)]


def _run_fleet(run: Callable[..., _T], sources: list[str], args: argparse.Namespace) -> _T:
    """Run ``replay_many`` or ``stats_many`` as the arguments say; their errors exit 2."""
    from deskstate.fleet import ClusterError, OutOfOrder  # noqa: PLC0415 - only these commands

    try:
        return run(
            sources,
            jobs=args.jobs,
            scheduler=args.scheduler,
            allowed_origins=_origins(args),
            check_order=not args.any_order,
        )
    except ImportError as error:
        _fail(str(error))
    except (OutOfOrder, ClusterError) as error:
        _fail(str(error))


def _replay_many(args: argparse.Namespace) -> int:
    if args.at is not None:
        _fail("--at counts the records of one log: give one LOG, without --jobs or --scheduler")
    from deskstate.fleet import replay_many  # noqa: PLC0415 - only this command

    with _fleet_sources(args) as sources:
        try:
            desks = _run_fleet(functools.partial(replay_many, strict=args.strict), sources, args)
        except ProtocolError as stop:
            _report("<logs>", [stop.anomaly])
            print("deskstate: stopped at the first anomaly (--strict)", file=sys.stderr)
            return EXIT_ANOMALIES
    return _show_replays(args, "<logs>", desks)


def _stats_many(args: argparse.Namespace) -> int:
    from deskstate.fleet import stats_many  # noqa: PLC0415 - only this command

    with _fleet_sources(args) as sources:
        per_desk = _run_fleet(stats_many, sources, args)
    return _show_stats(args, {"logs": sources}, per_desk)


def _diff(args: argparse.Namespace) -> int:
    if args.start > args.end:
        _fail(f"--from {args.start} comes after --to {args.end}: give the earlier record first")
    before: dict[str | None, DeskState] = {}
    after: dict[str | None, DeskState] = {}
    with _reading(args) as log:
        read = 0
        steps = replay_steps(
            itertools.islice(log.records, args.end), allowed_origins=_origins(args)
        )
        for read, step in enumerate(steps, start=1):
            after[step.desk] = step.state
            if read == args.start:
                before = dict(after)
    if read < args.end:
        print(
            f"deskstate: {log.source} has {read} records: showing the desk after all of them",
            file=sys.stderr,
        )
    empty = DeskState()
    changed = {
        desk: diff(before.get(desk, empty), state)
        for desk, state in _only_desk(after, args.desk).items()
    }
    if args.json:
        _print_json(
            {
                "log": log.source,
                "from": args.start,
                "to": min(args.end, read),
                "desks": [
                    {"desk": desk, "facts": [fact.to_dict() for fact in facts]}
                    for desk, facts in changed.items()
                ],
            }
        )
        return EXIT_OK
    console = _console()
    for desk, facts in changed.items():
        if desk is not None:
            console.print(f"[bold underline]Desk {desk}[/]")
        for fact in facts:
            console.print(f"  {fact.describe()}", markup=False, highlight=False)
        if not facts:
            console.print("  nothing changed", style="dim")
    return EXIT_OK


def _generate(args: argparse.Namespace) -> int:
    records = generate(
        args.events, seed=args.seed, max_open=args.open, desks=args.desks, chaos=args.chaos
    )
    if args.out is None:
        _write_lines(records, sys.stdout)
        return EXIT_OK
    try:
        with _open_out(args.out) as stream:
            _write_lines(records, stream)
    except OSError as error:
        _fail(f"{args.out}: cannot write: {error.strerror or error}")
    return EXIT_OK


def _open_out(path: str) -> IO[str]:
    if path.endswith(".gz"):
        return gzip.open(path, "wt", encoding="utf-8")
    return open(path, "w", encoding="utf-8")  # the caller closes it


def _write_lines(records: Iterable[object], stream: IO[str]) -> None:
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    stream.writelines(encode(record) + "\n" for record in records)


def _watch(args: argparse.Namespace) -> int:
    if args.log is not None and args.example:
        _fail("give a LOG or --example, not both")
    if args.follow and args.log is None:
        _fail("--follow needs a LOG to follow: the bundled example does not grow")
    if args.log == "-" and sys.stdin.isatty():
        _fail("watch -: standard input is the terminal: pipe a log into it, or give a LOG")
    try:
        from deskstate.tui import run_watch  # noqa: PLC0415 - only `watch` pays for Textual
    except ImportError as error:
        if (error.name or "").partition(".")[0] not in ("textual", "rich"):
            raise
        _fail(f"watch needs Textual ({error}): pip install 'deskstate[tui]'")
    try:
        return run_watch(
            args.log,
            follow=args.follow,
            desk=args.desk,
            history=args.history,
            batch=args.batch,
            allowed_origins=_origins(args),
        )
    except OSError as error:  # no terminal for the keys (watch -)
        _fail(str(error))


def _record(args: argparse.Namespace) -> int:
    if args.token is not None and not _TOKEN.fullmatch(args.token):
        _fail("--token must be at least 16 letters, digits, '-' or '_': a secret no page can guess")
    try:
        from deskstate.record.command import new_token, run_record  # noqa: PLC0415
    except ImportError as error:
        if (error.name or "").partition(".")[0] not in ("starlette", "uvicorn"):
            raise
        _fail(f"record needs Starlette and uvicorn ({error}): pip install 'deskstate[record]'")
    try:
        return run_record(
            out=args.out,
            host=args.host,
            port=args.port,
            page_origins=args.page_origin,
            desk_origins=_origins(args),
            token=args.token or new_token(),
            max_body_bytes=args.max_body,
            max_record_bytes=args.max_record,
        )
    except OSError as error:  # the log cannot be appended to, or the port cannot be listened on
        _fail(str(error))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    args = _parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except _UsageError as error:
        print(f"deskstate: {error}", file=sys.stderr)
        return EXIT_USAGE
    except UnreadableLog as error:
        print(f"deskstate: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (`deskstate generate ... | head`): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    return status


if __name__ == "__main__":
    sys.exit(main())
