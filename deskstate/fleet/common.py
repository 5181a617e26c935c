"""What the modules of :mod:`deskstate.fleet` share: its errors and the data sent to workers."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Literal, NamedTuple, TypeAlias, TypedDict

from deskstate.errors import DeskStateError

#: A log path or URL, ``"-"`` for standard input, or an iterable of records.
Source: TypeAlias = "str | os.PathLike[str] | Iterable[object]"
Desk: TypeAlias = str | None
_Mode: TypeAlias = Literal["replay", "stats", "metrics", "export"]


class OutOfOrder(DeskStateError, ValueError):  # noqa: N818 - named for what the input is
    """Raised when a desk's records go back in time from one source to the next.

    The sources were not given oldest first. The message names the desk, both records (source and
    line) and their timestamps.
    """


class ClusterError(DeskStateError, RuntimeError):
    """Raised when a parallel replay cannot finish: no partial result is ever returned instead.

    The cluster cannot be reached, or it lost work it could not redo (a worker died too often).
    """


class _Options(NamedTuple):
    """What each desk's replay needs, in a form that travels to workers without a snapshot."""

    initial: dict[str, object] | None
    strict: bool
    origins: frozenset[str] | None
    check_order: bool


class _Result(TypedDict, total=False):
    """A desk's result as a worker sends it back: plain data only, never a snapshot object.

    ``first`` is where its first record is (source number, record index); ``at`` where it stopped
    (then ``stopped``, the anomaly of a strict replay, or ``disorder``, an order error's message);
    otherwise ``state``, ``anomalies`` and ``count`` (a replay), ``stats``, ``metrics`` (in
    the lossless ``to_dict`` form) and ``anomalies``, or ``written`` (rows per table) and
    ``anomalies``.
    """

    desk: Desk
    first: tuple[int, int]
    at: tuple[int, int]
    stopped: dict[str, str | int | None]
    disorder: str
    state: dict[str, object]
    anomalies: list[dict[str, str | int | None]]
    count: int
    stats: dict[str, object]
    metrics: dict[str, object]
    written: dict[str, int]
