"""Running in parallel on Dask: the client, the tasks, and the results read back here.

The only module of deskstate that imports Dask, and only when a replay runs in parallel.
"""

from __future__ import annotations

import contextlib
import operator
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final, cast

from deskstate.anomaly import Anomaly
from deskstate.errors import ProtocolError
from deskstate.fleet.common import ClusterError, OutOfOrder, Source, _Mode, _Options, _Result
from deskstate.fleet.layout import _Target
from deskstate.fleet.sources import _chunks, _is_file
from deskstate.fleet.worker import _run_bucket
from deskstate.replay import Replay
from deskstate.serialise import from_dict
from deskstate.stats import DeskStats

if TYPE_CHECKING:
    from distributed import Client

#: Replay tasks per worker thread: enough to even out desks of unequal size.
_PARTS_PER_WORKER: Final = 4


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
