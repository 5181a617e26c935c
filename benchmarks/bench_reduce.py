"""In-memory reduction: deskstate against an in-place mutable-dict fold of the same semantics.

Run: ``python benchmarks/bench_reduce.py [--events N] [--open K] [--repeat R]``. Prints the
throughput of each, measured side by side in one run (median of R runs after a warm-up), and their
ratio: SPEC §12 asks deskstate for at least 1/4 of the mutable fold. Both folds start from raw
event dicts, so both pay for reading the events; only deskstate validates and freezes them.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import deskstate

P = "com.iadvize.desk."
Event = dict[str, Any]


def session(events: int, max_open: int, seed: int) -> list[Event]:
    """A seeded, protocol-valid mixed stream: arrivals, focus changes, messages, removals."""
    rnd = random.Random(seed)
    open_ids: list[str] = []
    focused: str | None = None
    made = 0
    out: list[Event] = []
    while len(out) < events:
        roll = rnd.random()
        if (roll < 0.08 or not open_ids) and len(open_ids) < max_open:
            made += 1
            cid = f"conv-{made:07d}"
            open_ids.append(cid)
            out.append({"event": P + "CONVERSATION_ADDED", "conversationId": cid, "projectId": 7})
            out.append(
                {
                    "event": P + "CONVERSATION_VISITOR_UPDATED",
                    "conversationId": cid,
                    "visitor": {"visitorId": f"v{made}", "city": "Nantes"},
                }
            )
        elif roll < 0.14 and open_ids:
            cid = open_ids.pop(rnd.randrange(len(open_ids)))
            if focused == cid:
                out.append({"event": P + "CONVERSATION_FOCUS_LOST", "conversationId": cid})
                focused = None
            out.append({"event": P + "CONVERSATION_REMOVED", "conversationId": cid})
        elif roll < 0.24 and open_ids:
            cid = rnd.choice(open_ids)
            if focused is not None:
                out.append({"event": P + "CONVERSATION_FOCUS_LOST", "conversationId": focused})
            out.append({"event": P + "CONVERSATION_FOCUSED", "conversationId": cid})
            focused = cid
        elif roll < 0.26:
            statuses = ("AVAILABLE", "UNAVAILABLE")
            out.append(
                {
                    "event": P + "AVAILABILITY_UPDATED",
                    "availabilities": [
                        {"channel": channel, "status": rnd.choice(statuses)}
                        for channel in ("CHAT", "CALL", "VIDEO", "THIRD_PARTY")
                    ],
                }
            )
        elif open_ids:
            out.append(
                {
                    "event": P + "CONVERSATION_MESSAGE_ADDED",
                    "conversationId": rnd.choice(open_ids),
                    "messageId": f"m{len(out)}",
                    "projectId": 7,
                    "conversationParticipantType": rnd.choice(
                        ("Visitor", "Visitor", "Professional", "Expert")
                    ),
                }
            )
    return out[:events]


def empty_desk() -> dict[str, Any]:
    """The empty desk of :func:`mutable_fold`: open conversations (in desk order), closed, focus."""
    return {"open": {}, "closed": {}, "focused": None, "avail": {}}


def _conversation() -> dict[str, Any]:
    return {"messages": [], "ids": set(), "unread": 0, "visitor": {}, "clicks": 0}


def mutable_fold(  # noqa: PLR0912 - one flat loop on purpose
    events: Iterable[Event], desk: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The same semantics on plain dicts updated in place: the practical floor of Python.

    Folds ``events`` (raw event dicts) into ``desk`` (a new :func:`empty_desk` when not given),
    in place, and returns it. SPEC §4's table without the anomalies, the timestamps, the
    ``implicit`` flag and the per-participant counts: an unknown conversation is opened by any
    event but FOCUS_LOST and REMOVED, a closed one is reopened by ADDED and FOCUSED and otherwise
    updated where it lies, a message id already in the conversation is ignored, a Visitor or Expert
    message to a conversation that is not focused is unread. Desk order is the insertion order of
    ``desk["open"]`` (a dict: O(1) to remove from, and a reopened id goes back at the end).
    """
    if desk is None:
        desk = empty_desk()
    opened, closed = desk["open"], desk["closed"]
    for event in events:
        name = event["event"][len(P) :]
        if name == "AVAILABILITY_UPDATED":
            desk["avail"] = {a["channel"]: a["status"] for a in event["availabilities"]}
            continue
        cid = event["conversationId"]
        conv = opened.get(cid)
        if conv is None:
            if name in {"CONVERSATION_FOCUS_LOST", "CONVERSATION_REMOVED"}:
                continue  # closed or unknown: nothing to do
            conv = closed.get(cid)
            if conv is None:
                conv = opened[cid] = _conversation()
            elif name in {"CONVERSATION_ADDED", "CONVERSATION_FOCUSED"}:
                opened[cid] = closed.pop(cid)
        if name == "CONVERSATION_MESSAGE_ADDED":
            mid = event["messageId"]
            if mid not in conv["ids"]:
                conv["ids"].add(mid)
                who = event["conversationParticipantType"]
                conv["messages"].append((mid, who, event["projectId"]))
                if who in {"Visitor", "Expert"} and desk["focused"] != cid:
                    conv["unread"] += 1
        elif name == "CONVERSATION_FOCUSED":
            desk["focused"] = cid
            conv["unread"] = 0
        elif name == "CONVERSATION_FOCUS_LOST":
            if desk["focused"] == cid:
                desk["focused"] = None
        elif name == "CONVERSATION_REMOVED":
            closed[cid] = opened.pop(cid)
            if desk["focused"] == cid:
                desk["focused"] = None
        elif name == "CONVERSATION_VISITOR_UPDATED":
            conv["visitor"] = dict(event["visitor"])
        elif name == "CONVERSATION_STATE_BOX_CLICKED":
            conv["clicks"] += 1
    return desk


def deskstate_fold(events: Sequence[Event]) -> deskstate.DeskState:
    return deskstate.replay(events).state


def median_seconds(
    fold: Callable[[Sequence[Event]], object], events: Sequence[Event], repeat: int
) -> float:
    fold(events[: len(events) // 10])  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fold(events)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--open", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    events = session(args.events, args.open, args.seed)
    floor = median_seconds(mutable_fold, events, args.repeat)
    ours = median_seconds(deskstate_fold, events, args.repeat)
    print(
        f"{len(events):,} events, up to {args.open} open, {os.cpu_count()} cores, "
        f"median of {args.repeat}"
    )
    print(f"{'fold':<22}{'events/s':>12}{'us/event':>10}{'vs mutable':>12}")
    for name, seconds in (("mutable dict (floor)", floor), ("deskstate.replay", ours)):
        print(
            f"{name:<22}{len(events) / seconds:>12,.0f}{seconds / len(events) * 1e6:>10.2f}"
            f"{f'1/{seconds / floor:.1f}':>12}"
        )


if __name__ == "__main__":
    main()
