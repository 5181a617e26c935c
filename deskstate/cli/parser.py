"""The ``deskstate`` argument parser: every command, its options, and the function that runs it."""

from __future__ import annotations

import argparse
from typing import Final

from deskstate.cli.arguments import (
    count,
    fleet_options,
    log_options,
    moment,
    origin,
    port,
    positive,
    share,
)
from deskstate.cli.checking import check_command
from deskstate.cli.counting import report_command, stats_command
from deskstate.cli.diffing import diff_command
from deskstate.cli.explaining import explain_command
from deskstate.cli.exporting import export_command
from deskstate.cli.generating import generate_command
from deskstate.cli.live import record_command, watch_command
from deskstate.cli.replaying import replay_command
from deskstate.export import FORMATS
from deskstate.record.protocol import DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_RECORD_BYTES
from deskstate.records import DEFAULT_ORIGINS

#: Snapshots ``watch`` keeps for time travel, and records it dispatches at once, by default.
_WATCH_HISTORY: Final = 1000
_WATCH_BATCH: Final = 256


def build_parser() -> argparse.ArgumentParser:
    """The parser of the ``deskstate`` command line; each command sets ``run``, its function."""
    parser = argparse.ArgumentParser(
        prog="deskstate",
        description="Replay iAdvize desk event logs into snapshots of the desk.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    log = log_options()
    logs = log_options(many=True)

    replay = commands.add_parser(
        "replay",
        parents=[logs],
        help="print the desk after a log (or after its first N records)",
        description="Replay a desk log and print the desk it leads to.",
    )
    when = replay.add_mutually_exclusive_group()
    when.add_argument("--at", type=count, metavar="N", help="stop after the first N records")
    when.add_argument(
        "--at-time",
        type=moment,
        metavar="T",
        help="each desk as it was at T (ISO-8601 with offset or Z, or epoch ms): "
        "before its first record stamped later than T",
    )
    replay.add_argument("--json", action="store_true", help="print the snapshot as JSON")
    replay.add_argument(
        "--strict", action="store_true", help="stop at the first anomaly (exit status 1)"
    )
    replay.add_argument("--desk", metavar="KEY", help="show only this desk of the log")
    fleet_options(replay)
    replay.set_defaults(run=replay_command)

    check = commands.add_parser(
        "check",
        parents=[log],
        help="validate a log: anomalies per kind, with where they occur (exit 1 when any)",
        description="Replay a log and report every anomaly; exit status 1 when there is any.",
    )
    check.add_argument("--json", action="store_true", help="print the summary as JSON")
    check.set_defaults(run=check_command)

    stats = commands.add_parser(
        "stats",
        parents=[logs],
        help="events per type, conversations, most open at once, messages, per desk",
        description="Count what a log holds, per desk and in all.",
    )
    stats.add_argument("--json", action="store_true", help="print the statistics as JSON")
    stats.add_argument("--desk", metavar="KEY", help="count only this desk of the log")
    fleet_options(stats)
    stats.set_defaults(run=stats_command)

    report = commands.add_parser(
        "report",
        parents=[logs],
        help="desk metrics: time open and focused, first response, availability, per desk",
        description="Measure each desk of a log: how long conversations stayed open and "
        "focused, how fast they were answered, most open at once, time per availability status, "
        "time with unread messages. '?' is a time that is unknown (a record without ts, or a "
        "clock going back). Several LOGs, --jobs or --scheduler measure each desk apart on "
        "deskstate.fleet.",
    )
    report.add_argument("--json", action="store_true", help="print the metrics as JSON")
    report.add_argument("--desk", metavar="KEY", help="only this desk of the log")
    report.add_argument(
        "--html",
        metavar="OUT.html",
        help="also write a self-contained HTML report with charts to this file (one LOG; "
        "needs the plots extra: matplotlib)",
    )
    fleet_options(report)
    report.set_defaults(run=report_command)

    changes = commands.add_parser(
        "diff",
        parents=[log],
        help="what changed between the desk after N records and after M (or at times A and B)",
        description="Print what changed on each desk between the desk after the first N "
        "records of the log and the desk after the first M, or between the desk at time A and "
        "at time B (ISO-8601 with offset or Z, or epoch ms; see replay --at-time).",
    )
    changes.add_argument("--from", dest="start", type=count, metavar="N")
    changes.add_argument("--to", dest="end", type=count, metavar="M")
    changes.add_argument("--from-time", type=moment, metavar="A")
    changes.add_argument("--to-time", type=moment, metavar="B")
    changes.add_argument("--json", action="store_true", help="print the facts as JSON")
    changes.add_argument("--desk", metavar="KEY", help="only this desk of the log")
    changes.set_defaults(run=diff_command)
    _add_explain(commands)
    _add_export(commands)

    _add_generate(commands)

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
        type=count,
        default=_WATCH_HISTORY,
        metavar="N",
        help=f"snapshots kept for time travel (default {_WATCH_HISTORY}; 0 keeps none)",
    )
    watch.add_argument(
        "--batch",
        type=positive,
        default=_WATCH_BATCH,
        metavar="N",
        help=f"records dispatched at once, at most: each dispatch is one step of history "
        f"(default {_WATCH_BATCH}; 1 steps record by record)",
    )
    watch.add_argument(
        "--at-time",
        type=moment,
        metavar="T",
        help="start paused at the desk as it was at T (see replay --at-time); space resumes",
    )
    watch.set_defaults(run=watch_command)
    _add_record(commands)
    return parser


def _add_generate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    make = commands.add_parser(
        "generate",
        help="write a realistic synthetic desk log (JSON Lines)",
        description="Write a realistic, protocol-valid synthetic desk log, the same for the "
        "same options. With --chaos, a share P of the records is made anomalous, cycling "
        "through every anomaly kind.",
    )
    make.add_argument("--events", type=count, required=True, metavar="N", help="records to write")
    make.add_argument("--seed", type=count, default=0, metavar="S", help="random seed (default 0)")
    make.add_argument(
        "--open", type=positive, default=8, metavar="K", help="most conversations open per desk"
    )
    make.add_argument("--desks", type=positive, default=1, metavar="D", help="desks interleaved")
    make.add_argument(
        "--chaos", type=share, default=0.0, metavar="P", help="share of anomalous records"
    )
    make.add_argument(
        "--out", metavar="FILE", help="write here (gzip when it ends in .gz) instead of stdout"
    )
    make.set_defaults(run=generate_command)


def _add_explain(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    why = commands.add_parser(
        "explain",
        parents=[log_options()],
        help="the timeline of one conversation (or of a visitor's): every record that touched it",
        description="Print every record that touched a conversation (file:line, time, event, "
        "what it changed, anomalies), then its final state; with --visitor, do so for every "
        "conversation whose visitor had FIELD=VALUE. Exit status 1 when none is found.",
    )
    why.add_argument(
        "conversation", nargs="?", metavar="CONVERSATION_ID", help="the conversation to explain"
    )
    why.add_argument(
        "--visitor",
        metavar="FIELD=VALUE",
        help="follow a visitor across conversations (FIELD may be a dotted path: address.city)",
    )
    why.add_argument("--desk", metavar="KEY", help="only this desk of the log")
    why.add_argument("--json", action="store_true", help="print the timelines as JSON")
    why.set_defaults(run=explain_command)


def _add_export(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tables = commands.add_parser(
        "export",
        parents=[log_options(many=True)],
        help="write a log's tidy tables (conversations, messages, intervals, anomalies) as "
        "Parquet or CSV files",
        description="Replay a log and write six tables for analysts to DIR, one file each: "
        "conversations, messages, open_intervals, focus_intervals, availability_intervals, "
        "anomalies (the README's 'Tables for analysts' gives their columns). Parquet needs "
        "pyarrow (pip install 'deskstate[analytics]'). Unknown times and durations are null. "
        "Several LOGs, --jobs or --scheduler export each desk apart on deskstate.fleet, each "
        "table a directory of one file per desk: DIR/TABLE/desk=KEY.EXT (the README's 'Many "
        "desks').",
    )
    tables.add_argument("--to", required=True, metavar="DIR", help="the directory to write to")
    tables.add_argument(
        "--format",
        choices=FORMATS,
        default="parquet",
        help="file format (default parquet)",
    )
    tables.add_argument(
        "--desk", metavar="KEY", help="only this desk of the log (one LOG, without --jobs)"
    )
    tables.add_argument(
        "--force", action="store_true", help="overwrite the tables of an earlier export in DIR"
    )
    fleet_options(tables)
    tables.set_defaults(run=export_command)


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
        type=origin,
        metavar="ORIGIN",
        help="origin of the page that includes the snippet, beside the desk (repeatable)",
    )
    record.add_argument(
        "--allow-origin",
        action="append",
        type=origin,
        metavar="ORIGIN",
        help="keep records from this desk origin (repeatable; replaces the default "
        f"{', '.join(sorted(DEFAULT_ORIGINS))})",
    )
    record.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    record.add_argument(
        "--port", type=port, default=8765, help="port to listen on (default 8765; 0: any free one)"
    )
    record.add_argument(
        "--token",
        help="the secret the snippet carries (default: a new one each run; give the last one "
        "to restart without changing the page)",
    )
    record.add_argument(
        "--max-body",
        type=positive,
        default=DEFAULT_MAX_BODY_BYTES,
        metavar="BYTES",
        help=f"largest request body (default {DEFAULT_MAX_BODY_BYTES})",
    )
    record.add_argument(
        "--max-record",
        type=positive,
        default=DEFAULT_MAX_RECORD_BYTES,
        metavar="BYTES",
        help=f"largest record, as a log line (default {DEFAULT_MAX_RECORD_BYTES})",
    )
    record.set_defaults(run=record_command)
