"""The ``deskstate`` command line: replay a desk log and show the desk it leads to.

Exit status: 0 done, 1 a ``--strict`` replay stopped at an anomaly, 2 bad usage or unreadable input.
Anomalies go to standard error as ``FILE:LINE: KIND: MESSAGE``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import Final, NoReturn

from deskstate.anomaly import Anomaly
from deskstate.errors import ProtocolError, UnreadableLog
from deskstate.logfile import read_log
from deskstate.records import DEFAULT_ORIGINS
from deskstate.replay import Replay, replay_desks
from deskstate.serialise import to_dict
from deskstate.state import DeskState

__all__ = ["main"]

EXIT_OK: Final = 0
EXIT_ANOMALIES: Final = 1
EXIT_USAGE: Final = 2

_EXAMPLE: Final = "example.jsonl"


class _UsageError(Exception):
    """Bad usage or unreadable input, reported on standard error with exit status 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deskstate",
        description="Replay iAdvize desk event logs into snapshots of the desk.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    replay = commands.add_parser(
        "replay",
        help="print the desk after a log (or after its first N records)",
        description="Replay a JSON Lines log of desk events (plain or .gz, '-' for stdin) and "
        "print the desk it leads to. With no LOG, replays the bundled example session.",
    )
    replay.add_argument("log", nargs="?", metavar="LOG", help="the log to replay")
    replay.add_argument("--example", action="store_true", help="replay the bundled example session")
    replay.add_argument("--at", type=_count, metavar="N", help="stop after the first N records")
    replay.add_argument("--json", action="store_true", help="print the snapshot as JSON")
    replay.add_argument(
        "--strict", action="store_true", help="stop at the first anomaly (exit status 1)"
    )
    replay.add_argument("--desk", metavar="KEY", help="show only this desk of the log")
    replay.add_argument(
        "--allow-origin",
        action="append",
        metavar="ORIGIN",
        help="accept records from this page origin (repeatable; replaces the default "
        f"{', '.join(sorted(DEFAULT_ORIGINS))})",
    )
    return parser


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _where(source: str, anomaly: Anomaly) -> str:
    if anomaly.line is not None:
        return f"{source}:{anomaly.line}"
    if anomaly.index is not None:
        return f"{source}: record {anomaly.index}"
    return source


def _report(source: str, anomalies: Iterable[Anomaly]) -> None:
    for anomaly in anomalies:
        print(f"{_where(source, anomaly)}: {anomaly.kind}: {anomaly.message}", file=sys.stderr)


def _fail(message: str) -> NoReturn:
    raise _UsageError(message)


def _replay(args: argparse.Namespace) -> int:
    if args.log is not None and args.example:
        _fail("give a LOG or --example, not both")
    if args.log is None:
        source = f"<example {_EXAMPLE}>"
        records: Iterable[object] = read_log(
            resources.files("deskstate").joinpath("data", _EXAMPLE).open("rb")
        )
    else:
        source = args.log
        records = read_log(args.log)
    if args.at is not None:
        records = itertools.islice(records, args.at)
    origins = DEFAULT_ORIGINS if args.allow_origin is None else frozenset(args.allow_origin)
    try:
        desks = replay_desks(records, strict=args.strict, allowed_origins=origins)
    except ProtocolError as stop:
        _report(source, [stop.anomaly])
        print(f"{source}: stopped at the first anomaly (--strict)", file=sys.stderr)
        return EXIT_ANOMALIES
    except UnreadableLog as error:
        _fail(str(error))
    chosen = _choose(desks, args.desk, args.json)
    for replay in chosen.values():
        _report(source, replay.anomalies)
    if args.json:
        (replay,) = chosen.values()
        print(json.dumps(to_dict(replay.state), indent=2, ensure_ascii=False))
    else:
        _print_desks(chosen)
    return EXIT_OK


def _choose(
    desks: dict[str | None, Replay], desk: str | None, as_json: bool
) -> dict[str | None, Replay]:
    if desk is not None:
        if desk not in desks:
            known = ", ".join(sorted(repr(key) for key in desks if key is not None)) or "none"
            _fail(f"no desk {desk!r} in this log (desks: {known})")
        return {desk: desks[desk]}
    if not desks:
        return {None: Replay(DeskState(), (), 0)}
    if as_json and len(desks) > 1:
        keys = ", ".join(sorted(repr(key) for key in desks if key is not None))
        _fail(f"this log interleaves {len(desks)} desks ({keys}): choose one with --desk")
    return desks


def _print_desks(desks: dict[str | None, Replay]) -> None:
    from rich.console import Console  # noqa: PLC0415 - keeps `--json` free of rich

    from deskstate.render import render_desk  # noqa: PLC0415

    # Piped output goes to files and tools, not to a narrow window: give the table room.
    console = Console(width=None if sys.stdout.isatty() else 120)
    for key, replay in desks.items():
        title = f"Desk {key}" if key is not None else None
        console.print(render_desk(replay.state, title))
        anomalies = len(replay.anomalies)
        if anomalies:
            console.print(f"[yellow]{anomalies} anomalies reported on standard error[/]")
        console.print()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    args = _parser().parse_args(argv)
    try:
        return _replay(args)
    except _UsageError as error:
        print(f"deskstate: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
