"""The files of :func:`~deskstate.fleet.export_many`: a part per desk, staged, moved in place."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path
from typing import Final, NamedTuple
from urllib.parse import quote, unquote_to_bytes

from deskstate.export import TABLES, Format, write_tables
from deskstate.fleet.common import Desk, _Result
from deskstate.metrics import metric_rows
from deskstate.replay import ReplayStep
from deskstate.state import DeskState


class _Target(NamedTuple):
    """Where a desk's tables go: ``directory/TABLE/`` (absolute), in ``format``."""

    directory: str
    format: Format
    batch_rows: int


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
