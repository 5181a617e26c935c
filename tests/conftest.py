"""Hypothesis settings profiles, chosen by ``HYPOTHESIS_PROFILE`` (default: ``ci`` under CI).

- ``ci``: reproducible runs (derandomized, no example database), failures printed with a blob to
  reproduce them;
- ``dev``: the default on a workstation, with the example database replaying past failures;
- ``deep``: many more examples, for a long hunt before a release.

And the fixtures the tests of ``deskstate.fleet`` share (``parts``, ``expected``, ``cluster``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

if TYPE_CHECKING:
    import distributed
    from fleet_helpers import Replays

settings.register_profile(
    "ci", derandomize=True, max_examples=100, deadline=None, database=None, print_blob=True
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("deep", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


# Module-scoped: each test module starts at most one cluster. fleet_helpers is imported by the
# fixtures, not here, so that the other tests load no Dask.


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The generated log of 40 desks (``RECORDS``), written as three parts in record order."""
    from fleet_helpers import RECORDS, write_parts  # noqa: PLC0415 - fleet tests only

    return write_parts(tmp_path_factory.mktemp("fleet"), RECORDS, 3)


@pytest.fixture(scope="module")
def expected(parts: list[Path]) -> Replays:
    """What ``parts`` replay to, desk by desk, each anomaly placed in its own part."""
    from fleet_helpers import expected_replays, read_parts  # noqa: PLC0415 - fleet tests only

    return expected_replays(read_parts(parts))


@pytest.fixture(scope="module")
def cluster() -> Iterator[distributed.LocalCluster]:
    """A real two-worker Dask cluster on this machine, torn down after the module."""
    from fleet_helpers import local_cluster  # noqa: PLC0415 - fleet tests only

    with local_cluster() as local:
        yield local
