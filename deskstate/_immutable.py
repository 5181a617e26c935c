"""What the snapshot's own collections share: no attribute can change, and sequence equality."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn, TypeVar

__all__ = ["FrozenSequence", "Immutable"]

T_co = TypeVar("T_co", covariant=True)


class Immutable:
    """Refuses every change of attribute: instances are set up through their slots' descriptors."""

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"a {type(self).__name__} cannot be changed (tried to set {name!r})")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(
            f"a {type(self).__name__} cannot be changed (tried to delete {name!r})"
        )


class FrozenSequence(Immutable, Sequence[T_co]):
    """An immutable sequence equal to any sequence of equal items (not a string), hashed as a tuple.

    Pickled and shown as its class called with the tuple of its items.
    """

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return len(other) == len(self) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (tuple(self),))
