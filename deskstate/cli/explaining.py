"""``deskstate explain``: the timeline of a conversation, or of every conversation of a visitor."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from datetime import datetime

from deskstate._json import thaw
from deskstate.cli.common import (
    EXIT_ANOMALIES,
    EXIT_OK,
    fail,
    origins,
    print_json,
    reading,
    rich_console,
)
from deskstate.explain import Entry, Timeline, explain, explain_visitor
from deskstate.state import Conversation
from deskstate.timestamps import format_timestamp


def _arguments(args: argparse.Namespace) -> None:
    """Sort out the positionals: ``[LOG] CONVERSATION_ID``, or ``[LOG] --visitor FIELD=VALUE``."""
    if args.visitor is None:
        if args.conversation is None:
            if args.log is None:
                fail("give a CONVERSATION_ID or --visitor FIELD=VALUE")
            if args.log == "-" or os.path.isfile(args.log):
                fail(f"{args.log!r} is a log: give the conversation after it (LOG CONVERSATION_ID)")
            args.log, args.conversation = None, args.log  # one positional: the conversation
        return
    if args.conversation is not None:
        fail("give a CONVERSATION_ID or --visitor FIELD=VALUE, not both")
    field, equals, _ = args.visitor.partition("=")
    if not equals or not field:
        fail(f"--visitor takes FIELD=VALUE (e.g. visitorId=v-91002), got {args.visitor!r}")


def explain_command(args: argparse.Namespace) -> int:
    """``deskstate explain``: every record that touched a conversation, and how it ended."""
    _arguments(args)
    with reading(args) as log:
        if args.visitor is None:
            subject: dict[str, object] = {"conversation_id": args.conversation}
            timelines = explain(log.records, args.conversation, allowed_origins=origins(args))
        else:
            field, _, value = args.visitor.partition("=")
            subject = {"visitor": {"field": field, "value": value}}
            timelines = explain_visitor(log.records, field, value, allowed_origins=origins(args))
    if args.desk is not None:
        timelines = tuple(timeline for timeline in timelines if timeline.desk == args.desk)
    if args.json:
        print_json({"log": log.source, **subject, "timelines": [tl.to_dict() for tl in timelines]})
    else:
        _print(log.source, timelines)
    if not timelines:
        what = (
            f"conversation {args.conversation!r}"
            if args.visitor is None
            else f"conversation whose visitor has {args.visitor}"
        )
        where = "" if args.desk is None else f" on desk {args.desk!r}"
        print(f"deskstate: no {what}{where} in {log.source}", file=sys.stderr)
        return EXIT_ANOMALIES
    return EXIT_OK


def _line(source: str, entry: Entry) -> str:
    source = entry.source or source
    where = f"{source}: record {entry.index}" if entry.line is None else f"{source}:{entry.line}"
    when = "-" if entry.ts is None else format_timestamp(entry.ts)
    facts = "; ".join(fact.describe() for fact in entry.facts)
    return f"{where}  {when}  {entry.event or 'not applied'}" + (f"  — {facts}" if facts else "")


def _ending(timeline: Timeline) -> str:
    found = timeline.conversation
    if found is None:
        return f"{timeline.conversation_id}: never seen (no record about it was applied)"
    counts = ", ".join(f"{who} {count}" for who, count in sorted(found.message_counts.items()))
    parts = [
        f"{timeline.conversation_id}: {timeline.status}",
        f"added {_time(found.added_at)}" + (" (implicitly)" if found.implicit else ""),
    ]
    if not timeline.is_open:
        parts.append(f"removed {_time(found.removed_at)}")
    parts.append(f"{len(found.messages)} messages" + (f" ({counts})" if counts else ""))
    parts.append(f"unread {found.unread}")
    parts.append(f"state box clicks {found.state_box_clicks}")
    parts.append(f"visitor {_visitor(found)}")
    return ", ".join(parts)


def _time(moment: datetime | None) -> str:
    return "at an unknown time" if moment is None else f"at {format_timestamp(moment)}"


def _visitor(found: Conversation) -> str:
    return json.dumps(thaw(found.visitor), ensure_ascii=False, sort_keys=True)


def _print(source: str, timelines: Iterable[Timeline]) -> None:
    console = rich_console()
    for timeline in timelines:
        desk = "" if timeline.desk is None else f" on desk {timeline.desk}"
        console.print(f"[bold underline]Conversation {timeline.conversation_id}{desk}[/]")
        for entry in timeline.entries:
            console.print(_line(source, entry), markup=False, highlight=False, soft_wrap=True)
            for anomaly in entry.anomalies:
                console.print(
                    f"    {anomaly.kind}: {anomaly.message}",
                    style="yellow",
                    markup=False,
                    highlight=False,
                    soft_wrap=True,
                )
        console.print(
            _ending(timeline), style="bold", markup=False, highlight=False, soft_wrap=True
        )
        console.print()
