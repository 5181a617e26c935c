"""``deskstate diff``: what changed on each desk between two points of a log (records or times)."""

from __future__ import annotations

import argparse
import itertools
import sys

from deskstate.cli.common import (
    EXIT_OK,
    fail,
    only_desk,
    origins,
    print_json,
    reading,
    rich_console,
)
from deskstate.clock import states_at
from deskstate.facts import diff
from deskstate.replay import replay_steps
from deskstate.state import DeskState
from deskstate.timestamps import format_timestamp


def diff_command(args: argparse.Namespace) -> int:
    """``deskstate diff``: the facts between the desk after N records and after M (or at times)."""
    by_time = args.from_time is not None or args.to_time is not None
    if by_time and (args.start is not None or args.end is not None):
        fail("give --from N --to M (records) or --from-time A --to-time B (times), not a mix")
    if by_time:
        return _diff_by_time(args)
    if args.start is None or args.end is None:
        fail("give --from N --to M (records) or --from-time A --to-time B (times)")
    if args.start > args.end:
        fail(f"--from {args.start} comes after --to {args.end}: give the earlier record first")
    before: dict[str | None, DeskState] = {}
    after: dict[str | None, DeskState] = {}
    with reading(args) as log:
        read = 0
        steps = replay_steps(itertools.islice(log.records, args.end), allowed_origins=origins(args))
        for read, step in enumerate(steps, start=1):
            after[step.desk] = step.state
            if read == args.start:
                before = dict(after)
    if read < args.end:
        print(
            f"deskstate: {log.source} has {read} records: showing the desk after all of them",
            file=sys.stderr,
        )
    points = {"from": args.start, "to": min(args.end, read)}
    return _show(args, log.source, points, before, after)


def _diff_by_time(args: argparse.Namespace) -> int:
    """``diff --from-time A --to-time B``: the desks at two times of the clock, from one pass."""
    if args.from_time is None or args.to_time is None:
        fail("--from-time and --to-time go together: give both")
    start, end = format_timestamp(args.from_time), format_timestamp(args.to_time)
    if args.from_time > args.to_time:
        fail(f"--from-time {start} comes after --to-time {end}: give the earlier time first")
    with reading(args) as log:
        first, last = states_at(
            log.records, [args.from_time, args.to_time], allowed_origins=origins(args)
        )
    before = {desk: replay.state for desk, replay in first.items()}
    after = {desk: replay.state for desk, replay in last.items()}
    return _show(args, log.source, {"from_time": start, "to_time": end}, before, after)


def _show(
    args: argparse.Namespace,
    source: str,
    points: dict[str, object],
    before: dict[str | None, DeskState],
    after: dict[str | None, DeskState],
) -> int:
    """Print the facts from ``before`` to ``after`` per desk; ``points`` say where they are."""
    empty = DeskState()
    changed = {
        desk: diff(before.get(desk, empty), state)
        for desk, state in only_desk(after, args.desk).items()
    }
    if args.json:
        print_json(
            {
                "log": source,
                **points,
                "desks": [
                    {"desk": desk, "facts": [fact.to_dict() for fact in facts]}
                    for desk, facts in changed.items()
                ],
            }
        )
        return EXIT_OK
    console = rich_console()
    for desk, facts in changed.items():
        if desk is not None:
            console.print(f"[bold underline]Desk {desk}[/]")
        for fact in facts:
            console.print(f"  {fact.describe()}", markup=False, highlight=False)
        if not facts:
            console.print("  nothing changed", style="dim")
    return EXIT_OK
