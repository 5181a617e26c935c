"""JSON values: deep-frozen within a nesting limit and thawed back, and an object's members read.

:class:`Members` reads the members of a JSON object into typed values, naming every bad member.

Everything a snapshot or an event keeps from outside goes through :func:`freeze`, so that mutating
the input afterwards changes nothing and nothing reachable from a snapshot can be mutated.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Mapping
from typing import ClassVar, Final, TypeAlias

from pyrsistent import PMap, PVector, pmap, pvector

from deskstate.errors import InvalidEvent

__all__ = [
    "MAX_RECORD_DEPTH",
    "Frozen",
    "Members",
    "check_depth",
    "found",
    "freeze",
    "thaw",
]

#: A record nested deeper than this (the record itself is level 1) is invalid, whatever it is.
MAX_RECORD_DEPTH: Final = 64

Frozen: TypeAlias = "str | int | float | bool | PMap[str, Frozen] | PVector[Frozen] | None"

_describer = reprlib.Repr()
_describer.maxstring = 60
_describer.maxother = 60
_describer.maxlevel = 2


def found(value: object) -> str:
    """Describe a value received, briefly, for an error message: ``'1234'``, ``12.5``, ``{...}``."""
    return _describer.repr(value)


def freeze(value: object, path: str, depth: int, max_depth: int) -> Frozen:
    """Return ``value`` as an immutable JSON value, or raise :class:`InvalidEvent`.

    ``depth`` is the nesting level of ``value`` itself (a top-level object is level 1) and
    ``max_depth`` the deepest level allowed; ``path`` names the value in error messages.
    """
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidEvent(f"{path} must be a finite number, got {found(value)}")
        return value
    if isinstance(value, Mapping | list | tuple):
        if depth > max_depth:
            raise InvalidEvent(f"{path} is nested deeper than {max_depth} levels")
        if isinstance(value, Mapping):
            items = {}
            for key, item in value.items():
                if not isinstance(key, str):
                    raise InvalidEvent(f"{path} must have string keys, got {found(key)}")
                items[key] = freeze(item, f"{path}.{key}", depth + 1, max_depth)
            return pmap(items)
        return pvector(
            [freeze(item, f"{path}[{i}]", depth + 1, max_depth) for i, item in enumerate(value)]
        )
    raise InvalidEvent(f"{path} must be a JSON value, got {found(value)}")


def check_depth(value: object, path: str, depth: int, max_depth: int = MAX_RECORD_DEPTH) -> None:
    """Raise :class:`InvalidEvent` when ``value`` (at nesting level ``depth``) nests too deeply.

    Used on the members a known event ignores: they are not kept, but a record nested deeper than
    the limit is invalid wherever the nesting is.
    """
    if isinstance(value, Mapping):
        if depth > max_depth:
            raise InvalidEvent(f"{path} is nested deeper than {max_depth} levels")
        for key, item in value.items():
            check_depth(item, f"{path}.{key}", depth + 1, max_depth)
    elif isinstance(value, list | tuple):
        if depth > max_depth:
            raise InvalidEvent(f"{path} is nested deeper than {max_depth} levels")
        for i, item in enumerate(value):
            check_depth(item, f"{path}[{i}]", depth + 1, max_depth)


def thaw(value: Frozen) -> object:
    """Return a frozen JSON value as plain ``dict``/``list`` values, ready for ``json.dumps``."""
    if isinstance(value, PMap):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, PVector):
        return [thaw(item) for item in value]
    return value


class Members:
    """Typed access to the members of one JSON object; every error names the member's path.

    What ``from_dict`` readers share: a subclass sets the ``error`` it raises (a ``ValueError``)
    and what the object is called when it is the whole (``whole``), and adds its own types.
    """

    error: ClassVar[type[ValueError]] = ValueError
    whole: ClassVar[str] = "the data"

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, Mapping):
            raise self.error(f"{path or self.whole} must be a JSON object, got {found(data)}")
        self.data = data
        self.path = path

    def where(self, member: str) -> str:
        """The path of ``member``."""
        return f"{self.path}.{member}" if self.path else member

    def get(self, member: str) -> object:
        """The value of ``member``, or the error saying it is missing."""
        try:
            return self.data[member]
        except KeyError:
            raise self.error(f"{self.where(member)} is missing") from None

    def fail(self, member: str, expected: str, value: object) -> ValueError:
        """The error saying ``member`` must be ``expected`` and was ``value``."""
        return self.error(f"{self.where(member)} must be {expected}, got {found(value)}")

    def boolean(self, member: str) -> bool:
        value = self.get(member)
        if not isinstance(value, bool):
            raise self.fail(member, "true or false", value)
        return value

    def array(self, member: str) -> list[object]:
        value = self.get(member)
        if not isinstance(value, list):
            raise self.fail(member, "a list", value)
        return value
