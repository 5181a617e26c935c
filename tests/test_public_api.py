"""The public face: the names SPEC §13 fixes, and a core that does no I/O and imports no edge."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import deskstate
from deskstate import query

PACKAGE = Path(deskstate.__file__).resolve().parent
CORE = [
    "anomaly",
    "errors",
    "events",
    "query",
    "records",
    "reducer",
    "replay",
    "clock",
    "explain",
    "serialise",
    "state",
    "facts",
    "stats",
    "metrics",
    "selectors",
    "timestamps",
    "_json",
    "_hamt",
    "_immutable",
    "_order",
    "_vector",
    "_report_format",
    "_fold",
    "_working",
    "_inline",
    "_rules",
    "_metrics_form",
    "tables",
    "chart_data",
]
EDGES = {
    "deskstate.logfile",
    "deskstate.cli",
    "deskstate.cli.arguments",
    "deskstate.cli.checking",
    "deskstate.cli.common",
    "deskstate.cli.counting",
    "deskstate.cli.diffing",
    "deskstate.cli.explaining",
    "deskstate.cli.generating",
    "deskstate.cli.live",
    "deskstate.cli.parallel",
    "deskstate.cli.parser",
    "deskstate.cli.replaying",
    "deskstate.render",
    "deskstate.report",
    "deskstate.html_report",
    "deskstate.svg_charts",
    "deskstate.export",
    "deskstate.cli.exporting",
    "deskstate.cli.drawing",
    "deskstate.testing",
    "deskstate.store",
    "deskstate.tui",
    "deskstate.follow",
    "deskstate.fleet",
    "deskstate.record",
}
#: What a core module may import from the list below, and why.
ALLOWED = {
    # A lock per selector: UIs call selectors from several threads; no thread is started.
    "selectors": {"threading"},
}
IO_MODULES = {
    "os",
    "sys",
    "io",
    "gzip",
    "time",
    "socket",
    "threading",
    "logging",
    "pathlib",
    "subprocess",
    "random",
    "rich",
    "hypothesis",
    "matplotlib",
}

SPEC_NAMES = [
    "parse_event",
    "InvalidEvent",
    "UnknownEvent",
    "DeskState",
    "Conversation",
    "Message",
    "step",
    "reduce",
    "ProtocolError",
    "Step",
    "Anomaly",
    "DeskStateError",
    "UnreadableLog",
    "replay",
    "scan",
    "read_log",
    "to_dict",
    "from_dict",
    "Replay",
    "replay_desks",
    "ConversationAdded",
    "ConversationFocused",
    "ConversationFocusLost",
    "ConversationStateBoxClicked",
    "ConversationRemoved",
    "ConversationVisitorUpdated",
    "AvailabilityUpdated",
    "ConversationMessageAdded",
]
QUERIES = [
    "open_conversations",
    "conversation",
    "is_open",
    "focused",
    "focused_visitor",
    "visitor",
    "messages",
    "message_count",
    "unread_count",
    "availability",
    "can_accept",
    "is_empty",
    "closed_conversations",
    "find_by_visitor",
]


def test_all_lists_exactly_the_public_names() -> None:
    """`deskstate.__all__` names what the package exports, each importable, nothing private."""
    exported = {name for name in vars(deskstate) if not name.startswith("_")}
    modules = {name for name in exported if type(getattr(deskstate, name)).__name__ == "module"}
    assert set(deskstate.__all__) == exported - modules
    assert set(SPEC_NAMES) <= set(deskstate.__all__)


def test_every_query_of_the_spec_is_in_the_query_module() -> None:
    """`deskstate.query` has every function of SPEC §5, and `__all__` says so."""
    assert set(query.__all__) == set(QUERIES)
    assert all(callable(getattr(query, name)) for name in QUERIES)


@pytest.mark.parametrize("name", deskstate.__all__)
def test_public_names_have_docstrings(name: str) -> None:
    """Every public class and function says what it is for."""
    value = getattr(deskstate, name)
    if isinstance(value, type) or inspect.isfunction(value):
        assert (value.__doc__ or "").strip(), name


def test_exceptions_are_also_builtins() -> None:
    """Each error is a DeskStateError and the builtin it behaves like."""
    assert issubclass(deskstate.InvalidEvent, deskstate.DeskStateError)
    assert issubclass(deskstate.InvalidEvent, ValueError)
    assert issubclass(deskstate.InvalidSnapshot, ValueError)
    assert issubclass(deskstate.UnreadableLog, OSError)
    assert issubclass(deskstate.ProtocolError, deskstate.DeskStateError)


@pytest.mark.parametrize("module", CORE)
def test_the_core_imports_no_edge_and_nothing_that_does_io(module: str) -> None:
    """Core modules import neither the edges (files, terminal, tests) nor I/O or clock modules."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    assert not imported & EDGES
    assert not {name.split(".")[0] for name in imported} & IO_MODULES - ALLOWED.get(module, set())
    calls = {ast.unparse(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    assert not {"open", "print", "input", "datetime.now", "datetime.utcnow"} & calls


def test_importing_deskstate_loads_no_edge_library() -> None:
    """`import deskstate` loads no library of the extras (rich, textual, starlette...)."""
    code = (
        "import sys, deskstate, deskstate.query;"
        "print(sorted({'rich', 'hypothesis', 'textual', 'starlette', 'uvicorn', 'playwright',"
        " 'dask', 'distributed', 'fsspec', 'matplotlib'}"
        " & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_the_fleet_module_loads_dask_only_to_run_in_parallel() -> None:
    """`import deskstate.fleet` (and a replay in one process) loads no Dask."""
    code = (
        "import sys, deskstate.fleet;"
        "deskstate.fleet.replay_many([[]]);"
        "print(sorted({'dask', 'distributed', 'fsspec'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_the_package_ships_its_type_marker_and_example() -> None:
    """`py.typed` and the bundled example are part of the installed package."""
    assert (PACKAGE / "py.typed").is_file()
    assert (PACKAGE / "data" / "example.jsonl").is_file()
