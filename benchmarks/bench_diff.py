"""What a diff costs as the desk grows: `diff` of consecutive snapshots and a Store Change's facts.

Folds N `CONVERSATION_ADDED` events (N = 10, 1,000, 10,000 by default), then times, per size:

- `Store.dispatch` of one message plus reading the Change's facts (the Store's path, which names
  the conversations the event touched);
- `diff(old, new)` of the snapshot before and after one message, along the lineage (the snapshot
  before is alive);
- `diff` across two messages whose snapshot in between was freed: the lineage is broken, so the
  maps are swept by identity;
- `diff` from a copy of the desk read back with `from_dict` (another history: no object shared, so
  every conversation is compared).

Each figure is the best of `--repeat` runs of `--number` calls. Run:
`python benchmarks/bench_diff.py [--sizes 10 1000 10000] [--number 1000] [--repeat 5]`.
"""

from __future__ import annotations

import argparse
import os
import timeit
from collections.abc import Callable
from itertools import count

from deskstate import Change, DeskState, Store, diff, from_dict, reduce, to_dict
from deskstate.facts import Fact

P = "com.iadvize.desk."


def _desk(size: int) -> DeskState:
    state = DeskState()
    for i in range(size):
        state = reduce(
            state, {"event": P + "CONVERSATION_ADDED", "conversationId": f"c{i}", "projectId": 1}
        )
    return state


def _message(cid: str, mid: str) -> dict[str, object]:
    return {
        "event": P + "CONVERSATION_MESSAGE_ADDED",
        "conversationId": cid,
        "messageId": mid,
        "projectId": 1,
        "conversationParticipantType": "Visitor",
    }


def _best(call: Callable[[], object], number: int, repeat: int) -> float:
    """Seconds per call: the best of ``repeat`` runs of ``number`` calls."""
    return min(timeit.repeat(call, number=number, repeat=repeat)) / number


def _measure(size: int, number: int, repeat: int) -> tuple[float, float, float, float]:
    desk = _desk(size)
    store = Store(desk)
    changes: list[Change] = []
    store.subscribe(changes.append)
    ids = count()

    def dispatch_and_read_facts() -> tuple[Fact, ...]:
        k = next(ids)
        store.dispatch(_message(f"c{k % size}", f"m{k}"))
        return changes.pop().facts

    after = reduce(desk, _message("c0", "x"))
    two_later = reduce(reduce(desk, _message("c0", "x")), _message("c1", "y"))  # middle freed
    detached = from_dict(to_dict(desk))
    return (
        _best(dispatch_and_read_facts, number, repeat),
        _best(lambda: diff(desk, after), number, repeat),
        _best(lambda: diff(desk, two_later), number, repeat),
        _best(lambda: diff(detached, after), max(1, number // 100), repeat),
    )


def main() -> None:
    """Print one line per desk size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 1_000, 10_000])
    parser.add_argument("--number", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; best of {args.repeat} runs of {args.number} calls")
    heads = ("dispatch + facts", "diff, lineage", "diff, swept", "diff, other history")
    print(f"{'open':>7}  " + "  ".join(f"{head:>19}" for head in heads))
    for size in args.sizes:
        times = _measure(size, args.number, args.repeat)
        print(f"{size:>7,}  " + "  ".join(f"{t * 1e6:>16.1f} µs" for t in times))


if __name__ == "__main__":
    main()
