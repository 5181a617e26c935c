"""Many desks at once: replay logs that interleave desks, each desk alone, here or on Dask.

:func:`replay_many`, :func:`stats_many`, :func:`metrics_many` and :func:`export_many` take
several sources (log paths, URLs that fsspec opens, or iterables of records), file each record under
its desk and replay every desk on its own, in record order: the result for a desk equals replaying
that desk's records in sequence (:func:`export_many` writes each desk's tables where it is
replayed, so its directory must be writable by the workers).

- **Order.** A desk's records are taken in the order of the sources as given, then in record
  order within each source, wherever they were read. The sources must therefore be given oldest
  first (log files named by time and sorted by name, say). A desk whose envelope ``ts`` goes back
  across two sources shows they were not: :class:`OutOfOrder` is raised (``check_order=False``
  replays anyway). Within one source ``ts`` may go back (clocks drift), as in any replay.
- **Desks.** A record's desk is its envelope's ``desk``; a record that names none belongs to the
  desk of its file, keyed by the file's name up to its first dot (``logs/agent-42.jsonl.gz``:
  ``agent-42``), or, from an iterable of records or standard input, to the desk ``None``.
- **Where.** Each anomaly keeps the record ``index`` within its source, its ``line`` and, for a
  file, its ``source`` (the path or URL as given).
- **Where it runs.** In this process (the default, or ``jobs=1``), streaming, with nothing but
  deskstate; on a local Dask cluster of ``jobs`` worker processes, started for the call and closed
  after; or on a Dask cluster (``scheduler``: an address or a :class:`distributed.Client`), with the
  same results. In parallel (Dask futures), a task reads each file and files its records under
  their desks, in buckets of desks; the task of each bucket takes that bucket from every file
  (worker to worker) and replays each of its desks. Records from iterables and standard input are
  read here and sent to the workers; paths must be readable where the workers run. Results come
  back as ``to_dict`` forms (snapshots with :func:`~deskstate.to_dict`, anomalies with
  :meth:`~deskstate.Anomaly.to_dict`, metrics with ``to_dict(lossless=True)``) and are rebuilt
  here: no snapshot is pickled.
- **Failures.** In strict mode, or on an order violation, every mode raises the error of the
  earliest record concerned (by source, then record), as the single-process replay would. A
  worker that dies is replaced and its work redone by Dask; work that cannot be redone raises
  :class:`ClusterError`, never a partial result.

This is an edge module: ``import deskstate`` does not import it, and it imports Dask only when a
replay runs in parallel (the ``deskstate[fleet]`` extra).
"""

from __future__ import annotations

import contextlib
import operator
import os
import shutil
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path, PurePath, PurePosixPath
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple, TypeAlias, TypedDict, cast
from urllib.parse import quote, unquote_to_bytes, urlsplit

import attrs

from deskstate.anomaly import Anomaly
from deskstate.errors import DeskStateError, ProtocolError, UnreadableLog
from deskstate.export import BATCH_ROWS, TABLES, Format, check_format, write_tables
from deskstate.logfile import read_log
from deskstate.metrics import DeskMetrics, collect_metrics, metric_rows
from deskstate.records import DEFAULT_ORIGINS, LogLine, desk_of
from deskstate.replay import Replay, ReplayStep, apply_record, origin_set, replays_by_desk
from deskstate.serialise import from_dict, to_dict
from deskstate.state import DeskState
from deskstate.stats import DeskStats, collect_stats
from deskstate.timestamps import format_timestamp

if TYPE_CHECKING:
    from distributed import Client

__all__ = [
    "ClusterError",
    "OutOfOrder",
    "Source",
    "export_many",
    "metrics_many",
    "part_desk",
    "part_name",
    "replay_many",
    "stats_many",
]

#: A log path or URL, ``"-"`` for standard input, or an iterable of records.
Source: TypeAlias = "str | os.PathLike[str] | Iterable[object]"
Desk: TypeAlias = str | None
_Mode: TypeAlias = Literal["replay", "stats", "metrics", "export"]

#: Replay tasks per worker thread: enough to even out desks of unequal size.
_PARTS_PER_WORKER: Final = 4


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


class _Target(NamedTuple):
    """Where a desk's tables go: ``directory/TABLE/`` (absolute), in ``format``."""

    directory: str
    format: Format
    batch_rows: int


class _Chunk(NamedTuple):
    """The records of one desk in one source, in record order.

    Each record is ``(index, line, value, error)``: its index in the source and, for a log line,
    its line, JSON value and error (see :func:`_packed`); plain tuples pickle fast.
    """

    desk: Desk
    order: int
    source: str | None
    records: list[tuple[int, int | None, object, str | None]]


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


class _Seen(NamedTuple):
    """The last record of a desk that carried a timestamp, and where it was."""

    ts: datetime
    order: int
    source: str | None
    line: int | None
    record: int


def _where(source: str | None, line: int | None, index: int) -> str:
    place = f"line {line}" if line is not None else f"record {index}"
    return place if source is None else f"{source}, {place}"


class _Runner:
    """Replays records desk by desk, each as replay would, and checks their order across sources."""

    def __init__(self, options: _Options) -> None:
        self.start = DeskState() if options.initial is None else from_dict(options.initial)
        self._options = options
        self._states: dict[Desk, DeskState] = {}
        self._seen: dict[Desk, _Seen] = {}

    def step(
        self, desk: Desk, order: int, source: str | None, index: int, record: object
    ) -> ReplayStep:
        """Apply ``record``, the ``index``-th of source number ``order``, to ``desk``'s snapshot."""
        line = record.line if isinstance(record, LogLine) else None
        state = self._states.get(desk, self.start)
        event, state, anomalies = apply_record(state, record, allowed_origins=self._options.origins)
        if anomalies:
            anomalies = tuple(
                attrs.evolve(anomaly, index=index, line=line, source=source)
                for anomaly in anomalies
            )
            if self._options.strict:
                raise ProtocolError(anomalies[0])
        if event is not None and event.ts is not None and self._options.check_order:
            self._check_order(desk, _Seen(event.ts, order, source, line, index))
        self._states[desk] = state
        return ReplayStep(index, line, desk, event, state, anomalies)

    def _check_order(self, desk: Desk, now: _Seen) -> None:
        before = self._seen.get(desk)
        self._seen[desk] = now
        if before is None or before.order == now.order or now.ts >= before.ts:
            return
        raise OutOfOrder(
            f"{_where(now.source, now.line, now.record)}: desk {desk!r} goes back in time, to "
            f"{format_timestamp(now.ts)} from {format_timestamp(before.ts)} at "
            f"{_where(before.source, before.line, before.record)}: the logs are not in time order. "
            "Give them oldest first (for example sorted by name, when named by time), or, if that "
            "desk's clock went back, turn this check off (check_order=False, or --any-order)."
        )


# --- sources ----------------------------------------------------------------------------------


def _is_url(name: str) -> bool:
    return "://" in name


def _file_desk(name: str) -> str:
    """The desk of a file's records that name none: its name up to the first dot."""
    base = PurePosixPath(urlsplit(name).path).name if _is_url(name) else PurePath(name).name
    return base.partition(".")[0] or base


def _is_file(source: object) -> bool:
    """Whether a worker can open ``source`` itself (a path or URL, not standard input)."""
    return isinstance(source, str | os.PathLike) and os.fspath(source) != "-"


@contextlib.contextmanager
def _opened(source: Source) -> Iterator[tuple[str | None, Desk, Iterable[object]]]:
    """The records of ``source``: its name in reports, the desk of deskless records, the records."""
    if not isinstance(source, str | os.PathLike):
        yield None, None, source
        return
    name = os.fspath(source)
    if name == "-":
        yield "<stdin>", None, read_log(name)
    elif not _is_url(name):
        yield name, _file_desk(name), read_log(name)
    else:
        import fsspec  # type: ignore[import-untyped] # noqa: PLC0415 - URLs only (the fleet extra)

        try:
            file = fsspec.open(name, "rb").open()
        except (OSError, ValueError, ImportError) as error:  # missing, unknown protocol, no backend
            raise UnreadableLog(f"{name}: cannot open: {error}") from error
        with file:
            yield name, _file_desk(name), read_log(file)


def _desk_key(record: object, default: Desk) -> Desk:
    desk = desk_of(record.value if isinstance(record, LogLine) else record)
    return default if desk is None else desk


def _positioned(sources: list[Source]) -> Iterator[tuple[Desk, int, str | None, int, object]]:
    """Every record of every source in order: its desk, source number, source name and index."""
    for order, source in enumerate(sources):
        with _opened(source) as (name, default, records):
            for index, record in enumerate(records):
                yield _desk_key(record, default), order, name, index, record


def _packed(index: int, record: object) -> tuple[int, int | None, object, str | None]:
    if isinstance(record, LogLine):
        return index, record.line, record.value, record.error
    return index, None, record, None


def _unpacked(line: int | None, value: object, error: str | None) -> object:
    return value if line is None else LogLine(line, value, error)


def _bucket(desk: Desk, buckets: int) -> int:
    """Which of ``buckets`` replay tasks takes ``desk``: the same in every process."""
    return 0 if desk is None else zlib.crc32(desk.encode("utf-8", "surrogatepass")) % buckets


def _chunks(order: int, source: Source, buckets: int) -> list[list[_Chunk]]:
    """The records of one source, one chunk per desk, in ``buckets`` lists by :func:`_bucket`."""
    chunks: dict[Desk, _Chunk] = {}
    with _opened(source) as (name, default, records):
        for index, record in enumerate(records):
            desk = _desk_key(record, default)
            chunk = chunks.get(desk)
            if chunk is None:
                chunk = chunks[desk] = _Chunk(desk, order, name, [])
            chunk.records.append(_packed(index, record))
    split: list[list[_Chunk]] = [[] for _ in range(buckets)]
    for chunk in chunks.values():
        split[_bucket(chunk.desk, buckets)].append(chunk)
    return split


# --- one process ------------------------------------------------------------------------------


def _sequential(sources: list[Source], options: _Options) -> tuple[Iterator[ReplayStep], DeskState]:
    """The steps of every record of the sources, streamed, and the snapshot desks start from."""
    runner = _Runner(options)
    return (runner.step(*record) for record in _positioned(sources)), runner.start


# --- in parallel: the worker's side ---------------------------------------------------------


class _StoppedError(Exception):
    """A desk's replay stopped at the record ``(order, index)``: carries the error as data."""

    def __init__(self, at: tuple[int, int], error: DeskStateError) -> None:
        super().__init__(str(error))
        self.at = at
        self.error = error


def _filed(steps: Iterable[ReplayStep], found: dict[Desk, list[Anomaly]]) -> Iterator[ReplayStep]:
    """``steps`` as they come, each one's anomalies filed under its desk in ``found``."""
    for step in steps:
        if step.anomalies:
            found.setdefault(step.desk, []).extend(step.anomalies)
        yield step


def _desk_steps(runner: _Runner, desk: Desk, chunks: list[_Chunk]) -> Iterator[ReplayStep]:
    for chunk in chunks:
        for index, line, value, error in chunk.records:
            try:
                step = runner.step(
                    desk, chunk.order, chunk.source, index, _unpacked(line, value, error)
                )
            except (ProtocolError, OutOfOrder) as stop:
                raise _StoppedError((chunk.order, index), stop) from stop
            yield step


# --- one desk's tables ------------------------------------------------------------------------

#: The file name of the parts of the desk ``None``: no encoded key starts so (see part_name).
_NO_DESK: Final = "desk-none"


def part_name(desk: Desk, format: Format) -> str:
    """The file of ``desk``'s part of each table of :func:`export_many`: ``desk=KEY.EXT``.

    ``KEY`` is the desk key percent-encoded, as UTF-8, keeping only ASCII letters, digits, ``-``,
    ``_`` and ``~`` (so no ``/``, ``.``, ``%`` nor anything else a file system could refuse or
    normalise): ``a/b`` is ``desk=a%2Fb.parquet``, ``..`` is ``desk=%2E%2E.parquet``. The desk
    ``None`` is ``desk-none.EXT``. Distinct desks have distinct names (:func:`part_desk` reads the
    desk back), except on a file system that ignores case, where :func:`export_many` refuses.
    """
    if desk is None:
        return f"{_NO_DESK}.{format}"
    key = quote(desk.encode("utf-8", "surrogatepass"), safe="").replace(".", "%2E")
    return f"desk={key}.{format}"


def part_desk(name: str) -> Desk:
    """The desk whose part is the file ``name`` (:func:`part_name` read backwards)."""
    stem = name.rpartition(".")[0]
    if stem == _NO_DESK:
        return None
    if not stem.startswith("desk="):
        raise ValueError(f"{name!r} is not the name of a desk's part of a table")
    return unquote_to_bytes(stem.removeprefix("desk=")).decode("utf-8", "surrogatepass")


def _write_desk(
    steps: Iterable[ReplayStep], desk: Desk, start: DeskState, target: _Target
) -> dict[str, int]:
    """Write ``desk``'s six parts, as ``.partial`` files renamed once all six are complete."""
    name = part_name(desk, target.format)
    files = {table: Path(target.directory, table, name) for table in TABLES}
    partial = {table: path.with_name(path.name + ".partial") for table, path in files.items()}
    rows = metric_rows(steps, initial=start)
    written = write_tables(rows, partial, format=target.format, batch_rows=target.batch_rows)
    for table, path in files.items():
        partial[table].replace(path)
    return written


def _run_desk(
    desk: Desk, chunks: list[_Chunk], mode: _Mode, options: _Options, target: _Target | None = None
) -> _Result:
    """Replay one desk from its chunks; the result, or where and why it stopped, as plain data.

    In the ``export`` mode, write its tables to ``target`` and return the rows written.
    """
    chunks = sorted(chunks, key=lambda chunk: chunk.order)  # they come from the sources unordered
    first = chunks[0]
    result: _Result = {"desk": desk, "first": (first.order, first.records[0][0])}
    runner = _Runner(options)
    steps = _desk_steps(runner, desk, chunks)
    try:
        if mode == "stats":
            result["stats"] = collect_stats(steps)[desk].to_dict()
            return result
        if mode == "export":
            assert target is not None
            filed: dict[Desk, list[Anomaly]] = {}
            result["written"] = _write_desk(_filed(steps, filed), desk, runner.start, target)
            result["anomalies"] = [anomaly.to_dict() for anomaly in filed.get(desk, ())]
            return result
        if mode == "metrics":
            found: dict[Desk, list[Anomaly]] = {}
            metrics = collect_metrics(_filed(steps, found), initial=runner.start)[desk]
            result["metrics"] = metrics.to_dict(lossless=True)
            result["anomalies"] = [anomaly.to_dict() for anomaly in found.get(desk, ())]
            return result
        replay = replays_by_desk(steps, runner.start)[desk]
    except _StoppedError as stop:
        result["at"] = stop.at
        if isinstance(stop.error, ProtocolError):
            result["stopped"] = stop.error.anomaly.to_dict()
        else:
            result["disorder"] = str(stop.error)
        return result
    result["state"] = to_dict(replay.state)
    result["anomalies"] = [anomaly.to_dict() for anomaly in replay.anomalies]
    result["count"] = replay.count
    return result


def _run_bucket(
    parts: list[list[_Chunk]], mode: _Mode, options: _Options, target: _Target | None = None
) -> list[_Result]:
    """Replay every desk of one bucket, from its chunks read from each source."""
    desks: dict[Desk, list[_Chunk]] = {}
    for part in parts:
        for chunk in part:
            desks.setdefault(chunk.desk, []).append(chunk)
    return [_run_desk(desk, chunks, mode, options, target) for desk, chunks in desks.items()]


# --- in parallel: the caller's side ---------------------------------------------------------


def _distributed() -> Any:
    """The ``distributed`` module, or an error that says how to install it (held as Any)."""
    try:
        import distributed  # noqa: PLC0415 - the fleet extra, only for a parallel replay
    except ImportError as error:
        raise ImportError(
            f"a parallel replay needs Dask ({error}): pip install 'deskstate[fleet]'"
        ) from error
    return distributed


@contextlib.contextmanager
def _client(jobs: int | None, scheduler: str | Client | None) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, or of a local cluster of ``jobs`` processes."""
    distributed = _distributed()
    if isinstance(scheduler, distributed.Client):
        yield scheduler
        return
    if scheduler is None:
        # Its HTTP server (dashboard, health) on a free port: 8787 may be another cluster's.
        cluster = distributed.LocalCluster(
            n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
        with cluster, distributed.Client(cluster) as client:
            yield client
        return
    if not isinstance(scheduler, str):
        raise TypeError(
            "scheduler must be an address ('tcp://host:8786') or a distributed.Client, "
            f"got {scheduler!r}"
        )
    try:
        client = distributed.Client(scheduler)
    except OSError as error:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from error
    with client:
        yield client


def _parallel(
    sources: list[Source],
    mode: _Mode,
    options: _Options,
    jobs: int | None,
    scheduler: str | Client | None,
    target: _Target | None = None,
) -> list[_Result]:
    """Replay on a cluster with Dask futures: each file read in a task, then each bucket of desks.

    A file's task files its records under their desks and sorts the desks into buckets; the task
    of bucket ``b`` takes bucket ``b`` of every file (one hop, worker to worker) and replays its
    desks. Records of iterables and standard input are read here and sent with the bucket tasks.
    """
    with _client(jobs, scheduler) as client:
        buckets = _PARTS_PER_WORKER * max(1, sum(client.nthreads().values()))
        files = [(order, source) for order, source in enumerate(sources) if _is_file(source)]
        reads = [
            client.submit(_chunks, order, source, buckets, pure=False) for order, source in files
        ]
        here = [
            _chunks(order, source, buckets)
            for order, source in enumerate(sources)
            if not _is_file(source)
        ]
        work = [
            client.submit(
                _run_bucket,
                [client.submit(operator.getitem, read, bucket, pure=False) for read in reads]
                + [split[bucket] for split in here],
                mode,
                options,
                target,
                pure=False,
            )
            for bucket in range(buckets)
        ]
        try:
            done = client.gather(work)
        except _distributed().KilledWorker as error:
            raise ClusterError(
                f"the cluster lost workers too often to finish (no partial result): {error}"
            ) from error
    return [result for results in done for result in results]


def _stop_at(results: list[_Result]) -> None:
    """Raise the error of the earliest record where a desk stopped, if any did."""
    stops = [result for result in results if "at" in result]
    if not stops:
        return
    first = min(stops, key=lambda result: result["at"])
    if "stopped" in first:
        raise ProtocolError(Anomaly.from_dict(first["stopped"]))
    raise OutOfOrder(first["disorder"])


def _in_order(results: list[_Result]) -> list[_Result]:
    """Desks in the order of their first record, as one process finds them."""
    return sorted(results, key=lambda result: result["first"])


def _replay_of(result: _Result) -> Replay:
    anomalies = tuple(Anomaly.from_dict(anomaly) for anomaly in result["anomalies"])
    return Replay(from_dict(result["state"]), anomalies, result["count"])


def _stats_of(result: _Result) -> DeskStats:
    return DeskStats(**cast("dict[str, Any]", result["stats"]))


# --- the public functions -----------------------------------------------------------------------


def _prepare(
    sources: Iterable[Source], jobs: int | None, scheduler: str | Client | None
) -> list[Source]:
    """The sources as a list, once the arguments are checked."""
    if isinstance(sources, str | os.PathLike):
        raise TypeError(f"sources must be a collection of logs, not one: write [{sources!r}]")
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ValueError(f"jobs must be a whole number of processes, 1 or more, got {jobs!r}")
    if jobs is not None and scheduler is not None:
        raise ValueError("give jobs (a local pool) or scheduler (a Dask cluster), not both")
    return list(sources)


def _options(
    initial: DeskState | None,
    strict: bool,
    allowed_origins: Iterable[str] | None,
    check_order: bool,
) -> _Options:
    return _Options(
        None if initial is None else to_dict(initial),
        strict,
        origin_set(allowed_origins),
        check_order,
    )


def replay_many(
    sources: Iterable[Source],
    *,
    jobs: int | None = None,
    scheduler: str | Client | None = None,
    initial: DeskState | None = None,
    strict: bool = False,
    allowed_origins: Iterable[str] | None = DEFAULT_ORIGINS,
    check_order: bool = True,
) -> dict[Desk, Replay]:
    """Replay every desk of ``sources``, each desk alone: one :class:`~deskstate.Replay` per desk.

    ``sources`` are log paths, URLs that fsspec opens (``s3://``, ``https://``, ... with the
    matching fsspec backend installed), ``"-"`` for standard input, or iterables of records,
    oldest first; see the module documentation for how records are filed under desks, their
    order, and what anomalies say of where they are. Desks come in the order of their first record.

    ``jobs=N`` runs on N local processes, ``scheduler`` on a Dask cluster (an address such as
    ``"tcp://host:8786"`` or a :class:`distributed.Client`); by default, or with ``jobs=1``, all
    runs here. Every way gives the same result. The other options are those of
    :func:`~deskstate.replay`. Raises :class:`OutOfOrder` when a desk goes back in time from one
    source to the next (unless ``check_order=False``), :class:`~deskstate.ProtocolError` in strict
    mode, :class:`~deskstate.UnreadableLog` for a log that cannot be read, and
    :class:`ClusterError` when the cluster cannot finish.
    """
    options = _options(initial, strict, allowed_origins, check_order)
    listed = _prepare(sources, jobs, scheduler)
    if scheduler is None and (jobs is None or jobs == 1):
        return replays_by_desk(*_sequential(listed, options))
    results = _parallel(listed, "replay", options, jobs, scheduler)
    _stop_at(results)
    return {result["desk"]: _replay_of(result) for result in _in_order(results)}


def stats_many(
    sources: Iterable[Source],
    *,
    jobs: int | None = None,
    scheduler: str | Client | None = None,
    initial: DeskState | None = None,
    allowed_origins: Iterable[str] | None = DEFAULT_ORIGINS,
    check_order: bool = True,
) -> dict[Desk, DeskStats]:
    """The statistics of every desk of ``sources`` (:func:`~deskstate.stats.collect_stats`).

    Sources, desks, order and the ways to run are those of :func:`replay_many`; the records are
    replayed leniently.
    """
    options = _options(initial, False, allowed_origins, check_order)
    listed = _prepare(sources, jobs, scheduler)
    if scheduler is None and (jobs is None or jobs == 1):
        steps, _ = _sequential(listed, options)
        return collect_stats(steps)
    results = _parallel(listed, "stats", options, jobs, scheduler)
    _stop_at(results)
    return {result["desk"]: _stats_of(result) for result in _in_order(results)}


def metrics_many(
    sources: Iterable[Source],
    *,
    jobs: int | None = None,
    scheduler: str | Client | None = None,
    initial: DeskState | None = None,
    allowed_origins: Iterable[str] | None = DEFAULT_ORIGINS,
    check_order: bool = True,
    on_anomaly: Callable[[Desk, Anomaly], None] | None = None,
) -> dict[Desk, DeskMetrics]:
    """The metrics of every desk of ``sources`` (:func:`~deskstate.metrics.collect_metrics`).

    Sources, desks, order and the ways to run are those of :func:`replay_many`; the records are
    replayed leniently, from ``initial`` (the empty desk by default). ``on_anomaly`` is called with
    each desk and each of its anomalies, once the desks are measured: desk by desk in the order of
    the result, each desk's in record order, the same every way it runs.
    """
    options = _options(initial, False, allowed_origins, check_order)
    listed = _prepare(sources, jobs, scheduler)
    found: dict[Desk, list[Anomaly]] = {}
    if scheduler is None and (jobs is None or jobs == 1):
        steps, start = _sequential(listed, options)
        measured = collect_metrics(_filed(steps, found), initial=start)
    else:
        results = _in_order(_parallel(listed, "metrics", options, jobs, scheduler))
        _stop_at(results)
        measured = {
            result["desk"]: DeskMetrics.from_dict(result["metrics"], lossless=True)
            for result in results
        }
        for result in results:
            found[result["desk"]] = [Anomaly.from_dict(data) for data in result["anomalies"]]
    if on_anomaly is not None:
        for desk in measured:
            for anomaly in found.get(desk, ()):
                on_anomaly(desk, anomaly)
    return measured


def _refuse_earlier(tables: dict[str, Path]) -> None:
    found = [name for name, path in tables.items() if path.exists() or path.is_symlink()]
    if found:
        directory = next(iter(tables.values())).parent
        raise FileExistsError(
            f"{directory} already holds exported tables ({', '.join(found)}): "
            "export to another directory, or overwrite them (--force)"
        )


def _check_parts(stage: Path, results: list[_Result], format: Format) -> None:
    """Raise when two desks' parts became one file: a file system that ignores case."""
    for table in TABLES:
        if len(list((stage / table).iterdir())) == len(results):
            continue
        names: dict[str, list[Desk]] = {}
        for result in results:
            names.setdefault(part_name(result["desk"], format).casefold(), []).append(
                result["desk"]
            )
        clashes = [desks for desks in names.values() if len(desks) > 1]
        raise FileExistsError(
            f"{stage.parent}: the parts of desks {clashes[0] if clashes else '?'} are one file "
            "on this file system (it ignores case): export those desks apart"
        )


def _into_place(stage: Path, tables: dict[str, Path]) -> None:
    """Move the staged tables to ``tables``, earlier ones into ``stage``; all or none."""
    done: list[tuple[Path, Path]] = []
    try:
        for name, path in tables.items():
            if path.exists() or path.is_symlink():  # overwrite: refused before, otherwise
                done.append((path.rename(stage / f"earlier-{name}"), path))
            done.append((stage / name, (stage / name).rename(path)))
    except BaseException:
        for moved_from, moved_to in reversed(done):
            with contextlib.suppress(OSError):
                moved_to.rename(moved_from)
        raise


def export_many(
    sources: Iterable[Source],
    directory: str | os.PathLike[str],
    *,
    format: Format = "parquet",
    overwrite: bool = False,
    jobs: int | None = None,
    scheduler: str | Client | None = None,
    initial: DeskState | None = None,
    allowed_origins: Iterable[str] | None = DEFAULT_ORIGINS,
    check_order: bool = True,
    on_anomaly: Callable[[Desk, Anomaly], None] | None = None,
) -> dict[str, int]:
    """Write the tables of :mod:`deskstate.export` of every desk of ``sources``, a file per desk.

    Sources, desks, order and the ways to run are those of :func:`replay_many`; the records are
    replayed leniently, from ``initial``. Each desk's rows (:func:`~deskstate.metrics.metric_rows`)
    are written where the desk is replayed, by the worker, to ``directory/TABLE/NAME`` for each of
    the six tables, ``NAME`` being :func:`part_name` (``desk=KEY.parquet`` or ``.csv``): each
    table directory reads as one table (DuckDB ``read_parquet('DIR/messages/*.parquet')``, pandas
    ``read_parquet('DIR/messages')``). The same files come out every way it runs; in this process
    the records are filed desk by desk in memory first (a worker does so for its desks). Returns
    the rows written per table, summed over the desks. ``on_anomaly`` is called as by
    :func:`metrics_many`, once every table is in place.

    ``directory`` (made when missing) must be writable at the same path here and by every worker
    (a shared file system for a remote cluster). The parts are written to a hidden staging
    directory in it, each desk's renamed from ``.partial`` once its six are complete, and the six
    table directories are moved into place once every desk is written: when anything fails
    (an unreadable log, :class:`OutOfOrder`, a lost cluster), the error goes on and nothing this
    call wrote is left. Raises ``FileExistsError`` before reading anything when ``directory``
    already holds a table directory, unless ``overwrite`` (which replaces those directories
    whole); ``ImportError`` for Parquet without pyarrow; ``ValueError`` for an unknown format.
    """
    check_format(format)
    options = _options(initial, False, allowed_origins, check_order)
    listed = _prepare(sources, jobs, scheduler)
    folder = Path(directory).absolute()
    tables = {name: folder / name for name in TABLES}
    if not overwrite:
        _refuse_earlier(tables)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a directory")
    made = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    stage = folder / f".export-{uuid.uuid4().hex}.partial"
    try:
        for name in TABLES:
            (stage / name).mkdir(parents=True)
        target = _Target(str(stage), format, BATCH_ROWS)
        if scheduler is None and (jobs is None or jobs == 1):
            parts = [_chunks(order, source, 1)[0] for order, source in enumerate(listed)]
            results = _run_bucket(parts, "export", options, target)
        else:
            results = _parallel(listed, "export", options, jobs, scheduler, target)
        results = _in_order(results)
        _stop_at(results)
        _check_parts(stage, results, format)
        _into_place(stage, tables)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        if made:
            with contextlib.suppress(OSError):  # only if still empty
                folder.rmdir()
        raise
    shutil.rmtree(stage, ignore_errors=True)  # and the tables an overwrite replaced
    if on_anomaly is not None:
        for result in results:
            for data in result["anomalies"]:
                on_anomaly(result["desk"], Anomaly.from_dict(data))
    return {name: sum(result["written"][name] for result in results) for name in TABLES}
