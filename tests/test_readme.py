"""The README's Python examples run, in order, as one program."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), re.S | re.M)


def test_readme_has_python_examples() -> None:
    """The README shows the library in use (so the next test has something to run)."""
    assert len(python_blocks()) >= 3


def test_readme_python_examples_run() -> None:
    """Every Python block of the README runs without error, its asserts included."""
    namespace: dict[str, object] = {}
    for number, block in enumerate(python_blocks(), start=1):
        code = compile(block, f"README.md python block {number}", "exec")
        exec(code, namespace)  # running our own documentation is the point
