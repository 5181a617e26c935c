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
import os
import shutil
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from deskstate.anomaly import Anomaly
from deskstate.export import BATCH_ROWS, TABLES, Format, check_format
from deskstate.fleet.cluster import _in_order, _parallel, _replay_of, _stats_of, _stop_at
from deskstate.fleet.common import ClusterError, OutOfOrder, Source, _Options
from deskstate.fleet.common import Desk as Desk  # re-exported: public, though not in __all__
from deskstate.fleet.layout import (
    _check_parts,
    _into_place,
    _refuse_earlier,
    _Target,
    part_desk,
    part_name,
)
from deskstate.fleet.runner import _filed, _sequential
from deskstate.fleet.sources import _chunks
from deskstate.fleet.worker import _run_bucket
from deskstate.metrics import DeskMetrics, collect_metrics
from deskstate.records import DEFAULT_ORIGINS
from deskstate.replay import Replay, origin_set, replays_by_desk
from deskstate.serialise import to_dict
from deskstate.state import DeskState
from deskstate.stats import DeskStats, collect_stats

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
