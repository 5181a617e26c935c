"""``deskstate diff``: what changed on each desk between two points of a log."""

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
from deskstate.facts import diff
from deskstate.replay import replay_steps
from deskstate.state import DeskState


def diff_command(args: argparse.Namespace) -> int:
    """``deskstate diff``: the facts between the desk after N records and the desk after M."""
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
    empty = DeskState()
    changed = {
        desk: diff(before.get(desk, empty), state)
        for desk, state in only_desk(after, args.desk).items()
    }
    if args.json:
        print_json(
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
    console = rich_console()
    for desk, facts in changed.items():
        if desk is not None:
            console.print(f"[bold underline]Desk {desk}[/]")
        for fact in facts:
            console.print(f"  {fact.describe()}", markup=False, highlight=False)
        if not facts:
            console.print("  nothing changed", style="dim")
    return EXIT_OK
